package fixedpoint

import "github.com/fpfind/fpfind/dynamics"

// The worker's evaluations that a lockstep group batches (lockstep.go): a
// run in a group suspends in them until the group has evaluated every
// waiting run in one pass over W; alone, a run computes the same bits.

// eval writes F(x) into f and returns max|F|.
func (w *worker) eval(f, x []float64) float64 {
	w.sys.Field(f, x)
	return normInf(f)
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
