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
}

func newSpeedMin(w *worker) *speedMin {
	n := w.n
	return &speedMin{
		w: w, lb: newLBFGS(n, lbfgsMemory(n)),
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
		d := p.dir
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
