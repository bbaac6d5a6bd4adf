package par

import (
	"sync"
	"testing"
)

// Members that sleep at once (no spinning) are woken by the last to
// arrive, round after round, and see every write made before the barrier.
func TestBarrierSleeps(t *testing.T) {
	const members, rounds = 3, 300
	b := newBarrier(members, 0)
	slots := make([]int, members)
	bad := make([]int, members)
	var wg sync.WaitGroup
	for w := range members {
		wg.Go(func() {
			for r := range rounds {
				slots[w] = r
				b.wait()
				for _, s := range slots {
					if s != r {
						bad[w]++
					}
				}
				b.wait()
			}
		})
	}
	wg.Wait()
	for w, n := range bad {
		if n != 0 {
			t.Errorf("member %d saw %d stale slots", w, n)
		}
	}
}
