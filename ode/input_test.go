package ode_test

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/ode"
)

func TestInputAt(t *testing.T) {
	vals := mat.NewDense(3, 2, []float64{0, 10, 1, 20, 3, 0})
	times := []float64{1, 2, 4}
	hold, err := ode.NewInput(times, vals, ode.Hold)
	if err != nil {
		t.Fatal(err)
	}
	lin, err := ode.NewInput(times, vals, ode.Linear)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		t          float64
		hold, line []float64
	}{
		{0, []float64{0, 10}, []float64{0, 10}},
		{1, []float64{0, 10}, []float64{0, 10}},
		{1.5, []float64{0, 10}, []float64{0.5, 15}},
		{2, []float64{1, 20}, []float64{1, 20}},
		{3.5, []float64{1, 20}, []float64{2.5, 5}},
		{4, []float64{3, 0}, []float64{3, 0}},
		{9, []float64{3, 0}, []float64{3, 0}},
	} {
		got := make([]float64, 2)
		hold.At(got, tc.t)
		if maxAbsDiff(got, tc.hold) > 1e-15 {
			t.Errorf("hold(%v) = %v, want %v", tc.t, got, tc.hold)
		}
		lin.At(got, tc.t)
		if maxAbsDiff(got, tc.line) > 1e-15 {
			t.Errorf("linear(%v) = %v, want %v", tc.t, got, tc.line)
		}
	}
	for name, tc := range map[string]struct {
		times []float64
		vals  mat.Matrix
	}{
		"rows":      {[]float64{0, 1}, vals},
		"unsorted":  {[]float64{0, 2, 1}, vals},
		"nan-value": {[]float64{0, 1}, mat.NewDense(2, 1, []float64{0, math.NaN()})},
		"empty":     {nil, vals},
	} {
		if _, err := ode.NewInput(tc.times, tc.vals, ode.Hold); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// Network.FieldInput adapts to a Func with an Input. A linear unit driven by
// u(t) = t (linear interpolation of two samples): tau h' = -h + w_in u with
// h(0) = 0 gives h(t) = w_in (t - tau (1 - e^{-t/tau})).
func TestFieldInput(t *testing.T) {
	const tau, win = 0.5, 2.0
	net, err := dynamics.New(dynamics.Config{
		W: mat.NewDense(1, 1, []float64{0}), WIn: mat.NewDense(1, 1, []float64{win}),
		Activation: dynamics.Linear, Tau: []float64{tau},
	})
	if err != nil {
		t.Fatal(err)
	}
	in, err := ode.NewInput([]float64{0, 10}, mat.NewDense(2, 1, []float64{0, 10}), ode.Linear)
	if err != nil {
		t.Fatal(err)
	}
	f := func(dst []float64, t float64, h []float64) {
		var u [1]float64 // one input channel; a buffer per call keeps f safe for concurrent use
		in.At(u[:], t)
		net.FieldInput(dst, h, u[:])
	}
	times := []float64{0.5, 1, 3}
	res, err := ode.Solve(context.Background(), f, []float64{0}, 0, 3, &ode.Settings{Times: times, RelTol: 1e-10, AbsTol: 1e-12})
	if err != nil {
		t.Fatal(err)
	}
	for i, ts := range times {
		want := win * (ts - tau*(1-math.Exp(-ts/tau)))
		if d := math.Abs(res.Y.At(i, 0) - want); d > 1e-8 {
			t.Errorf("t=%v: %v, want %v", ts, res.Y.At(i, 0), want)
		}
	}
}
