// Package par runs independent jobs, numbered 0 to n-1, on a fixed number
// of goroutines ([Each]): the linearisation of many points, the
// trajectories of a map, the groups of a lockstep integration. Which
// goroutine runs which job varies from run to run, so a job may depend on
// its number only; then the results do not depend on the number of
// goroutines. [Team] runs a fixed team of members that meet at a barrier,
// for loops whose steps are too short for a wake-up each (online RFLO's
// time steps, split by rows of its traces), and [Balance] divides such
// rows among the team's members by their measured speeds.
package par

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Each runs job(i) for every i < n on min(workers, n) goroutines (workers
// <= 0: GOMAXPROCS), each taking the next job not yet taken, and waits for
// them; with one goroutine the jobs run in order on the calling one. Every
// job runs, also once ctx is done: a job checks ctx itself, to return at
// once or to record how it was stopped. Each returns ctx's error when ctx
// is done at the end, else the error of the lowest-numbered job that
// failed, else nil.
func Each(ctx context.Context, n, workers int, job func(i int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	errs := make([]error, n)
	if workers = min(workers, n); workers <= 1 {
		for i := range n {
			errs[i] = job(i)
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for {
					i := int(next.Add(1)) - 1
					if i >= n {
						return
					}
					errs[i] = job(i)
				}
			})
		}
		wg.Wait()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Team runs body(w, sync) for w = 0 .. workers-1 at once, body(0, ...) on
// the calling goroutine, and waits for them all (workers <= 1: body(0,
// sync) alone, with sync doing nothing). sync is a barrier: a member's
// call returns once every member has made as many calls. Every member must
// make the same number of calls.
//
// A member waits at first by spinning, which costs far less than a
// goroutine's wake-up: Team is for loops whose steps take microseconds and
// need a barrier each, such as an online learning rule's time steps split
// between cores. A member still waiting after barrierSpin (another member
// has lost its core) sleeps until the last one arrives, so that a busy
// machine is not made much busier.
func Team(workers int, body func(w int, sync func())) {
	if workers <= 1 {
		body(0, func() {})
		return
	}
	b := newBarrier(workers, barrierSpin)
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Go(func() { body(w, b.wait) })
	}
	body(0, b.wait)
	wg.Wait()
}

// barrierSpin is how long a member of a Team spins before it sleeps: far
// longer than the steps it is meant for, so that members that run on
// cores of their own never sleep (a member that sleeps wakes tens of
// microseconds late, and then the others wait for it at the next barrier,
// and sleep in turn).
const barrierSpin = 500 * time.Microsecond

// barrier is the barrier of a Team of n members: the last to arrive resets
// the count, opens the next generation and wakes any member asleep.
type barrier struct {
	n        int32
	spin     time.Duration
	count    atomic.Int32
	gen      atomic.Uint32
	sleepers atomic.Int32
	mu       sync.Mutex
	cond     sync.Cond
}

func newBarrier(n int, spin time.Duration) *barrier {
	b := &barrier{n: int32(n), spin: spin}
	b.cond.L = &b.mu
	return b
}

func (b *barrier) wait() {
	g := b.gen.Load()
	if b.count.Add(1) == b.n {
		b.count.Store(0)
		b.gen.Add(1)
		// A sleeper counts itself before it checks gen, and this checks
		// the count after gen changed: one of the two sees the other.
		if b.sleepers.Load() > 0 {
			b.mu.Lock()
			b.cond.Broadcast()
			b.mu.Unlock()
		}
		return
	}
	// Spin, checking the clock and letting other goroutines run (in case
	// members outnumber the processors) every 1024 checks.
	start := time.Now()
	for i := 1; ; i++ {
		if b.gen.Load() != g {
			return
		}
		if i%1024 == 0 {
			if time.Since(start) > b.spin {
				break
			}
			runtime.Gosched()
		}
	}
	b.mu.Lock()
	b.sleepers.Add(1)
	for b.gen.Load() == g {
		b.cond.Wait()
	}
	b.sleepers.Add(-1)
	b.mu.Unlock()
}
