package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// gemmRef is C += A B with each element the chain of math.FMA in k order.
func gemmRef(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			t := c[i*ldc+j]
			for kk := 0; kk < k; kk++ {
				t = math.FMA(a[i*lda+kk], b[kk*ldb+j], t)
			}
			c[i*ldc+j] = t
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = rng.NormFloat64()
	}
	return s
}

// GemmNN is bit-identical to the FMA chain, on the AVX-512, AVX2 and pure-Go
// paths, for shapes around the tile (4 x 8), with padded strides, and it
// leaves the padding alone.
func TestGemmNNBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	gemmPaths(func() {
		for _, m := range []int{1, 3, 4, 5, 8, 9} {
			for _, n := range []int{1, 7, 8, 9, 16, 21} {
				for _, k := range []int{1, 2, 5, 33} {
					gemmCase(t, rng, m, n, k, k+1, n+3, n+2)
				}
			}
		}
		// Large enough for B to be packed in blocks (k x n > packMin),
		// with ragged last blocks.
		gemmCase(t, rng, 9, 300, 260, 261, 303, 301)
		gemmCase(t, rng, 4, packCols+8, packRows*2+3, packRows*2+3, packCols+8, packCols+8)
		gemmCase(t, rng, 17, packCols+24, packRows+1, packRows+5, packCols+24, packCols+30)
		// Rows left over by the eight-row tiles, padded to a whole tile
		// (3 or more) or not.
		for _, m := range []int{18, 19, 21, 23, 30} {
			gemmCase(t, rng, m, packCols+24, packRows*2+5, packRows*2+7, packCols+24, packCols+27)
		}
		// The shapes of the multishift QR sweep's updates (internal/eigen):
		// last columns through the padded eight-column buffers.
		gemmCase(t, rng, 48, 141, 48, 49, 200, 200)
		gemmCase(t, rng, 37, 46, 46, 200, 46, 200)
		// Few rows, padded to whole tiles on the panel path.
		for _, m := range []int{1, 2, 3, 5, 7, 13} {
			gemmCase(t, rng, m, 300, 250, 251, 302, 305)
		}
	})
}

// gemmPaths runs f on each path of the matrix products in turn: AVX-512
// (where the CPU has it), AVX2 (where it has it) and pure Go; then it
// restores the choice.
func gemmPaths(f func()) {
	saved, saved512 := useAsm, useAVX512
	defer func() { useAsm, useAVX512 = saved, saved512 }()
	for _, mode := range [][2]bool{{saved, saved512}, {saved, false}, {false, false}} {
		useAsm, useAVX512 = mode[0], mode[1]
		f()
	}
}

func gemmCase(t *testing.T, rng *rand.Rand, m, n, k, lda, ldb, ldc int) {
	t.Helper()
	a := randSlice(rng, (m-1)*lda+k)
	b := randSlice(rng, (k-1)*ldb+n)
	c := randSlice(rng, m*ldc)
	want := append([]float64(nil), c...)
	gemmRef(m, n, k, a, lda, b, ldb, want, ldc)
	GemmNN(m, n, k, a, lda, b, ldb, c, ldc)
	for i := range c {
		if math.Float64bits(c[i]) != math.Float64bits(want[i]) {
			t.Fatalf("asm %v avx512 %v, m %d n %d k %d: c[%d] = %v, want %v", useAsm, useAVX512, m, n, k, i, c[i], want[i])
		}
	}
}

// A row of GemmNN is bit-identical to GemvT on that row alone, whatever the
// other rows are: batching states changes none of them.
func TestGemmNNRowsMatchGemvT(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const m, n, k = 7, 45, 50
	a := randSlice(rng, m*k)
	b := randSlice(rng, k*n)
	c := make([]float64, m*n)
	GemmNN(m, n, k, a, k, b, n, c, n)
	for i := 0; i < m; i++ {
		y := make([]float64, n)
		GemvT(y, 0, b, n, a[i*k:(i+1)*k])
		for j := range y {
			if math.Float64bits(y[j]) != math.Float64bits(c[i*n+j]) {
				t.Fatalf("row %d col %d: GemmNN %v, GemvT %v", i, j, c[i*n+j], y[j])
			}
		}
	}
}

func TestGemmNNPanics(t *testing.T) {
	mustPanic(t, map[string]func(){
		"short c":  func() { GemmNN(2, 2, 2, make([]float64, 4), 2, make([]float64, 4), 2, make([]float64, 3), 2) },
		"stride":   func() { GemmNN(2, 3, 2, make([]float64, 4), 2, make([]float64, 6), 3, make([]float64, 6), 2) },
		"negative": func() { GemmNN(-1, 2, 2, nil, 2, nil, 2, nil, 2) },
	})
}

// BenchmarkGemmNN compares GemmNN (as chosen, with B packed instead of
// streamed, with the AVX2 tile only) with one GemvT call per row (the
// products of a batch of states with a shared matrix, one at a time), and
// an LU trailing update shape.
func BenchmarkGemmNN(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range []struct{ m, n, k int }{{8, 200, 200}, {8, 1024, 1024}, {2, 2048, 2048}, {4, 2048, 2048}, {8, 2048, 2048}, {8, 4096, 4096}, {7, 4096, 4096}, {3, 4096, 4096}, {16, 4096, 4096}, {168, 168, 8}} {
		a := randSlice(rng, s.m*s.k)
		w := randSlice(rng, s.k*s.n)
		c := make([]float64, s.m*s.n)
		name := fmt.Sprintf("%dx%dx%d", s.m, s.n, s.k)
		gemm := func() { GemmNN(s.m, s.n, s.k, a, s.k, w, s.n, c, s.n) }
		rows := func() {
			for i := 0; i < s.m; i++ {
				GemvT(c[i*s.n:(i+1)*s.n], 1, w, s.n, a[i*s.k:(i+1)*s.k])
			}
		}
		for _, v := range []struct {
			name string
			flag *bool // set to false for the run, or nil
			f    func()
		}{{"gemm", nil, gemm}, {"gemm-packed", &streamPanels, gemm}, {"gemm-avx2", &useAVX512, gemm}, {"gemvT", nil, rows}} {
			b.Run(v.name+"/"+name, func(b *testing.B) {
				if v.flag != nil {
					saved := *v.flag
					defer func() { *v.flag = saved }()
					*v.flag = false
				}
				for b.Loop() {
					v.f()
				}
				b.ReportMetric(float64(2*s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// TestGemmUpper: GemmUpper's upper triangle is the whole product's, bit
// for bit, over stale values in C, for orders around its strip and tile
// sizes and products A^T A as well as A B.
func TestGemmUpper(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 7, 16, 17, 33, 40, 131} {
		for _, k := range []int{n, n + 3, 5} {
			a := make([]float64, n*k)
			b := make([]float64, k*n)
			for i := range a {
				a[i] = rng.NormFloat64()
				b[i] = rng.NormFloat64()
			}
			want := make([]float64, n*n)
			GemmNN(n, n, k, a, k, b, n, want, n)
			got := make([]float64, n*n)
			for i := range got {
				got[i] = 99 // stale values must not leak in
			}
			GemmUpper(n, k, a, k, b, n, got, n)
			for i := range n {
				for j := i; j < n; j++ {
					if got[i*n+j] != want[i*n+j] {
						t.Fatalf("n = %d, k = %d: [%d,%d] = %v, want %v", n, k, i, j, got[i*n+j], want[i*n+j])
					}
				}
			}
		}
	}
}
