package kernel

import (
	"math"
	"sync"
)

// GemmUpper overwrites the upper triangle (diagonal included) of the
// n x n matrix C (row-major in c, stride ldc) with that of A B, A the
// n x k matrix in a (stride lda), B the k x n matrix in b (stride ldb):
// half the flops of the whole product, for a symmetric result (a Gram
// matrix, a Hessian) whose lower triangle is not read or is mirrored
// after. It runs GemmNN on strips of upperStrip rows from their diagonal
// on, so each element has GemmNN's bits; of the strict lower triangle,
// the parts in the strips' diagonal blocks are overwritten too, the rest
// left as it was.
func GemmUpper(n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	nonNegative(n, n, k)
	check(n, k, a, lda)
	check(k, n, b, ldb)
	check(n, n, c, ldc)
	for i0 := 0; i0 < n; i0 += upperStrip {
		i1 := min(i0+upperStrip, n)
		for i := i0; i < i1; i++ {
			clear(c[i*ldc+i0 : i*ldc+n])
		}
		GemmNN(i1-i0, n-i0, k, a[i0*lda:], lda, b[i0:], ldb, c[i0*ldc+i0:], ldc)
	}
}

// upperStrip is the height of GemmUpper's strips: a multiple of GemmNN's
// tiles, small so that little of the lower triangle is formed.
const upperStrip = 32

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
	nonNegative(m, n, k)
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
		// over by the tiles go through GemvT, a pass over B each (not
		// padded to a whole tile with zero rows: faster alone, but slower
		// in matrix-free Newton steps on both cores, bench/scale_results.md,
		// "Moved from comments").
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
	// While a block is multiplied, the tiles prefetch the next one into L2,
	// so that its copy reads from cache: reading W from memory and the
	// arithmetic overlap instead of taking turns. Measured on the 2-core
	// Zen 4 VM, 32 rows x 4096 x 4096 split by columns between both
	// cores: copying alone 7.2 ms, multiplying alone 7.5 ms, both without
	// prefetching 12.6 ms.
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
			var next block
			switch {
			case !prefetchNext:
			case k0+kn < k:
				next = block{b: b[(k0+kn)*ldb+j0:], ld: ldb, rows: min(packRows, k-k0-kn), cols: jn}
			case j0+jn < n:
				next = block{b: b[j0+jn:], ld: ldb, rows: min(packRows, k), cols: min(packCols, n-j0-jn)}
			}
			gemmBlockAhead(m, jn, kn, a[k0:], lda, buf[:packRows*packCols], jn, c[j0:], ldc, next, buf[packRows*packCols:])
		}
	}
}

// block is a rows x cols block of a matrix at b with stride ld, to be
// prefetched; rows 0 for none.
type block struct {
	b          []float64
	ld         int
	rows, cols int
}

// lines is the part of a block one tile call prefetches: n cache lines
// from b[start], the first row left bytes long, then rows of row bytes
// skip bytes apart.
type lines struct {
	b                  []float64
	start              int
	row, skip, n, left int
}

// share returns the g-th of parts equal shares of the block's lines.
func (x block) share(g, parts int) lines {
	if x.rows == 0 || parts == 0 {
		return lines{}
	}
	per := (x.cols + 7) / 8 // lines per row
	total := x.rows * per
	s, e := g*total/parts, (g+1)*total/parts
	r, o := s/per, s%per
	return lines{b: x.b, start: r*x.ld + o*8, row: per * 64, skip: x.ld*8 - per*64, n: e - s, left: (per - o) * 64}
}

// packMin is the largest B (k x n elements, 512 kB) GemmNN multiplies in
// one sweep. A larger B, with at most streamRows rows of C (a batch of
// states), streams through in panels of streamK full rows, each read
// sequentially and multiplied into all of C (in cache); with more rows it
// is copied block by block to a buffer of packRows x packCols (256 kB, a
// fraction of a core's L2 cache). In one sweep, the tile walks down
// columns of B 64 bytes at a time, which the hardware prefetchers do not
// follow: at N = 4096 that streamed 5 GB/s, against 36 GB/s for GemvT.
// Measured on the 2-core AMD EPYC (Zen 4) VM, 8 rows of C and B 4096 x
// 4096: panels of 4 to 12 rows take 8-10 ms (the AVX-512 and AVX2 tiles
// alike), packing 10-12 ms, and 8 GemvT calls 28 ms.
const (
	streamRows = 16
	streamK    = 8
	packMin    = 1 << 16
	packRows   = 128
	packCols   = 256
)

// streamPanels switches the panel path off for benchmarks, and
// prefetchNext the packed path's prefetching of the next block.
var streamPanels, prefetchNext = true, true

var packPool = sync.Pool{New: func() any {
	b := make([]float64, packRows*packCols+8*(packRows+packCols))
	return &b
}}

// gemmBlock is GemmNN without packing.
func gemmBlock(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	gemmBlockAhead(m, n, k, a, lda, b, ldb, c, ldc, block{}, nil)
}

// padMin is the fewest rows left over by the eight-row tiles that go
// through it as a whole tile, padded with zero rows: fewer take as long
// through GemvT (a pass over the block per row) as the whole tile does.
const padMin = 3

// gemmBlockAhead is gemmBlock that prefetches the block next while it
// computes, a share of it in each call of the eight-row tile. With scratch
// (8 (k + n) elements), the rows left over by the eight-row tiles, when
// there are padMin or more, go through one more tile: copied with C's
// rows to scratch, padded with zero rows, and copied back. Each element
// keeps its FMA chain.
func gemmBlockAhead(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int, next block, scratch []float64) {
	i := 0
	tiles := m / 8
	pad := scratch != nil && m%8 >= padMin && len(scratch) >= 8*(k+n) && useAVX512 && useAsm
	if pad {
		tiles++
	}
	// Eight rows at a time through the AVX-512 tile where there is one,
	// its last columns (fewer than 16) as four-row tiles.
	for ; i+8 <= m; i += 8 {
		n16 := gemm8(c[i*ldc:], ldc, a[i*lda:], lda, b, ldb, k, n, next.share(i/8, tiles))
		if n16 == 0 {
			break
		}
		if n16 < n {
			gemmBlock(4, n-n16, k, a[i*lda:], lda, b[n16:], ldb, c[i*ldc+n16:], ldc)
			gemmBlock(4, n-n16, k, a[(i+4)*lda:], lda, b[n16:], ldb, c[(i+4)*ldc+n16:], ldc)
		}
	}
	if r := m - i; pad && i == m&^7 {
		pa, pc := scratch[:8*k], scratch[8*k:8*(k+n)]
		clear(pa[r*k:])
		for j := range r {
			copy(pa[j*k:(j+1)*k], a[(i+j)*lda:])
			copy(pc[j*n:(j+1)*n], c[(i+j)*ldc:])
		}
		if n16 := gemm8(pc, n, pa, k, b, ldb, k, n, next.share(tiles-1, tiles)); n16 > 0 {
			for j := range r {
				copy(c[(i+j)*ldc:(i+j)*ldc+n16], pc[j*n:j*n+n16])
			}
			if n16 < n {
				gemmBlock(r, n-n16, k, a[i*lda:], lda, b[n16:], ldb, c[i*ldc+n16:], ldc)
			}
			return
		}
	}
	if n8 := n &^ 7; n8 > 0 || (useAsm && i+4 <= m) {
		// The last n - n8 < 8 columns through the same tile, B's and C's
		// columns copied to eight-column buffers padded with zeros (B's
		// once for all rows).
		var edge *[]float64
		var pb []float64
		if n8 < n && i+4 <= m && useAsm {
			edge = edgePool.Get().(*[]float64)
			if cap(*edge) < 8*(k+4) {
				*edge = make([]float64, 8*(k+4))
			}
			pb = (*edge)[:8*k]
			for kk := range k {
				row := pb[kk*8 : kk*8+8]
				copy(row, b[kk*ldb+n8:kk*ldb+n])
				clear(row[n-n8:])
			}
		}
		for ; i+4 <= m; i += 4 {
			if n8 > 0 {
				gemm4(c[i*ldc:], ldc, a[i*lda:], lda, b, ldb, k, n8)
			}
			if n8 == n {
				continue
			}
			if edge == nil {
				gemmGo(4, n-n8, k, a[i*lda:], lda, b[n8:], ldb, c[i*ldc+n8:], ldc)
				continue
			}
			pc := (*edge)[8*k : 8*k+32]
			for r := range 4 {
				copy(pc[r*8:r*8+8], c[(i+r)*ldc+n8:(i+r)*ldc+n])
			}
			gemm4(pc, 8, a[i*lda:], lda, pb, 8, k, 8)
			for r := range 4 {
				copy(c[(i+r)*ldc+n8:(i+r)*ldc+n], pc[r*8:])
			}
		}
		if edge != nil {
			edgePool.Put(edge)
		}
	}
	for ; i < m; i++ {
		gemvT(c[i*ldc:i*ldc+n], b, ldb, a[i*lda:i*lda+k], k, n)
	}
}

// edgePool holds the buffers of gemmBlockAhead's last columns.
var edgePool = sync.Pool{New: func() any { return new([]float64) }}

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
