package fixedpoint

import (
	"context"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/dense"
)

// Find factorises with Settings.LU when it is set: every factorisation of
// the dense path (runs, known points, deflation) goes through it, and the
// result is bit for bit the default's when it is the default LU.
func TestSettingsLU(t *testing.T) {
	const n = 40
	rng := rand.New(rand.NewPCG(9, 10))
	w := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			w.Set(i, j, 1.5*rng.NormFloat64()/math.Sqrt(n))
		}
	}
	net, err := dynamics.New(dynamics.Config{W: w})
	if err != nil {
		t.Fatal(err)
	}
	inits := mat.NewDense(12, n, nil)
	for i := 0; i < 12; i++ {
		for j := 0; j < n; j++ {
			inits.Set(i, j, rng.NormFloat64())
		}
	}
	var calls atomic.Int64
	counting := func(n int, a []float64, piv []int) bool {
		calls.Add(1)
		return dense.Factorize(n, a, piv)
	}
	ref, err := Find(context.Background(), net, inits, &Settings{Linear: LinearLU, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Find(context.Background(), net, inits, &Settings{Linear: LinearLU, Workers: 2, LU: counting})
	if err != nil {
		t.Fatal(err)
	}
	// Stats.Factorizations counts the runs' factorisations; the known
	// points' come on top.
	if f := got.Stats.Factorizations; f == 0 || calls.Load() < int64(f)+int64(got.Count(Fixed)) {
		t.Errorf("Settings.LU called %d times for %d factorisations and %d fixed points", calls.Load(), f, got.Count(Fixed))
	}
	if len(got.Points) != len(ref.Points) || got.Stats != ref.Stats {
		t.Fatalf("with Settings.LU = dense.Factorize: %d points, stats %+v; default: %d points, %+v", len(got.Points), got.Stats, len(ref.Points), ref.Stats)
	}
	for k := range ref.Points {
		for i, v := range ref.Points[k].X {
			if math.Float64bits(got.Points[k].X[i]) != math.Float64bits(v) {
				t.Fatalf("point %d differs at [%d]", k, i)
			}
		}
	}
}
