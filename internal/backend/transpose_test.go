package backend

import (
	"math/rand/v2"
	"testing"
)

// TestTransposeConj checks the in-place transpose and the sign flip of the
// imaginary columns against an explicit reference, across block edges.
func TestTransposeConj(t *testing.T) {
	for _, n := range []int{1, 3, 64, 65, 130} {
		ld := n + 2
		rnd := rand.New(rand.NewPCG(3, uint64(n)))
		data := make([]float64, n*ld)
		for i := range data {
			data[i] = rnd.Float64()
		}
		wi := make([]float64, n)
		for j := 0; j+1 < n; j += 3 { // a pair at j, j+1; j+2 real
			wi[j], wi[j+1] = 1, -1
		}
		orig := append([]float64(nil), data...)
		transposeConj(n, data, ld, wi)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				want := orig[j*ld+i]
				if wi[j] < 0 {
					want = -want
				}
				if data[i*ld+j] != want {
					t.Fatalf("n=%d: (%d,%d) = %v, want %v", n, i, j, data[i*ld+j], want)
				}
			}
			for j := n; j < ld; j++ {
				if data[i*ld+j] != orig[i*ld+j] {
					t.Fatalf("n=%d: padding (%d,%d) changed", n, i, j)
				}
			}
		}
	}
}
