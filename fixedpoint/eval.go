package fixedpoint

import "github.com/fpfind/fpfind/dynamics"

// The worker's evaluations. With the network's evaluator (w.ev, when
// Find's system is a *dynamics.Network) each is a one-row dynamics.Batch:
// a run in a lockstep group posts it and suspends until the group has
// served every waiting run in one pass over W (lockstep.go); a run alone
// has the evaluator serve it, with the same bits. Without one, they call
// the System's single-state methods.

// eval writes F(x) into f and returns max|F|.
func (w *worker) eval(f, x []float64) float64 {
	w.sys.Field(f, x)
	return normInf(f)
}

// evaluate serves the one-row batch b: in the run's group when it is in
// one, else alone.
func (w *worker) evaluate(b dynamics.Batch) {
	if w.port != nil && w.port.Wait(b) {
		return
	}
	w.ev.Eval(&b)
}

// evalSpeed evaluates q, F and the gradient at x into the cache.
func (w *worker) evalSpeed(x []float64) float64 {
	copy(w.cx, x)
	w.c.speed++
	if w.ev == nil {
		w.cq = w.sys.SpeedGrad(w.cg, w.cf, w.cx)
		return w.cq
	}
	w.evaluate(dynamics.Batch{Speeds: 1, H: w.cx, F: w.cf, Grad: w.cg, Q: w.q1[:]})
	w.cq = w.q1[0]
	return w.cq
}

// jacVec writes J v into dst at the state of the current step (phi' in
// w.dphi).
func (w *worker) jacVec(dst, v []float64) {
	if w.ev == nil {
		w.sys.JacVecAt(dst, w.dphi, v)
		return
	}
	w.evaluate(dynamics.Batch{JacVecs: 1, H: v, F: dst, Phi: w.dphi})
}

// fieldPhi writes F(x) into f and phi'(x(x)) into d (the state of the
// products J v of a step at x), from one pass over W.
func (w *worker) fieldPhi(f, d, x []float64) {
	if w.ev == nil {
		w.sys.Field(f, x)
		w.sys.PhiPrime(d, x)
		return
	}
	w.evaluate(dynamics.Batch{Fields: 1, H: x, F: f, Phi: d})
}
