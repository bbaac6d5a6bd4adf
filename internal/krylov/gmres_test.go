package krylov_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/krylov"
)

func newRand(seed, i uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, i)) }

// denseOp returns the product with a.
func denseOp(a *mat.Dense) krylov.Operator {
	return func(dst, v []float64) {
		mat.NewVecDense(len(dst), dst).MulVec(a, mat.NewVecDense(len(v), v))
	}
}

func randVec(rnd *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rnd.NormFloat64()
	}
	return x
}

// luSolve is the reference: gonum's dense LU.
func luSolve(t *testing.T, a *mat.Dense, b []float64) ([]float64, float64) {
	t.Helper()
	var lu mat.LU
	lu.Factorize(a)
	x := mat.NewVecDense(len(b), nil)
	if err := lu.SolveVecTo(x, false, mat.NewVecDense(len(b), b)); err != nil {
		t.Fatalf("reference LU: %v", err)
	}
	return x.RawVector().Data, lu.Cond()
}

func relResidual(a *mat.Dense, x, b []float64) float64 {
	r := mat.NewVecDense(len(b), nil)
	r.MulVec(a, mat.NewVecDense(len(x), x))
	r.SubVec(mat.NewVecDense(len(b), b), r)
	return mat.Norm(r, 2) / mat.Norm(mat.NewVecDense(len(b), b), 2)
}

func maxRelDiff(x, y []float64) float64 {
	var d, s float64
	for i := range x {
		d = math.Max(d, math.Abs(x[i]-y[i]))
		s = math.Max(s, math.Abs(y[i]))
	}
	return d / s
}

// nonsymmetric returns c I + G / sqrt(n) with G Gaussian: eigenvalues in a
// disc of radius ~1 around c.
func nonsymmetric(rnd *rand.Rand, n int, c float64) *mat.Dense {
	a := mat.NewDense(n, n, nil)
	s := 1 / math.Sqrt(float64(n))
	for i := range n {
		for j := range n {
			a.Set(i, j, s*rnd.NormFloat64())
		}
		a.Set(i, i, a.At(i, i)+c)
	}
	return a
}

// tanhNet is a random tanh network with gain g: W_ij ~ N(0, g^2/n), b = 0.
func tanhNet(t testing.TB, n int, g float64, seed uint64) *dynamics.Network {
	rnd := newRand(seed, 0)
	w := mat.NewDense(n, n, nil)
	s := g / math.Sqrt(float64(n))
	for i := range n {
		for j := range n {
			w.Set(i, j, s*rnd.NormFloat64())
		}
	}
	net, err := dynamics.New(dynamics.Config{W: w})
	if err != nil {
		t.Fatal(err)
	}
	return net
}

func TestSolveAgainstLU(t *testing.T) {
	for _, n := range []int{50, 120, 300} {
		for _, m := range []int{0, 10, n} {
			t.Run(fmt.Sprintf("random/n=%d/m=%d", n, m), func(t *testing.T) {
				rnd := newRand(uint64(n), uint64(m))
				a := nonsymmetric(rnd, n, 2)
				b := randVec(rnd, n)
				want, cond := luSolve(t, a, b)
				x := make([]float64, n)
				res, err := krylov.NewGMRES(n, m).Solve(denseOp(a), b, x, &krylov.Settings{Tol: 1e-12})
				if err != nil {
					t.Fatal(err)
				}
				checkSolved(t, res, a, x, b, want, cond, 1e-12)
			})
		}
	}
}

func checkSolved(t *testing.T, res krylov.Result, a *mat.Dense, x, b, want []float64, cond, tol float64) {
	t.Helper()
	if res.Status != krylov.Converged {
		t.Fatalf("status %v after %d iterations, residual %.3g", res.Status, res.Iter, res.Residual)
	}
	if got := relResidual(a, x, b); got > tol*1.01 || math.Abs(got-res.Residual) > 1e-3*tol+1e-15 {
		t.Errorf("residual %.3g, reported %.3g, tol %.3g", got, res.Residual, tol)
	}
	if d := maxRelDiff(x, want); d > 10*cond*tol {
		t.Errorf("max relative difference from LU %.3g > 10 cond tol = %.3g", d, 10*cond*tol)
	}
	if len(res.History) != res.Iter+1 {
		t.Errorf("len(History) = %d, Iter = %d", len(res.History), res.Iter)
	}
	if want := res.Iter + res.Restarts + 1; res.MatVecs != want && res.MatVecs != want+1 {
		t.Errorf("MatVecs = %d, want Iter + cycles (+1) = %d", res.MatVecs, want)
	}
}

// TestJacobian solves Newton systems J d = -F of random g = 1.5 tanh networks
// at random states, J applied through JacVecAt, against LU on the formed J.
func TestJacobian(t *testing.T) {
	for _, n := range []int{50, 200, 300} {
		// Full GMRES on g = 1.5, whose J at random states has eigenvalues
		// on both sides of 0 (restarted GMRES stagnates there); restarted
		// GMRES(10) on g = 0.8, where J is close to -I.
		for _, c := range []struct {
			m int
			g float64
		}{{n, 1.5}, {10, 0.8}} {
			m := c.m
			t.Run(fmt.Sprintf("n=%d/m=%d/g=%g", n, m, c.g), func(t *testing.T) {
				net := tanhNet(t, n, c.g, uint64(n))
				rnd := newRand(7, uint64(n))
				h := make([]float64, n)
				for i := range h {
					h[i] = 2*rnd.Float64() - 1
				}
				d, f := make([]float64, n), make([]float64, n)
				net.PhiPrime(d, h)
				net.Field(f, h)
				for i := range f {
					f[i] = -f[i]
				}
				j := mat.NewDense(n, n, nil)
				net.Jacobian(j, h)
				want, cond := luSolve(t, j, f)
				x := make([]float64, n)
				op := func(dst, v []float64) { net.JacVecAt(dst, d, v) }
				res, err := krylov.NewGMRES(n, m).Solve(op, f, x, &krylov.Settings{Tol: 1e-12, MaxIter: 50 * n})
				if err != nil {
					t.Fatal(err)
				}
				checkSolved(t, res, j, x, f, want, cond, 1e-12)
			})
		}
	}
}

// TestPreconditioner: on a matrix with a widely spread diagonal, a Jacobi
// (diagonal) right preconditioner must give the same solution in far fewer
// iterations.
func TestPreconditioner(t *testing.T) {
	const n = 150
	rnd := newRand(3, 0)
	a := nonsymmetric(rnd, n, 0)
	a.Scale(0.3, a)
	diag := make([]float64, n)
	for i := range n {
		diag[i] = math.Pow(10, 3*rnd.Float64())
		a.Set(i, i, a.At(i, i)+diag[i])
	}
	b := randVec(rnd, n)
	want, cond := luSolve(t, a, b)
	ws := krylov.NewGMRES(n, 20)
	run := func(pre func(dst, v []float64)) krylov.Result {
		x := make([]float64, n)
		res, err := ws.Solve(denseOp(a), b, x, &krylov.Settings{Tol: 1e-11, MaxIter: 20 * n, Precond: pre})
		if err != nil {
			t.Fatal(err)
		}
		checkSolved(t, res, a, x, b, want, cond, 1e-11)
		return res
	}
	plain := run(nil)
	pre := run(func(dst, v []float64) {
		for i := range v {
			dst[i] = v[i] / diag[i]
		}
	})
	if pre.PrecondApplies != pre.Iter+pre.Restarts+1 {
		t.Errorf("PrecondApplies = %d, want Iter + cycles = %d", pre.PrecondApplies, pre.Iter+pre.Restarts+1)
	}
	if plain.PrecondApplies != 0 {
		t.Errorf("PrecondApplies = %d without a preconditioner", plain.PrecondApplies)
	}
	if 3*pre.Iter > plain.Iter {
		t.Errorf("Jacobi preconditioner: %d iterations, none: %d; want at least 3x fewer", pre.Iter, plain.Iter)
	}
	t.Logf("iterations: none %d, Jacobi %d", plain.Iter, pre.Iter)
}

// TestRestart: with m = 3 the cycles are short and numerous; the estimate
// must not increase within a cycle, the run must still converge, and full
// GMRES (m = n) must take no more than n steps.
func TestRestart(t *testing.T) {
	const n = 60
	rnd := newRand(4, 0)
	a := nonsymmetric(rnd, n, 1.5)
	b := randVec(rnd, n)
	want, cond := luSolve(t, a, b)
	x := make([]float64, n)
	ws := krylov.NewGMRES(n, 3)
	if ws.Restart() != 3 {
		t.Fatalf("Restart() = %d", ws.Restart())
	}
	res, err := ws.Solve(denseOp(a), b, x, &krylov.Settings{Tol: 1e-12, MaxIter: 100 * n})
	if err != nil {
		t.Fatal(err)
	}
	checkSolved(t, res, a, x, b, want, cond, 1e-12)
	if res.Restarts < 5 {
		t.Errorf("only %d restarts with m = 3", res.Restarts)
	}
	for i := 1; i < len(res.History); i++ {
		// Within a cycle the estimate is exactly non-increasing; across a
		// restart the true residual replaces it, equal up to rounding.
		if res.History[i] > res.History[i-1]*(1+1e-6) {
			t.Errorf("History[%d] = %.3g > History[%d] = %.3g", i, res.History[i], i-1, res.History[i-1])
		}
	}
	full := krylov.NewGMRES(n, 1000)
	if full.Restart() != n {
		t.Errorf("Restart() = %d, want it clamped to n = %d", full.Restart(), n)
	}
	clear(x)
	resFull, err := full.Solve(denseOp(a), b, x, &krylov.Settings{Tol: 1e-12})
	if err != nil {
		t.Fatal(err)
	}
	checkSolved(t, resFull, a, x, b, want, cond, 1e-12)
	if resFull.Iter > n || resFull.Iter >= res.Iter {
		t.Errorf("full GMRES: %d iterations; GMRES(3): %d", resFull.Iter, res.Iter)
	}
}

// TestRankOne: A = I + u v^T has a Krylov space of dimension <= 2, so GMRES
// hits an exact (happy) breakdown at step 2 and the solution is exact:
// x = b - u (v.b) / (1 + v.u) (Sherman-Morrison).
func TestRankOne(t *testing.T) {
	const n = 40
	rnd := newRand(5, 0)
	u, v, b := randVec(rnd, n), randVec(rnd, n), randVec(rnd, n)
	op := func(dst, x []float64) {
		var s float64
		for i := range x {
			s += v[i] * x[i]
		}
		for i := range x {
			dst[i] = x[i] + u[i]*s
		}
	}
	var vb, vu float64
	for i := range b {
		vb += v[i] * b[i]
		vu += v[i] * u[i]
	}
	want := make([]float64, n)
	for i := range want {
		want[i] = b[i] - u[i]*vb/(1+vu)
	}
	x := make([]float64, n)
	res, err := krylov.NewGMRES(n, 10).Solve(op, b, x, &krylov.Settings{Tol: 1e-14})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != krylov.Converged || res.Iter != 2 || res.Restarts != 0 {
		t.Errorf("status %v, %d iterations, %d restarts; want converged in 2, no restart", res.Status, res.Iter, res.Restarts)
	}
	if d := maxRelDiff(x, want); d > 1e-13 {
		t.Errorf("max relative error %.3g against Sherman-Morrison", d)
	}
}

// TestSingular: A = diag(1, ..., 1, 0) with b = e_n has no solution; the
// Krylov space of b is invariant (A b = 0) and the run ends as Breakdown
// with x = 0 (the least-squares solution in that space).
func TestSingular(t *testing.T) {
	const n = 8
	op := func(dst, x []float64) {
		copy(dst, x)
		dst[n-1] = 0
	}
	b := make([]float64, n)
	b[n-1] = 1
	b[0] = 1
	x := make([]float64, n)
	res, err := krylov.NewGMRES(n, 5).Solve(op, b, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != krylov.Breakdown {
		t.Fatalf("status %v, want breakdown", res.Status)
	}
	// Best approximation: x_0 = 1, x_1..x_{n-2} = 0 (x_{n-1} is free: the
	// least-squares solution in the space is x = b); residual e_n, relative
	// 1/sqrt(2).
	if math.Abs(x[0]-1) > 1e-14 || math.Abs(res.Residual-1/math.Sqrt2) > 1e-14 {
		t.Errorf("x = %v, residual %.17g; want x_0 = 1 and residual 1/sqrt(2)", x, res.Residual)
	}
	for i := 1; i < n-1; i++ {
		if math.Abs(x[i]) > 1e-14 {
			t.Errorf("x[%d] = %g, want 0", i, x[i])
		}
	}
}

func TestZeroRHS(t *testing.T) {
	const n = 5
	b := make([]float64, n)
	x := []float64{1, 2, 3, 4, 5}
	calls := 0
	op := func(dst, v []float64) { calls++; copy(dst, v) }
	res, err := krylov.NewGMRES(n, 0).Solve(op, b, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != krylov.Converged || res.Residual != 0 || res.MatVecs != 0 || calls != 0 {
		t.Errorf("got %+v with %d calls", res, calls)
	}
	for i, xi := range x {
		if xi != 0 {
			t.Errorf("x[%d] = %g, want 0", i, xi)
		}
	}
}

// TestInitialGuess: the exact solution as x0 needs no iteration; a good
// guess needs fewer than a zero one.
func TestInitialGuess(t *testing.T) {
	const n = 80
	rnd := newRand(6, 0)
	a := nonsymmetric(rnd, n, 1.2)
	b := randVec(rnd, n)
	want, cond := luSolve(t, a, b)
	ws := krylov.NewGMRES(n, 20)
	x := append([]float64(nil), want...)
	res, err := ws.Solve(denseOp(a), b, x, &krylov.Settings{Tol: 1e-10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != krylov.Converged || res.Iter != 0 || res.MatVecs != 1 {
		t.Errorf("exact guess: %+v", res)
	}
	zero := make([]float64, n)
	r0, _ := ws.Solve(denseOp(a), b, zero, &krylov.Settings{Tol: 1e-10})
	for i := range x {
		x[i] = want[i] + 1e-4*rnd.NormFloat64()
	}
	r1, err := ws.Solve(denseOp(a), b, x, &krylov.Settings{Tol: 1e-10})
	if err != nil {
		t.Fatal(err)
	}
	checkSolved(t, r1, a, x, b, want, cond, 1e-10)
	if r1.Iter >= r0.Iter {
		t.Errorf("close guess: %d iterations, zero guess: %d", r1.Iter, r0.Iter)
	}
}

func TestMaxIter(t *testing.T) {
	const n = 100
	rnd := newRand(8, 0)
	a := nonsymmetric(rnd, n, 0.3) // eigenvalues around the origin: slow
	b := randVec(rnd, n)
	x := make([]float64, n)
	res, err := krylov.NewGMRES(n, 4).Solve(denseOp(a), b, x, &krylov.Settings{Tol: 1e-12, MaxIter: 7})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != krylov.MaxIterations || res.Iter != 7 || res.Restarts != 1 {
		t.Errorf("status %v, Iter %d, Restarts %d; want max-iterations, 7, 1", res.Status, res.Iter, res.Restarts)
	}
	if got := relResidual(a, x, b); math.Abs(got-res.Residual) > 1e-12 || got >= 1 {
		t.Errorf("residual %.3g, reported %.3g", got, res.Residual)
	}
}

func TestNonFinite(t *testing.T) {
	const n = 6
	ident := func(dst, v []float64) { copy(dst, v) }
	bad := func(dst, v []float64) { copy(dst, v); dst[2] = math.NaN() }
	ok := []float64{1, 2, 3, 4, 5, 6}
	withNaN := []float64{1, 2, math.NaN(), 4, 5, 6}
	withInf := []float64{1, math.Inf(-1), 3, 4, 5, 6}
	for _, c := range []struct {
		name string
		op   krylov.Operator
		b, x []float64
		s    *krylov.Settings
	}{
		{"b", ident, withNaN, make([]float64, n), nil},
		{"x0", ident, ok, withInf, nil},
		{"operator", bad, ok, make([]float64, n), nil},
		{"preconditioner", ident, ok, make([]float64, n), &krylov.Settings{Precond: func(dst, v []float64) { copy(dst, v); dst[0] = math.Inf(1) }}},
	} {
		t.Run(c.name, func(t *testing.T) {
			x := append([]float64(nil), c.x...)
			_, err := krylov.NewGMRES(n, 3).Solve(c.op, c.b, x, c.s)
			if !errors.Is(err, krylov.ErrNonFinite) {
				t.Errorf("error %v, want ErrNonFinite", err)
			}
			t.Log(err)
		})
	}
}

// TestDeterministic: the same problem twice in one workspace, and in a fresh
// one, gives bit-identical solutions and histories.
func TestDeterministic(t *testing.T) {
	const n = 200
	net := tanhNet(t, n, 1.5, 11)
	rnd := newRand(12, 0)
	d := make([]float64, n)
	for i := range d {
		d[i] = rnd.Float64()
	}
	b := randVec(rnd, n)
	op := func(dst, v []float64) { net.JacVecAt(dst, d, v) }
	solve := func(ws *krylov.GMRES) ([]float64, []float64) {
		x := make([]float64, n)
		res, err := ws.Solve(op, b, x, &krylov.Settings{Tol: 1e-12})
		if err != nil || res.Status != krylov.Converged {
			t.Fatalf("%v %v", res.Status, err)
		}
		return x, append([]float64(nil), res.History...)
	}
	ws := krylov.NewGMRES(n, 15)
	x1, h1 := solve(ws)
	x2, h2 := solve(ws)
	x3, h3 := solve(krylov.NewGMRES(n, 15))
	for i := range x1 {
		if math.Float64bits(x1[i]) != math.Float64bits(x2[i]) || math.Float64bits(x1[i]) != math.Float64bits(x3[i]) {
			t.Fatalf("x[%d] differs: %v %v %v", i, x1[i], x2[i], x3[i])
		}
	}
	if fmt.Sprint(h1) != fmt.Sprint(h2) || fmt.Sprint(h1) != fmt.Sprint(h3) {
		t.Error("histories differ")
	}
}

func TestNoAllocs(t *testing.T) {
	const n = 100
	rnd := newRand(13, 0)
	a := nonsymmetric(rnd, n, 2)
	raw := a.RawMatrix().Data
	op := func(dst, v []float64) {
		for i := range dst {
			var s float64
			for j, vj := range v {
				s += raw[i*n+j] * vj
			}
			dst[i] = s
		}
	}
	pre := func(dst, v []float64) { copy(dst, v) }
	b := randVec(rnd, n)
	x := make([]float64, n)
	ws := krylov.NewGMRES(n, 8)
	s := &krylov.Settings{Tol: 1e-12, Precond: pre}
	ws.Solve(op, b, x, s)
	allocs := testing.AllocsPerRun(5, func() {
		clear(x)
		ws.Solve(op, b, x, s)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per Solve", allocs)
	}
}

func TestStatusString(t *testing.T) {
	for s, want := range map[krylov.Status]string{krylov.Converged: "converged", krylov.MaxIterations: "max-iterations", krylov.Breakdown: "breakdown", 9: "Status(9)"} {
		if s.String() != want {
			t.Errorf("%d: %q, want %q", int(s), s.String(), want)
		}
	}
}
