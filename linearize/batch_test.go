package linearize

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"testing"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/nettest"
)

// LeadingAll gives the bits of Leading at every state, whatever the batch
// size and the number of workers.
func TestLeadingAllBitIdentical(t *testing.T) {
	for _, cfg := range []func(*dynamics.Config){nil, func(c *dynamics.Config) { c.Convention, c.Alpha = dynamics.Leaky, 0.2 }} {
		c := leadingCase{n: 150, g: 1.5, sd: 0.5, seed: 30, cfg: cfg}
		net, _ := c.net(t)
		states := make([][]float64, 7)
		want := make([]*Spectrum, len(states))
		for i := range states {
			states[i] = randVec(c.n, 0.2*float64(i), uint64(40+i))
			var err error
			if want[i], err = Leading(net, states[i], 6, nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, b := range []BatchSettings{{Batch: 1, Workers: 1}, {Batch: 3, Workers: 2}, {Batch: 8, Workers: 3}, {}} {
			t.Run(fmt.Sprintf("%v/batch=%d/workers=%d", net.Convention(), b.Batch, b.Workers), func(t *testing.T) {
				var done atomic.Int64
				b.Done = func(int) { done.Add(1) }
				got, errs := LeadingAll(context.Background(), net, states, 6, nil, &b)
				if done.Load() != int64(len(states)) {
					t.Errorf("Done called %d times, want %d", done.Load(), len(states))
				}
				for i := range states {
					if errs[i] != nil {
						t.Fatal(errs[i])
					}
					g, w := got[i], want[i]
					if len(g.Values) != len(w.Values) || g.Class != w.Class || g.NUnstable != w.NUnstable || g.MoreUnstable != w.MoreUnstable {
						t.Fatalf("state %d: %+v, Leading %+v", i, g, w)
					}
					for j := range w.Values {
						if g.Values[j] != w.Values[j] {
							t.Fatalf("state %d: value %d is %v, Leading gives %v", i, j, g.Values[j], w.Values[j])
						}
						for r := 0; r < c.n; r++ {
							if g.Right.At(r, j) != w.Right.At(r, j) {
								t.Fatalf("state %d: vector %d differs in row %d", i, j, r)
							}
						}
					}
				}
			})
		}
	}
	// A cancelled context: every state gets the error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	net, h := leadingCase{n: 20, g: 1.5, seed: 31}.net(t)
	_, errs := LeadingAll(ctx, net, [][]float64{h, h}, 3, nil, nil)
	for i, err := range errs {
		if err != context.Canceled {
			t.Errorf("state %d: error %v, want context.Canceled", i, err)
		}
	}
}

// BenchmarkLeadingAll times the 20 leading eigenvalues at 8 states, one
// Leading after the other and with LeadingAll (8 runs in lockstep).
func BenchmarkLeadingAll(b *testing.B) {
	for _, n := range []int{1024, 4096} {
		net := nettest.Must(b, dynamics.Config{W: randDense(n, n, 1.5/math.Sqrt(float64(n)), 1)})
		states := make([][]float64, 8)
		for i := range states {
			states[i] = randVec(n, 0.5, uint64(2+i))
		}
		b.Run(fmt.Sprintf("n=%d/sequential", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, h := range states {
					if _, err := Leading(net, h, 20, nil); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/batch", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, errs := LeadingAll(context.Background(), net, states, 20, nil, nil)
				for _, err := range errs {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
