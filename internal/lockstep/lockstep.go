// Package lockstep runs many independent callers in lockstep so that their
// requests are served together: each caller runs until it posts a request
// (and waits for the answer) or returns; once every live caller has posted,
// one call serves all of that round's requests, and the callers go on. It
// is the one scheduler of fpfind's batched passes over W: fixedpoint's
// groups of runs post rows of a dynamics.Batch, and linearize.LeadingAll's
// Krylov runs post products with the operator.
//
// The callers are coroutines (iter.Pull) resumed by at most par
// goroutines, so a round costs no goroutine wake-ups per caller and at
// most par cores work at once, as many as the caller of [Run] asked for.
// The requests reach the serve function in the order of the callers'
// indices, whichever goroutine resumed them.
package lockstep

import (
	"iter"
	"sync"
	"sync/atomic"
)

// Port is a caller's way to post its requests; [Run] gives one to each
// caller.
type Port[R any] struct {
	yield func(struct{}) bool
	req   R
}

// Wait posts r and suspends the caller until the round's requests have been
// served. It reports false, without serving r, only when the caller's
// group is being stopped because a panic left [Run]; the caller then
// serves r itself.
func (p *Port[R]) Wait(r R) bool {
	p.req = r
	ok := p.yield(struct{}{})
	var zero R
	p.req = zero // the request's buffers belong to the caller again
	return ok
}

// Run calls body(i, port) for every i in [0, callers), each body a
// coroutine whose port's Wait posts a request, and returns when every body
// has returned. The live bodies are resumed round by round on par
// goroutines (the calling one included; par <= 1 means the calling
// goroutine alone), each running until it waits or returns; serve then
// receives the round's requests in the order of the bodies' indices, and
// returns once every one is served. A body may return at any time, and the
// others go on without it.
//
// A panic in a body or in serve leaves Run once the other bodies are
// stopped: the Wait of each waiting one reports false, and each runs on to
// its end serving its requests itself.
func Run[R any](callers, par int, body func(i int, p *Port[R]), serve func(reqs []R)) {
	ports := make([]Port[R], callers)
	pulls := make([]func() (struct{}, bool), callers)
	stops := make([]func(), callers)
	for i := range callers {
		p := &ports[i]
		pulls[i], stops[i] = iter.Pull(func(yield func(struct{}) bool) {
			p.yield = yield
			body(i, p)
		})
	}
	defer func() {
		for _, stop := range stops {
			stop()
		}
	}()
	waiting := make([]bool, callers) // the body waits on a request, rather than returned
	resume := func(i int) {
		_, waiting[i] = pulls[i]()
	}
	live := make([]int, callers)
	for i := range live {
		live[i] = i
	}
	var reqs []R
	for len(live) > 0 {
		resumeAll(live, par, resume)
		reqs = reqs[:0]
		next := live[:0]
		for _, i := range live {
			if waiting[i] {
				next = append(next, i)
				reqs = append(reqs, ports[i].req)
			}
		}
		live = next
		if len(reqs) > 0 {
			serve(reqs)
		}
	}
}

// resumeAll calls resume(i) for every i of live, on min(par, len(live))
// goroutines (the calling one included), each claiming the next index as
// it becomes free, so that one whose bodies ran short does not wait for
// another's.
func resumeAll(live []int, par int, resume func(i int)) {
	par = min(par, len(live))
	if par <= 1 {
		for _, i := range live {
			resume(i)
		}
		return
	}
	var claim atomic.Int64
	work := func() {
		for c := int(claim.Add(1)) - 1; c < len(live); c = int(claim.Add(1)) - 1 {
			resume(live[c])
		}
	}
	var panicked atomic.Pointer[any] // a helper's panic, raised again here
	func() {
		var wg sync.WaitGroup
		defer wg.Wait() // even when work panics: no body may still run when Run stops them
		for range par - 1 {
			wg.Go(func() {
				defer func() {
					if p := recover(); p != nil {
						panicked.CompareAndSwap(nil, &p)
					}
				}()
				work()
			})
		}
		work()
	}()
	if p := panicked.Load(); p != nil {
		panic(*p)
	}
}
