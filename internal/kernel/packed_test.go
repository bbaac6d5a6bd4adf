package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

// GemmPacked gives the bits of the FMA chain (and so of GemmNN) on the
// AVX-512, AVX2 and pure-Go paths, for whole and ragged bands and blocks,
// rows left over by the tiles, padded strides, and any split of the
// columns by bands; it leaves C's padding alone.
func TestGemmPackedBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	gemmPaths(func() {
		for _, s := range []struct{ m, n, k int }{{1, 5, 3}, {3, 40, 17}, {8, 300, 260}, {19, Band*2 + 24, packRows*2 + 5}, {30, Band * 3, packRows}, {64, Band, 2*packRows + 1}} {
			lda, ldb, ldc := s.k+3, s.n+5, s.n+2
			a := randSlice(rng, (s.m-1)*lda+s.k)
			b := randSlice(rng, (s.k-1)*ldb+s.n)
			c := randSlice(rng, s.m*ldc)
			want := append([]float64(nil), c...)
			gemmRef(s.m, s.n, s.k, a, lda, b, ldb, want, ldc)
			// B packed, and packed from its transpose.
			bt := make([]float64, s.n*(s.k+1))
			for i := range s.k {
				for j := range s.n {
					bt[j*(s.k+1)+i] = b[i*ldb+j]
				}
			}
			// Split the bands between the calls as goroutines would.
			bands := (s.n + Band - 1) / Band
			for pi, p := range []*Packed{Pack(s.k, s.n, b, ldb), PackTransposed(s.k, s.n, bt, s.k+1)} {
				for _, parts := range []int{1, 2, 3} {
					got := append([]float64(nil), c...)
					per := (bands + parts - 1) / parts
					for b0 := 0; b0 < bands; b0 += per {
						j1 := min((b0+per)*Band, s.n)
						GemmPacked(s.m, a, lda, p, b0*Band, j1, got, ldc)
					}
					for i := range got {
						if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
							t.Fatalf("asm %v avx512 %v, packing %d, %dx%dx%d in %d parts: c[%d] = %v, want %v", useAsm, useAVX512, pi, s.m, s.n, s.k, parts, i, got[i], want[i])
						}
					}
				}
			}
		}
	})
}

func TestGemmPackedPanics(t *testing.T) {
	p := Pack(4, Band+4, make([]float64, 4*(Band+4)), Band+4)
	mustPanic(t, map[string]func(){
		"short b":   func() { Pack(2, 3, make([]float64, 5), 3) },
		"stride":    func() { Pack(2, 3, make([]float64, 6), 2) },
		"short a":   func() { PackTransposed(2, 3, make([]float64, 5), 2) },
		"mid band":  func() { GemmPacked(1, make([]float64, 4), 4, p, 8, Band+4, make([]float64, Band+4), Band+4) },
		"range end": func() { GemmPacked(1, make([]float64, 4), 4, p, 0, 7, make([]float64, Band+4), Band+4) },
		"short c":   func() { GemmPacked(2, make([]float64, 8), 4, p, 0, Band+4, make([]float64, Band+4), Band+4) },
	})
}

// BenchmarkGemmPacked compares GemmPacked with GemmNN on a batch of states
// times a 4096 x 4096 matrix, the columns split between two goroutines as
// dynamics splits them.
func BenchmarkGemmPacked(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	const n = 4096
	w := randSlice(rng, n*n)
	p := Pack(n, n, w, n)
	for _, m := range []int{1, 4, 8, 16, 24, 32, 64} {
		a := randSlice(rng, m*n)
		c := make([]float64, m*n)
		for _, packed := range []bool{false, true} {
			b.Run(fmt.Sprintf("m%d/packed=%v", m, packed), func(b *testing.B) {
				for b.Loop() {
					var wg sync.WaitGroup
					for c0 := 0; c0 < n; c0 += n / 2 {
						wg.Go(func() {
							if packed {
								GemmPacked(m, a, n, p, c0, c0+n/2, c, n)
							} else {
								GemmNN(m, n/2, n, a, n, w[c0:], n, c[c0:], n)
							}
						})
					}
					wg.Wait()
				}
				b.ReportMetric(float64(2*m*n*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
