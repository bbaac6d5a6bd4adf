package fixedpoint

import (
	"sync"
	"sync/atomic"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/lockstep"
)

// A group advances several runs in lockstep (internal/lockstep), so that
// their evaluations are one call of the group's evaluator per round: one
// pass over W for all of them instead of one each. Each slot is a worker
// whose run posts its speeds, the products J v of its matrix-free Newton
// steps (hooksteps) and the fields and phi' of their trial states as
// one-row dynamics.Batch requests (eval.go); once every live run of the
// group waits, dynamics.Evaluator.EvalAll serves them together. Newton
// phases, chord tests and everything else run one run at a time. A run's
// result does not depend on which runs share its batches, since the
// evaluator's rows do not depend on one another.
type group struct {
	slots []*worker
	ev    *dynamics.Evaluator // its workers: the goroutines sharing each pass over W
	par   int                 // goroutines resuming the runs (1, or ev's workers)
}

// run calls fn(w, k) for the indices k claimed from next, below m, on the
// group's slots in lockstep, resuming them on gr.par goroutines. Which
// goroutine resumes a run, and so the order of the rows in a batch,
// changes no bit of any row.
func (gr *group) run(fin *finder, next *atomic.Int64, m int, fn func(w *worker, k int)) {
	lockstep.Run(len(gr.slots), gr.par, func(i int, p *lockstep.Port[dynamics.Batch]) {
		w := gr.slots[i]
		w.port = p
		defer func() { w.port = nil }()
		for {
			k := int(next.Add(1)) - 1
			if k >= m || fin.ctx.Err() != nil {
				return
			}
			fn(w, k)
		}
	}, gr.ev.EvalAll)
}

// lockstep reports whether runs go through groups: the system has the
// batched evaluator (resolved.net) and more than one run shares a batch.
func (f *finder) lockstep() bool {
	return f.s.Batch > 1 && f.s.net != nil
}

// groupsFor returns the lockstep groups, made on first use: one per
// worker, slot 0 of group t being f.workers[t], each with an evaluator of
// one goroutine; or, with matrix-free steps and several workers, a single
// group of every worker's slots shared by all workers, whose evaluator
// splits each pass over W between them by columns (each worker reads its
// share of W once per batch, instead of all of W).
func (f *finder) groupsFor() []*group {
	if f.groups != nil {
		return f.groups
	}
	slotsOf := func(w0 *worker) []*worker {
		slots := []*worker{w0}
		for range f.s.Batch - 1 {
			w := newWorker(f.ctx, f.sys, f.s)
			w.known, w.slow = f.known, f.slow
			slots = append(slots, w)
		}
		return slots
	}
	if f.s.mf && len(f.workers) > 1 {
		var slots []*worker
		for _, w0 := range f.workers {
			slots = append(slots, slotsOf(w0)...)
		}
		f.groups = []*group{{slots: slots, ev: f.s.net.NewEvaluator(len(f.workers)), par: len(f.workers)}}
		return f.groups
	}
	f.groups = make([]*group, len(f.workers))
	for t, w0 := range f.workers {
		f.groups[t] = &group{slots: slotsOf(w0), ev: w0.ev, par: 1}
	}
	return f.groups
}

// runs calls fn(w, k) for k in [0, m), each once: in lockstep groups when
// the system evaluates batches, else as parallel does.
func (f *finder) runs(m int, fn func(w *worker, k int)) error {
	if !f.lockstep() {
		return f.parallel(m, fn)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for _, g := range f.groupsFor() {
		wg.Go(func() { g.run(f, &next, m, fn) })
	}
	wg.Wait()
	return f.ctx.Err()
}
