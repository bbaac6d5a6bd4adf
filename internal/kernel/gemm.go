package kernel

import (
	"math"
	"sync"
)

// GemmNN computes C += A B, where A is the m x k matrix stored row-major in
// a with stride lda, B the k x n matrix in b with stride ldb and C the m x n
// matrix in c with stride ldc. Each C[i,j] is the chain of fused
// multiply-adds
//
//	C[i,j] = fma(A[i,k-1], B[k-1,j], ... fma(A[i,0], B[0,j], C[i,j])),
//
// as in [GemvT], on every path: row i of the result is bit-identical to
// GemvT(C row i, 1, B, ldb, A row i), whatever m is and whichever rows are
// computed together. So rows may be batched in any grouping (many states
// sharing one pass over B, or the trailing update of an LU factorisation)
// without changing a bit of any of them. Eight rows at a time go through a
// register-blocked 8 x 16 AVX-512 tile where the CPU has one, four at a
// time through a 4 x 8 AVX2 tile (each element of B loaded once per eight
// or four rows); the rows left over go through GemvT. Every path gives the
// same bits. It panics if a stride is
// smaller than its row length (for more than one row) or a slice is too
// short. C must not overlap A or B.
func GemmNN(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic("kernel: negative dimension")
	}
	check(m, k, a, lda)
	check(k, n, b, ldb)
	check(m, n, c, ldc)
	if m == 0 || n == 0 || k == 0 {
		return
	}
	if k*n <= packMin {
		gemmBlock(m, n, k, a, lda, b, ldb, c, ldc)
		return
	}
	if m <= streamRows && streamPanels {
		// Few rows of C (a batch of states): B streams through in panels
		// of streamK full rows, read sequentially, each panel multiplied
		// into all of C (which stays in cache) before the next. Rows left
		// over by the tiles go through GemvT, a pass over B each. Padding
		// them with zero rows to a whole tile was tried: one pass instead
		// of up to four, and faster alone (7 x 4096 x 4096: 11 ms against
		// 18), but matrix-free Newton steps at N = 2048 on both cores,
		// with batches shrinking from 8 as runs end, took 20% longer.
		for k0 := 0; k0 < k; k0 += streamK {
			kn := min(streamK, k-k0)
			gemmBlock(m, n, kn, a[k0:], lda, b[k0*ldb:], ldb, c, ldc)
		}
		return
	}
	// B does not fit in cache: copy it in blocks of packRows x packCols to
	// a contiguous buffer (read sequentially) and multiply by the blocks.
	// The blocks of a column band go in k order, so every C[i,j] keeps
	// its chain order.
	bp := packPool.Get().(*[]float64)
	defer packPool.Put(bp)
	buf := *bp
	for j0 := 0; j0 < n; j0 += packCols {
		jn := min(packCols, n-j0)
		for k0 := 0; k0 < k; k0 += packRows {
			kn := min(packRows, k-k0)
			for kk := range kn {
				copy(buf[kk*jn:kk*jn+jn], b[(k0+kk)*ldb+j0:])
			}
			gemmBlock(m, jn, kn, a[k0:], lda, buf, jn, c[j0:], ldc)
		}
	}
}

// packMin is the largest B (k x n elements, 512 kB) GemmNN multiplies in
// one sweep. A larger B, with at most streamRows rows of C (a batch of
// states), streams through in panels of streamK full rows, each read
// sequentially and multiplied into all of C (in cache); with more rows it
// is copied block by block to a buffer of packRows x packCols (256 kB, a
// fraction of a core's L2 cache). In one sweep, the tile walks down
// columns of B 64 bytes at a time, which the hardware prefetchers do not
// follow: at N = 4096 that streamed 5 GB/s, against 36 GB/s for GemvT.
// Measured on the 2-core AMD EPYC (Zen 5) VM, 8 rows of C and B 4096 x
// 4096: panels of 4 to 12 rows take 8-10 ms (the AVX-512 and AVX2 tiles
// alike), packing 10-12 ms, and 8 GemvT calls 28 ms.
const (
	streamRows = 16
	streamK    = 8
	packMin    = 1 << 16
	packRows   = 128
	packCols   = 256
)

// streamPanels switches the panel path off for benchmarks.
var streamPanels = true

var packPool = sync.Pool{New: func() any {
	b := make([]float64, packRows*packCols)
	return &b
}}

// gemmBlock is GemmNN without packing.
func gemmBlock(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	i := 0
	// Eight rows at a time through the AVX-512 tile where there is one,
	// its last columns (fewer than 16) as four-row tiles.
	for ; i+8 <= m; i += 8 {
		n16 := gemm8(c[i*ldc:], ldc, a[i*lda:], lda, b, ldb, k, n)
		if n16 == 0 {
			break
		}
		if n16 < n {
			gemmBlock(4, n-n16, k, a[i*lda:], lda, b[n16:], ldb, c[i*ldc+n16:], ldc)
			gemmBlock(4, n-n16, k, a[(i+4)*lda:], lda, b[n16:], ldb, c[(i+4)*ldc+n16:], ldc)
		}
	}
	if n8 := n &^ 7; n8 > 0 {
		for ; i+4 <= m; i += 4 {
			gemm4(c[i*ldc:], ldc, a[i*lda:], lda, b, ldb, k, n8)
			if n8 < n {
				gemmGo(4, n-n8, k, a[i*lda:], lda, b[n8:], ldb, c[i*ldc+n8:], ldc)
			}
		}
	}
	for ; i < m; i++ {
		gemvT(c[i*ldc:i*ldc+n], b, ldb, a[i*lda:i*lda+k], k, n)
	}
}

// gemmGo is the pure-Go GemmNN: C += A B with every C[i,j] the chain of
// math.FMA in k order.
func gemmGo(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	for i := range m {
		ci := c[i*ldc : i*ldc+n]
		ai := a[i*lda : i*lda+k]
		for kk, w := range ai {
			bk := b[kk*ldb : kk*ldb+n]
			for j, t := range ci {
				ci[j] = math.FMA(w, bk[j], t)
			}
		}
	}
}
