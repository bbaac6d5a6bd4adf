package lockstep_test

import (
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/fpfind/fpfind/internal/lockstep"
)

// request asks for the square of x; serve writes it into *out.
type request struct {
	caller, x int
	out       *int
}

// rounds runs callers bodies, body i posting i%4 requests and checking
// each answer, and returns the (caller, x) pairs that serve received,
// round by round.
func rounds(t *testing.T, callers, par int) [][][2]int {
	t.Helper()
	var got [][][2]int
	var bad atomic.Int64
	lockstep.Run(callers, par, func(i int, p *lockstep.Port[request]) {
		for x := range i % 4 {
			var out int
			if !p.Wait(request{caller: i, x: x, out: &out}) {
				bad.Add(1)
			}
			if out != x*x+i {
				bad.Add(1)
			}
		}
	}, func(reqs []request) {
		var round [][2]int
		for _, r := range reqs {
			*r.out = r.x*r.x + r.caller
			round = append(round, [2]int{r.caller, r.x})
		}
		got = append(got, round)
	})
	if bad.Load() != 0 {
		t.Errorf("callers %d, par %d: %d requests not served or answered wrongly", callers, par, bad.Load())
	}
	return got
}

// Every round serves the requests of the callers still running, in the
// order of their indices, once all of them wait; a caller that returns
// leaves the later rounds; and the rounds are the same whatever the number
// of goroutines resuming the callers.
func TestRunRounds(t *testing.T) {
	const callers = 11
	want := make([][][2]int, 3)
	for r := range want {
		for i := range callers {
			if r < i%4 {
				want[r] = append(want[r], [2]int{i, r})
			}
		}
	}
	for _, par := range []int{0, 1, 2, 3, 16} {
		if got := rounds(t, callers, par); !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("par %d: rounds %v, want %v", par, got, want)
		}
	}
	if got := rounds(t, 0, 2); len(got) != 0 {
		t.Errorf("no callers: rounds %v, want none", got)
	}
}

// A panic in a body, on the calling goroutine or on a helper, or in serve
// leaves Run with its value, after the other bodies were stopped: their
// Wait reports false and they serve themselves.
func TestRunPanics(t *testing.T) {
	for _, c := range []struct {
		name string
		par  int
		in   string // "body" or "serve"
	}{{"body/par=1", 1, "body"}, {"body/par=3", 3, "body"}, {"serve/par=1", 1, "serve"}, {"serve/par=2", 2, "serve"}} {
		t.Run(c.name, func(t *testing.T) {
			var stopped, finished atomic.Int64
			got := func() (p any) {
				defer func() { p = recover() }()
				lockstep.Run(6, c.par, func(i int, p *lockstep.Port[int]) {
					for r := range 3 {
						if c.in == "body" && i == 4 && r == 1 {
							panic("boom")
						}
						if !p.Wait(i) {
							stopped.Add(1)
						}
					}
					finished.Add(1)
				}, func(reqs []int) {
					if c.in == "serve" && len(reqs) > 0 {
						panic("boom")
					}
				})
				return nil
			}()
			if got != "boom" {
				t.Fatalf("Run let %v out, want the panic boom", got)
			}
			// Every body but the one that panicked ran to its end; those
			// waiting when the panic came were stopped.
			want := int64(6)
			if c.in == "body" {
				want = 5
			}
			if finished.Load() != want || stopped.Load() == 0 {
				t.Errorf("%d bodies finished (want %d), %d waits stopped (want some)", finished.Load(), want, stopped.Load())
			}
		})
	}
}

// Three callers each ask for the squares of a few numbers; every round's
// requests are served by one call.
func ExampleRun() {
	type req struct{ x, sq int }
	lockstep.Run(3, 1, func(i int, p *lockstep.Port[*req]) {
		for x := 1; x <= i+1; x++ {
			r := &req{x: 10*i + x}
			p.Wait(r)
		}
	}, func(reqs []*req) {
		fmt.Print("served together:")
		for _, r := range reqs {
			r.sq = r.x * r.x
			fmt.Print(" ", r.x)
		}
		fmt.Println()
	})
	// Output:
	// served together: 1 11 21
	// served together: 12 22
	// served together: 23
}
