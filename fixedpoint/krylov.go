package fixedpoint

import (
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
)

// Matrix-free Newton-Krylov (Knoll and Keyes 2004): at large N the Newton
// steps of a run are hooksteps in a Krylov space of products J v
// (hookstep.go; one pass over W each, the Jacobian's diagonal phi' computed
// once per step), and those of deflated restarts the least-squares Newton
// step in such a space (GMRES without restarts). The spaces are built to
// the relative residual of Eisenstat and Walker (1996, choice 2), or to a
// fixed one for deflated restarts, so early steps are cheap and the last
// ones exact. No N x N matrix is formed: a worker keeps a Krylov basis
// ((hookDim+1) x N) and the L-BFGS pairs (2m x N), and known points keep
// no factorisation. What
// the dense path gets from LU factors it does without: Broyden steps, the
// chord test of early exit at known fixed points, Levenberg-Marquardt,
// and the Hessian refinement of slow points (these stay at the L-BFGS
// tolerance).

// Limits of the Krylov solves.
const (
	etaMax   = 0.1  // loosest relative residual of a Newton step
	etaFirst = 1e-2 // that of the first step of a phase
	// krylovStall is stallRatio for matrix-free steps, looser because
	// without Broyden steps between fresh ones every step counts towards a
	// stall (measurements in bench/scale_results.md, "Moved from
	// comments").
	krylovStall = 0.9
)

// matrixFree reports whether the worker solves Newton steps matrix-free
// (not during a dense polish).
func (w *worker) matrixFree() bool { return w.s.mf && !w.dense }

// jacobian returns w.jac, allocating it on first use (a matrix-free worker
// never does).
func (w *worker) jacobian() *mat.Dense {
	if w.jac == nil {
		w.jac = mat.NewDense(w.n, w.n, nil)
	}
	return w.jac
}

// jacVec writes J v into dst at the state of the current step (phi' in
// w.dphi). In a lockstep group it suspends the run until the group has
// computed the products of every waiting run at once (lockstep.go); alone
// it computes the same bits.
func (w *worker) jacVec(dst, v []float64) {
	switch {
	case w.yield != nil:
		w.jvDst, w.jvV = dst, v
		ok := w.yield(struct{}{})
		w.jvDst, w.jvV = nil, nil
		if ok {
			return
		}
		fallthrough
	case w.ev != nil:
		w.ev.Eval(&dynamics.Batch{JacVecs: 1, H: v, F: dst, Phi: w.dphi})
	default:
		w.sys.JacVecAt(dst, w.dphi, v)
	}
}

// fieldPhi writes F(x) into f and phi'(x(x)) into d (the state of the
// products J v of a step at x), from one pass over W. In a lockstep group
// it suspends the run like jacVec, and the group adds x to its batch;
// alone it computes the same bits. Without an evaluator (a System that is
// not a BatchSystem) it calls Field and PhiPrime.
func (w *worker) fieldPhi(f, d, x []float64) {
	switch {
	case w.yield != nil && w.ev != nil:
		w.fpF, w.fpD, w.fpX = f, d, x
		ok := w.yield(struct{}{})
		w.fpF, w.fpD, w.fpX = nil, nil, nil
		if ok {
			return
		}
		fallthrough
	case w.ev != nil:
		w.ev.Eval(&dynamics.Batch{Fields: 1, H: x, F: f, Phi: d})
	default:
		w.sys.Field(f, x)
		w.sys.PhiPrime(d, x)
	}
}

// trialPhi returns w.dt, phi' at a trial state, allocated on first use.
func (w *worker) trialPhi() []float64 {
	if w.dt == nil {
		w.dt = make([]float64, w.n)
	}
	return w.dt
}
