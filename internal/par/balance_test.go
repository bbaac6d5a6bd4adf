package par_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fpfind/fpfind/internal/par"
)

// runBalanced runs steps steps of a Team over b's rows, where member w's
// work on a row takes cost[w] on its own clock, and returns how many times
// each row was taken in each phase of each step (before and after the
// step's Sync) and the division at the end.
func runBalanced(t *testing.T, n, grain, window, steps int, cost []time.Duration) ([]atomic.Int32, []int) {
	t.Helper()
	members := len(cost)
	elapsed := make([]time.Duration, members) // member w's clock, advanced by its own work only
	b := par.NewBalance(n, members, grain, window, func(w int) time.Duration { return elapsed[w] })
	taken := make([]atomic.Int32, 2*steps*n)
	par.Team(members, func(w int, sync func()) {
		b.Start(w)
		for s := range steps {
			for phase := range 2 {
				lo, hi := b.Rows(w)
				for r := lo; r < hi; r++ {
					taken[(2*s+phase)*n+r].Add(1)
				}
				elapsed[w] += time.Duration(hi-lo) * cost[w]
				if phase == 0 {
					b.Sync(w, sync)
				}
			}
		}
	})
	var cuts []int
	for w := range members {
		lo, _ := b.Rows(w)
		cuts = append(cuts, lo)
	}
	return taken, append(cuts, n)
}

// Balance moves rows to the faster members until their times are equal,
// in multiples of the grain, and every row has exactly one member in
// every phase of every step while it does.
func TestBalance(t *testing.T) {
	for _, c := range []struct {
		n, grain int
		cost     []time.Duration
		want     []int
	}{
		{64, 8, []time.Duration{1, 3}, []int{0, 48, 64}},   // member 1 three times slower: 3/4 of the rows to member 0
		{64, 8, []time.Duration{2, 2}, []int{0, 32, 64}},   // equal speeds: the equal blocks stay
		{64, 8, []time.Duration{1, 100}, []int{0, 56, 64}}, // at least one grain each
		{12, 8, []time.Duration{3, 1}, []int{0, 3, 12}},    // n too small for the grain: single rows
		{30, 1, []time.Duration{1, 2, 2}, []int{0, 15, 23, 30}},
	} {
		taken, cuts := runBalanced(t, c.n, c.grain, 4, 60, c.cost)
		if fmt.Sprint(cuts) != fmt.Sprint(c.want) {
			t.Errorf("%d rows, grain %d, costs %v: division %v, want %v", c.n, c.grain, c.cost, cuts, c.want)
		}
		for i := range taken {
			if k := taken[i].Load(); k != 1 {
				t.Fatalf("%d rows, costs %v: row %d of phase %d taken %d times", c.n, c.cost, i%c.n, i/c.n, k)
			}
		}
	}
}

// One member owns every row and Sync is its Team's sync.
func TestBalanceOneMember(t *testing.T) {
	b := par.NewBalance(5, 1, 8, 2, nil)
	calls := 0
	b.Start(0)
	b.Sync(0, func() { calls++ })
	if lo, hi := b.Rows(0); lo != 0 || hi != 5 || calls != 1 || b.Members() != 1 {
		t.Errorf("rows %d-%d, %d calls, %d members", lo, hi, calls, b.Members())
	}
}

func ExampleBalance() {
	// Two members share 64 rows; member 1 is three times slower per row
	// (on this clock), so after a few windows it keeps a quarter of them.
	elapsed := make([]time.Duration, 2)
	b := par.NewBalance(64, 2, 8, 4, func(w int) time.Duration { return elapsed[w] })
	par.Team(2, func(w int, sync func()) {
		b.Start(w)
		for range 40 {
			lo, hi := b.Rows(w)
			elapsed[w] += time.Duration((hi - lo) * (1 + 2*w)) // the member's work on its rows
			b.Sync(w, sync)
		}
	})
	for w := range 2 {
		lo, hi := b.Rows(w)
		fmt.Printf("member %d: rows %d to %d\n", w, lo, hi)
	}
	// Output:
	// member 0: rows 0 to 48
	// member 1: rows 48 to 64
}
