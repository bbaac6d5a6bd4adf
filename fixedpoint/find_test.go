package fixedpoint_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"codeberg.org/sbinet/npyio/npz"
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/internal/nettest"
)

// uniformInits returns count states uniform in [lo, hi]^n.
func uniformInits(count, n int, lo, hi float64, seed uint64) *mat.Dense {
	m := mat.NewDense(count, n, nil)
	for i := 0; i < count; i++ {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		for j := 0; j < n; j++ {
			m.Set(i, j, lo+(hi-lo)*r.Float64())
		}
	}
	return m
}

func find(t testing.TB, sys fixedpoint.System, inits *mat.Dense, s *fixedpoint.Settings) *fixedpoint.Result {
	t.Helper()
	res, err := fixedpoint.Find(context.Background(), sys, inits, s)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, sys, res, s)
	return res
}

// checkInvariants checks what must hold for every result: residuals as
// claimed, statuses consistent, no fixed run or point above tol, unique
// points distinct, multiplicities adding up.
func checkInvariants(t testing.TB, sys fixedpoint.System, res *fixedpoint.Result, s *fixedpoint.Settings) {
	t.Helper()
	tol := 1e-10
	if s != nil && s.Tol != 0 {
		tol = s.Tol
	}
	n := sys.Dim()
	f := make([]float64, n)
	resid := func(x []float64) float64 {
		sys.Field(f, x)
		m := 0.0
		for _, v := range f {
			m = math.Max(m, math.Abs(v))
		}
		return m
	}
	mult := make([]int, len(res.Points))
	for i, r := range res.Runs {
		if r.Status == fixedpoint.Fixed && !(resid(r.Final) <= tol) {
			t.Errorf("run %d: fixed with max|F| = %g > %g", i, resid(r.Final), tol)
		}
		if r.Status != fixedpoint.Diverged && math.Abs(resid(r.Final)-r.Residual) > 1e-14 {
			t.Errorf("run %d: Residual %g, recomputed %g", i, r.Residual, resid(r.Final))
		}
		if r.Status != fixedpoint.Diverged && !r.Early {
			// Every phase descends on q (an early exit may jump to a
			// known point's lower or, for slow points, slightly higher q).
			ff := make([]float64, n)
			if q0 := sys.SpeedGrad(make([]float64, n), ff, r.Init); !(r.Q <= q0*(1+1e-12)) {
				t.Errorf("run %d: ends with q = %g above its initial %g", i, r.Q, q0)
			}
		}
		if r.Status == fixedpoint.Slow {
			// A stationary point of q (the L-BFGS floor allows sqrt(SlowTol)).
			g, ff := make([]float64, n), make([]float64, n)
			sys.SpeedGrad(g, ff, r.Final)
			if gn, fn := floats.Norm(g, 2), floats.Norm(ff, 2); !(gn <= 1e-3*fn) {
				t.Errorf("run %d: slow with |grad q| = %g, |F| = %g", i, gn, fn)
			}
		}
		switch r.Status {
		case fixedpoint.Fixed, fixedpoint.Slow:
			if r.Point < 0 || res.Points[r.Point].Kind != r.Status {
				t.Errorf("run %d: status %v but point %d", i, r.Status, r.Point)
				continue
			}
			mult[r.Point]++
		default:
			if r.Point != -1 {
				t.Errorf("run %d: status %v but point %d", i, r.Status, r.Point)
			}
		}
	}
	checkMirrors(t, sys, res, s)
	for k, p := range res.Points {
		if mult[k] != p.Multiplicity {
			t.Errorf("point %d: multiplicity %d, runs say %d", k, p.Multiplicity, mult[k])
		}
		r := resid(p.X)
		if p.Kind == fixedpoint.Fixed && !(r <= tol) {
			t.Errorf("point %d: fixed with max|F| = %g", k, r)
		}
		if p.Kind == fixedpoint.Slow && r <= tol {
			t.Errorf("point %d: slow with max|F| = %g <= tol", k, r)
		}
		if k > 0 && (p.Kind < res.Points[k-1].Kind || p.Kind == res.Points[k-1].Kind && p.Q < res.Points[k-1].Q) {
			t.Errorf("points %d, %d out of order", k-1, k)
		}
		for j := 0; j < k; j++ {
			q := res.Points[j]
			if q.Kind == p.Kind && maxDist(p.X, q.X) <= 1e-6*math.Max(1, math.Max(maxAbs(p.X), maxAbs(q.X))) {
				t.Errorf("points %d and %d are the same", j, k)
			}
		}
	}
}

// checkMirrors checks that an odd-symmetric system's points come in exact
// mirror pairs (Result.Symmetric), with the same Q and residual, and q
// recomputed at each the same bits, and that the others have no point from
// the symmetry.
func checkMirrors(t testing.TB, sys fixedpoint.System, res *fixedpoint.Result, s *fixedpoint.Settings) {
	t.Helper()
	net, ok := sys.(*dynamics.Network)
	if !ok {
		return
	}
	utol := 1e-6
	if s != nil && s.UniqueTol != 0 {
		utol = s.UniqueTol
	}
	xs := make([][]float64, len(res.Points))
	for k, p := range res.Points {
		xs[k] = p.X
	}
	mirror := net.Mirrors(xs)
	f := make([]float64, net.Dim())
	for k, p := range res.Points {
		m := mirror[k]
		switch {
		case !res.Symmetric:
			// Runs may still reach h and -h to the last bit (Newton
			// ends on the correctly rounded roots +-0.9575... of h =
			// tanh(2h)), but no point comes from the symmetry.
			if p.Source == fixedpoint.FromSymmetry {
				t.Errorf("point %d: source symmetry on a system not symmetric", k)
			}
		case m < 0:
			if maxAbs(p.X) > utol {
				t.Errorf("point %d (%v, |h|inf %g): no exact mirror", k, p.Kind, maxAbs(p.X))
			}
		default:
			q := res.Points[m]
			if q.Kind != p.Kind || q.Q != p.Q || q.Residual != p.Residual || mirror[m] != k {
				t.Errorf("points %d, %d: mirrors with %v, %v, q %g, %g, residuals %g, %g", k, m, p.Kind, q.Kind, p.Q, q.Q, p.Residual, q.Residual)
			}
			if a, b := net.Speed(f, p.X), net.Speed(f, q.X); a != b {
				t.Errorf("points %d, %d: q recomputed %g, %g", k, m, a, b)
			}
		}
	}
}

func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

func maxDist(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

// fixedPoints returns the fixed points of res.
func fixedPoints(res *fixedpoint.Result) [][]float64 {
	var out [][]float64
	for _, p := range res.Points {
		if p.Kind == fixedpoint.Fixed {
			out = append(out, p.X)
		}
	}
	return out
}

// hasNear reports whether one of points lies within tol of p (in max norm).
func hasNear(points [][]float64, p []float64, tol float64) bool {
	for _, q := range points {
		if maxDist(q, p) <= tol {
			return true
		}
	}
	return false
}

// matchSets checks that got and want hold the same points within tol.
func matchSets(t *testing.T, got, want [][]float64, tol float64) {
	t.Helper()
	for _, w := range want {
		if !hasNear(got, w, tol) {
			t.Errorf("missing fixed point %.12g", w)
		}
	}
	for _, g := range got {
		if !hasNear(want, g, tol) {
			t.Errorf("unexpected fixed point %.12g", g)
		}
	}
}

func TestZeroWeights(t *testing.T) {
	for _, act := range []dynamics.Activation{dynamics.Tanh, dynamics.Sigmoid, dynamics.Softplus, dynamics.ReLU, dynamics.Linear} {
		t.Run(act.String(), func(t *testing.T) {
			n := 5
			b := []float64{-1.5, -0.3, 0, 0.7, 2}
			tau := []float64{0.5, 1, 2, 1, 3}
			net := nettest.Must(t, dynamics.Config{W: mat.NewDense(n, n, nil), B: b, Tau: tau, Activation: act})
			res := find(t, net, uniformInits(20, n, -3, 3, 1), &fixedpoint.Settings{Workers: 2})
			want := make([]float64, n)
			for i, v := range b {
				want[i] = act.Phi(v)
			}
			if len(res.Points) != 1 {
				t.Fatalf("%d points, want 1", len(res.Points))
			}
			p := res.Points[0]
			if p.Kind != fixedpoint.Fixed || p.Multiplicity != 20 || maxDist(p.X, want) > 1e-10 {
				t.Errorf("point %+v, want phi(b) = %v with multiplicity 20", p, want)
			}
		})
	}
}

func TestSingleTanhUnit(t *testing.T) {
	// h = tanh(2h): 0 and +-0.9575040240772688 (checked with scipy's brentq).
	net := nettest.Must(t, dynamics.Config{W: mat.NewDense(1, 1, []float64{2})})
	inits := mat.NewDense(9, 1, []float64{-3, -1, -0.5, -0.1, 0, 0.2, 0.6, 1.5, 40})
	for _, m := range []fixedpoint.Method{fixedpoint.Auto, fixedpoint.Newton, fixedpoint.Speed} {
		t.Run(m.String(), func(t *testing.T) {
			res := find(t, net, inits, &fixedpoint.Settings{Method: m, Deflation: -1, NoSymmetry: true})
			got := fixedPoints(res)
			want := [][]float64{{-0.9575040240772688}, {0}, {0.9575040240772688}}
			matchSets(t, got, want, 1e-12)
			for i, r := range res.Runs {
				if r.Status != fixedpoint.Fixed {
					t.Errorf("run %d from %g: %v", i, r.Init[0], r.Status)
				}
			}
		})
	}
}

// twoUnitRoots returns every fixed point of a two-unit tanh network with
// W[0][1] != 0 by a 1-D reduction: for h1 in (-1, 1), the first equation
// gives h2 = (atanh(h1) - W00 h1 - b0) / W01, and the second is a scalar
// equation in h1, solved by a fine scan and bisection.
func twoUnitRoots(w [4]float64, b [2]float64) [][]float64 {
	h2 := func(h1 float64) float64 { return (math.Atanh(h1) - w[0]*h1 - b[0]) / w[1] }
	g := func(h1 float64) float64 {
		y := h2(h1)
		return math.Tanh(w[2]*h1+w[3]*y+b[1]) - y
	}
	var roots [][]float64
	const m = 200000
	prevX := -1 + 1e-12
	prev := g(prevX)
	for i := 1; i <= m; i++ {
		x := -1 + 2*float64(i)/m
		if i == m {
			x = 1 - 1e-12
		}
		v := g(x)
		if v == 0 || prev*v < 0 {
			lo, hi := prevX, x
			for range 200 {
				mid := (lo + hi) / 2
				if g(lo)*g(mid) <= 0 {
					hi = mid
				} else {
					lo = mid
				}
			}
			r := (lo + hi) / 2
			roots = append(roots, []float64{r, h2(r)})
		}
		prevX, prev = x, v
	}
	return roots
}

func TestTwoUnitNetworks(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    [4]float64
		b    [2]float64
		want int // number of roots, as a check of the reduction
	}{
		{"mutual-inhibition", [4]float64{1.5, -2, -2, 1.5}, [2]float64{0.1, 0}, 0},
		{"bistable-pair", [4]float64{2, 0.5, 0.5, 2}, [2]float64{0, 0}, 0},
		{"self-excitation", [4]float64{3, -0.5, 0.8, 2.5}, [2]float64{0.2, -0.1}, 0},
		{"rotation", [4]float64{1.2, -1.5, 1.5, 1.2}, [2]float64{0.05, -0.02}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := twoUnitRoots(tc.w, tc.b)
			net := nettest.Must(t, dynamics.Config{W: mat.NewDense(2, 2, tc.w[:]), B: tc.b[:]})
			res := find(t, net, uniformInits(64, 2, -1, 1, 2), &fixedpoint.Settings{})
			matchSets(t, fixedPoints(res), want, 1e-9)
			t.Logf("%d fixed points", len(want))
		})
	}
}

func TestHopfield(t *testing.T) {
	// W = beta/N sum_mu xi xi^T with zero diagonal, tanh, b = 0.
	const n, p, beta = 40, 3, 3.0
	r := rand.New(rand.NewPCG(7, 0))
	xi := make([][]float64, p)
	for mu := range xi {
		xi[mu] = make([]float64, n)
		for i := range xi[mu] {
			xi[mu][i] = float64(2*r.IntN(2) - 1)
		}
	}
	w := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i == j {
				continue
			}
			s := 0.0
			for mu := range xi {
				s += xi[mu][i] * xi[mu][j]
			}
			w.Set(i, j, beta*s/n)
		}
	}
	net := nettest.Must(t, dynamics.Config{W: w})
	// Starts: each pattern with 10% of its units flipped, and random states.
	inits := mat.NewDense(2*p*4+16, n, nil)
	row := 0
	for mu := range xi {
		for sgn := -1.0; sgn <= 1; sgn += 2 {
			for k := 0; k < 4; k++ {
				rr := rand.New(rand.NewPCG(8, uint64(row)))
				for i := 0; i < n; i++ {
					v := sgn * xi[mu][i] * 0.8
					if rr.Float64() < 0.1 {
						v = -v
					}
					inits.Set(row, i, v)
				}
				row++
			}
		}
	}
	for ; row < inits.RawMatrix().Rows; row++ {
		rr := rand.New(rand.NewPCG(9, uint64(row)))
		for i := 0; i < n; i++ {
			inits.Set(row, i, 2*rr.Float64()-1)
		}
	}
	res := find(t, net, inits, nil)
	if !res.Symmetric {
		t.Error("Symmetric = false for an odd network without bias")
	}
	// Every pattern and its negative is the sign pattern of a stable fixed
	// point (J = -I + D W is similar to the symmetric -I + D^1/2 W D^1/2).
	for mu := range xi {
		for sgn := -1.0; sgn <= 1; sgn += 2 {
			found := false
			for _, x := range fixedPoints(res) {
				ok := true
				for i := range x {
					if x[i]*sgn*xi[mu][i] <= 0 {
						ok = false
					}
				}
				if ok && stableSym(net, x) {
					found = true
				}
			}
			if !found {
				t.Errorf("no stable fixed point with the signs of %+.0f xi_%d", sgn, mu)
				for _, x := range fixedPoints(res) {
					m, agree := 0.0, 0
					for i := range x {
						m += x[i] * xi[mu][i] / n
						if x[i]*sgn*xi[mu][i] > 0 {
							agree++
						}
					}
					t.Logf("overlap %.3f agree %d stable %v", m, agree, stableSym(net, x))
				}
			}
		}
	}
	// And the symmetry: -h is a fixed point for each fixed point h.
	fps := fixedPoints(res)
	for _, x := range fps {
		neg := make([]float64, n)
		for i := range x {
			neg[i] = -x[i]
		}
		found := false
		for _, y := range fps {
			if maxDist(y, neg) <= 1e-9 {
				found = true
			}
		}
		if !found {
			t.Errorf("-h missing for a fixed point h")
		}
	}
}

// stableSym reports whether every eigenvalue of J = -I + D W is negative
// for symmetric W, through the symmetric -I + D^1/2 W D^1/2.
func stableSym(net *dynamics.Network, x []float64) bool {
	n := net.Dim()
	d := make([]float64, n)
	net.PhiPrime(d, x)
	w := net.W()
	s := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			v := math.Sqrt(d[i]*d[j]) * w.At(i, j)
			if i == j {
				v--
			}
			s.SetSym(i, j, v)
		}
	}
	var e mat.EigenSym
	if !e.Factorize(s, false) {
		return false
	}
	for _, v := range e.Values(nil) {
		if v >= 0 {
			return false
		}
	}
	return true
}

func TestContractingRandomNetwork(t *testing.T) {
	// g = 0.8, b = 0: the spectral radius of W is about 0.8 < 1, so the
	// origin is stable, and no other fixed point is expected (below the
	// transition to chaos at g = 1 the origin is the only one as N grows).
	net := nettest.Tanh(t, 60, 0.8, 3)
	res := find(t, net, uniformInits(40, 60, -1, 1, 4), nil)
	if len(res.Points) != 1 || res.Points[0].Kind != fixedpoint.Fixed || maxAbs(res.Points[0].X) > 1e-10 {
		t.Fatalf("points = %+v, want only the origin", res.Points)
	}
	if res.Points[0].Multiplicity != 40 {
		t.Errorf("multiplicity %d, want 40", res.Points[0].Multiplicity)
	}
}

func TestSaddleNodeGhost(t *testing.T) {
	// h' = -h + tanh(2h + b): the upper pair of fixed points merges at
	// h_c = 1/sqrt(2), b_c = acosh(sqrt 2) - sqrt 2. Just past it (b below
	// b_c) only the lower stable point is left, and a ghost remains near
	// h_c: a local minimum of q with q > 0, which must come out slow.
	xc := math.Acosh(math.Sqrt2)
	bc := xc - math.Sqrt2
	b := bc - 0.01
	// Two extra decoupled units with a single fixed point each make it 3-D.
	w := mat.NewDense(3, 3, []float64{2, 0, 0, 0, 0.5, 0, 0, 0, -1})
	net := nettest.Must(t, dynamics.Config{W: w, B: []float64{b, 0.3, -0.2}})
	inits := mat.NewDense(12, 3, nil)
	for i := 0; i < 12; i++ {
		inits.Set(i, 0, -1+0.2*float64(i))
		inits.Set(i, 1, 0.1*float64(i%3))
		inits.Set(i, 2, -0.1*float64(i%4))
	}
	for _, m := range []fixedpoint.Method{fixedpoint.Auto, fixedpoint.Newton, fixedpoint.Speed} {
		t.Run(m.String(), func(t *testing.T) {
			res := find(t, net, inits, &fixedpoint.Settings{Method: m})
			if got := res.Count(fixedpoint.Fixed); got != 1 {
				t.Errorf("%d fixed points, want 1", got)
			}
			var slow []fixedpoint.Point
			for _, p := range res.Points {
				if p.Kind == fixedpoint.Slow {
					slow = append(slow, p)
				}
			}
			if m == fixedpoint.Newton && len(slow) == 0 {
				// Plain Newton need not converge to the minimum of q; it
				// must only not call the ghost fixed (checked below).
				for i, r := range res.Runs {
					if r.Init[0] > 0.3 && r.Status != fixedpoint.NotConverged {
						t.Errorf("run %d: %v, want not-converged", i, r.Status)
					}
				}
				return
			}
			if len(slow) != 1 {
				t.Fatalf("%d slow points, want 1 (the ghost): %+v", len(slow), res.Points)
			}
			// The ghost: where F_0 has its extremum, F_0'(h) = 0, i.e. 2h + b = xc.
			// Refined by Newton on the gradient of q, it is exact to
			// rounding (L-BFGS alone stopped about 1e-6 away).
			g := slow[0]
			if math.Abs(g.X[0]-(xc-b)/2) > 1e-10 {
				t.Errorf("ghost at h0 = %.8f, want %.8f", g.X[0], (xc-b)/2)
			}
			if g.Residual < 1e-3 {
				t.Errorf("ghost residual %g, want about 5e-3", g.Residual)
			}
			for i, r := range res.Runs {
				if r.Init[0] > 0.3 && r.Status == fixedpoint.Fixed && r.Final[0] > 0 {
					t.Errorf("run %d: fixed at %v", i, r.Final)
				}
			}
		})
	}
}

func TestWorkersBitIdentical(t *testing.T) {
	for _, lin := range []fixedpoint.Linear{fixedpoint.LinearLU, fixedpoint.LinearMatrixFree} {
		t.Run(lin.String(), func(t *testing.T) { workersBitIdentical(t, lin) })
	}
}

func workersBitIdentical(t *testing.T, lin fixedpoint.Linear) {
	net := nettest.Tanh(t, 80, 1.5, 5)
	inits := uniformInits(96, 80, -1, 1, 6)
	a := find(t, net, inits, &fixedpoint.Settings{Workers: 1, Batch: 1, Deflation: 8, Linear: lin})
	// Runs in lockstep groups of any size, on any number of workers, give
	// the same bits as one at a time.
	for _, s := range []fixedpoint.Settings{{Workers: 8}, {Workers: 2, Batch: 3}, {Workers: 1, Batch: 5}} {
		s.Deflation, s.Linear = 8, lin
		b := find(t, net, inits, &s)
		t.Run(fmt.Sprintf("workers %d batch %d", s.Workers, s.Batch), func(t *testing.T) { sameResults(t, a, b) })
	}
	if a.Stats.SpeedEvals == 0 {
		t.Errorf("%v: no speed evaluations: the lockstep path is not exercised", lin)
	}
	t.Logf("%d points (%d fixed), stats %+v", len(a.Points), a.Count(fixedpoint.Fixed), a.Stats)
}

// systemOnly is a System that is not a *dynamics.Network, so that Find
// evaluates it one state at a time through its methods.
type systemOnly struct{ *dynamics.Network }

// A System that is not a network runs on its own methods (Stats.Batched
// false), bit-identically for any number of workers, and finds the points
// the network's batched evaluations find.
func TestSystemNotANetwork(t *testing.T) {
	net := nettest.Tanh(t, 60, 1.5, 7)
	inits := uniformInits(40, 60, -1, 1, 8)
	for _, lin := range []fixedpoint.Linear{fixedpoint.LinearLU, fixedpoint.LinearMatrixFree} {
		s := fixedpoint.Settings{Workers: 1, Deflation: 4, Linear: lin}
		batched := find(t, net, inits, &s)
		a := find(t, systemOnly{net}, inits, &s)
		s.Workers, s.Batch = 3, 4
		b := find(t, systemOnly{net}, inits, &s)
		if !batched.Stats.Batched || a.Stats.Batched {
			t.Errorf("%v: Batched %v for the network, %v for a System", lin, batched.Stats.Batched, a.Stats.Batched)
		}
		t.Run(lin.String()+"/workers", func(t *testing.T) { sameResults(t, a, b) })
		if a.Count(fixedpoint.Fixed) != batched.Count(fixedpoint.Fixed) || a.Count(fixedpoint.Fixed) == 0 {
			t.Fatalf("%v: %d fixed points through the System's methods, %d batched", lin, a.Count(fixedpoint.Fixed), batched.Count(fixedpoint.Fixed))
		}
		var xs [][]float64
		for _, p := range a.Points {
			xs = append(xs, p.X)
		}
		for _, p := range batched.Points {
			if p.Kind == fixedpoint.Fixed && !hasNear(xs, p.X, 1e-6) {
				t.Errorf("%v: the batched fixed point %v is missing", lin, p.X[:3])
			}
		}
	}
}

func sameResults(t *testing.T, a, b *fixedpoint.Result) {
	lin := a.Settings.Linear
	// Matrix-free runs factorise only in dense polishes (none on these
	// networks).
	if mf := lin == fixedpoint.LinearMatrixFree; lin != b.Settings.Linear || mf != (a.Stats.KrylovProducts > 0) || mf == (a.Stats.Factorizations > 0) {
		t.Errorf("%v: stats %+v", lin, a.Stats)
	}
	if a.Stats != b.Stats || len(a.Points) != len(b.Points) || a.Symmetric != b.Symmetric {
		t.Fatalf("stats %+v vs %+v, %d vs %d points", a.Stats, b.Stats, len(a.Points), len(b.Points))
	}
	bits := func(x []float64) []uint64 {
		out := make([]uint64, len(x))
		for i, v := range x {
			out[i] = math.Float64bits(v)
		}
		return out
	}
	eq := func(x, y []float64) bool {
		bx, by := bits(x), bits(y)
		for i := range bx {
			if bx[i] != by[i] {
				return false
			}
		}
		return len(x) == len(y)
	}
	for k := range a.Points {
		p, q := a.Points[k], b.Points[k]
		if !eq(p.X, q.X) || math.Float64bits(p.Q) != math.Float64bits(q.Q) || p.Kind != q.Kind || p.Multiplicity != q.Multiplicity || p.Source != q.Source {
			t.Errorf("point %d differs", k)
		}
	}
	for i := range a.Runs {
		r, s := a.Runs[i], b.Runs[i]
		if !eq(r.Final, s.Final) || r.Status != s.Status || r.Point != s.Point || r.Iter != s.Iter || r.Early != s.Early || math.Float64bits(r.Q) != math.Float64bits(s.Q) {
			t.Errorf("run %d differs", i)
		}
	}
}

func TestBadInput(t *testing.T) {
	net := nettest.Tanh(t, 4, 1, 1)
	ctx := context.Background()
	if _, err := fixedpoint.Find(ctx, net, nil, nil); !errors.Is(err, fixedpoint.ErrNoInits) {
		t.Errorf("nil inits: err = %v", err)
	}
	if _, err := fixedpoint.Find(ctx, net, mat.NewDense(2, 3, nil), nil); err == nil {
		t.Error("wrong width: no error")
	}
	bad := mat.NewDense(2, 4, nil)
	bad.Set(1, 2, math.NaN())
	if _, err := fixedpoint.Find(ctx, net, bad, nil); err == nil {
		t.Error("NaN init: no error")
	}
	if _, err := fixedpoint.Find(ctx, net, mat.NewDense(2, 4, nil), &fixedpoint.Settings{Tol: -1}); err == nil {
		t.Error("negative Tol: no error")
	}
	if _, err := fixedpoint.Find(ctx, net, mat.NewDense(2, 4, nil), &fixedpoint.Settings{Batch: -1}); err == nil || !strings.Contains(err.Error(), "Batch") {
		t.Errorf("negative Batch: err = %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := fixedpoint.Find(cctx, net, mat.NewDense(2, 4, nil), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("nil System: no panic")
			}
		}()
		fixedpoint.Find(ctx, nil, mat.NewDense(2, 4, nil), nil)
	}()
}

func TestPermute(t *testing.T) {
	net := nettest.Must(t, dynamics.Config{W: mat.NewDense(1, 1, []float64{2})})
	res := find(t, net, mat.NewDense(5, 1, []float64{-1, -0.9, 0.01, 0.8, 0.9}), &fixedpoint.Settings{NoSymmetry: true, Deflation: -1})
	if len(res.Points) != 3 {
		t.Fatalf("%d points, want 3 (0 and h = tanh(2h) = +-0.9575)", len(res.Points))
	}
	// Find orders the points as Result.Points says: fixed before slow,
	// each kind by q. (The order by stability class, docs/DESIGN.md
	// section 2, is the caller's, through Permute: fixedpoint does not
	// linearise.)
	for k := 1; k < len(res.Points); k++ {
		a, b := res.Points[k-1], res.Points[k]
		if a.Kind > b.Kind || a.Kind == b.Kind && a.Q > b.Q {
			t.Errorf("points %d and %d out of order: %s q=%g, %s q=%g", k-1, k, a.Kind, a.Q, b.Kind, b.Q)
		}
	}
	before := make([][]float64, len(res.Runs))
	for i, r := range res.Runs {
		before[i] = res.Points[r.Point].X
	}
	old := append([]fixedpoint.Point(nil), res.Points...)
	perm := make([]int, len(res.Points))
	for i := range perm {
		perm[i] = len(perm) - 1 - i
	}
	res.Permute(perm)
	for i, r := range res.Runs {
		if maxDist(res.Points[r.Point].X, before[i]) != 0 {
			t.Errorf("run %d remapped to the wrong point", i)
		}
	}
	// The new Points[i] is the old Points[perm[i]], whole.
	for i, p := range res.Points {
		if o := old[perm[i]]; maxDist(p.X, o.X) != 0 || p.Q != o.Q || p.Multiplicity != o.Multiplicity || p.Source != o.Source {
			t.Errorf("point %d after Permute is %+v, want the old point %d %+v", i, p, perm[i], o)
		}
	}
}

func TestStatusStrings(t *testing.T) {
	for s, want := range map[fixedpoint.Status]string{
		fixedpoint.Fixed: "fixed", fixedpoint.Slow: "slow", fixedpoint.NotConverged: "not-converged", fixedpoint.Diverged: "diverged",
	} {
		if s.String() != want {
			t.Errorf("%d: %q, want %q", int(s), s.String(), want)
		}
		b, err := s.MarshalText()
		if err != nil || string(b) != want {
			t.Errorf("MarshalText: %q, %v", b, err)
		}
		var u fixedpoint.Status
		if err := u.UnmarshalText(b); err != nil || u != s {
			t.Errorf("UnmarshalText(%q) = %v, %v", b, u, err)
		}
	}
}

func TestCancelDuringRuns(t *testing.T) {
	net := nettest.Tanh(t, 40, 1.5, 8)
	inits := uniformInits(200, 40, -1, 1, 9)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	rec := fixedpoint.RecorderFunc(func(p fixedpoint.Progress) { once.Do(cancel) })
	res, err := fixedpoint.Find(ctx, net, inits, &fixedpoint.Settings{Workers: 2, Recorder: rec})
	if !errors.Is(err, context.Canceled) || res != nil {
		t.Fatalf("Find after cancel: %v, %v", res, err)
	}
}

func TestSlowEarlyExit(t *testing.T) {
	// On a chaotic network many runs end at the same slow points. A run
	// stopped near a slow point known from an earlier round must end where
	// it would have ended without early exits (the reference), as slow.
	net := nettest.Tanh(t, 80, 1.5, 5)
	inits := uniformInits(256, 80, -1, 1, 7)
	a := find(t, net, inits, &fixedpoint.Settings{Workers: 2})
	ref := find(t, net, inits, &fixedpoint.Settings{Workers: 2, NoEarlyExit: true})
	early := 0
	for i, r := range a.Runs {
		if !r.Early || r.Status != fixedpoint.Slow {
			continue
		}
		early++
		s := ref.Runs[i]
		if s.Status != fixedpoint.Slow {
			t.Errorf("run %d: slow early, %v without early exit", i, s.Status)
			continue
		}
		if d := maxDist(r.Final, s.Final); d > 1e-5*math.Max(1, maxAbs(s.Final)) {
			t.Errorf("run %d: stopped %g from where it ends without early exit", i, d)
		}
	}
	if early == 0 {
		t.Fatal("no run stopped early at a slow point")
	}
	// Every slow point of the reference is found (up to near-duplicates
	// that the reference splits at the unique tolerance).
	for _, p := range ref.Points {
		if p.Kind != fixedpoint.Slow {
			continue
		}
		best := math.Inf(1)
		for _, q := range a.Points {
			if q.Kind == fixedpoint.Slow {
				best = math.Min(best, maxDist(p.X, q.X))
			}
		}
		if best > 1e-5*math.Max(1, maxAbs(p.X)) {
			t.Errorf("slow point with q = %g missed: nearest %g away", p.Q, best)
		}
	}
	if a.Count(fixedpoint.Fixed) != ref.Count(fixedpoint.Fixed) {
		t.Errorf("%d fixed points, %d without early exit", a.Count(fixedpoint.Fixed), ref.Count(fixedpoint.Fixed))
	}
	if a.Stats.SpeedEvals >= ref.Stats.SpeedEvals {
		t.Errorf("%d speed evaluations, %d without early exit", a.Stats.SpeedEvals, ref.Stats.SpeedEvals)
	}
	t.Logf("%d slow runs stopped early; speed evaluations %d vs %d; slow points %d vs %d", early, a.Stats.SpeedEvals, ref.Stats.SpeedEvals, a.Count(fixedpoint.Slow), ref.Count(fixedpoint.Slow))
}

// Slow points are refined to stationary points of q far below the L-BFGS
// tolerance, and are minima: the finite-difference Hessian of q has only
// positive eigenvalues there.
func TestSlowPointsAreRefinedMinima(t *testing.T) {
	const n = 80
	net := nettest.Tanh(t, n, 1.5, 5)
	inits := uniformInits(64, n, -1, 1, 7)
	res := find(t, net, inits, nil)
	f, g := make([]float64, n), make([]float64, n)
	checked := 0
	for _, p := range res.Points {
		if p.Kind != fixedpoint.Slow {
			continue
		}
		checked++
		net.SpeedGrad(g, f, p.X)
		if r := floats.Norm(g, 2) / floats.Norm(f, 2); r > 1e-9 {
			t.Errorf("slow point q = %.3g: |grad q|/|F| = %.2g, want <= 1e-9", p.Q, r)
		}
		hess := mat.NewSymDense(n, nil)
		fd.Hessian(hess, func(x []float64) float64 { return net.Speed(make([]float64, n), x) }, p.X, nil)
		var eig mat.EigenSym
		if !eig.Factorize(hess, false) {
			t.Fatal("eigen-decomposition failed")
		}
		vals := eig.Values(nil)
		// fd.Hessian is accurate to about 1e-6 here; the smallest
		// curvature of these minima is far above that.
		if vals[0] <= 1e-5 {
			t.Errorf("slow point q = %.3g: smallest Hessian eigenvalue %.3g, want > 0 (a minimum)", p.Q, vals[0])
		}
	}
	if checked == 0 {
		t.Fatal("no slow point to check")
	}
	t.Logf("%d slow points checked", checked)
}

// Matrix-free Newton-Krylov steps find what LU steps find, to the
// tolerance, on the trained flip-flop network (testdata).
func TestMatrixFreeFlipFlop(t *testing.T) {
	z, err := npz.Open("../testdata/flipflop.npz")
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	var w, win mat.Dense
	var b, u []float64
	var alpha float64
	for _, e := range []struct {
		key string
		dst any
	}{{"W.npy", &w}, {"W_in.npy", &win}, {"b.npy", &b}, {"u.npy", &u}, {"alpha.npy", &alpha}} {
		if err := z.Read(e.key, e.dst); err != nil {
			t.Fatal(e.key, err)
		}
	}
	net := nettest.Must(t, dynamics.Config{W: &w, WIn: &win, B: b, U: u, Convention: dynamics.Leaky, Alpha: alpha})
	inits, err := fixedpoint.TrajectoryInits(context.Background(), net, &fixedpoint.SampleSettings{Count: 1024, Noise: 0.5, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	lu := find(t, net, inits, &fixedpoint.Settings{Linear: fixedpoint.LinearLU})
	kr := find(t, net, inits, &fixedpoint.Settings{Linear: fixedpoint.LinearMatrixFree})
	a, b2 := fixedPoints(lu), fixedPoints(kr)
	// Every point of the matrix-free runs is one of the LU runs (the network
	// has 27, testdata/README.md), and they miss at most two of those.
	for i, p := range b2 {
		best := math.Inf(1)
		for _, q := range a {
			best = math.Min(best, maxDist(p, q))
		}
		if best > 1e-8 {
			t.Errorf("matrix-free point %d is %.2g from every LU point", i, best)
		}
	}
	if len(a) > 27 || len(b2) < len(a)-2 {
		t.Errorf("LU found %d fixed points, matrix-free %d; want at most 27, matrix-free at most two fewer", len(a), len(b2))
	}
	f := make([]float64, net.Dim())
	for i, p := range b2 {
		if net.Field(f, p); maxAbs(f) > 1e-10 {
			t.Errorf("matrix-free point %d: max|F| = %.2g", i, maxAbs(f))
		}
	}
	if kr.Settings.Linear != fixedpoint.LinearMatrixFree || kr.Stats.Factorizations != 0 {
		t.Errorf("matrix-free stats %+v", kr.Stats)
	}
	t.Logf("J v products %d; LU factorisations %d", kr.Stats.KrylovProducts, lu.Stats.Factorizations)
}

// With matrix-free steps on a chaotic network, the stall test ends speed
// phases that no longer halve q or |J^T F|/|F|: every run ends exactly as
// without it, or not converged and sooner; and it does stop some runs.
// Runs are independent here (no early exits, no deflation), so a run the
// test leaves alone follows the same iterates bit for bit.
func TestSpeedStall(t *testing.T) {
	const n = 512
	net := nettest.Tanh(t, n, 1.5, 4)
	inits := uniformInits(4, n, -1, 1, 5)
	base := fixedpoint.Settings{Linear: fixedpoint.LinearMatrixFree, NoEarlyExit: true, Deflation: -1, Workers: 1, MaxSpeedIter: 1000}
	on, off := base, base
	off.SpeedStall = -1
	a, b := find(t, net, inits, &on), find(t, net, inits, &off)
	if a.Settings.SpeedStall != fixedpoint.DefaultSpeedStall {
		t.Fatalf("SpeedStall resolved to %d", a.Settings.SpeedStall)
	}
	stopped := 0
	for i := range a.Runs {
		ra, rb := a.Runs[i], b.Runs[i]
		switch {
		case ra.Status == rb.Status && ra.Iter == rb.Iter && floats.Equal(ra.Final, rb.Final):
		case ra.Status == fixedpoint.NotConverged && ra.Iter < rb.Iter:
			stopped++
		default:
			t.Errorf("run %d: %v after %d iterations with the stall test, %v after %d without", i, ra.Status, ra.Iter, rb.Status, rb.Iter)
		}
	}
	if stopped == 0 || a.Stats.SpeedEvals >= b.Stats.SpeedEvals {
		t.Errorf("the stall test stopped %d runs; speed evaluations %d with it, %d without", stopped, a.Stats.SpeedEvals, b.Stats.SpeedEvals)
	}
}

// With matrix-free steps on a chaotic network, a deflated restart whose
// Krylov spaces fill up without halving |G| ends after stallIter such
// steps instead of spending its 40 iterations of up to 100 products each.
// The restarts start from states sampled from the network's trajectories,
// as fpfind find's do; the origin (a root of every network with b = 0,
// given as the first initial state) is what they deflate.
func TestDeflationStopsInChaos(t *testing.T) {
	const n, restarts = 1024, 4
	net := nettest.Tanh(t, n, 1.5, 4)
	sampled, err := fixedpoint.TrajectoryInits(context.Background(), net, &fixedpoint.SampleSettings{Count: 3, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	inits := mat.NewDense(4, n, nil)
	inits.Slice(1, 4, 0, n).(*mat.Dense).Copy(sampled)
	s := fixedpoint.Settings{Linear: fixedpoint.LinearMatrixFree, MaxSpeedIter: 1, Workers: 1}
	none := s
	none.Deflation = -1
	with := s
	with.Deflation = restarts
	a, b := find(t, net, inits, &none), find(t, net, inits, &with)
	if len(fixedPoints(a)) == 0 || b.Stats.Restarts != restarts {
		t.Fatalf("fixed points %d, restarts %d: the test needs the origin and %d restarts", len(fixedPoints(a)), b.Stats.Restarts, restarts)
	}
	// Each restart: at most 2 poor steps (each a Krylov space of at most
	// 100 products, and a product per trial of its line search).
	steps := b.Stats.NewtonIter - a.Stats.NewtonIter
	if steps > 2*restarts {
		t.Errorf("the %d deflated restarts took %d Newton steps; want at most %d", restarts, steps, 2*restarts)
	}
}
