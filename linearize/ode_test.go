package linearize_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/linearize"
	"github.com/fpfind/fpfind/ode"
)

// TestAffineWithODE hands Affine.Field to ode.Solve and compares the end
// state with the exact solution of dd/dt = F0 + J d:
// d(t) = e^{Jt} d0 + J^{-1} (e^{Jt} - I) F0, through mat.Exp of the
// augmented matrix [[J, F0], [0, 0]].
func TestAffineWithODE(t *testing.T) {
	const n, T = 5, 1.5
	rng := rand.New(rand.NewPCG(3, 0))
	w := mat.NewDense(n, n, nil)
	b := make([]float64, n)
	h0 := make([]float64, n)
	d0 := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			w.Set(i, j, 1.3*rng.NormFloat64()/math.Sqrt(n))
		}
		b[i], h0[i], d0[i] = 0.2*rng.NormFloat64(), 0.5*rng.NormFloat64(), 0.1*rng.NormFloat64()
	}
	net, err := dynamics.New(dynamics.Config{W: w, B: b, Tau: []float64{0.8}})
	if err != nil {
		t.Fatal(err)
	}
	aff, err := linearize.NewAffine(net, h0)
	if err != nil {
		t.Fatal(err)
	}
	var f ode.Func = aff.Field
	res, err := ode.Solve(context.Background(), f, d0, 0, T, &ode.Settings{RelTol: 1e-11, AbsTol: 1e-13, Times: []float64{T}})
	if err != nil {
		t.Fatal(err)
	}
	aug := mat.NewDense(n+1, n+1, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			aug.Set(i, j, T*aff.J.At(i, j))
		}
		aug.Set(i, n, T*aff.F0[i])
	}
	var e mat.Dense
	e.Exp(aug)
	last := res.Y.RawRowView(res.Y.RawMatrix().Rows - 1)
	for i := 0; i < n; i++ {
		want := e.At(i, n)
		for j := 0; j < n; j++ {
			want += e.At(i, j) * d0[j]
		}
		if math.Abs(last[i]-want) > 1e-8 {
			t.Errorf("d_%d(T) = %v, exact %v", i, last[i], want)
		}
	}
}
