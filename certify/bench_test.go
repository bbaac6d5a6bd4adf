package certify

import (
	"fmt"
	"testing"

	"github.com/fpfind/fpfind/internal/nettest"
)

// BenchmarkPoint certifies the origin of random tanh networks (gain 0.8,
// a stable fixed point): the dense cost of one point at each N.
func BenchmarkPoint(b *testing.B) {
	for _, n := range []int{64, 256, 1024} {
		b.Run(fmt.Sprint("N=", n), func(b *testing.B) {
			net := nettest.Tanh(b, n, 0.8, 1)
			x := make([]float64, n)
			for b.Loop() {
				if r := Point(net, x); !r.Certified() {
					b.Fatal(r.Explain())
				}
			}
		})
	}
}
