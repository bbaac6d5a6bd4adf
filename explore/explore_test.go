package explore_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/explore"
	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/io/netfile"
	"github.com/fpfind/fpfind/linearize"
)

func load(t testing.TB, name string) *netfile.Loaded {
	t.Helper()
	l, err := netfile.LoadNetwork(filepath.Join("..", "testdata", name), nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func find(t *testing.T, net *dynamics.Network, s *explore.Settings) *explore.Result {
	t.Helper()
	r, err := explore.Find(context.Background(), net, s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fixed returns the states of the fixed points of r.
func fixed(r *explore.Result) [][]float64 {
	var out [][]float64
	for _, p := range r.Points {
		if p.Kind == fixedpoint.Fixed {
			out = append(out, p.X)
		}
	}
	return out
}

// covers reports how many of want have a point of got within 1e-6
// (relative, max-norm).
func covers(got, want [][]float64) int {
	hit := 0
	for _, w := range want {
		for _, g := range got {
			d := 0.0
			for i := range w {
				d = math.Max(d, math.Abs(w[i]-g[i]))
			}
			if d <= 1e-6*math.Max(1, maxAbs(w)) {
				hit++
				break
			}
		}
	}
	return hit
}

func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// lowRank builds tanh networks W = g X + M S M^T / N with every fixed
// point known without fpfind: for g = 0 a fixed point has W h = M kappa
// with kappa = S M^T tanh(M kappa) / N, an R-dimensional equation solved
// here by Newton's method from a grid of starts over the box that holds
// every root; for g > 0 each root is followed along the bulk gain by
// dense Newton steps in N dimensions (gonum's LU), in small steps.
type lowRank struct {
	n    int
	m    *mat.Dense // N x R
	s    *mat.Dense // R x R
	x    *mat.Dense // the bulk, N x N, N(0, 1/N)
	gain float64
}

func newLowRank(n int, s []float64, gain float64, seed uint64) *lowRank {
	r := rand.New(rand.NewPCG(seed, 1))
	rank := int(math.Sqrt(float64(len(s))))
	lr := &lowRank{n: n, m: mat.NewDense(n, rank, nil), s: mat.NewDense(rank, rank, s), x: mat.NewDense(n, n, nil), gain: gain}
	for i := range n {
		for k := range rank {
			lr.m.Set(i, k, r.NormFloat64())
		}
	}
	for i := range n {
		for j := range n {
			lr.x.Set(i, j, r.NormFloat64()/math.Sqrt(float64(n)))
		}
	}
	return lr
}

// w returns W at bulk gain g.
func (lr *lowRank) w(g float64) *mat.Dense {
	var ms, w mat.Dense
	ms.Mul(lr.m, lr.s)
	w.Mul(&ms, lr.m.T())
	w.Scale(1/float64(lr.n), &w)
	if g > 0 {
		var b mat.Dense
		b.Scale(g, lr.x)
		w.Add(&w, &b)
	}
	return &w
}

func (lr *lowRank) network(t *testing.T) *dynamics.Network {
	net, err := dynamics.New(dynamics.Config{W: lr.w(lr.gain)})
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// newton runs dense Newton on F(h) = -h + tanh(W h) from h; ok when
// max|F| <= 1e-12 within 10 steps.
func newton(w *mat.Dense, h []float64) ([]float64, bool) {
	n := len(h)
	h = append([]float64(nil), h...)
	x := make([]float64, n)
	f := make([]float64, n)
	for range 10 {
		mat.NewVecDense(n, x).MulVec(w, mat.NewVecDense(n, h))
		for i := range f {
			f[i] = -h[i] + math.Tanh(x[i])
		}
		if maxAbs(f) <= 1e-12 {
			return h, true
		}
		j := mat.NewDense(n, n, nil)
		for i := range n {
			d := 1 - math.Tanh(x[i])*math.Tanh(x[i])
			for k := range n {
				j.Set(i, k, d*w.At(i, k))
			}
			j.Set(i, i, j.At(i, i)-1)
		}
		var d mat.VecDense
		if err := d.SolveVec(j, mat.NewVecDense(n, f)); err != nil {
			return nil, false
		}
		for i := range h {
			h[i] -= d.AtVec(i)
		}
	}
	return h, false
}

// reference returns every fixed point.
func (lr *lowRank) reference(t *testing.T) [][]float64 {
	t.Helper()
	n, rank := lr.m.Dims()
	bound := make([]float64, rank)
	for r := range rank {
		for s := range rank {
			l1 := 0.0
			for i := range n {
				l1 += math.Abs(lr.m.At(i, s))
			}
			bound[r] += math.Abs(lr.s.At(r, s)) * l1 / float64(n)
		}
	}
	if rank != 2 {
		t.Fatal("the reference grid is two-dimensional")
	}
	const grid = 61
	var roots [][]float64
	tk := make([]float64, n)
	for a := range grid {
		for b := range grid {
			k := []float64{bound[0] * (2*float64(a)/(grid-1) - 1) * 1.05, bound[1] * (2*float64(b)/(grid-1) - 1) * 1.05}
			ok := false
			for range 60 {
				// g(k) = k - S M^T tanh(M k) / N, and its 2 x 2 Jacobian.
				var f [2]float64
				var jac [2][2]float64
				for i := range n {
					tk[i] = math.Tanh(lr.m.At(i, 0)*k[0] + lr.m.At(i, 1)*k[1])
				}
				var mt [2]float64
				var mdm [2][2]float64
				for i := range n {
					d := 1 - tk[i]*tk[i]
					for r := range 2 {
						mt[r] += lr.m.At(i, r) * tk[i] / float64(n)
						for s := range 2 {
							mdm[r][s] += lr.m.At(i, r) * d * lr.m.At(i, s) / float64(n)
						}
					}
				}
				for r := range 2 {
					f[r] = k[r]
					for s := range 2 {
						f[r] -= lr.s.At(r, s) * mt[s]
						jac[r][s] = -(lr.s.At(r, 0)*mdm[0][s] + lr.s.At(r, 1)*mdm[1][s])
					}
					jac[r][r]++
				}
				if math.Max(math.Abs(f[0]), math.Abs(f[1])) <= 1e-13 {
					ok = true
					break
				}
				det := jac[0][0]*jac[1][1] - jac[0][1]*jac[1][0]
				if det == 0 {
					break
				}
				k[0] -= (jac[1][1]*f[0] - jac[0][1]*f[1]) / det
				k[1] -= (-jac[1][0]*f[0] + jac[0][0]*f[1]) / det
			}
			if !ok {
				continue
			}
			dup := false
			for _, r := range roots {
				if math.Abs(r[0]-k[0]) <= 1e-8 && math.Abs(r[1]-k[1]) <= 1e-8 {
					dup = true
				}
			}
			if !dup {
				roots = append(roots, k)
			}
		}
	}
	w0 := lr.w(0)
	var pts [][]float64
	for _, k := range roots {
		h := make([]float64, n)
		for i := range n {
			h[i] = math.Tanh(lr.m.At(i, 0)*k[0] + lr.m.At(i, 1)*k[1])
		}
		h, ok := newton(w0, h)
		if !ok {
			t.Fatalf("root %v does not polish in N = %d", k, n)
		}
		pts = append(pts, h)
	}
	const steps = 8
	for s := 1; s <= steps && lr.gain > 0; s++ {
		w := lr.w(lr.gain * float64(s) / steps)
		for i, h := range pts {
			var ok bool
			if pts[i], ok = newton(w, h); !ok {
				t.Fatalf("point %d does not continue to bulk gain %g", i, lr.gain*float64(s)/steps)
			}
		}
	}
	return pts
}

// Rank-2 networks with and without a random bulk: every fixed point (five:
// the origin with two unstable modes, two attractors, two saddles with
// one), with the graph they make: each saddle with one unstable mode
// connects the two attractors.
func TestLowRankEveryPoint(t *testing.T) {
	for _, c := range []struct {
		name string
		n    int
		gain float64
		seed uint64
	}{
		{"rank 2, N = 512", 512, 0, 1},
		{"rank 2 plus a bulk of gain 0.5, N = 256", 256, 0.5, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			lr := newLowRank(c.n, []float64{2.2, 0, 0, 1.6}, c.gain, c.seed)
			want := lr.reference(t)
			if len(want) != 5 {
				t.Fatalf("the reference has %d points, want 5", len(want))
			}
			r := find(t, lr.network(t), &explore.Settings{Sample: explore.Sample{Count: 32, Seed: 1}})
			got := fixed(r)
			if hit := covers(got, want); hit != len(want) || len(got) != len(want) {
				t.Fatalf("found %d fixed points, %d of the %d known", len(got), hit, len(want))
			}
			var stable []int
			for i, sp := range r.Spectra {
				if sp.Class == linearize.Stable {
					stable = append(stable, i)
				}
			}
			if len(stable) != 2 {
				t.Fatalf("%d stable points, want 2", len(stable))
			}
			saddles := 0
			for i, sp := range r.Spectra {
				if sp.NUnstable != 1 {
					continue
				}
				saddles++
				var to []int
				for _, e := range r.Edges {
					if e.From == i {
						to = append(to, e.To)
					}
				}
				if len(to) != 2 || to[0] == to[1] || !contains(stable, to[0]) || !contains(stable, to[1]) {
					t.Errorf("saddle %d leads to %v, want the two attractors %v", i, to, stable)
				}
			}
			if saddles != 2 {
				t.Errorf("%d saddles with one unstable mode, want 2", saddles)
			}
		})
	}
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// The trained flip-flop: all 27 points, and its graph is the cube of
// memories: each of the 12 saddles with one unstable mode connects two
// attractors whose readouts differ in one bit, and every pair of memories
// one bit apart is connected.
func TestFlipFlopCube(t *testing.T) {
	l := load(t, "flipflop.npz")
	r := find(t, l.Network, nil) // the defaults
	if got := len(fixed(r)); got != 27 {
		t.Fatalf("%d fixed points, want 27", got)
	}
	wout, bout := l.OtherArray("W_out"), l.OtherArray("b_out")
	if wout == nil || bout == nil {
		t.Fatal("no readout in flipflop.npz")
	}
	w, b := wout.Data.([]float64), bout.Data.([]float64)
	n := l.Network.Dim()
	bits := map[int]int{}
	for i, sp := range r.Spectra {
		if sp.Class != linearize.Stable {
			continue
		}
		code := 0
		for k := range 3 {
			y := b[k]
			for j := range n {
				y += w[k*n+j] * r.Points[i].X[j]
			}
			if y > 0 {
				code |= 1 << k
			}
		}
		bits[i] = code
	}
	if len(bits) != 8 {
		t.Fatalf("%d attractors, want 8", len(bits))
	}
	seen := map[int]bool{}
	for _, c := range bits {
		seen[c] = true
	}
	if len(seen) != 8 {
		t.Fatalf("the attractors' readouts take %d of the 8 sign patterns", len(seen))
	}
	links := map[[2]int]bool{}
	ones := 0
	for i, sp := range r.Spectra {
		if sp.NUnstable != 1 || r.Points[i].Kind != fixedpoint.Fixed {
			continue
		}
		ones++
		var to []int
		for _, e := range r.Edges {
			if e.From == i {
				to = append(to, e.To)
			}
		}
		if len(to) != 2 {
			t.Fatalf("saddle %d has %d edges", i, len(to))
		}
		a, okA := bits[to[0]]
		c, okC := bits[to[1]]
		if !okA || !okC {
			t.Fatalf("saddle %d leads to %v, not two attractors", i, to)
		}
		if d := a ^ c; d == 0 || d&(d-1) != 0 {
			t.Errorf("saddle %d connects memories %03b and %03b, not one bit apart", i, a, c)
		}
		links[[2]int{min(a, c), max(a, c)}] = true
	}
	if ones != 12 || len(links) != 12 {
		t.Errorf("%d saddles with one unstable mode linking %d pairs of memories; the cube has 12 edges", ones, len(links))
	}
}

// The Hopfield network of testdata: all 51 points (6 stable, the origin, 44
// mixture saddles).
func TestHopfieldEveryPoint(t *testing.T) {
	r := find(t, load(t, "hopfield.npz").Network, &explore.Settings{Sample: explore.Sample{Seed: 1, Noise: 0.1}})
	if got := len(fixed(r)); got != 51 {
		t.Fatalf("%d fixed points, want 51", got)
	}
}

// The same seed gives the same points, spectra and graph with one worker
// and with several, with LU and with matrix-free Newton steps.
func TestWorkersIdentical(t *testing.T) {
	net := load(t, "flipflop.npz").Network
	for _, lin := range []fixedpoint.Linear{fixedpoint.LinearLU, fixedpoint.LinearMatrixFree} {
		var prev *explore.Result
		for _, w := range []int{1, 3} {
			r := find(t, net, &explore.Settings{Sample: explore.Sample{Count: 64, Seed: 3, Noise: 0.1}, Solve: &fixedpoint.Settings{Linear: lin}, Workers: w})
			if prev != nil {
				if !reflect.DeepEqual(prev.Points, r.Points) || !reflect.DeepEqual(prev.Edges, r.Edges) || !reflect.DeepEqual(prev.Runs, r.Runs) {
					t.Errorf("%v: 1 and %d workers differ", lin, w)
				}
				for i := range r.Spectra {
					if !reflect.DeepEqual(prev.Spectra[i].Values, r.Spectra[i].Values) {
						t.Errorf("%v: spectrum %d differs", lin, i)
					}
				}
			}
			prev = r
		}
	}
}

// Permute moves the points and remaps the edges and the runs.
func TestPermute(t *testing.T) {
	r := find(t, load(t, "two_units.npz").Network, &explore.Settings{Sample: explore.Sample{Count: 8, Seed: 1}})
	if len(r.Points) != 3 || len(r.Edges) != 2 {
		t.Fatalf("%d points, %d edges; want 3 and 2", len(r.Points), len(r.Edges))
	}
	before := map[[2]float64]bool{}
	for _, e := range r.Edges {
		before[[2]float64{r.Points[e.From].X[0], r.Points[e.To].X[0]}] = true
	}
	runs := make([][]float64, len(r.Runs))
	for i, run := range r.Runs {
		if run.Point < 0 {
			t.Fatalf("run %d reached no point", i)
		}
		runs[i] = r.Points[run.Point].X
	}
	r.Permute([]int{2, 0, 1})
	for _, e := range r.Edges {
		if !before[[2]float64{r.Points[e.From].X[0], r.Points[e.To].X[0]}] {
			t.Errorf("edge %+v does not join the points it joined", e)
		}
	}
	for i, run := range r.Runs {
		if !reflect.DeepEqual(r.Points[run.Point].X, runs[i]) {
			t.Errorf("run %d points elsewhere after Permute", i)
		}
	}
}

// Bad settings are errors, not panics.
func TestBadSettings(t *testing.T) {
	net := load(t, "two_units.npz").Network
	for _, s := range []*explore.Settings{
		{Modes: -2}, {Pairs: -5}, {Rounds: -1}, {Budget: -1}, {Sample: explore.Sample{LongTime: math.NaN()}}, {Sample: explore.Sample{Noise: -2}},
	} {
		if _, err := explore.Find(context.Background(), net, s); err == nil {
			t.Errorf("%+v: no error", s)
		}
	}
	if _, err := explore.Find(context.Background(), nil, nil); err == nil {
		t.Error("nil network: no error")
	}
}

// Above DefaultFullMax the unstable directions come from the point's own
// partial spectrum (DirectionEigs values with right vectors), computed
// once: the default Spectra's vectors give bit for bit the points and the
// graph that Find's own run gives when Spectra returns values only; Find
// drops the default's vectors once used; and a Spectra's vectors are the
// ones followed (zeroed, they give no direction) and kept.
func TestDirectionsShareTheSpectrum(t *testing.T) {
	const n = explore.DefaultFullMax + 16
	net := newLowRank(n, []float64{2.2, 0, 0, 1.6}, 0.5, 3).network(t)
	k := explore.DirectionEigs(n, 0)
	if k != explore.DefaultEigs {
		t.Fatalf("DirectionEigs(%d, 0) = %d, want %d", n, k, explore.DefaultEigs)
	}
	base := explore.Settings{Inits: mat.NewDense(1, n, nil), Pairs: -1, Rounds: 1, Workers: 2}
	leading := func(vec linearize.Vectors, zero bool) func(context.Context, [][]float64) ([]*linearize.Spectrum, error) {
		return func(ctx context.Context, states [][]float64) ([]*linearize.Spectrum, error) {
			sps, errs := linearize.LeadingAll(ctx, net, states, k, &linearize.Settings{Vectors: vec}, nil)
			for i, err := range errs {
				if err != nil {
					return nil, err
				}
				if zero {
					sps[i].Right.Zero()
				}
			}
			return sps, nil
		}
	}
	def := base
	r := find(t, net, &def)
	if len(r.Points) == 0 || r.Spectra[0].NUnstable != 2 {
		t.Fatalf("the origin was not found as a saddle with 2 unstable modes (%d points)", len(r.Points))
	}
	if len(r.Edges) != 4 {
		t.Fatalf("%d edges from the default spectra, want 4 (2 modes, both ways)", len(r.Edges))
	}
	for i, sp := range r.Spectra {
		if sp.Right != nil {
			t.Errorf("point %d keeps the right vectors of the default Spectra", i)
		}
	}
	own := base
	own.Spectra = leading(linearize.ValuesOnly, false)
	ro := find(t, net, &own)
	if !reflect.DeepEqual(r.Points, ro.Points) || !reflect.DeepEqual(r.Edges, ro.Edges) {
		t.Errorf("the directions from the shared spectrum and from Find's own run differ:\n%v\n%v", r.Edges, ro.Edges)
	}
	zero := base
	zero.Spectra = leading(linearize.RightVectors, true)
	rz := find(t, net, &zero)
	if len(rz.Edges) != 0 {
		t.Errorf("%d edges from zero vectors: the directions did not come from the spectrum given", len(rz.Edges))
	}
	if rz.Spectra[0].Right == nil {
		t.Error("Find dropped the vectors of a Spectra without DropVectors")
	}
}

// Up to N = 256, a point whose spectrum holds every eigenvalue takes its
// unstable directions from inverse iteration, not from a Krylov run: the
// two give the same points and, up to the sign of each direction, the same
// graph, on rank-2 networks with a random bulk whose origin has two real
// unstable modes (attractors beyond) or a complex pair (a rotation).
func TestInverseDirectionsAsKrylov(t *testing.T) {
	const n = 128
	for _, s := range [][]float64{{2.2, 0, 0, 1.6}, {1.6, -0.8, 0.8, 1.6}} {
		net := newLowRank(n, s, 0.5, 3).network(t)
		base := explore.Settings{Inits: mat.NewDense(1, n, nil), Pairs: -1, Rounds: 1, Workers: 2}
		inv := base
		ri := find(t, net, &inv)
		if len(ri.Spectra) == 0 || ri.Spectra[0].Partial || ri.Spectra[0].NUnstable != 2 {
			t.Fatalf("S = %v: the origin's spectrum is not full with 2 unstable modes", s)
		}
		kry := base
		kry.Spectra = func(ctx context.Context, states [][]float64) ([]*linearize.Spectrum, error) {
			sps, errs := linearize.LeadingAll(ctx, net, states, explore.DirectionEigs(n, 0), &linearize.Settings{Vectors: linearize.ValuesOnly}, nil)
			return sps, errors.Join(errs...)
		}
		rk := find(t, net, &kry)
		if len(ri.Points) != len(rk.Points) {
			t.Fatalf("S = %v: %d points by inverse iteration's directions, %d by Krylov's", s, len(ri.Points), len(rk.Points))
		}
		for i := range ri.Points {
			for k, v := range ri.Points[i].X {
				if math.Abs(v-rk.Points[i].X[k]) > 1e-9 {
					t.Fatalf("S = %v: point %d differs at [%d]: %v against %v", s, i, k, v, rk.Points[i].X[k])
				}
			}
		}
		ends := func(r *explore.Result) map[[2]int][]int {
			m := map[[2]int][]int{}
			for _, e := range r.Edges {
				key := [2]int{e.From, e.Mode}
				m[key] = append(m[key], e.To)
				slices.Sort(m[key])
			}
			return m
		}
		if gi, gk := ends(ri), ends(rk); !reflect.DeepEqual(gi, gk) || len(gi) == 0 {
			t.Errorf("S = %v: the graphs differ: inverse iteration %v, Krylov %v", s, gi, gk)
		}
	}
}
