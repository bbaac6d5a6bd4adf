//go:build !openblas

package backend

import (
	"sync"

	"gonum.org/v1/gonum/blas"
	gonumblas "gonum.org/v1/gonum/blas/gonum"

	"github.com/fpfind/fpfind/internal/kernel"
)

// fastBLAS is gonum's pure-Go BLAS with Dgemm replaced by internal/kernel's
// register-blocked product (AVX-512 or AVX2 tiles with fused multiply-adds,
// one goroutine). gonum's Dgemm multiplies with a two-lane axpy per row of
// the result, without FMA, and in goroutines of 64 x 64 blocks; the
// kernel takes 3-6 times less CPU at the orders fpfind meets (the trailing
// updates of DGEHRD and DLAQR5 inside every dense spectrum, the blocked
// Cholesky factorisation of DPOTRF, gonum/mat's products). The results
// agree with gonum's to rounding, not bit for bit.
type fastBLAS struct{ gonumblas.Implementation }

// gemmSmall is the size (m n k) below which Dgemm stays gonum's: there
// the copies of transposed operands would cost as much as the product.
const gemmSmall = 16 * 16 * 16

// Dgemm computes C = alpha op(A) op(B) + beta C (see gonum's
// blas.Float64Level3). Transposed operands, and A scaled by alpha, are
// copied first, so that the kernel's C += A B does the product.
func (f fastBLAS) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m*n*k < gemmSmall || !kernel.HasAVX2() {
		f.Implementation.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	checkGemm(tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
	for i := range m {
		row := c[i*ldc : i*ldc+n]
		switch beta {
		case 0:
			clear(row)
		case 1:
		default:
			for j := range row {
				row[j] *= beta
			}
		}
	}
	if k == 0 || alpha == 0 {
		return
	}
	buf := gemmPool.Get().(*[]float64)
	defer gemmPool.Put(buf)
	need := 0
	trA, trB := tA != blas.NoTrans, tB != blas.NoTrans
	if trA || alpha != 1 {
		need += m * k
	}
	if trB {
		need += k * n
	}
	if cap(*buf) < need {
		*buf = make([]float64, need)
	}
	w := (*buf)[:need]
	ap, la := a, lda
	if trA || alpha != 1 {
		ap, la, w = w[:m*k], k, w[m*k:]
		for i := range m {
			row := ap[i*k : i*k+k]
			if trA {
				for l := range row {
					row[l] = alpha * a[l*lda+i]
				}
			} else {
				for l, v := range a[i*lda : i*lda+k] {
					row[l] = alpha * v
				}
			}
		}
	}
	bp, lb := b, ldb
	if trB {
		bp, lb = w[:k*n], n
		for l := range k {
			row := bp[l*n : l*n+n]
			for j := range row {
				row[j] = b[j*ldb+l]
			}
		}
	}
	kernel.GemmNN(m, n, k, ap, la, bp, lb, c, ldc)
}

// checkGemm panics, as gonum's Dgemm does, on negative sizes, strides
// shorter than a row and slices too short for their matrices.
func checkGemm(tA, tB blas.Transpose, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	ar, ac := m, k
	if tA != blas.NoTrans {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB != blas.NoTrans {
		br, bc = n, k
	}
	for _, x := range []struct {
		rows, cols, ld int
		s              []float64
	}{{ar, ac, lda, a}, {br, bc, ldb, b}, {m, n, ldc, c}} {
		if x.rows < 0 || x.cols < 0 || x.ld < max(1, x.cols) {
			panic("backend: Dgemm: bad size or stride")
		}
		if x.rows > 0 && x.cols > 0 && len(x.s) < (x.rows-1)*x.ld+x.cols {
			panic("backend: Dgemm: slice too short")
		}
	}
}

// gemmPool holds Dgemm's copies of transposed operands.
var gemmPool = sync.Pool{New: func() any { return new([]float64) }}
