package fixedpoint

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/dense"
	"github.com/fpfind/fpfind/internal/nettest"
)

// The preconditioned direction: with no pair it is -P^{-1} g, P the damped
// Hessian of q (checked against gonum's dense solve of the Hessian that
// SpeedHessian forms, plus the damping); after steps on a quadratic its
// inverse Hessian in x, U^{-1} H_z U^{-T}, satisfies the secant equation
// of the newest pair, H y = s, as every BFGS inverse does; and it is a
// descent direction.
func TestPrecondDirection(t *testing.T) {
	const n = 40
	net := nettest.Tanh(t, n, 1.5, 3)
	rng := rand.New(rand.NewPCG(5, 6))
	w, x := testWorker(t, net, &Settings{}, rng)
	w.evalSpeed(x)
	lb := newLBFGS(n, lbfgsMemory(n, false))
	p := newPrecond(w)
	d := make([]float64, n)
	for _, refreshes := range []int{0, 3} {
		p.refreshes = refreshes
		if !p.refresh(w, lb) {
			t.Fatal("P not positive definite")
		}
		h := mat.NewDense(n, n, nil)
		net.SpeedHessian(h, x)
		tr := 0.0
		for i := 0; i < n; i++ {
			tr += h.At(i, i)
		}
		// The scheduled damping, or more where it leaves P indefinite.
		lambda := precondDamp * math.Abs(tr) / n * math.Pow(precondDecay, -float64(refreshes))
		sym := func(l float64) *mat.SymDense {
			a := mat.NewSymDense(n, nil)
			for i := 0; i < n; i++ {
				for j := i; j < n; j++ {
					a.SetSym(i, j, h.At(i, j))
				}
				a.SetSym(i, i, h.At(i, i)+l)
			}
			return a
		}
		var chol mat.Cholesky
		if chol.Factorize(sym(lambda)) {
			if p.lambda != lambda {
				t.Errorf("%d refreshes: damping %g, want %g", refreshes, p.lambda, lambda)
			}
		} else if !(p.lambda > lambda) || !chol.Factorize(sym(p.lambda)) {
			t.Errorf("%d refreshes: damping %g where %g leaves P indefinite", refreshes, p.lambda, lambda)
		}
		for i := 0; i < n; i++ {
			h.Set(i, i, h.At(i, i)+p.lambda)
		}
		var want mat.VecDense
		if err := want.SolveVec(h, mat.NewVecDense(n, w.cg)); err != nil {
			t.Fatal(err)
		}
		p.direction(n, lb, d)
		for i := range d {
			if e := math.Abs(d[i] + want.AtVec(i)); e > 1e-9*math.Max(1, math.Abs(want.AtVec(i))) {
				t.Fatalf("%d refreshes: d[%d] = %g, want %g", refreshes, i, d[i], -want.AtVec(i))
			}
		}
	}
	// Steps along the directions on the quadratic with gradient A x - c,
	// A positive definite.
	b := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			b.Set(i, j, rng.NormFloat64()/math.Sqrt(n))
		}
	}
	a := mat.NewDense(n, n, nil)
	a.Mul(b.T(), b)
	grad := func(g, x []float64) {
		mat.NewVecDense(n, g).MulVec(a, mat.NewVecDense(n, x))
		for i := range g {
			g[i] -= 1
		}
	}
	xq, g, gOld, last := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	grad(g, xq)
	copy(p.gz, g)
	dense.SolveUpperT(n, p.fac, p.gz)
	lb.reset()
	for k := 0; k < 5; k++ {
		p.direction(n, lb, d)
		if !(dot(d, g) < 0) {
			t.Fatalf("step %d: not a descent direction: g^T d = %g", k, dot(d, g))
		}
		for i := range xq {
			last[i] = 0.5 * d[i]
			xq[i] += last[i]
		}
		copy(gOld, g)
		grad(g, xq)
		p.step(n, lb, 0.5, 1, g)
	}
	if lb.hist != 5 {
		t.Fatalf("%d pairs kept, want 5", lb.hist)
	}
	// The products with the newest pair come with the next direction;
	// then the direction of y = g - gOld is -H y = -s.
	p.direction(n, lb, d)
	for i := range p.gz {
		p.gz[i] = g[i] - gOld[i]
	}
	dense.SolveUpperT(n, p.fac, p.gz)
	p.direction(n, lb, d)
	for i := range d {
		if e := math.Abs(d[i] + last[i]); e > 1e-9*math.Max(1, math.Abs(last[i])) {
			t.Fatalf("secant equation: d[%d] = %g, want %g", i, d[i], -last[i])
		}
	}
	// A pair without positive curvature is not kept; steepest forgets
	// the pairs and gives -P^{-1} g.
	copy(p.dz, p.gz)
	p.step(n, lb, 1, 1, make([]float64, n)) // s = d_z, y = -g_z: s^T y < 0
	if lb.hist != 5 {
		t.Errorf("a pair with s^T y < 0 was kept: %d pairs", lb.hist)
	}
	p.steepest(n, lb, d)
	if lb.hist != 0 {
		t.Errorf("steepest kept %d pairs", lb.hist)
	}
}

// On a chaotic network the preconditioned steps take far fewer speed
// evaluations than plain L-BFGS (whose runs crawl down the valleys of q)
// and find every point it finds, fixed and slow, with the same bits
// whatever the number of workers.
func TestPrecondFindsTheSame(t *testing.T) {
	const n = 80
	net := nettest.Tanh(t, n, 1.5, 5)
	inits, err := RandomInits(96, n, -1, 1, 7)
	if err != nil {
		t.Fatal(err)
	}
	solve := func(workers, from int) *Result {
		rs, err := resolve(&Settings{Workers: workers}, net)
		if err != nil {
			t.Fatal(err)
		}
		if from >= 0 {
			rs.precondFrom = from
		}
		res, err := find(context.Background(), net, inits, &rs)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	pre := solve(2, -1)
	plain := solve(2, math.MaxInt)
	if pre.Stats.Hessians <= plain.Stats.Hessians {
		t.Fatalf("%d Hessians preconditioned, %d plain: the preconditioner was not used", pre.Stats.Hessians, plain.Stats.Hessians)
	}
	if !(float64(pre.Stats.SpeedEvals) < 0.6*float64(plain.Stats.SpeedEvals)) {
		t.Errorf("%d speed evaluations preconditioned, %d plain", pre.Stats.SpeedEvals, plain.Stats.SpeedEvals)
	}
	t.Logf("speed evaluations %d preconditioned, %d plain; Hessians %d, %d", pre.Stats.SpeedEvals, plain.Stats.SpeedEvals, pre.Stats.Hessians, plain.Stats.Hessians)
	if plain.Count(Slow) == 0 || plain.Count(Fixed) == 0 {
		t.Fatalf("plain L-BFGS found %d fixed and %d slow points: want both kinds", plain.Count(Fixed), plain.Count(Slow))
	}
	for _, p := range plain.Points {
		best := math.Inf(1)
		for _, q := range pre.Points {
			if q.Kind == p.Kind {
				best = math.Min(best, distInf(p.X, q.X, math.Inf(1)))
			}
		}
		if best > 1e-6*math.Max(1, normInf(p.X)) {
			t.Errorf("%v point with q = %.3g missed: nearest %g away", p.Kind, p.Q, best)
		}
	}
	one := solve(1, -1)
	for i, r := range one.Runs {
		s := pre.Runs[i]
		if r.Status != s.Status || r.Point != s.Point || distInf(r.Final, s.Final, math.Inf(1)) != 0 {
			t.Fatalf("run %d: one worker ended %v at point %d, two %v at %d", i, r.Status, r.Point, s.Status, s.Point)
		}
	}
	if one.Stats != pre.Stats {
		t.Errorf("work counts differ with the number of workers: %+v, %+v", one.Stats, pre.Stats)
	}
}
