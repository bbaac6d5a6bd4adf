package linearize

import (
	"fmt"
	"math"
	"testing"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/nettest"
)

// BenchmarkLeading times the 20 leading eigenvalues (Leading, with their
// right vectors) against the full decomposition (At, values only) of the
// Jacobian of a g = 1.5 tanh network at a random state.
func BenchmarkLeading(b *testing.B) {
	for _, n := range []int{256, 1024, 2048, 4096} {
		net := nettest.Must(b, dynamics.Config{W: randDense(n, n, 1.5/math.Sqrt(float64(n)), 1)})
		h := randVec(n, 0.5, 2)
		b.Run(fmt.Sprintf("n=%d/leading20", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Leading(net, h, 20, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
		if n > 2048 {
			continue
		}
		b.Run(fmt.Sprintf("n=%d/full", n), func(b *testing.B) {
			b.ReportAllocs()
			s := &Settings{Vectors: ValuesOnly}
			for b.Loop() {
				if _, err := At(net, h, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
