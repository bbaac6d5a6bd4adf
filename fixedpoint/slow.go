package fixedpoint

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/dense"
)

// Slow points are local minima of q. A run whose L-BFGS phase ends at a
// stationary point of q refines it with Newton's method on the gradient
// of q, with the exact Hessian J^T J + Σ F_i ∇²F_i (System.SpeedHessian):
// the minimum's location is then resolved to rounding, not to the L-BFGS
// tolerance, and a Cholesky factorisation of the Hessian certifies it a
// strict local minimum.
//
// Runs stop early near a known slow point by a plain radius test
// (slowRadius), not by a chord iteration with its Hessian factor as at
// fixed points: the minima of q are ill-conditioned (their soft directions
// are what makes them slow), so a chord would contract only very close to
// the point.

// Limits of the refinement of slow points.
const (
	refineIter = 8    // Newton steps on ∇q refining a slow point
	refineMove = 1e-2 // largest move of a refinement, relative to max(1, |h|_inf)
	qRound     = 1e-10
)

// The speed phase hands a run over before L-BFGS has converged
// (speedMin.handOff, LinearLU only): to the slow refinement, moving at
// most handMove (relative), once |J^T F| <= handRatio |F|, and to a Newton
// polish once max|F| <= handRes; after a try that fails, the next waits
// for the ratio or the residual to fall another handStep times. L-BFGS
// converges linearly into the ill-conditioned minima of q: on the chaotic
// N = 200 network (256 uniform starts) the runs that end on a new slow
// point took 100-400 iterations from a ratio of 1e-3 down to SlowTol
// (1e-6), where Newton with the exact Hessian takes 2-3 steps of 0.5 ms
// (40 iterations' worth each); a run converging to a new fixed point took
// 800 iterations below max|F| = 1e-3. handMove, half slowRadius, keeps
// the refinement to the minimum the iterate is in.
const (
	handRatio = 1e-3
	handRes   = 1e-3
	handStep  = 10
	handMove  = slowRadius / 2
)

// slowRefiner is the refinement of slow points: Newton steps on the
// gradient of q with the exact Hessian (LinearLU only: it forms N x N
// matrices).
type slowRefiner struct {
	hess          *mat.Dense // Hessian of q, then its Cholesky factor
	grad          []float64  // the gradient of q
	step          []float64  // the Newton step on the gradient
	start         []float64  // the state the refinement started from
	trial, trialF []float64  // a trial state and its field
	trialGrad     []float64  // the gradient there
}

func newSlowRefiner(n int) *slowRefiner {
	v := func() []float64 { return make([]float64, n) }
	return &slowRefiner{hess: mat.NewDense(n, n, nil), grad: v(), step: v(), start: v(), trial: v(), trialF: v(), trialGrad: v()}
}

// hessian forms the Hessian of q at x in hess and its Cholesky factor
// (upper triangle, in place); it reports whether it is positive definite.
// The gradient and F at x are left in grad and w.f, q is returned.
func (r *slowRefiner) hessian(w *worker, x []float64) (float64, bool) {
	w.sys.SpeedHessian(r.hess, x)
	q := w.sys.SpeedGrad(r.grad, w.f, x)
	w.c.hess++
	return q, dense.Cholesky(w.n, r.hess.RawMatrix().Data)
}

// run takes Newton steps on ∇q from the stationary point x of q
// (F(x) in w.f), keeping x where q is lowest. It reports whether the final
// x is a certified local minimum (positive definite Hessian, with |∇q| at
// most SlowTol |F|); then hess holds the Hessian's Cholesky factor there.
// A step that raises q by no more than its rounding error is taken when
// it halves the gradient. It never moves x by more than move (relative to max(1, |x|_inf)) from
// where it started; x and w.f are restored when a step would.
func (r *slowRefiner) run(w *worker, x []float64, move float64) bool {
	copy(r.start, x)
	lim := move * math.Max(1, normInf(x))
	for it := 0; ; it++ {
		q, pd := r.hessian(w, x)
		if !pd {
			return false
		}
		gn, fn := norm2(r.grad), norm2(w.f)
		if gn <= w.s.SlowTol*fn && (gn <= 1e-3*w.s.SlowTol*fn || it == refineIter) {
			return true
		}
		if it == refineIter {
			return false
		}
		d := r.step
		for i, v := range r.grad {
			d[i] = -v
		}
		dense.SolveCholesky(w.n, r.hess.RawMatrix().Data, d)
		for i := range x {
			r.trial[i] = x[i] + d[i]
		}
		if distInf(r.trial, r.start, lim) > lim {
			copy(x, r.start)
			w.sys.Field(w.f, x)
			return false
		}
		qt := w.sys.SpeedGrad(r.trialGrad, r.trialF, r.trial)
		w.c.speed++
		// Close to the minimum the change of q falls below the rounding
		// error of q (relative 1e-14 to 1e-12 at the slow points of a
		// chaotic N = 80 network, each F_i the rounded sum of N products
		// and much smaller than them): there a step that raises q by less
		// than qRound q and at least halves the gradient is taken.
		if !(qt <= q) && !(qt <= q+qRound*q && norm2(r.trialGrad) <= gn/2) {
			// No decrease: x is the minimum to rounding; certified when
			// stationary to SlowTol (hess is still x's factor).
			w.sys.Field(w.f, x)
			return gn <= w.s.SlowTol*fn
		}
		copy(x, r.trial)
	}
}
