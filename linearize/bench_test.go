package linearize

import (
	"fmt"
	"math"
	"testing"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/nettest"
)

// BenchmarkDecompose times the decomposition of J = W - I, W ~ N(0, 1.5^2/N)
// (the Jacobian of a g = 1.5 tanh network at the origin), for values only,
// values and right vectors, and values with right and left vectors.
func BenchmarkDecompose(b *testing.B) {
	for _, n := range []int{128, 512, 1024, 2048} {
		j := randDense(n, n, 1.5/math.Sqrt(float64(n)), 1)
		for i := 0; i < n; i++ {
			j.Set(i, i, j.At(i, i)-1)
		}
		for _, v := range []struct {
			name string
			want Vectors
		}{{"values", ValuesOnly}, {"right", RightVectors}, {"left", LeftRightVectors}} {
			b.Run(fmt.Sprintf("n=%d/%s", n, v.name), func(b *testing.B) {
				b.ReportAllocs()
				s := &Settings{Vectors: v.want}
				for b.Loop() {
					if _, err := Decompose(j, dynamics.Continuous, s); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkStationaryCovariance times the Lyapunov solve (Schur form plus
// the triangular Sylvester sweep).
func BenchmarkStationaryCovariance(b *testing.B) {
	for _, n := range []int{64, 256} {
		w := randDense(n, n, 0.8/math.Sqrt(float64(n)), 2)
		net := nettest.Must(b, dynamics.Config{W: w})
		h := make([]float64, n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := StationaryCovariance(net, h, 0.1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
