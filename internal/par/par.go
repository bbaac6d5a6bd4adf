// Package par runs independent jobs, numbered 0 to n-1, on a fixed number
// of goroutines: the linearisation of many points, the trajectories of a
// map, the groups of a lockstep integration. Which goroutine runs which job
// varies from run to run, so a job may depend on its number only; then the
// results do not depend on the number of goroutines.
package par

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
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
