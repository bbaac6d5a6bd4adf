package ode_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
)

// randomNet returns a tanh network with W = g/sqrt(n) * N(0, 1) and a small
// random bias, seeded.
func randomNet(t testing.TB, n int, g float64, seed uint64, act dynamics.Activation) *dynamics.Network {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0))
	w := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			w.Set(i, j, g/math.Sqrt(float64(n))*rng.NormFloat64())
		}
	}
	b := make([]float64, n)
	for i := range b {
		b[i] = 0.1 * rng.NormFloat64()
	}
	net, err := dynamics.New(dynamics.Config{W: w, B: b, Activation: act})
	if err != nil {
		t.Fatal(err)
	}
	return net
}

func randomStates(b, n int, scale float64, seed uint64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 1))
	m := mat.NewDense(b, n, nil)
	for i := range m.RawMatrix().Data {
		m.RawMatrix().Data[i] = scale * rng.NormFloat64()
	}
	return m
}

func field(net *dynamics.Network) func(dst []float64, _ float64, h []float64) {
	return func(dst []float64, _ float64, h []float64) { net.Field(dst, h) }
}

func maxAbsDiff(a, b []float64) float64 {
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

func dense(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}
