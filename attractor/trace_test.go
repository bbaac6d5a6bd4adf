package attractor

import (
	"math/rand/v2"
	"testing"

	"github.com/fpfind/fpfind/internal/kernel"
)

// TestGramUpper: gramUpper's upper triangle is the whole product's, bit
// for bit, for orders around its strip and tile sizes.
func TestGramUpper(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 7, 16, 17, 40, 131} {
		for _, d := range []int{0, 1, 3} {
			m := n + d
			a := make([]float64, m*n)
			for i := range a {
				a[i] = rng.NormFloat64()
			}
			at := make([]float64, n*m)
			for i := range m {
				for k := range n {
					at[k*m+i] = a[i*n+k]
				}
			}
			want := make([]float64, n*n)
			kernel.GemmNN(n, n, m, at, m, a, n, want, n)
			got := make([]float64, n*n)
			for i := range got {
				got[i] = 99 // stale values from an earlier call must not leak in
			}
			gramUpper(n, m, at, a, got)
			for i := range n {
				for j := i; j < n; j++ {
					if got[i*n+j] != want[i*n+j] {
						t.Fatalf("n = %d, m = %d: [%d,%d] = %v, want %v", n, m, i, j, got[i*n+j], want[i*n+j])
					}
				}
			}
		}
	}
}
