package kernel

// Packed is a k x n matrix B copied once into the blocks that [GemmNN]
// copies on every call: bands of packCols columns, each cut into blocks of
// packRows rows stored contiguously, the blocks of a band in k order. A
// matrix multiplied by many times (the weights of a network, once per batch
// of states) is better packed once: [GemmPacked] then reads each block
// straight from memory, and while the tiles multiply by one block they
// prefetch the next, so reading B and the arithmetic overlap. Measured on
// the 2-core Zen 4 VM, 24 to 64 rows by 4096 x 4096 split by columns
// between both cores: 25-38% faster than GemmNN (m = 32: 8.7 ms against
// 10.8), whose per-call copy of the blocks cannot overlap the arithmetic.
// It costs k n more elements of memory.
type Packed struct {
	k, n int
	data []float64
}

// Pack copies the k x n matrix in b (row-major, stride ldb) into a Packed.
// It panics if b is too short or the stride smaller than n.
func Pack(k, n int, b []float64, ldb int) *Packed {
	nonNegative(k, n)
	check(k, n, b, ldb)
	return packBlocks(k, n, func(blk []float64, j0, jn, k0, kn int) {
		for kk := range kn {
			copy(blk[kk*jn:kk*jn+jn], b[(k0+kk)*ldb+j0:])
		}
	})
}

// packBlocks returns a k x n Packed whose blocks fill writes: fill(blk,
// j0, jn, k0, kn) writes rows k0 to k0+kn-1 of columns j0 to j0+jn-1 into
// blk with stride jn.
func packBlocks(k, n int, fill func(blk []float64, j0, jn, k0, kn int)) *Packed {
	p := &Packed{k: k, n: n, data: make([]float64, k*n)}
	for j0 := 0; j0 < n; j0 += packCols {
		jn := min(packCols, n-j0)
		for k0 := 0; k0 < k; k0 += packRows {
			fill(p.block(j0, k0), j0, jn, k0, min(packRows, k-k0))
		}
	}
	return p
}

// Dims returns k and n.
func (p *Packed) Dims() (k, n int) { return p.k, p.n }

// block returns the block of rows from k0 of the band from column j0, both
// block boundaries, stored with stride its band's width.
func (p *Packed) block(j0, k0 int) []float64 {
	jn := min(packCols, p.n-j0)
	return p.data[j0*p.k+k0*jn:]
}

// Band is the width of the column bands of a [Packed] matrix: the column
// ranges [GemmPacked] takes start at multiples of it.
const Band = packCols

// GemmPacked computes C[:, j0:j1] += A B[:, j0:j1], where A is the m x k
// matrix in a (stride lda), B the packed k x n matrix and C the m x n
// matrix in c (stride ldc), with the same bits as [GemmNN] on B unpacked:
// every C[i,j] the chain of fused multiply-adds in k order. j0 must be a
// multiple of [Band] and j1 one too or n, so that column ranges split
// between goroutines give the whole product. It panics on a bad range or
// short slices. C must not overlap A.
func GemmPacked(m int, a []float64, lda int, p *Packed, j0, j1 int, c []float64, ldc int) {
	k, n := p.k, p.n
	nonNegative(m)
	if j0 < 0 || j1 > n || j0 > j1 || j0%packCols != 0 || j1%packCols != 0 && j1 != n {
		panic("kernel: GemmPacked column range not on band boundaries")
	}
	check(m, k, a, lda)
	check(m, n, c, ldc)
	if m == 0 || j0 == j1 || k == 0 {
		return
	}
	var scratch []float64
	if m%8 >= padMin && useAVX512 && useAsm {
		sp := packPool.Get().(*[]float64)
		defer packPool.Put(sp)
		scratch = (*sp)[packRows*packCols:]
	}
	for jb := j0; jb < j1; jb += packCols {
		jn := min(packCols, n-jb)
		for k0 := 0; k0 < k; k0 += packRows {
			kn := min(packRows, k-k0)
			var next block
			switch {
			case !prefetchNext:
			case k0+kn < k:
				next = block{b: p.block(jb, k0+kn), ld: jn, rows: min(packRows, k-k0-kn), cols: jn}
			case jb+jn < j1:
				nn := min(packCols, n-jb-jn)
				next = block{b: p.block(jb+jn, 0), ld: nn, rows: min(packRows, k), cols: nn}
			}
			gemmBlockAhead(m, jn, kn, a[k0:], lda, p.block(jb, k0), jn, c[jb:], ldc, next, scratch)
		}
	}
}

// PackTransposed packs B = A^T, where A is the n x k matrix in a
// (row-major, stride lda), without forming A^T: the products x A^T of
// row vectors x with the transpose of a network's weights.
func PackTransposed(k, n int, a []float64, lda int) *Packed {
	nonNegative(k, n)
	check(n, k, a, lda)
	return packBlocks(k, n, func(blk []float64, j0, jn, k0, kn int) {
		for jj := range jn {
			row := a[(j0+jj)*lda+k0 : (j0+jj)*lda+k0+kn]
			for kk, v := range row {
				blk[kk*jn+jj] = v
			}
		}
	})
}
