package fixedpoint

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/krylov"
)

// Matrix-free Newton-Krylov (Knoll and Keyes 2004): at large N a Newton
// step solves J d = -F with restarted GMRES on products J v (one pass over
// W each, the Jacobian's diagonal phi' computed once per step), to the
// relative tolerance of Eisenstat and Walker (1996, choice 2), so early
// steps are cheap and the last ones exact. No N x N matrix is formed: a
// worker keeps the GMRES basis ((restart+1) x N) and the L-BFGS pairs
// (2m x N), and known points keep no factorisation. What the dense path
// gets from LU factors it does without: Broyden steps, the chord test of
// early exit at known fixed points, Levenberg-Marquardt, and the Hessian
// refinement of slow points (these stay at the L-BFGS tolerance).

// Limits of the Krylov solves.
const (
	gmresRestart = 60   // Arnoldi vectors kept between restarts
	gmresMaxIter = 600  // products with J per Newton step
	etaMax       = 0.1  // loosest relative residual of a Newton step
	etaFirst     = 1e-2 // that of the first step of a phase
	// krylovStall replaces stallRatio: without Broyden steps between
	// fresh ones, every step counts towards a stall. On a g = 1.5, N = 256
	// tanh network (64 trajectory starts) 0.5 brings 9 runs to a fixed
	// point, 0.9 brings 15 (LU steps with Broyden updates: 16), for 2.5x
	// the products; 0.99 brings 17 for 2x more again.
	krylovStall = 0.9
)

// matrixFree reports whether the worker solves Newton steps with GMRES.
func (w *worker) matrixFree() bool { return w.s.mf }

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
	case w.bsys != nil:
		w.bsys.JacVecRowsAt(dst, w.dphi, v, 1)
	default:
		w.sys.JacVecAt(dst, w.dphi, v)
	}
}

// krylovStep writes into d the Newton step of F at x (F(x) in f): the
// solution of J(x) d = -F to the relative residual eta. It reports the
// achieved relative residual, or +Inf when GMRES failed.
func (w *worker) krylovStep(x, f, d []float64, eta float64) float64 {
	if w.gm == nil {
		w.gm = krylov.NewGMRES(w.n, gmresRestart)
		w.dphi = make([]float64, w.n)
		w.rhs = make([]float64, w.n)
		w.op = w.jacVec
	}
	w.sys.PhiPrime(w.dphi, x)
	for i, v := range f {
		d[i] = -v
	}
	b := w.rhs // not w.bx: polish keeps its starting state there
	copy(b, d)
	clear(d)
	r, err := w.gm.Solve(w.op, b, d, &krylov.Settings{Tol: eta, MaxIter: gmresMaxIter})
	w.c.krylov += r.MatVecs
	if err != nil || !(r.Residual < 1) {
		return math.Inf(1)
	}
	return r.Residual
}

// newtonKrylov is newton for a matrix-free worker: inexact Newton steps
// with a backtracking line search on q, at most maxIter of them. It ends
// with endStationary at a stationary point of q, and with endLimit when
// it runs out of steps, stalls (q falling by less than krylovStall,
// stallIter steps in a row) or finds no descent step. It updates x and w.f.
func (w *worker) newtonKrylov(x []float64, maxIter int) phaseEnd {
	f := w.f
	res := normInf(f)
	q := dot(f, f) / 2
	prev, eta := 0.0, etaFirst
	stall := 0
	for it := 0; ; it++ {
		if res <= w.s.Tol {
			return endFixed
		}
		if !(res < math.Inf(1)) || normInf(x) > w.div {
			return endDiverged
		}
		if it >= maxIter || stall >= stallIter {
			return endLimit
		}
		if w.ctx.Err() != nil {
			return endCancelled
		}
		w.c.newton++
		fn := math.Sqrt(2 * q)
		if it > 0 {
			// Eisenstat-Walker choice 2 with its safeguard.
			e := 0.9 * (fn / prev) * (fn / prev)
			if s := 0.9 * eta * eta; s > 0.1 {
				e = math.Max(e, s)
			}
			eta = math.Min(e, etaMax)
		}
		// No more accuracy than the tolerance on F needs.
		eta = math.Max(eta, 0.1*w.s.Tol/res)
		d := w.d
		if w.krylovStep(x, f, d, eta) == math.Inf(1) {
			// Stationary for q when J^T F vanishes relative to F.
			w.sys.JacTVecAt(w.g, w.dphi, f)
			if norm2(w.g) <= w.s.SlowTol*fn {
				return endStationary
			}
			return endLimit
		}
		prev = fn
		if !w.lineSearch(x, d) {
			w.sys.JacTVecAt(w.g, w.dphi, w.f)
			if norm2(w.g) <= w.s.SlowTol*fn {
				return endStationary
			}
			return endLimit
		}
		qn := dot(f, f) / 2
		if qn > krylovStall*q {
			stall++
		} else {
			stall = 0
		}
		res, q = normInf(f), qn
	}
}
