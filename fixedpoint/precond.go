package fixedpoint

import (
	"math"

	"github.com/fpfind/fpfind/internal/dense"
)

// precond is the speed phase's preconditioner (LinearLU only): the
// Cholesky factor U of the damped exact Hessian of q, P = H(x_r) + λI =
// U^T U at an iterate x_r, refreshed every precondRefresh iterations.
// From its precondStart-th iteration on, a run's L-BFGS (lbfgs.go) works
// in the variables z = U x, where P is the identity: its gradient is
// U^{-T} g, its direction d_z maps back to d = U^{-1} d_z (two triangular
// solves an iteration), and its pairs, made in z, are forgotten at each
// refresh. This is L-BFGS with P^{-1} (scaled) as its initial inverse
// Hessian, in the compact form of lbfgs.go.
//
// Plain L-BFGS spends most of a run crawling down curved, ill-conditioned
// valleys of q towards a slow point, |J^T F|/|F| still at 0.1-0.3 and q
// 5-20 times the minimum's: on the chaotic N = 200 network from 256
// uniform states, about 400 iterations per run that ends at a known slow
// point (bench/explore_results.md, session 11). Damped Newton steps with
// the exact Hessian alone take about 20 steps per run from there, each a
// Hessian and one or two factorisations (0.5-0.7 ms at N = 200, 50-70
// L-BFGS iterations' worth): no cheaper. As a preconditioner refreshed
// now and then, its factor carries the valley's stiff directions and the
// pairs their drift: the same starts take a quarter of the speed
// evaluations for four times the Hessians.
//
// The damping starts at λ = precondDamp mean(diag H) and falls eightfold
// at each refresh of a run, so that P is a safe, well-conditioned
// preconditioner far from a minimum, where H is indefinite, and the exact
// Hessian (a Newton step) near it; where P is not positive definite, λ
// rises from precondDamp mean(diag H) eightfold until it is.
type precond struct {
	fac       []float64 // N x N: P's Cholesky factor U (upper triangle), in the slow refinement's Hessian (shared: see stale)
	diag      []float64 // H's diagonal while P is factorised
	gz, gzNew []float64 // U^{-T} g at the iterate, and at the next
	dz        []float64 // the last direction in z = U x
	since     int       // iterations since the last refresh
	refreshes int       // refreshes in this run (the damping's decay)
	stale     bool      // fac was overwritten (by a slow refinement)
	lambda    float64   // the damping of the last refresh
}

// Settings of the preconditioned steps. On the chaotic N = 200 network
// from 256 uniform states (bench/explore_results.md, session 11), refreshes
// every 20, 30, 40, 60, 80 and 100 iterations took 20.4k, 22.1k, 23.5k,
// 23.4k, 24.7k and 25.6k speed evaluations for 873, 723, 646, 517, 455 and
// 418 Hessians (60 the fastest), a fixed damping (no decay) 29.3k for 787,
// a start after 10 or 50 iterations 22.3k for 531 and 27.4k for 478; all
// found the same 51 points. (Those counts are of a two-loop recursion with
// P^{-1} as its initial matrix and 32 pairs; the compact form in z, with
// its scaling, took 23.7k for 523 with 60.)
const (
	precondStart   = 25   // L-BFGS iterations of a run before its steps are preconditioned
	precondRefresh = 60   // iterations between refreshes of P
	precondDamp    = 0.02 // the first λ, relative to the mean of H's diagonal
	precondDecay   = 8    // the factor by which λ falls at each refresh
	precondMove    = 0.5  // largest step, relative to max(1, |x|_inf)
)

func newPrecond(w *worker) *precond {
	v := func() []float64 { return make([]float64, w.n) }
	return &precond{fac: w.refiner().hess.RawMatrix().Data, diag: v(), gz: v(), gzNew: v(), dz: v()}
}

// refresh forms P at the iterate w.cx and factorises it; lb's pairs,
// which belong to the old variables, are forgotten. It reports whether P
// is positive definite (it fails only when H holds non-finite values or
// λ cannot make it definite in a few tries).
func (p *precond) refresh(w *worker, lb *lbfgs) bool {
	n, h, diag := w.n, p.fac, p.diag
	lb.reset()
	w.sys.SpeedHessian(w.refine.hess, w.cx)
	w.c.hess++
	tr := 0.0
	for i := range diag {
		diag[i] = h[i*n+i]
		tr += diag[i]
	}
	p.since, p.stale = 0, false
	base := precondDamp * math.Abs(tr) / float64(n)
	lambda := base * math.Pow(precondDecay, -float64(p.refreshes))
	p.refreshes++
	if !(base > 0) || math.IsInf(base, 0) {
		return false
	}
	for try := 0; try < 8; try++ {
		if try > 0 {
			// The factorisation overwrote the upper triangle: restore
			// it from the lower, and damp more.
			for i := 0; i < n; i++ {
				for j := i + 1; j < n; j++ {
					h[i*n+j] = h[j*n+i]
				}
			}
			lambda = math.Max(lambda*precondDecay, base)
		}
		for i, v := range diag {
			h[i*n+i] = v + lambda
		}
		if dense.Cholesky(n, h) {
			p.lambda = lambda
			copy(p.gz, w.cg)
			dense.SolveUpperT(n, h, p.gz)
			return true
		}
	}
	return false
}

// direction writes into d the L-BFGS direction of lb in the variables
// z = U x (where P is the identity), mapped back to x: d = U^{-1} d_z,
// d_z = -H_z U^{-T} g.
func (p *precond) direction(n int, lb *lbfgs, d []float64) {
	lb.direction(p.dz, p.gz)
	copy(d, p.dz)
	dense.SolveUpper(n, p.fac, d)
}

// steepest writes d = -P^{-1} g, forgetting lb's pairs: a descent
// direction, P being positive definite.
func (p *precond) steepest(n int, lb *lbfgs, d []float64) {
	lb.reset()
	for i, v := range p.gz {
		p.dz[i] = -v
	}
	copy(d, p.dz)
	dense.SolveUpper(n, p.fac, d)
}

// step records that the line search took the step a d (d the direction
// scaled by c after it was made) to the iterate whose gradient of q is g,
// and gives lb the pair in z when its curvature is positive.
func (p *precond) step(n int, lb *lbfgs, a, c float64, g []float64) {
	copy(p.gzNew, g)
	dense.SolveUpperT(n, p.fac, p.gzNew)
	s, y := p.dz, p.gz
	for i := range s {
		s[i] *= a * c
		y[i] = p.gzNew[i] - y[i]
	}
	if sy := dot(s, y); sy > 1e-12*norm2(s)*norm2(y) {
		lb.add(s, y)
	}
	p.gz, p.gzNew = p.gzNew, p.gz
}
