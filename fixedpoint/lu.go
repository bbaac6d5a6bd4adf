package fixedpoint

import (
	"gonum.org/v1/gonum/lapack/gonum"
	"math"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/fpfind/fpfind/internal/kernel"
)

// Factorizer computes in place the LU factorisation with partial pivoting,
// P A = L U, of the row-major n x n matrix a, with LAPACK's dgetrf
// conventions (unit lower L and U in a, piv[i] the row interchanged with
// row i, 0-based), and reports whether U is nonsingular.
type Factorizer func(n int, a []float64, piv []int) bool

// luBlock is the panel width of getrf. With the trailing update in GemmNN
// narrow panels pay: 8 columns took 15 us at N = 64 and 0.23 ms at N = 200,
// against 23 us and 0.31 ms with 32 (4 and 12 were slower than 8).
const luBlock = 8

// luPool holds getrf's buffers for -L21.
var luPool = sync.Pool{New: func() any { return new([]float64) }}

// getrf overwrites the n x n row-major matrix a with its LU factorisation
// with partial pivoting, P A = L U, as LAPACK's dgetrf does (piv[i] is the
// row interchanged with row i), and reports whether U is nonsingular. It
// is the right-looking blocked algorithm: each panel of luBlock columns is
// factorised by getf2 or gonum's Dgetf2, its row interchanges applied to
// the other columns, the block row of U solved for by Dtrsm, and the
// trailing matrix updated by the register-blocked kernel GemmNN (a
// rank-luBlock update). gonum's Dgetrf updates with its pure-Go Dgemm,
// whose inner loop has no FMA: at N = 200 this takes about half its time.
// A recursive LU (LAPACK's dgetrf2) measured 2x slower at N = 200: its
// large triangular solves go through gonum's Dtrsm.
func getrf(n int, a []float64, piv []int) bool {
	bl := blas64.Implementation()
	ok := true
	bp := luPool.Get().(*[]float64)
	defer luPool.Put(bp)
	if len(*bp) < n*luBlock {
		*bp = make([]float64, n*luBlock)
	}
	for j0 := 0; j0 < n; j0 += luBlock {
		jb := min(luBlock, n-j0)
		// Factor the panel a[j0:n, j0:j0+jb].
		f2 := getf2
		if n-j0 <= getf2Rows {
			f2 = gonum.Implementation{}.Dgetf2
		}
		if !f2(n-j0, jb, a[j0*n+j0:], n, piv[j0:j0+jb]) {
			ok = false
		}
		for i := j0; i < j0+jb; i++ {
			piv[i] += j0
		}
		// Apply the interchanges to the columns left and right of the panel.
		for i := j0; i < j0+jb; i++ {
			if p := piv[i]; p != i {
				ri, rp := a[i*n:i*n+n], a[p*n:p*n+n]
				for _, r := range [][2]int{{0, j0}, {j0 + jb, n}} {
					for k := r[0]; k < r[1]; k++ {
						ri[k], rp[k] = rp[k], ri[k]
					}
				}
			}
		}
		j1 := j0 + jb
		if j1 == n {
			break
		}
		// U12 = L11^{-1} A12.
		bl.Dtrsm(blas.Left, blas.Lower, blas.NoTrans, blas.Unit, jb, n-j1, 1, a[j0*n+j0:], n, a[j0*n+j1:], n)
		// A22 -= L21 U12, with -L21 copied to a contiguous buffer.
		m := n - j1
		negl := (*bp)[:m*jb]
		for i := range m {
			r := a[(j1+i)*n+j0:]
			for k := range jb {
				negl[i*jb+k] = -r[k]
			}
		}
		kernel.GemmNN(m, m, jb, negl, jb, a[j0*n+j1:], n, a[j1*n+j1:], n)
	}
	return ok
}

// getf2Rows is the tallest panel factorised by gonum's Dgetf2; taller ones
// go to getf2. gonum's is faster on short panels (14 against 18 us for a
// whole LU at N = 64, 0.17 against 0.22 ms at N = 200), getf2 on tall ones
// (3.1 against 7.8 ms at N = 512).
const getf2Rows = 256

// getf2 is LAPACK's unblocked dgetf2 for the m x nb panel a (row-major,
// stride lda, nb <= luBlock): column by column, the pivot of largest
// magnitude, the row interchange within the panel, the multipliers (times
// the pivot's reciprocal, as dgetf2 does unless the pivot is below the
// safe minimum) and the rank-1 update of the panel's remaining columns. On
// a narrow panel gonum's Dgetf2 spends its time in calls of BLAS routines
// on a few elements each; here each row's update is one short loop. It
// reports whether every pivot is nonzero.
func getf2(m, nb int, a []float64, lda int, piv []int) bool {
	const sfmin = 0x1p-1022 // dlamch('S')
	ok := true
	for j := 0; j < min(m, nb); j++ {
		p, big := j, math.Abs(a[j*lda+j])
		for i := j + 1; i < m; i++ {
			if v := math.Abs(a[i*lda+j]); v > big {
				p, big = i, v
			}
		}
		piv[j] = p
		if a[p*lda+j] == 0 {
			ok = false
			continue
		}
		if p != j {
			rj, rp := a[j*lda:j*lda+nb], a[p*lda:p*lda+nb]
			for k := range rj {
				rj[k], rp[k] = rp[k], rj[k]
			}
		}
		d := a[j*lda+j]
		top := a[j*lda+j+1 : j*lda+nb]
		r := 1 / d
		for i := j + 1; i < m; i++ {
			row := a[i*lda+j : i*lda+nb]
			l := row[0]
			if math.Abs(d) >= sfmin {
				l *= r
			} else {
				l /= d
			}
			row[0] = l
			rest := row[1:]
			for k, u := range top {
				rest[k] -= l * u
			}
		}
	}
	return ok
}
