package fixedpoint

import (
	"context"
	"math"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
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
// 316k, 300k and 270k. 5e-2 is a margin against continuous attractors,
// where a line of near-equal minima lies within any radius.
const (
	slowRadius = 5e-2
	slowQRatio = 2
)

// How a solver phase ended.
type phaseEnd int

const (
	endFixed      phaseEnd = iota // max|F| <= Tol
	endEarly                      // entered a known point's ball (w.early)
	endEarlySlow                  // speed phase: near a known slow point (w.early)
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

// worker owns the scratch memory of one goroutine.
type worker struct {
	sys   System
	s     *resolved
	ctx   context.Context
	n     int
	known *knownSet
	slow  *slowSet

	x, f, g, d, xt, ft, y, fy, bx []float64
	jac                           *mat.Dense // J, then its LU factors
	piv                           []int
	inv                           []float64 // reciprocals of the diagonal of the LU factors in jac
	ata, chol                     []float64
	mu                            float64
	xo, fo                        []float64   // state and field before a step
	bp, bs                        [][]float64 // Broyden factors
	nb                            int

	// speed minimisation
	cx, cf, cg []float64  // last evaluation of q: state, F, gradient
	cq         float64    // and q
	lb         *lbfgs     // L-BFGS pairs
	gOld, sv   []float64  // gradient before a step; the step
	failDist   float64    // distance of the last failed chord test
	hess       *mat.Dense // Hessian of q, then its Cholesky factor

	early int     // known point reached by the chord test
	div   float64 // divergence bound of this run

	// matrix-free Newton steps
	hk    *hook     // Krylov workspace (hookstep.go)
	dphi  []float64 // phi' at the state of the step
	dense bool      // a dense polish of a matrix-free run is running
	c     counts

	// lockstep evaluation (lockstep.go)
	ev         *dynamics.Evaluator // sys's evaluator (one goroutine), when sys is a BatchSystem
	yield      func(struct{}) bool // suspends the run in its group, or nil
	jvDst, jvV []float64           // a product J v waiting in the group, or nil
	fpF, fpD   []float64           // a field and phi' waiting in the group, or nil,
	fpX        []float64           // at this state
	dt         []float64           // phi' at the trial state of a step
	q1         [1]float64
}

func newWorker(ctx context.Context, sys System, s *resolved) *worker {
	n := sys.Dim()
	v := func() []float64 { return make([]float64, n) }
	w := &worker{
		sys: sys, s: s, ctx: ctx, n: n,
		x: v(), f: v(), g: v(), d: v(), xt: v(), ft: v(), y: v(), fy: v(), bx: v(),
		cx: v(), cf: v(), cg: v(), xo: v(), fo: v(),
		piv: make([]int, n),
	}
	if b, ok := sys.(BatchSystem); ok {
		w.ev = b.NewEvaluator(1)
	}
	return w
}

// eval writes F(x) into f and returns max|F|.
func (w *worker) eval(f, x []float64) float64 {
	w.sys.Field(f, x)
	return normInf(f)
}

// factor forms J(x) and its LU factors in w.jac; it reports success.
func (w *worker) factor(x []float64) bool {
	w.sys.Jacobian(w.jacobian(), x)
	w.c.lu++
	return w.lu()
}

// lu factorises w.jac in place (LU) and, when U is nonsingular, keeps the
// reciprocals of its diagonal in w.inv; it reports success.
func (w *worker) lu() bool {
	if w.inv == nil {
		w.inv = make([]float64, w.n)
	}
	return factorInv(w.s.LU, w.n, w.jac.RawMatrix().Data, w.piv, w.inv)
}

// tryEarly runs the chord test against the nearest known point when x is
// close to one. On success it leaves the converged state in w.y (its field
// in w.fy), sets w.early and returns true.
func (w *worker) tryEarly(x []float64) bool {
	if w.s.NoEarlyExit || len(w.known.x) == 0 {
		return false
	}
	best, bd := -1, math.Inf(1)
	for k, p := range w.known.x {
		if !w.known.luOK[k] {
			continue
		}
		r := chordRadius * math.Max(1, w.known.norm[k])
		if d := distInf(x, p, math.Min(r, bd)); d <= r && d < bd {
			best, bd = k, d
		}
	}
	if best < 0 || bd > w.failDist/2 {
		return false
	}
	if w.chord(x, best) {
		w.early = best
		w.c.early++
		return true
	}
	w.failDist = bd
	return false
}

// chordRadius is the relative max-norm distance to a known point within
// which the chord test is tried. A failed test costs a few field
// evaluations and triangular solves, against an LU factorisation for the
// Newton step it may save, and it never accepts a point the chord iteration
// did not converge to; but a run it stops ends at a known point that Newton
// might have left for a new one. Larger radii save factorisations but lose
// points of the trained flip-flop network that 0.25 finds
// (bench/fp_results.md, "Moved from comments").
const chordRadius = 0.25

// chord iterates y <- y - J(h_k)^{-1} F(y) from x with the factors of the
// Jacobian at the known point h_k. Near a root this converges quadratically
// (the matrix is the Jacobian at the root). It succeeds when max|F(y)| <=
// Tol and y equals h_k within the unique tolerance, with every step
// contracting.
func (w *worker) chord(x []float64, k int) bool {
	y, fy := w.y, w.fy
	copy(y, x)
	lu, piv, inv, hk := w.known.lu[k], w.known.piv[k], w.known.inv[k], w.known.x[k]
	prev := math.Inf(1)
	for it := 0; it < 12; it++ {
		w.c.chord++
		res := w.eval(fy, y)
		if res <= w.s.Tol {
			return same(y, hk, normInf(y), w.known.norm[k], w.s.UniqueTol)
		}
		if !(res < math.Inf(1)) {
			return false
		}
		d := w.d
		for i, v := range fy {
			d[i] = -v
		}
		luSolve(w.n, lu, piv, inv, d)
		step := normInf(d)
		if !(step <= 0.5*prev) && it > 0 || !(step < math.Inf(1)) {
			return false
		}
		prev = step
		for i := range y {
			y[i] += d[i]
		}
	}
	return false
}

// newton runs globalised Newton from x (F(x) already in w.f) with at most
// maxIter Jacobian factorisations. Between factorisations it takes
// Broyden steps: the inverse of J is updated by Broyden's good rank-one
// formula in product form, H+ = (I + p s^T) H with p = (s - H y) / (s^T H y),
// so a step costs two triangular solves instead of an LU factorisation
// (the idea behind MINPACK's hybrid method). J is refactorised when a
// Broyden step fails or progresses poorly. With lm it falls back to
// Levenberg-Marquardt steps when J is singular or the line search fails
// with a fresh J. It ends with endStationary at a stationary point of q,
// and with endLimit when it runs out of iterations or stalls (q decreasing
// by less than the factor stallRatio over stallIter fresh steps). It
// updates x and w.f.
func (w *worker) newton(x []float64, maxIter int, lm bool) phaseEnd {
	if w.matrixFree() {
		return w.newtonHook(x, maxIter)
	}
	f := w.f
	res := normInf(f)
	q := dot(f, f) / 2
	stall, lus, steps := 0, 0, 0
	have, fresh := false, false
	for {
		if res <= w.s.Tol {
			return endFixed
		}
		if !(res < math.Inf(1)) || normInf(x) > w.div {
			return endDiverged
		}
		if lus >= maxIter && !have || steps >= 4*maxIter || stall >= stallIter {
			return endLimit
		}
		if w.ctx.Err() != nil {
			return endCancelled
		}
		if w.tryEarly(x) {
			return endEarly
		}
		steps++
		if !have {
			lus++
			w.c.newton++
			w.sys.Jacobian(w.jacobian(), x)
			jr := w.jac.RawMatrix()
			blas64.Gemv(blas.Trans, 1, jr, blas64.Vector{N: w.n, Inc: 1, Data: f}, 0, blas64.Vector{N: w.n, Inc: 1, Data: w.g})
			if norm2(w.g) <= w.s.SlowTol*norm2(f) {
				return endStationary
			}
			w.c.lu++
			have = w.lu()
			w.nb = 0
			fresh = have
			if !have {
				if !lm {
					return endLimit
				}
				switch w.lmStep(x) {
				case lmStationary:
					return endStationary
				case lmFail:
					return endLimit
				}
				res, q = normInf(f), dot(f, f)/2
				continue
			}
		} else {
			w.c.broyden++
		}
		d := w.d
		for i, v := range f {
			d[i] = -v
		}
		w.applyH(d)
		copy(w.xo, x)
		copy(w.fo, f)
		if !w.lineSearch(x, d) {
			if !fresh {
				have = false // refactorise at x
				continue
			}
			if !lm || w.s.Method == Auto {
				// Auto leaves a failed line search to speed minimisation.
				return endLimit
			}
			switch w.lmStep(x) {
			case lmStationary:
				return endStationary
			case lmFail:
				return endLimit
			}
			have = false
		} else if w.nb < maxBroyden {
			w.broydenUpdate(x, f)
		} else {
			have = false
		}
		qn := dot(f, f) / 2
		if fresh {
			if qn > w.stallRatio()*q {
				stall++
			} else {
				stall = 0
			}
		} else if qn > 0.5*q {
			have = false // poor Broyden progress: refactorise
		}
		fresh = false
		res, q = normInf(f), qn
	}
}

// maxBroyden is the number of Broyden updates kept before J is
// refactorised.
const maxBroyden = 24

// applyH overwrites v with H v, H the current inverse Jacobian
// approximation: the LU solve with J0, then the Broyden factors.
func (w *worker) applyH(v []float64) {
	luSolve(w.n, w.jac.RawMatrix().Data, w.piv, w.inv, v)
	for j := 0; j < w.nb; j++ {
		axpy(dot(w.bs[j], v), w.bp[j], v)
	}
}

// broydenUpdate appends the good Broyden factor for the step from
// (w.xo, w.fo) to (x, f); on a degenerate step it drops the factorisation.
func (w *worker) broydenUpdate(x, f []float64) {
	if w.bp == nil {
		w.bp = make([][]float64, maxBroyden)
		w.bs = make([][]float64, maxBroyden)
		for j := range w.bp {
			w.bp[j] = make([]float64, w.n)
			w.bs[j] = make([]float64, w.n)
		}
	}
	s, p := w.bs[w.nb], w.bp[w.nb]
	for i := range s {
		s[i] = x[i] - w.xo[i]
		p[i] = f[i] - w.fo[i] // y
	}
	w.applyH(p) // H y
	den := dot(s, p)
	if !(math.Abs(den) > 1e-14*norm2(s)*norm2(p)) {
		return // skip the update
	}
	for i := range p {
		p[i] = (s[i] - p[i]) / den
	}
	w.nb++
}

// stallIter is the number of Newton iterations in a row that decrease q
// by less than the factor stallRatio (Auto, where speed minimisation
// takes over) or stallRatioNewton (Newton alone) after which Newton gives
// up. The values are the cheapest that still find every root
// scipy.optimize.root finds on a chaotic g = 1.5, N = 200 tanh network
// (measurements in bench/fp_results.md, "Moved from comments"); Newton
// alone needs the looser stallRatioNewton, having no speed phase after it.
const (
	stallIter        = 2
	stallRatio       = 0.5
	stallRatioNewton = 0.9
)

// stallRatio returns the stall factor of the run's method.
func (w *worker) stallRatio() float64 {
	if w.s.Method == Newton {
		return stallRatioNewton
	}
	return stallRatio
}

// lineSearch tries x + a d for a = 1, then smaller, until q decreases
// enough (Armijo, with the directional derivative -2q of a Newton step).
// On success x and w.f are updated.
func (w *worker) lineSearch(x, d []float64) bool {
	step := normInf(d)
	if !(step < math.Inf(1)) {
		return false
	}
	a := 1.0
	if lim := maxStep * math.Max(1, normInf(x)); step > lim {
		a = lim / step
	}
	q0 := dot(w.f, w.f) / 2
	for try := 0; try < 30 && a >= minAlpha; try++ {
		for i := range x {
			w.xt[i] = x[i] + a*d[i]
		}
		w.sys.Field(w.ft, w.xt)
		qt := dot(w.ft, w.ft) / 2
		if qt <= q0*(1-2e-4*a) {
			copy(x, w.xt)
			copy(w.f, w.ft)
			return true
		}
		// Minimiser of the quadratic through q(0), q'(0) = -2 q0 and q(a).
		an := q0 * a * a / (qt - q0 + 2*q0*a)
		if !(an >= 0.1*a) {
			an = 0.1 * a
		} else if an > 0.5*a {
			an = 0.5 * a
		}
		a = an
	}
	return false
}

// maxStep bounds a Newton step relative to max(1, |x|_inf), and minAlpha
// is the smallest step length of the line search.
const (
	maxStep  = 10
	minAlpha = 1e-3
)

type lmEnd int

const (
	lmOK lmEnd = iota
	lmStationary
	lmFail
)

// lmStep takes one Levenberg-Marquardt step (J^T J + mu I) d = -J^T F.
func (w *worker) lmStep(x []float64) lmEnd {
	n := w.n
	w.c.lm++
	w.sys.Jacobian(w.jacobian(), x)
	jr := w.jac.RawMatrix()
	g := w.g
	blas64.Gemv(blas.Trans, 1, jr, blas64.Vector{N: n, Inc: 1, Data: w.f}, 0, blas64.Vector{N: n, Inc: 1, Data: g})
	if norm2(g) <= w.s.SlowTol*norm2(w.f) {
		return lmStationary
	}
	if w.ata == nil {
		w.ata = make([]float64, n*n)
		w.chol = make([]float64, n*n)
	}
	a := blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: n, Data: w.ata}
	blas64.Syrk(blas.Trans, 1, jr, 0, a)
	var dmax float64
	for i := 0; i < n; i++ {
		dmax = math.Max(dmax, w.ata[i*n+i])
	}
	if w.mu == 0 {
		w.mu = 1e-3 * math.Max(dmax, 1e-300)
	}
	q0 := dot(w.f, w.f) / 2
	for try := 0; try < 10; try++ {
		copy(w.chol, w.ata)
		for i := 0; i < n; i++ {
			w.chol[i*n+i] += w.mu
		}
		if _, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: n, Data: w.chol}); !ok {
			w.mu *= 10
			continue
		}
		d := w.d
		for i, v := range g {
			d[i] = -v
		}
		cholSolve(n, w.chol, d)
		for i := range x {
			w.xt[i] = x[i] + d[i]
		}
		w.sys.Field(w.ft, w.xt)
		if qt := dot(w.ft, w.ft) / 2; qt < q0 {
			copy(x, w.xt)
			copy(w.f, w.ft)
			w.mu = math.Max(w.mu/3, 1e-12*dmax)
			return lmOK
		}
		w.mu *= 4
	}
	// No decrease along the gradient direction even with a tiny step: x is
	// numerically stationary when the gradient is small relative to F.
	if norm2(g) <= math.Sqrt(w.s.SlowTol)*norm2(w.f) {
		return lmStationary
	}
	return lmFail
}

// evalSpeed evaluates q, F and the gradient at x into the cache. In a
// lockstep group it suspends the run until the group has evaluated every
// waiting run at once (lockstep.go).
func (w *worker) evalSpeed(x []float64) float64 {
	copy(w.cx, x)
	w.c.speed++
	switch {
	case w.yield != nil && w.yield(struct{}{}):
		// The group wrote w.cg, w.cf and w.cq.
	case w.ev != nil:
		// The same evaluation alone, bit-identical to one in a group.
		w.ev.Eval(&dynamics.Batch{Speeds: 1, H: w.cx, F: w.cf, Grad: w.cg, Q: w.q1[:]})
		w.cq = w.q1[0]
	default:
		w.cq = w.sys.SpeedGrad(w.cg, w.cf, w.cx)
	}
	return w.cq
}

// speedCheck decides after each L-BFGS iteration, at the accepted state
// w.cx, whether to stop the speed phase.
func (w *worker) speedCheck(it int) (phaseEnd, bool) {
	if w.ctx.Err() != nil {
		return endCancelled, true
	}
	if !(w.cq < math.Inf(1)) || normInf(w.cx) > w.div {
		return endDiverged, true
	}
	res := normInf(w.cf)
	if res <= w.s.Tol {
		return endSwitch, true
	}
	if norm2(w.cg) <= w.s.SlowTol*norm2(w.cf) {
		return endStationary, true
	}
	if it%4 == 3 && w.tryEarly(w.cx) {
		return endEarly, true
	}
	if w.nearSlow() {
		return endEarlySlow, true
	}
	return endLimit, false
}

// nearSlow reports whether the speed iterate w.cx is within slowRadius
// (relative, max-norm) of a known slow point whose q is within a factor
// slowQRatio of w.cq; it sets w.early to the first such point.
func (w *worker) nearSlow() bool {
	if w.s.NoEarlyExit || w.slow == nil {
		return false
	}
	for k, p := range w.slow.x {
		kq := w.slow.q[k]
		if !(w.cq <= slowQRatio*kq && w.cq*slowQRatio >= kq) {
			continue
		}
		r := slowRadius * math.Max(1, w.slow.norm[k])
		if distInf(w.cx, p, r) <= r {
			w.early = k
			w.c.early++
			return true
		}
	}
	return false
}

// speed minimises q from x with L-BFGS (Nocedal and Wright 2006, Alg. 7.5,
// in the compact form of lbfgs.go, with a backtracking Armijo line search
// and curvature-safeguarded updates). It leaves the best state found in x and its field in w.f.
func (w *worker) speed(x []float64) phaseEnd {
	if w.lb == nil {
		w.lb = newLBFGS(w.n, lbfgsMemory(w.n))
		w.gOld = make([]float64, w.n)
		w.sv = make([]float64, w.n)
	}
	lb := w.lb
	lb.reset()
	w.evalSpeed(x)
	end := endLimit
	for it := 0; ; it++ {
		if e, stop := w.speedCheck(it); stop {
			end = e
			break
		}
		if it >= w.s.MaxSpeedIter {
			break
		}
		d := w.d
		lb.direction(d, w.cg)
		if lb.hist == 0 {
			// First step: a unit gradient step scaled to move about 1e-2
			// (relative) or to the Gauss-Newton guess q/|g|^2.
			gg := dot(w.cg, w.cg)
			scal(math.Min(w.cq/gg, 1e-2*math.Max(1, normInf(w.cx))/math.Sqrt(gg)), d)
		}
		slope := dot(w.cg, d)
		if !(slope < 0) {
			// Not a descent direction: restart from steepest descent.
			lb.reset()
			for i, v := range w.cg {
				d[i] = -v
			}
			slope = dot(w.cg, d)
		}
		q0 := w.cq
		copy(w.gOld, w.cg)
		copy(w.xt, w.cx)
		a, ok := 1.0, false
		for try := 0; try < 40; try++ {
			for i := range x {
				x[i] = w.xt[i] + a*d[i]
			}
			qt := w.evalSpeed(x)
			if qt <= q0+1e-4*a*slope {
				ok = true
				break
			}
			an := -slope * a * a / (2 * (qt - q0 - slope*a))
			if !(an >= 0.1*a) {
				an = 0.1 * a
			} else if an > 0.5*a {
				an = 0.5 * a
			}
			a = an
		}
		if !ok {
			// No decrease along a descent direction: at a minimum to
			// rounding precision.
			copy(x, w.xt)
			w.evalSpeed(x)
			if norm2(w.cg) <= math.Sqrt(w.s.SlowTol)*norm2(w.cf) {
				end = endStationary
			}
			break
		}
		// Curvature pair (s in w.sv, y in w.gOld).
		sv, y := w.sv, w.gOld
		for i := range sv {
			sv[i] = a * d[i]
			y[i] = w.cg[i] - y[i]
		}
		if sy := dot(sv, y); sy > 1e-12*norm2(sv)*norm2(y) {
			lb.add(sv, y)
		}
	}
	copy(x, w.cx)
	copy(w.f, w.cf)
	return end
}

// lbfgsMemory returns the number of curvature pairs L-BFGS keeps: N/3,
// clamped to [10, 100]. A pair costs 4N flops per iteration against 4N^2
// for the gradient. The minima of q at slow points are ill-conditioned:
// on a chaotic g = 1.5, N = 200 tanh network 100 pairs instead of 10 need
// a third of the evaluations and resolve the runs onto 41 distinct slow
// points instead of 260 near-duplicates. Between 50 and 100 the count of
// evaluations and the cost of each trade off: 66 pairs took 4% less CPU
// than 100 (290k evaluations against 258k) and 50 about the same (324k),
// all finding the same points.
func lbfgsMemory(n int) int { return min(max(n/3, 10), 100) }

func axpy(a float64, x, y []float64) {
	blas64.Implementation().Daxpy(len(x), a, x, 1, y, 1)
}

func scal(a float64, x []float64) {
	blas64.Implementation().Dscal(len(x), a, x, 1)
}

// run solves from init and fills out. It returns the index of the known
// point reached early, or -1.
func (w *worker) run(init []float64, out *Run) int {
	w.c = counts{}
	w.mu = 0
	w.failDist = math.Inf(1)
	w.early = -1
	w.div = divergeBound * math.Max(1, normInf(init))
	x := w.x
	copy(x, init)
	res := w.eval(w.f, x)
	end := endLimit
	switch {
	case !(res < math.Inf(1)):
		end = endDiverged
	case w.s.Method == Speed:
		end = w.speed(x)
		if end == endStationary || end == endLimit || end == endSwitch {
			end = w.polish(x, end)
		}
	default:
		end = w.newton(x, w.s.MaxIter, true)
		if (end == endLimit || end == endStationary) && w.matrixFree() && normInf(w.f) <= polishRes {
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
			end = w.speed(x)
			if end == endStationary || end == endLimit || end == endSwitch {
				end = w.polish(x, end)
			}
		}
	}
	k := -1
	switch end {
	case endEarly:
		k = w.early
		copy(x, w.y)
		copy(w.f, w.fy)
		out.Early = true
	case endEarlySlow:
		// Report the run at the known slow point it is converging to.
		copy(x, w.slow.x[w.early])
		w.sys.Field(w.f, x)
		out.Early = true
		end = endStationary
	}
	if end == endStationary && !out.Early && normInf(w.f) > w.s.Tol && !w.matrixFree() {
		w.refineSlow(x)
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
	if w.matrixFree() && w.polishDense(x) {
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
	w.dense = true
	w.jac = w.s.jacs.get(w.n)
	defer func() {
		w.s.jacs.put(w.jac)
		w.jac, w.bp, w.bs = nil, nil, nil
		w.dense = false
	}()
	if e := w.newton(x, polishIter, false); e == endFixed {
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
