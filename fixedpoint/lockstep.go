package fixedpoint

import (
	"iter"
	"sync"
	"sync/atomic"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/kernel"
)

// A group advances several runs in lockstep, so that their evaluations
// are one dynamics.Batch of the group's evaluator per round: one pass over
// W for all of them instead of one each. Each run is a coroutine
// (iter.Pull) on its own worker; the group resumes every live run in turn
// (on one goroutine, or on several that share a matrix-free group, see
// run), each running until it needs an evaluation (worker.evalSpeed,
// jacVec and fieldPhi yield) or ends, then evaluates the waiting runs
// together and starts over: the speeds, the products J v of matrix-free
// Newton steps (hooksteps) and the fields and phi' of their trial states.
// Newton phases, chord tests and everything else run one run at a time. A
// run's result does not depend on which runs share its batches, since the
// evaluator's rows do not depend on one another.
type group struct {
	slots []*worker
	ev    *dynamics.Evaluator // its workers: the goroutines sharing the group
	rows  dynamics.Batch      // the round's rows, over the buffers below
	h, f  []float64           // batch rows: states and vectors; their results
	g, q  []float64           // speed rows' gradients and q
	d     []float64           // phi' of field rows, then of the products J v
	par   int                 // goroutines sharing the group (0 or 1: one)
	ready []int               // slots waiting for a speed
	jv    []int               // slots waiting for a product J v
	fp    []int               // slots waiting for a field and phi'
}

func newGroup(slots []*worker, ev *dynamics.Evaluator) *group {
	k, n := len(slots), slots[0].n
	return &group{
		slots: slots, ev: ev,
		h: make([]float64, k*n), g: make([]float64, k*n), f: make([]float64, k*n),
		q: make([]float64, k), d: make([]float64, k*n),
	}
}

// batch evaluates the speeds of the slots in gr.ready, the fields of those
// in gr.fp and the products J v of those in gr.jv in one call of the
// evaluator.
func (gr *group) batch() {
	ready, fp, jv := gr.ready, gr.fp, gr.jv
	n := gr.slots[0].n
	m, mf := len(ready), len(fp)
	rows, par := m+mf+len(jv), max(gr.par, 1)
	if rows == 0 {
		return
	}
	if rows*n < 1<<16 {
		par = 1 // too little to copy for goroutines to pay
	}
	// Row r of the batch: a speed, a field or a product, of slot which(r).
	which := func(r int) (kind, row int, w *worker) {
		switch {
		case r < m:
			return 0, r, gr.slots[ready[r]]
		case r < m+mf:
			return 1, r - m, gr.slots[fp[r-m]]
		}
		return 2, r - m - mf, gr.slots[jv[r-m-mf]]
	}
	kernel.ForRows(rows, par, func(r int) {
		switch kind, k, w := which(r); kind {
		case 0:
			copy(gr.h[r*n:(r+1)*n], w.cx)
		case 1:
			copy(gr.h[r*n:(r+1)*n], w.fpX)
		default:
			copy(gr.h[r*n:(r+1)*n], w.jvV)
			copy(gr.d[(mf+k)*n:(mf+k+1)*n], w.dphi)
		}
	})
	gr.rows = dynamics.Batch{Speeds: m, Fields: mf, JacVecs: len(jv), H: gr.h, F: gr.f, Grad: gr.g, Q: gr.q, Phi: gr.d}
	gr.ev.Eval(&gr.rows)
	kernel.ForRows(rows, par, func(r int) {
		switch kind, k, w := which(r); kind {
		case 0:
			copy(w.cg, gr.g[r*n:(r+1)*n])
			copy(w.cf, gr.f[r*n:(r+1)*n])
			w.cq = gr.q[r]
		case 1:
			copy(w.fpF, gr.f[r*n:(r+1)*n])
			copy(w.fpD, gr.d[k*n:(k+1)*n])
		default:
			copy(w.jvDst, gr.f[r*n:(r+1)*n])
		}
	})
}

// run calls fn(w, k) for the indices k claimed from next, below m, on the
// group's workers in lockstep. With one goroutine (gr.par <= 1) the
// group's goroutine resumes every run itself. With gr.par > 1, gr.par
// goroutines resume the runs of a round in parallel, each claiming the
// next live slot as it becomes free (so a goroutine whose runs took less
// time does not wait for the other's), and the batched products are split
// by columns between as many goroutines. Which goroutine resumes a run,
// and so the order of the rows in a batch, changes no bit of any row.
func (gr *group) run(fin *finder, next *atomic.Int64, m int, fn func(w *worker, k int)) {
	par := max(gr.par, 1)
	all := &part{slots: gr.slots}
	for i := range gr.slots {
		all.live = append(all.live, i)
	}
	defer all.start(fin, next, m, fn)()
	if par == 1 {
		for len(all.live) > 0 {
			all.round()
			gr.ready, gr.jv = append(gr.ready[:0], all.ready...), append(gr.jv[:0], all.jv...)
			gr.fp = append(gr.fp[:0], all.fp...)
			gr.batch()
		}
		return
	}
	ended := make([]bool, len(gr.slots))
	var claim atomic.Int64
	parts := make([]*part, par)
	var wg sync.WaitGroup
	for p := range parts {
		pt := &part{slots: gr.slots, pulls: all.pulls, go1: make(chan struct{}), done: make(chan struct{})}
		parts[p] = pt
		wg.Go(func() {
			for range pt.go1 {
				pt.ready, pt.jv, pt.fp = pt.ready[:0], pt.jv[:0], pt.fp[:0]
				for {
					c := int(claim.Add(1)) - 1
					if c >= len(all.live) {
						break
					}
					i := all.live[c]
					if !pt.resume(i) {
						ended[i] = true
					}
				}
				pt.done <- struct{}{}
			}
		})
	}
	defer wg.Wait()
	defer func() {
		for _, pt := range parts {
			close(pt.go1)
		}
	}()
	for len(all.live) > 0 {
		claim.Store(0)
		for _, pt := range parts {
			pt.go1 <- struct{}{}
		}
		gr.ready, gr.jv, gr.fp = gr.ready[:0], gr.jv[:0], gr.fp[:0]
		for _, pt := range parts {
			<-pt.done
			gr.ready = append(gr.ready, pt.ready...)
			gr.jv = append(gr.jv, pt.jv...)
			gr.fp = append(gr.fp, pt.fp...)
		}
		live := all.live[:0]
		for _, i := range all.live {
			if !ended[i] {
				live = append(live, i)
			}
		}
		all.live = live
		gr.batch()
	}
}

// A part is a goroutine's share of the work of a group's rounds: the slots
// it resumed, sorted by what they wait for.
type part struct {
	slots           []*worker // the group's
	live, ready, jv []int     // slot indices
	fp              []int     // slots waiting for a field and phi'
	pulls           map[int]func() (struct{}, bool)
	go1, done       chan struct{} // a round to run; the round ran
}

// start makes the coroutines of the part's live slots, each claiming run
// indices from next until m, and returns the function that stops them.
func (pt *part) start(fin *finder, next *atomic.Int64, m int, fn func(w *worker, k int)) (stopAll func()) {
	pt.pulls = make(map[int]func() (struct{}, bool), len(pt.live))
	var stops []func()
	for _, i := range pt.live {
		w := pt.slots[i]
		pull, stop := iter.Pull(func(yield func(struct{}) bool) {
			w.yield = yield
			defer func() { w.yield = nil }()
			for {
				k := int(next.Add(1)) - 1
				if k >= m || fin.ctx.Err() != nil {
					return
				}
				fn(w, k)
			}
		})
		stops = append(stops, stop)
		pt.pulls[i] = pull
	}
	return func() {
		for _, stop := range stops {
			stop()
		}
	}
}

// round resumes each live slot until it yields or ends, and sorts those
// that yielded into ready (waiting for a speed), fp (for a field and phi')
// and jv (for a product J v).
func (pt *part) round() {
	pt.ready, pt.jv, pt.fp = pt.ready[:0], pt.jv[:0], pt.fp[:0]
	live := pt.live[:0]
	for _, i := range pt.live {
		if pt.resume(i) {
			live = append(live, i)
		}
	}
	pt.live = live
}

// resume runs slot i's run until it yields, sorting it into ready, jv or
// fp, or ends; it reports whether the run yielded.
func (pt *part) resume(i int) bool {
	if _, ok := pt.pulls[i](); !ok {
		return false
	}
	switch w := pt.slots[i]; {
	case w.jvDst != nil:
		pt.jv = append(pt.jv, i)
	case w.fpF != nil:
		pt.fp = append(pt.fp, i)
	default:
		pt.ready = append(pt.ready, i)
	}
	return true
}

// lockstep reports whether runs go through groups.
func (f *finder) lockstep() bool {
	return f.s.Batch > 1 && f.workers[0].ev != nil
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
	bs := f.sys.(BatchSystem) // lockstep() holds
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
		g := newGroup(slots, bs.NewEvaluator(len(f.workers)))
		g.par = len(f.workers)
		f.groups = []*group{g}
		return f.groups
	}
	f.groups = make([]*group, len(f.workers))
	for t, w0 := range f.workers {
		f.groups[t] = newGroup(slotsOf(w0), w0.ev)
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
