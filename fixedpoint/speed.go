package fixedpoint

import "math"

// speedMin is the speed phase: L-BFGS minimisation of q = |F|^2/2 to a
// local minimum (Sussillo and Barak 2013). Its evaluations of q go through
// the worker's evaluations (w.evalSpeed, eval.go), so that the runs of a
// group share passes over W.
type speedMin struct {
	w       *worker
	lb      *lbfgs    // the curvature pairs (lbfgs.go)
	dir     []float64 // the search direction
	base    []float64 // the state the line search starts from
	gradOld []float64 // the gradient there, then y of the curvature pair
	s       []float64 // the step: s of the curvature pair
	stall   stallTest // the test of Settings.SpeedStall
	pc      *precond  // the preconditioner (precond.go), made on first use
	// The hand-offs (handOff): the ratio |J^T F|/|F| and the residual
	// max|F| below which the next slow refinement and Newton polish are
	// tried.
	refineAt, polishAt float64
}

// handOff tries to end the speed phase, from the iterate w.cx (= x), by
// Newton's method where it converges faster than L-BFGS (slow.go, the
// constants hand*): a Newton polish on F once max|F| <= p.polishAt,
// ending the phase when it reaches a fixed point (endFixed, or endEarly at
// a known one); then the slow refinement once |J^T F| <= p.refineAt |F|,
// ending it (endStationary, w.refined) when the refinement certifies a
// local minimum of q. A try that fails leaves x at w.cx and the phase goes
// on as if it had not been made. Matrix-free runs form no N x N matrix and
// never hand over.
func (p *speedMin) handOff(x []float64) (phaseEnd, bool) {
	w := p.w
	if w.s.mf {
		return endLimit, false
	}
	if res := normInf(w.cf); res <= p.polishAt {
		p.polishAt = res / handStep
		copy(w.f, w.cf)
		if e := w.newton(x, polishIter, false); e == endFixed || e == endEarly {
			return e, true
		}
		copy(x, w.cx)
	}
	if gn, fn := norm2(w.cg), norm2(w.cf); gn <= p.refineAt*fn {
		p.refineAt = gn / fn / handStep
		if p.pc != nil {
			p.pc.stale = true // the refinement overwrites P's factor
		}
		if w.refiner().run(w, x, handMove) {
			w.refined = true
			return endStationary, true
		}
		copy(x, w.cx)
	}
	return endLimit, false
}

// stallTest keeps q and the stationarity |J^T F|/|F| of a speed phase
// every stallCheck iterations, and ends the phase when neither has halved
// over the last Settings.SpeedStall iterations. In a chaotic network of
// thousands of units most runs descend q ever more slowly towards no
// point (from q ~ 1e-3 by a few percent per hundred iterations), each
// iteration two passes over W; runs that reach a fixed point or a slow
// point halve one of the two far faster.
type stallTest struct {
	q, g []float64 // the values at iterations 0, stallCheck, 2 stallCheck, ...
}

// Checkpoints of the stall test: every stallCheck iterations, from
// iteration stallStart on.
const (
	stallCheck = 100
	stallStart = 500
)

// stalled records the state at iteration it, a multiple of stallCheck,
// and reports whether the phase has stalled over the last window
// iterations.
func (t *stallTest) stalled(it, window int, q, g float64) bool {
	if it == 0 {
		t.q, t.g = t.q[:0], t.g[:0]
	}
	t.q, t.g = append(t.q, q), append(t.g, g)
	back := (window + stallCheck - 1) / stallCheck
	k := len(t.q) - 1
	if it < stallStart || k < back {
		return false
	}
	return q > t.q[k-back]/2 && g > t.g[k-back]/2
}

func newSpeedMin(w *worker) *speedMin {
	n := w.n
	return &speedMin{
		w: w, lb: newLBFGS(n, lbfgsMemory(n, w.s.mf)),
		dir: make([]float64, n), base: make([]float64, n),
		gradOld: make([]float64, n), s: make([]float64, n),
	}
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

// solve minimises q from x with L-BFGS (Nocedal and Wright 2006, Alg. 7.5,
// in the compact form of lbfgs.go, with a backtracking Armijo line search
// and curvature-safeguarded updates). It leaves the best state found in x and its field in w.f.
func (p *speedMin) solve(x []float64) phaseEnd {
	w := p.w
	lb := p.lb
	lb.reset()
	p.refineAt, p.polishAt = handRatio, handRes
	w.evalSpeed(x)
	end := endLimit
	pre := false // the steps are preconditioned (precond.go)
	if p.pc != nil {
		p.pc.refreshes = 0
	}
	for it := 0; ; it++ {
		if e, stop := w.speedCheck(it); stop {
			end = e
			break
		}
		if it >= w.s.MaxSpeedIter {
			break
		}
		if e, stop := p.handOff(x); stop {
			return e
		}
		if w.s.SpeedStall > 0 && it%stallCheck == 0 && p.stall.stalled(it, w.s.SpeedStall, w.cq, norm2(w.cg)/norm2(w.cf)) {
			break
		}
		d := p.dir
		if it == w.s.precondFrom || pre && (p.pc.since >= precondRefresh || p.pc.stale) {
			if p.pc == nil {
				p.pc = newPrecond(w)
			}
			pre = p.pc.refresh(w, lb)
		}
		if pre {
			p.pc.since++
			p.pc.direction(w.n, lb, d)
		} else {
			lb.direction(d, w.cg)
			if lb.hist == 0 {
				// First step: a unit gradient step scaled to move about 1e-2
				// (relative) or to the Gauss-Newton guess q/|g|^2.
				gg := dot(w.cg, w.cg)
				scal(math.Min(w.cq/gg, 1e-2*math.Max(1, normInf(w.cx))/math.Sqrt(gg)), d)
			}
		}
		slope := dot(w.cg, d)
		if !(slope < 0) {
			// Not a descent direction: restart from steepest descent
			// (preconditioned).
			if pre {
				p.pc.steepest(w.n, lb, d)
			} else {
				lb.reset()
				for i, v := range w.cg {
					d[i] = -v
				}
			}
			slope = dot(w.cg, d)
		}
		scale := 1.0
		if pre {
			// A preconditioned step is a damped Newton step at first:
			// bounded, so that it does not jump to another valley.
			if m, lim := normInf(d), precondMove*math.Max(1, normInf(w.cx)); m > lim {
				scale = lim / m
				scal(scale, d)
				slope *= scale
			}
		}
		q0 := w.cq
		copy(p.gradOld, w.cg)
		copy(p.base, w.cx)
		a, ok := 1.0, false
		for try := 0; try < 40; try++ {
			for i := range x {
				x[i] = p.base[i] + a*d[i]
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
			copy(x, p.base)
			w.evalSpeed(x)
			if norm2(w.cg) <= math.Sqrt(w.s.SlowTol)*norm2(w.cf) {
				end = endStationary
			}
			break
		}
		// Curvature pair (s in p.s, y in p.gradOld).
		sv, y := p.s, p.gradOld
		for i := range sv {
			sv[i] = a * d[i]
			y[i] = w.cg[i] - y[i]
		}
		if pre {
			p.pc.step(w.n, lb, a, scale, w.cg)
		} else if sy := dot(sv, y); sy > 1e-12*norm2(sv)*norm2(y) {
			lb.add(sv, y)
		}
	}
	copy(x, w.cx)
	copy(w.f, w.cf)
	return end
}

// lbfgsMemory returns the number of curvature pairs L-BFGS keeps: N/6
// with LU steps, N/3 with matrix-free ones, clamped to [10, 100]. A pair
// costs 4N flops per iteration against 4N^2 for the gradient, but the
// pairs of a lockstep group's runs do not stay in cache, so each step
// streams them from memory twice (lbfgs.go). The minima of q at slow
// points are ill-conditioned, and a long memory is what resolves them
// when nothing else does: with matrix-free steps, whose slow points are
// not refined, the chaotic N = 200 network's run (`--linear matrix-free
// -n 64`) ended on 78 slow points with 33 pairs, near-duplicates up to
// 1e-5 apart, against 56 with 66. With LU steps the speed phase hands
// such minima to Newton's method (handOff), and fewer pairs pay: on the
// same network from 256 uniform states (bench/fp_vs_peers.py's g15uniform
// case, where the direction took 38% of the solve's CPU with 66 pairs),
// 66, 50, 33, 25, 16 and 10 pairs took 79.4k, 85.7k, 97.3k, 102.7k,
// 109.7k and 117.3k evaluations and 1.56-1.64, 1.47-1.52, 1.43,
// 1.45-1.47, 1.38-1.45 and 1.38-1.40 CPU seconds, all finding the same
// 51 points; 33 take the fewest evaluations of the fastest.
func lbfgsMemory(n int, mf bool) int {
	if mf {
		return min(max(n/3, 10), 100)
	}
	return min(max(n/6, 10), 100)
}
