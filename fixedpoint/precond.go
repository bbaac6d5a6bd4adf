package fixedpoint

import (
	"math"

	"github.com/fpfind/fpfind/internal/dense"
)

// precond is the speed phase's preconditioner (LinearLU only): the
// Cholesky factor of the damped exact Hessian of q, P = H(x_r) + λI at an
// iterate x_r, refreshed every precondRefresh iterations, taken as the
// initial inverse Hessian of an L-BFGS two-loop recursion (Nocedal and
// Wright 2006, Alg. 7.4) over the curvature pairs gathered since the
// refresh. From its precondStart-th iteration on, a run's L-BFGS steps
// are preconditioned.
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
	fac       []float64 // N x N: P's Cholesky factor (upper triangle), in the slow refinement's Hessian (shared: see stale)
	diag      []float64 // H's diagonal while P is factorised
	s, y      []float64 // precondMemory x N: the curvature pairs, a ring
	rho       []float64 // 1/(s^T y) of each pair
	alpha     []float64 // the two-loop recursion's coefficients
	kept      int       // pairs kept
	next      int       // slot of the next pair
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
// found the same 51 points.
const (
	precondStart   = 25   // L-BFGS iterations of a run before its steps are preconditioned
	precondRefresh = 60   // iterations between refreshes of P
	precondMemory  = 32   // curvature pairs kept since the last refresh
	precondDamp    = 0.02 // the first λ, relative to the mean of H's diagonal
	precondDecay   = 8    // the factor by which λ falls at each refresh
	precondMove    = 0.5  // largest step, relative to max(1, |x|_inf)
)

func newPrecond(w *worker) *precond {
	n := w.n
	return &precond{
		fac:  w.refiner().hess.RawMatrix().Data,
		diag: make([]float64, n),
		s:    make([]float64, precondMemory*n), y: make([]float64, precondMemory*n),
		rho: make([]float64, precondMemory), alpha: make([]float64, precondMemory),
	}
}

// refresh forms P at x and factorises it, forgetting every pair. It
// reports whether P is positive definite (it fails only when H holds
// non-finite values or λ cannot make it definite in a few tries).
func (p *precond) refresh(w *worker, x []float64) bool {
	n, h, diag := w.n, p.fac, p.diag
	w.sys.SpeedHessian(w.refine.hess, x)
	w.c.hess++
	tr := 0.0
	for i := range diag {
		diag[i] = h[i*n+i]
		tr += diag[i]
	}
	p.kept, p.next, p.since, p.stale = 0, 0, 0, false
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
			return true
		}
	}
	return false
}

// direction writes d = -H_k g, H_k the inverse Hessian of the two-loop
// recursion with P^{-1} as its initial matrix.
func (p *precond) direction(n int, d, g []float64) {
	copy(d, g)
	for k := 0; k < p.kept; k++ {
		j := (p.next - 1 - k + precondMemory) % precondMemory
		p.alpha[j] = p.rho[j] * dot(p.s[j*n:(j+1)*n], d)
		axpy(-p.alpha[j], p.y[j*n:(j+1)*n], d)
	}
	dense.SolveCholesky(n, p.fac, d)
	for k := p.kept - 1; k >= 0; k-- {
		j := (p.next - 1 - k + precondMemory) % precondMemory
		b := p.rho[j] * dot(p.y[j*n:(j+1)*n], d)
		axpy(p.alpha[j]-b, p.s[j*n:(j+1)*n], d)
	}
	scal(-1, d)
}

// steepest writes d = -P^{-1} g, forgetting every pair: a descent
// direction, P being positive definite.
func (p *precond) steepest(n int, d, g []float64) {
	p.kept, p.next = 0, 0
	for i, v := range g {
		d[i] = -v
	}
	dense.SolveCholesky(n, p.fac, d)
}

// add keeps the pair (s, y) when s^T y > 0, dropping the oldest when
// precondMemory are kept.
func (p *precond) add(n int, s, y []float64) {
	sy := dot(s, y)
	if !(sy > 1e-12*norm2(s)*norm2(y)) {
		return
	}
	j := p.next
	copy(p.s[j*n:(j+1)*n], s)
	copy(p.y[j*n:(j+1)*n], y)
	p.rho[j] = 1 / sy
	p.next = (j + 1) % precondMemory
	p.kept = min(p.kept+1, precondMemory)
}
