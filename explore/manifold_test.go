package explore

import (
	"context"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/internal/nettest"
	"github.com/fpfind/fpfind/linearize"
)

// A mode slower than manifoldRefRate, growing at least half as fast as its
// point's fastest, starts where its linear phase lasts as long as that of
// a mode growing at manifoldRefRate from manifoldEps (capped at
// sqrt(manifoldEps)); every other mode starts at manifoldEps.
func TestStartDisplacement(t *testing.T) {
	ref := math.Log(1/manifoldEps) / manifoldRefRate // the longest linear phase
	for _, c := range []struct{ rate, lead, want float64 }{
		{0.5, 0.5, manifoldEps},    // fast
		{0.2, 0.3, manifoldEps},    // at the reference rate
		{0.1, 0.3, manifoldEps},    // slower than half the lead: left alone
		{0.15, 0.15, math.NaN()},   // slow and leading: further out
		{0.12, 0.2, math.NaN()},    // slow, within half the lead
		{0.05, 0.05, math.NaN()},   // very slow: capped
		{0.001, 0.001, math.NaN()}, // capped
	} {
		d := startDisplacement(c.rate, c.lead)
		if !math.IsNaN(c.want) {
			if d != c.want {
				t.Errorf("rate %g, lead %g: displacement %g, want %g", c.rate, c.lead, d, c.want)
			}
			continue
		}
		if !(d > manifoldEps && d <= math.Sqrt(manifoldEps)) {
			t.Errorf("rate %g, lead %g: displacement %g outside (%g, %g]", c.rate, c.lead, d, manifoldEps, math.Sqrt(manifoldEps))
		}
		lin := math.Log(1/d) / c.rate
		if d < math.Sqrt(manifoldEps) && math.Abs(lin-ref) > 1e-9*ref {
			t.Errorf("rate %g: linear phase %g, want %g", c.rate, lin, ref)
		}
		if lin > math.Log(1/manifoldEps)/c.rate {
			t.Errorf("rate %g: linear phase %g longer than from manifoldEps", c.rate, lin)
		}
	}
}

// The origin of tanh(W h) - h with W = diag(1.1, 0.5) is a saddle whose
// one unstable mode grows at 0.1 per time constant, half manifoldRefRate:
// it starts at sqrt(manifoldEps) instead of manifoldEps, and its two
// edges still end at the two stable points (h*, 0) and (-h*, 0), h* =
// tanh(1.1 h*).
func TestSlowModeEdges(t *testing.T) {
	net, err := dynamics.New(dynamics.Config{W: mat.NewDense(2, 2, []float64{1.1, 0, 0, 0.5})})
	if err != nil {
		t.Fatal(err)
	}
	if d := startDisplacement(0.1, 0.1); d != math.Sqrt(manifoldEps) {
		t.Fatalf("displacement %g, want %g", d, math.Sqrt(manifoldEps))
	}
	hs := 1.0
	for range 200 {
		hs = math.Tanh(1.1 * hs)
	}
	inits := mat.NewDense(3, 2, []float64{0.01, 0.02, 0.9, -0.1, -0.8, 0.1})
	r, err := Find(context.Background(), net, &Settings{Inits: inits, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	origin := -1
	for i, p := range r.Points {
		if p.Kind == fixedpoint.Fixed && math.Abs(p.X[0])+math.Abs(p.X[1]) < 1e-9 {
			origin = i
		}
	}
	if origin < 0 {
		t.Fatalf("no origin among %d points", len(r.Points))
	}
	ends := map[float64]bool{}
	for _, e := range r.Edges {
		if e.From != origin {
			continue
		}
		if e.To < 0 {
			t.Fatalf("edge %+v ends nowhere", e)
		}
		x := r.Points[e.To].X
		if math.Abs(math.Abs(x[0])-hs) > 1e-9 || math.Abs(x[1]) > 1e-9 {
			t.Fatalf("edge %+v ends at %v, want (+-%g, 0)", e, x, hs)
		}
		ends[math.Copysign(1, x[0])] = true
	}
	if len(ends) != 2 {
		t.Fatalf("the origin's edges end on %d sides, want both", len(ends))
	}
}

// On a linear network (phi(x) = x) the origin's unstable mode grows at
// 0.4 without bound: its trajectories, far beyond manifoldFar but still
// growing at the mode's rate, have not escaped (escapes.left), and run
// until they diverge (past 1e6 at the chunk ending at 62.2, where the
// stall clock, started at the last observation within the calm time
// 34.5, at 32.2, runs out; had it started where they passed manifoldFar,
// at the observation at 20.8, they would have stopped "moving" at 50.8,
// still below 1e6).
func TestLinearModeDiverges(t *testing.T) {
	net, err := dynamics.New(dynamics.Config{W: mat.NewDense(2, 2, []float64{1.4, 0, 0, 0.5}), Activation: dynamics.Linear})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Find(context.Background(), net, &Settings{Inits: mat.NewDense(1, 2, []float64{0.1, 0.2}), Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Points) != 1 || len(r.Edges) != 2 {
		t.Fatalf("%d points and %d edges, want the origin and its 2", len(r.Points), len(r.Edges))
	}
	for _, e := range r.Edges {
		if e.To != ToDiverged {
			t.Errorf("edge %+v, want it to diverge (%d)", e, ToDiverged)
		}
	}
}

// A trajectory has escaped once it is manifoldFar away per unit and its
// distance grows at less than half its mode's rate; not before, however
// slowly it grows, and not while it grows as fast.
func TestEscapes(t *testing.T) {
	const n = 4
	from := make([]float64, n)
	at := func(d float64) []float64 { // RMS distance d from the origin
		h := make([]float64, n)
		for i := range h {
			h[i] = d
		}
		return h
	}
	tr := &trajectories{}
	tr.add(at(1e-3), from, 0.1, 100, 50, 0)
	e := tr.escape(n)
	for _, c := range []struct {
		t, d float64
		left bool
	}{
		{10, 1e-3 * math.Exp(1), false},                   // growing at the rate, near
		{20, 0.2, false},                                  // faster, still near
		{30, 0.2 * math.Exp(1), false},                    // far, growing at the rate
		{40, 0.2 * math.Exp(1) * math.Exp(0.6), false},    // far, at 0.6 of the rate
		{50, 0.2 * math.Exp(1) * math.Exp(0.6+0.3), true}, // far, at 0.3 of it
		{60, 0.1, false},                                  // near again
	} {
		if got := e.left(0, c.t, at(c.d)); got != c.left {
			t.Errorf("t %g, distance %g: left %v, want %v", c.t, c.d, got, c.left)
		}
	}
}

// directions by inverse iteration (a full spectrum, N <= inverseMax) are
// the Krylov run's modes, and each lies in its eigenvalue's real invariant
// subspace: at random states of a chaotic network, on the line of the
// dense decomposition's eigenvector of a real mode, in the plane of the
// real and imaginary parts of that of a complex one.
func TestDirectionsByInverseIteration(t *testing.T) {
	const n = 80
	net := nettest.Tanh(t, n, 1.5, 5)
	rng := rand.New(rand.NewPCG(5, 6))
	s, err := resolve(&Settings{Modes: 6}, net)
	if err != nil {
		t.Fatal(err)
	}
	var full, partial explorer
	full.net, full.s, full.flow = net, s, newFlow(net, s.Workers)
	partial.net, partial.s, partial.flow = net, s, newFlow(net, s.Workers)
	var todo []int
	var dense []*linearize.Spectrum
	for i := range 3 {
		h := make([]float64, n)
		for k := range h {
			h[k] = 0.1 * rng.NormFloat64()
		}
		sp, err := linearize.At(net, h, nil)
		if err != nil {
			t.Fatal(err)
		}
		vec, err := linearize.At(net, h, &linearize.Settings{Vectors: linearize.RightVectors})
		if err != nil {
			t.Fatal(err)
		}
		lead, err := linearize.Leading(net, h, full.dirEigs(), &linearize.Settings{Vectors: linearize.ValuesOnly})
		if err != nil {
			t.Fatal(err)
		}
		p := fixedpoint.Point{X: h, Kind: fixedpoint.Fixed}
		full.res.Points, full.res.Spectra = append(full.res.Points, p), append(full.res.Spectra, sp)
		partial.res.Points, partial.res.Spectra = append(partial.res.Points, p), append(partial.res.Spectra, lead)
		dense = append(dense, vec)
		todo = append(todo, i)
	}
	got, err := full.directions(context.Background(), todo)
	if err != nil {
		t.Fatal(err)
	}
	want, err := partial.directions(context.Background(), todo)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(got) < 3*4 {
		t.Fatalf("%d directions by inverse iteration, %d by Krylov runs (want the same, at least 4 a point)", len(got), len(want))
	}
	complexModes := 0
	for c, d := range got {
		w := want[c]
		if d.from != w.from || d.mode != w.mode || math.Abs(d.rate-w.rate) > 1e-9 {
			t.Fatalf("direction %d: point %d mode %d rate %v, Krylov's point %d mode %d rate %v", c, d.from, d.mode, d.rate, w.from, w.mode, w.rate)
		}
		v := full.res.Spectra[d.from].Values[d.mode]
		// The dense eigenvector of v: the nearest of the dense values.
		ref := dense[d.from]
		best := 0
		for k, u := range ref.Values {
			if cmplx.Abs(u-v) < cmplx.Abs(ref.Values[best]-v) {
				best = k
			}
		}
		re, im := make([]float64, n), make([]float64, n)
		for k := range n {
			re[k], im[k] = real(ref.Right.At(k, best)), imag(ref.Right.At(k, best))
		}
		basis := [][]float64{re}
		if imag(v) != 0 {
			complexModes++
			basis = append(basis, im)
		}
		// Orthonormal basis of the subspace (Gram-Schmidt).
		for b := range basis {
			for _, p := range basis[:b] {
				var dot float64
				for k := range p {
					dot += basis[b][k] * p[k]
				}
				for k := range p {
					basis[b][k] -= dot * p[k]
				}
			}
			var nn float64
			for _, x := range basis[b] {
				nn += x * x
			}
			for k := range basis[b] {
				basis[b][k] /= math.Sqrt(nn)
			}
		}
		var proj float64
		for _, b := range basis {
			var dot float64
			for k := range b {
				dot += d.v[k] * b[k]
			}
			proj += dot * dot
		}
		if math.Abs(proj-1) > 1e-8 {
			t.Errorf("direction %d (point %d, mode %d, lambda %v): |projection onto its invariant subspace|^2 = %v, want 1", c, d.from, d.mode, v, proj)
		}
		if imag(v) < 0 && c > 0 && got[c-1].from == d.from {
			// The pair's two directions span its plane.
			var dot float64
			for k := range d.v {
				dot += d.v[k] * got[c-1].v[k]
			}
			if math.Abs(dot) > 0.999 {
				t.Errorf("direction %d (point %d, mode %d): parallel to its pair's other (cosine %v)", c, d.from, d.mode, dot)
			}
		}
	}
	if complexModes == 0 || complexModes == len(got) {
		t.Fatalf("%d of %d directions of complex modes: the test needs both kinds", complexModes, len(got))
	}
}
