package par_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/fpfind/fpfind/internal/par"
)

// Every job runs once, whatever the number of workers, and the error
// returned is the lowest-numbered job's.
func TestEach(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 100} {
		for _, workers := range []int{0, 1, 2, 3, 64} {
			calls := make([]atomic.Int32, n)
			err := par.Each(context.Background(), n, workers, func(i int) error {
				calls[i].Add(1)
				if i%3 == 2 {
					return fmt.Errorf("job %d", i)
				}
				return nil
			})
			for i := range calls {
				if c := calls[i].Load(); c != 1 {
					t.Fatalf("n %d workers %d: job %d ran %d times", n, workers, i, c)
				}
			}
			want := ""
			if n > 2 {
				want = "job 2"
			}
			if got := fmt.Sprint(err); want != "" && got != want || want == "" && err != nil {
				t.Errorf("n %d workers %d: error %v, want %q", n, workers, err, want)
			}
		}
	}
}

// Every job runs after ctx is done too, and ctx's error is the one
// returned, even when a job failed first.
func TestEachCanceled(t *testing.T) {
	for _, workers := range []int{1, 2} {
		ctx, cancel := context.WithCancel(context.Background())
		var ran atomic.Int32
		err := par.Each(ctx, 50, workers, func(i int) error {
			ran.Add(1)
			cancel()
			return errors.New("failed")
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("workers %d: error %v, want context.Canceled", workers, err)
		}
		if r := ran.Load(); r != 50 {
			t.Errorf("workers %d: %d of 50 jobs ran", workers, r)
		}
	}
}

// Between two barriers every member sees what every other wrote before
// the first: each round, members write their slot, meet, and check all
// slots; then meet again before the next round's writes.
func TestTeam(t *testing.T) {
	for _, workers := range []int{0, 1, 2, 3, 5} {
		size := max(workers, 1)
		slots := make([]int, size)
		bad := make([]int, size)
		par.Team(workers, func(w int, sync func()) {
			for round := range 200 {
				slots[w] = round*size + w
				sync()
				for v, s := range slots {
					if s != round*size+v {
						bad[w]++
					}
				}
				sync()
			}
		})
		for w, b := range bad {
			if b != 0 {
				t.Errorf("workers %d: member %d saw %d stale slots", workers, w, b)
			}
		}
	}
}

// With more members than processors, members sleep at the barrier and are
// woken: the rounds still complete with every write seen.
func TestTeamOversubscribed(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	const workers, rounds = 4, 50
	sum := make([]int, workers)
	par.Team(workers, func(w int, sync func()) {
		for r := range rounds {
			sum[w] += r
			sync()
			if w == 0 {
				for v := range workers {
					if sum[v] != r*(r+1)/2 {
						t.Errorf("round %d: member %d at %d", r, v, sum[v])
					}
				}
			}
			sync()
		}
	})
}
