package fixedpoint_test

import (
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/internal/nettest"
)

// Deflation finds fixed points that plain multi-start misses on the same
// budget: all starts lie in the basin of one root, and the same number of
// solver runs (24) is spent either on plain runs (each start three times)
// or on 8 runs plus 16 deflated restarts. Deflation finds all five roots.
func TestDeflationFindsMore(t *testing.T) {
	w := [4]float64{2, 0.5, 0.5, 2}
	b := [2]float64{0.3, 0.2}
	all := twoUnitRoots(w, b)
	net := nettest.Must(t, dynamics.Config{W: mat.NewDense(2, 2, w[:]), B: b[:]})
	starts := uniformInits(8, 2, 0.7, 1, 11)
	thrice := mat.NewDense(24, 2, nil)
	for i := 0; i < 24; i++ {
		thrice.SetRow(i, starts.RawRowView(i%8))
	}
	for _, c := range []struct {
		m   fixedpoint.Method
		lin fixedpoint.Linear
	}{{fixedpoint.Newton, fixedpoint.LinearLU}, {fixedpoint.Auto, fixedpoint.LinearLU}, {fixedpoint.Auto, fixedpoint.LinearMatrixFree}} {
		m := c.m
		t.Run(m.String()+"/"+c.lin.String(), func(t *testing.T) {
			plain := find(t, net, thrice, &fixedpoint.Settings{Method: m, Linear: c.lin, Deflation: -1})
			defl := find(t, net, starts, &fixedpoint.Settings{Method: m, Linear: c.lin, Deflation: 16})
			np, nd := plain.Count(fixedpoint.Fixed), defl.Count(fixedpoint.Fixed)
			t.Logf("%d roots in all; plain multi-start %d (%d LU), deflation %d (%d LU, %d restarts)",
				len(all), np, plain.Stats.Factorizations, nd, defl.Stats.Factorizations, defl.Stats.Restarts)
			if np != 1 {
				t.Errorf("plain multi-start found %d points; the test wants all starts in one basin", np)
			}
			if nd != len(all) {
				t.Errorf("deflation found %d points, want all %d", nd, len(all))
			}
			matchSubset(t, fixedPoints(defl), all, 1e-9)
			nsrc := 0
			for _, p := range defl.Points {
				if p.Source == fixedpoint.FromDeflation {
					nsrc++
					if p.Multiplicity != 0 {
						t.Errorf("deflated point with multiplicity %d", p.Multiplicity)
					}
				}
			}
			if nsrc != nd-np {
				t.Errorf("%d points from deflation, want %d", nsrc, nd-np)
			}
		})
	}
}

// With no fixed point known there is nothing to deflate: no restart runs.
// Single Newton steps from far starts on a chaotic network reach none.
func TestNoDeflationWithoutRoots(t *testing.T) {
	net := nettest.Tanh(t, 40, 1.5, 3)
	inits := uniformInits(6, 40, 0.9, 1, 5)
	for _, lin := range []fixedpoint.Linear{fixedpoint.LinearLU, fixedpoint.LinearMatrixFree} {
		res := find(t, net, inits, &fixedpoint.Settings{Method: fixedpoint.Newton, Linear: lin, MaxIter: 1, Deflation: 16, NoSymmetry: true})
		if res.Count(fixedpoint.Fixed) != 0 {
			t.Fatalf("%v: %d runs reached a fixed point; the test wants none", lin, res.Count(fixedpoint.Fixed))
		}
		if res.Stats.Restarts != 0 {
			t.Errorf("%v: %d deflated restarts with no root known", lin, res.Stats.Restarts)
		}
	}
}

// matchSubset checks that every point of got is one of want.
func matchSubset(t *testing.T, got, want [][]float64, tol float64) {
	t.Helper()
	for _, g := range got {
		if !hasNear(want, g, tol) {
			t.Errorf("%v is not a fixed point of the reduction", g)
		}
	}
}
