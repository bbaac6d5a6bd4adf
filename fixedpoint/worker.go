package fixedpoint

import (
	"context"
	"math"
	"sync"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/lockstep"
)

// knownSet holds the fixed points known at the start of a round, with the
// LU factorisation of J at each (for the chord test of early exit). It is
// read-only while a round runs.
type knownSet struct {
	n    int
	x    [][]float64
	norm []float64 // |x|_inf
	lu   [][]float64
	piv  [][]int
	inv  [][]float64 // reciprocals of U's diagonal
	luOK []bool
	src  []Source
}

// find returns the index of the known point equal to a (unique tol), or -1.
func (k *knownSet) find(a []float64, tol float64) int {
	na := normInf(a)
	for i, x := range k.x {
		if same(a, x, na, k.norm[i], tol) {
			return i
		}
	}
	return -1
}

func (k *knownSet) add(x []float64, src Source) int {
	k.x = append(k.x, append([]float64(nil), x...))
	k.norm = append(k.norm, normInf(x))
	k.lu = append(k.lu, nil)
	k.piv = append(k.piv, nil)
	k.inv = append(k.inv, nil)
	k.luOK = append(k.luOK, false)
	k.src = append(k.src, src)
	return len(k.x) - 1
}

// slowSet holds the slow points known at the start of a round (the final
// states of slow runs of earlier rounds, one per point within the unique
// tolerance), with q at each. It is read-only while a round runs.
type slowSet struct {
	x    [][]float64
	norm []float64 // |x|_inf
	q    []float64
}

// add records the slow state x with speed q unless a known slow point
// equals it within tol.
func (k *slowSet) add(x []float64, q, tol float64) {
	nx := normInf(x)
	for i, p := range k.x {
		if same(x, p, nx, k.norm[i], tol) {
			return
		}
	}
	k.x = append(k.x, append([]float64(nil), x...))
	k.norm = append(k.norm, nx)
	k.q = append(k.q, q)
}

// slowRadius is the relative max-norm distance to a known slow point
// within which an L-BFGS iterate is taken to converge to it, and slowQRatio
// bounds the ratio of the iterate's q to the point's q (both ways). The q
// test rejects an iterate passing near the point on its way down to a lower
// minimum (q well below) or still high up the valley (q well above). On a
// chaotic g = 1.5, N = 200 tanh network (1024 runs, 712 ending slow on 40
// distinct slow points at least 0.59 apart), every run stopped this way
// ends on the same point, to 1e-6, as without the early exit, with radius
// 1e-2, 3e-2 and 1e-1 alike (the slow points being refined by Newton on
// ∇q, slow.go); the speed evaluations drop from 457k (no early exit) to
// 316k, 300k and 270k. Runs heading into a known slow point take tens of
// iterations from 1e-1 to 5e-2 (bench/explore_results.md, "the solve,
// round two"): on the same network from 256 uniform states 1e-1 takes
// 91.3k speed evaluations against 97.7k with 5e-2, the same points and
// runs. Wider radii stop runs passing by: over those 256 runs and the 256
// of `fpfind find --seed 1`, 0.15 stopped one run near a slow point of
// equal q other than the one it ended on, 0.2 three; 1e-1 stopped none
// there or on the other networks of testdata, and the 1024 trajectory
// starts above end with the same points and statuses.
const (
	slowRadius = 1e-1
	slowQRatio = 2
)

// How a solver phase ended.
type phaseEnd int

const (
	endFixed      phaseEnd = iota // max|F| <= Tol
	endEarly                      // entered a known point's ball (w.early.point)
	endEarlySlow                  // speed phase: near a known slow point (w.early.point)
	endSwitch                     // speed phase: max|F| <= Tol
	endStationary                 // a stationary point of q with F != 0
	endLimit                      // iteration limit or stalled
	endDiverged                   // non-finite or unbounded
	endCancelled                  // ctx done
)

// counts are the work counters of one run.
type counts struct {
	newton, broyden, lm, speed, chord, lu, early, hess, krylov int
}

// worker solves one run at a time on one goroutine. It holds the run's
// state and its way to the evaluations (eval.go); the solver phases own
// their scratch:
//
//	newton.go    luNewton: Newton with LU factors of J, Broyden steps,
//	             Levenberg-Marquardt (LinearLU, and dense polishes)
//	hookstep.go  hookNewton: matrix-free Newton-Krylov hooksteps
//	             (LinearMatrixFree)
//	speed.go     speedMin: L-BFGS minimisation of q
//	slow.go      slowRefiner: Newton on the gradient of q at a slow point
//	deflate.go   deflator: deflated Newton restarts
//	early.go     earlyExit: the chord test at known fixed points and the
//	             radius test at known slow points
//
// Which Newton phase runs follows from the resolved settings (s.mf), once
// per worker; a matrix-free run's dense polish calls luNewton directly.
type worker struct {
	sys   System
	s     *resolved
	ctx   context.Context
	n     int
	known *knownSet
	slow  *slowSet

	// The run: its state and field, and the state a polish restores.
	x, f  []float64
	bx    []float64
	div   float64 // divergence bound of this run
	c     counts
	early earlyExit

	// Phases, made on first use.
	lu     *luNewton
	hook   *hookNewton
	speed  *speedMin
	refine *slowRefiner
	// refined reports that the run's speed phase ended in a slow
	// refinement that certified x (speedMin.handOff).
	refined bool
	defl    *deflator

	// The evaluations (eval.go) and their way into a lockstep group
	// (lockstep.go).
	cx, cf, cg []float64                      // last evaluation of q: state, F, gradient
	cq         float64                        // and q
	q1         [1]float64                     // q as the evaluator writes it
	dphi       []float64                      // phi' at the state of the products J v
	ev         *dynamics.Evaluator            // the network's evaluator (one goroutine), or nil (resolved.net)
	port       *lockstep.Port[dynamics.Batch] // the run's group, or nil when it runs alone
}

func newWorker(ctx context.Context, sys System, s *resolved) *worker {
	n := sys.Dim()
	v := func() []float64 { return make([]float64, n) }
	w := &worker{
		sys: sys, s: s, ctx: ctx, n: n,
		x: v(), f: v(), bx: v(),
		cx: v(), cf: v(), cg: v(),
	}
	if s.net != nil {
		w.ev = s.net.NewEvaluator(1)
	}
	return w
}

// dense returns the worker's LU Newton phase, made on first use.
func (w *worker) dense() *luNewton {
	if w.lu == nil {
		w.lu = newLUNewton(w)
	}
	return w.lu
}

// newton runs the Newton phase the settings chose from x (F(x) in w.f):
// hooksteps when matrix-free, else LU Newton (lm: with its
// Levenberg-Marquardt fallback). It updates x and w.f.
func (w *worker) newton(x []float64, maxIter int, lm bool) phaseEnd {
	if w.s.mf {
		if w.hook == nil {
			w.hook = newHookNewton(w)
		}
		return w.hook.solve(x, maxIter)
	}
	return w.dense().solve(x, maxIter, lm)
}

// refiner returns the worker's slow refinement, made on first use.
func (w *worker) refiner() *slowRefiner {
	if w.refine == nil {
		w.refine = newSlowRefiner(w.n)
	}
	return w.refine
}

// minimise runs the speed phase from x (speed.go).
func (w *worker) minimise(x []float64) phaseEnd {
	if w.speed == nil {
		w.speed = newSpeedMin(w)
	}
	return w.speed.solve(x)
}

// startRun clears the counters and the per-run state of the phases.
func (w *worker) startRun(init []float64) {
	w.c = counts{}
	w.refined = false
	if w.lu != nil {
		w.lu.mu = 0
	}
	w.early.failDist = math.Inf(1)
}

func axpy(a float64, x, y []float64) {
	blas64.Implementation().Daxpy(len(x), a, x, 1, y, 1)
}

func scal(a float64, x []float64) {
	blas64.Implementation().Dscal(len(x), a, x, 1)
}

// run solves from init and fills out. It returns the index of the known
// point reached early, or -1.
func (w *worker) run(init []float64, out *Run) int {
	w.startRun(init)
	w.early.point = -1
	w.div = divergeBound * math.Max(1, normInf(init))
	x := w.x
	copy(x, init)
	res := w.eval(w.f, x)
	end := endLimit
	switch {
	case !(res < math.Inf(1)):
		end = endDiverged
	case w.s.Method == Speed:
		end = w.minimise(x)
		if end == endStationary || end == endLimit || end == endSwitch {
			end = w.polish(x, end)
		}
	default:
		end = w.newton(x, w.s.MaxIter, true)
		if (end == endLimit || end == endStationary) && w.s.mf && normInf(w.f) <= polishRes {
			// Krylov steps stalled near a root: resolve it with dense
			// steps before minimising q, which converges as slowly there.
			copy(w.bx, x)
			if w.polishDense(x) {
				end = endFixed
			}
		}
		if w.s.Method == Auto && (end == endLimit || end == endStationary) {
			// Newton stalled: minimise q to its local minimum, which is a
			// slow point unless a short polish makes it a fixed point.
			end = w.minimise(x)
			if end == endStationary || end == endLimit || end == endSwitch {
				end = w.polish(x, end)
			}
		}
	}
	k := -1
	switch end {
	case endEarly:
		k = w.early.point
		copy(x, w.early.y)
		copy(w.f, w.early.fy)
		out.Early = true
	case endEarlySlow:
		// Report the run at the known slow point it is converging to.
		copy(x, w.slow.x[w.early.point])
		w.sys.Field(w.f, x)
		out.Early = true
		end = endStationary
	}
	if end == endStationary && !out.Early && !w.refined && normInf(w.f) > w.s.Tol && !w.s.mf {
		w.refiner().run(w, x, refineMove)
	}
	q := dot(w.f, w.f) / 2
	res = normInf(w.f)
	switch {
	case end == endDiverged || !(res < math.Inf(1)):
		out.Status = Diverged
	case res <= w.s.Tol:
		out.Status = Fixed
	case end == endStationary && q <= w.s.MaxSlowQ:
		out.Status = Slow
	default:
		out.Status = NotConverged
	}
	out.Final = append(out.Final[:0], x...)
	out.Q, out.Residual = q, res
	out.Iter = w.c.newton + w.c.lm + w.c.speed + w.c.chord
	return k
}

// polish tries a few plain Newton steps from the end x of a speed phase
// that ended with end. It returns endFixed or endEarly when they reach a
// fixed point; otherwise it restores x (and w.f) and returns end.
func (w *worker) polish(x []float64, end phaseEnd) phaseEnd {
	res := normInf(w.f)
	if res <= w.s.Tol {
		return endFixed
	}
	if end == endStationary && res > math.Sqrt(w.s.Tol) {
		// A stationary point of q with F clearly nonzero is a local
		// minimum, not a root that L-BFGS failed to resolve.
		return end
	}
	if res > polishRes {
		// Far from a root two Newton steps hardly ever reach it, and they
		// cost an LU factorisation each (0.08 s at N = 1024) or up to
		// hookDim products: from each of many runs that ran out of
		// speed iterations, more than the runs themselves.
		return end
	}
	copy(w.bx, x)
	if e := w.newton(x, polishIter, false); e == endFixed || e == endEarly {
		return e
	}
	copy(x, w.bx)
	w.sys.Field(w.f, x)
	if w.s.mf && w.polishDense(x) {
		return endFixed
	}
	return end
}

// polishDense is the last resort of a matrix-free run whose hooksteps or
// speed phase ended near a root (max|F| <= polishRes) that Krylov steps
// could not resolve: polishIter dense Newton steps, with LU factorisations
// of J.
// Where the spectrum of J surrounds the origin, as at the unstable fixed
// points of chaotic networks, a Krylov space of hookDim products reduces
// the residual little, and neither the hooksteps nor L-BFGS on the
// ill-conditioned q reach Tol: on the g = 1.5 network of N = 4096, four
// runs from within 4e-6 of its fixed point at the origin all ended not
// converged at |h| ~ 1e-7. An LU costs 2/3 N^3 (about 2 s at N = 4096 on one
// core) and the N x N matrix comes from a pool shared by the workers, so
// only as many exist as polishes run at once. It reports whether x is now
// a fixed point; if not, x is restored from w.bx and w.f recomputed by
// Field (equal to the F the run had up to rounding). In Auto a run may
// polish densely twice, after its hooksteps and after its speed phase:
// at most 2 polishIter factorisations.
func (w *worker) polishDense(x []float64) bool {
	d := w.dense()
	d.jac = w.s.jacs.get(w.n)
	defer func() {
		w.s.jacs.put(d.jac)
		d.jac, d.bp, d.bs = nil, nil, nil
	}()
	if e := d.solve(x, polishIter, false); e == endFixed {
		return true
	}
	copy(x, w.bx)
	w.sys.Field(w.f, x)
	return false
}

// jacPool lends N x N matrices to dense polishes (polishDense): a
// matrix-free solve keeps none per run or per slot, and a polish reuses
// one rather than leaving 8 N^2 bytes to the collector each time. A nil
// pool allocates.
type jacPool struct {
	mu   sync.Mutex
	free []*mat.Dense
}

func (p *jacPool) get(n int) *mat.Dense {
	if p != nil {
		p.mu.Lock()
		defer p.mu.Unlock()
		if k := len(p.free); k > 0 {
			m := p.free[k-1]
			p.free = p.free[:k-1]
			return m
		}
	}
	return mat.NewDense(n, n, nil)
}

func (p *jacPool) put(m *mat.Dense) {
	if p == nil || m == nil {
		return
	}
	p.mu.Lock()
	p.free = append(p.free, m)
	p.mu.Unlock()
}

// polishIter is the number of Newton steps tried on the end of a speed
// phase, and polishRes the largest max|F| they are tried from.
const (
	polishIter = 2
	polishRes  = 1e-4
)

// divergeBound bounds |h|_inf relative to max(1, |h0|_inf).
const divergeBound = 1e8
