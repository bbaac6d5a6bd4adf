package explore_test

import (
	"math"
	"reflect"
	"testing"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/explore"
	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/internal/nettest"
	"github.com/fpfind/fpfind/linearize"
)

// On odd-symmetric networks Find computes the spectrum and the manifold
// trajectories of the second member of each exact mirror pair from the
// first's; with NoMirrors it computes them for both. The results must be
// the same bit for bit: points, runs, spectra (values, classes, scales)
// and the graph. On a network with a bias nothing is mirrored and
// NoMirrors changes nothing.
func TestMirrorsReused(t *testing.T) {
	for _, c := range []struct {
		name      string
		net       *dynamics.Network
		symmetric bool
		reaches   bool // mirrored edges reach points (not chaos)
		sample    explore.Sample
	}{
		{"hopfield", load(t, "hopfield.npz").Network, true, true, explore.Sample{Count: 24, Seed: 1}},
		{"chaotic N = 40", nettest.Tanh(t, 40, 1.6, 2), true, false, explore.Sample{Count: 48, Seed: 2}},
		{"flipflop (biased)", load(t, "flipflop.npz").Network, false, false, explore.Sample{Count: 32, Seed: 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := explore.Settings{Sample: c.sample, Workers: 2}
			r := find(t, c.net, &s)
			s.NoMirrors = true
			ref := find(t, c.net, &s)
			if !reflect.DeepEqual(r.Points, ref.Points) || !reflect.DeepEqual(r.Runs, ref.Runs) {
				t.Fatalf("the points or the runs differ: %d and %d points", len(r.Points), len(ref.Points))
			}
			if !reflect.DeepEqual(r.Edges, ref.Edges) {
				t.Errorf("the graphs differ:\n%v\n%v", r.Edges, ref.Edges)
			}
			if r.Stats.Trajectories != ref.Stats.Trajectories || r.Stats.Rounds != ref.Stats.Rounds {
				t.Errorf("%d trajectories in %d rounds, %d in %d without mirrors", r.Stats.Trajectories, r.Stats.Rounds, ref.Stats.Trajectories, ref.Stats.Rounds)
			}
			states := make([][]float64, len(r.Points))
			for i, p := range r.Points {
				states[i] = p.X
				if !sameSpectrum(r.Spectra[i], ref.Spectra[i]) {
					t.Errorf("point %d: the spectra differ", i)
				}
			}
			mirror := c.net.Mirrors(states)
			pairs, shared, derived, reached := 0, 0, 0, 0
			for i, m := range mirror {
				if m > i {
					pairs++
				}
				if m >= 0 && m < i && r.Spectra[i] == r.Spectra[m] {
					shared++
				}
			}
			for _, e := range r.Edges {
				if m := mirror[e.From]; m >= 0 && m < e.From {
					derived++
					if e.To >= 0 {
						reached++
					}
				}
			}
			t.Logf("%d points (%d mirror pairs, %d spectra shared), %d edges (%d mirrored, %d of them to a point); solves from %d and %d states",
				len(r.Points), pairs, shared, len(r.Edges), derived, reached, r.Stats.Starts, ref.Stats.Starts)
			if !c.symmetric {
				if pairs != 0 || r.Symmetric || !reflect.DeepEqual(r.Stats.Solve, ref.Stats.Solve) || r.Stats.Starts != ref.Stats.Starts {
					t.Errorf("biased network: %d mirror pairs, Symmetric %v; the solves' work %+v and %+v", pairs, r.Symmetric, r.Stats.Solve, ref.Stats.Solve)
				}
				return
			}
			if !r.Symmetric || shared != pairs || pairs == 0 {
				t.Errorf("Symmetric %v: %d mirror pairs, %d spectra shared", r.Symmetric, pairs, shared)
			}
			for i, m := range mirror {
				if m < 0 && maxAbs(r.Points[i].X) > 1e-6 {
					t.Errorf("point %d (%v, %v) has no exact mirror", i, r.Points[i].Kind, r.Points[i].Source)
				}
			}
			slow := 0
			for i, p := range r.Points {
				if p.Kind == fixedpoint.Slow && mirror[i] >= 0 {
					slow++
				}
			}
			if derived == 0 || c.reaches && (reached == 0 || r.Stats.Starts >= ref.Stats.Starts) || !c.reaches && slow == 0 {
				t.Errorf("%d mirrored edges, %d to a point, %d slow points with mirrors; solves from %d and %d states: the test does not test the reuse", derived, reached, slow, r.Stats.Starts, ref.Stats.Starts)
			}
		})
	}
}

// sameSpectrum compares two spectra field by field, bit for bit (NaN
// equal to NaN).
func sameSpectrum(a, b *linearize.Spectrum) bool {
	if a == nil || b == nil {
		return a == b
	}
	f := func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) }
	ca, cb := *a, *b
	if !f(ca.Cond, cb.Cond) || !f(ca.Eps, cb.Eps) || !f(ca.Scale, cb.Scale) {
		return false
	}
	ca.Cond, cb.Cond = 0, 0
	return reflect.DeepEqual(ca, cb)
}
