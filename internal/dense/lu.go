package dense

import (
	"math"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/gonum"

	"github.com/fpfind/fpfind/internal/kernel"
)

// luBlock is the panel width of Factorize. With the trailing update in
// GemmNN narrow panels pay: 8 columns took 15 us at N = 64 and 0.23 ms at
// N = 200, against 23 us and 0.31 ms with 32 (4 and 12 were slower than 8).
const luBlock = 8

// luPool holds Factorize's buffers for -L21 and Cholesky's for -U12^T.
var luPool = sync.Pool{New: func() any { return new([]float64) }}

// Factorize overwrites the n x n row-major matrix a with its LU
// factorisation with partial pivoting, P A = L U, as LAPACK's dgetrf does:
// the unit lower triangle L below the diagonal of a, U on and above it,
// and piv[i] (0-based) the row interchanged with row i. It reports whether
// U is nonsingular (every pivot nonzero). It panics if len(a) < n*n or
// len(piv) < n.
//
// It is the right-looking blocked algorithm: each panel of luBlock columns
// is factorised by getf2 or gonum's Dgetf2, its row interchanges applied
// to the other columns, the block row of U solved for by Dtrsm, and the
// trailing matrix updated by the register-blocked kernel GemmNN (a
// rank-luBlock update). gonum's Dgetrf updates with its pure-Go Dgemm,
// whose inner loop has no FMA: at N = 200 this takes about half its time.
// A recursive LU (LAPACK's dgetrf2) measured 2x slower at N = 200: its
// large triangular solves go through gonum's Dtrsm.
func Factorize(n int, a []float64, piv []int) bool {
	if len(a) < n*n || len(piv) < n {
		panic("dense: Factorize: a or piv shorter than n")
	}
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

// FactorizeInv factorises the n x n matrix a in place with factor (which
// has [Factorize]'s contract: [Factorize] itself, or LAPACK's dgetrf in
// the OpenBLAS build) and, when U is nonsingular, writes the reciprocals
// of its diagonal into inv, for [SolveLU]; it reports whether U is
// nonsingular (inv is then left as it was).
func FactorizeInv(factor func(n int, a []float64, piv []int) bool, n int, a []float64, piv []int, inv []float64) bool {
	ok := factor(n, a, piv)
	if ok {
		InvDiag(n, a, inv)
	}
	return ok
}

// InvDiag writes the reciprocals of the diagonal of the row-major n x n
// matrix a into inv[:n]. With them the back substitution of [SolveLU]
// multiplies instead of dividing: a division on its chain of dependent
// steps took a quarter of the solves on the flip-flop network (N = 64).
func InvDiag(n int, a, inv []float64) {
	for i := range n {
		inv[i] = 1 / a[i*n+i]
	}
}

// SolveLU overwrites b[:n] with A^{-1} b, where lu and piv hold the LU
// factorisation of the n x n matrix A from [Factorize] (or a factoriser
// with its contract) and inv the reciprocals of U's diagonal ([InvDiag]).
// It panics if len(lu) < n*n or piv, inv or b are shorter than n.
func SolveLU(n int, lu []float64, piv []int, inv, b []float64) {
	if len(lu) < n*n || len(piv) < n || len(inv) < n || len(b) < n {
		panic("dense: SolveLU: lu, piv, inv or b shorter than n")
	}
	for i := 0; i < n; i++ {
		if p := piv[i]; p != i {
			b[i], b[p] = b[p], b[i]
		}
	}
	solveLower(n, lu, b)
	solveUpper(n, lu, inv, b)
}

// Cholesky overwrites the upper triangle (diagonal included) of the
// row-major n x n symmetric matrix c with the Cholesky factor U of
// c = U^T U, for SolveCholesky, leaving the strict lower triangle as it
// was (its values do not enter the factor); it
// reports whether c is positive definite (when it is not, the triangle is
// left partly factorised). The factor agrees with gonum's Dpotrf for
// blas.Upper to rounding (the tests check it); the two may disagree only
// on a matrix whose least eigenvalue is zero to rounding.
//
// It is the right-looking blocked algorithm on block rows of cholBlock
// rows: each block row U[j0:j1, j0:n] is factorised row by row (the
// diagonal element, then the row right of it less the products with the
// block's rows above, one GemvT, scaled by the diagonal's reciprocal), and
// the trailing upper triangle updated by A22 -= U12^T U12 in strips of
// cholBlock rows, each one GemmNN from the strip's diagonal on (the strict
// lower triangle of its diagonal block saved and restored). gonum's Dpotrf
// updates with Dsyrk, which has no fused multiply-add and no register
// blocking: at N = 200 it took 0.39-0.65 ms (BenchmarkCholesky, under
// load), twice the Hessian it factorises, against 0.11-0.17 ms here.
func Cholesky(n int, c []float64) bool {
	if len(c) < n*n {
		panic("dense: Cholesky: c shorter than n*n")
	}
	bp := luPool.Get().(*[]float64)
	defer luPool.Put(bp)
	const head = cholBlock + cholBlock*cholBlock
	if len(*bp) < head+n*cholBlock {
		*bp = make([]float64, head+n*cholBlock)
	}
	x, low := (*bp)[:cholBlock], (*bp)[cholBlock:head]
	for j0 := 0; j0 < n; j0 += cholBlock {
		j1 := min(j0+cholBlock, n)
		// The block row: row j less sum over k in [j0, j) of
		// U[k, j] U[k, j:n], then divided by U[j, j].
		for j := j0; j < j1; j++ {
			xs := x[:j-j0]
			d := c[j*n+j]
			for k := range xs {
				u := c[(j0+k)*n+j]
				xs[k] = -u
				d -= u * u
			}
			if !(d > 0) {
				return false
			}
			d = math.Sqrt(d)
			c[j*n+j] = d
			row := c[j*n+j+1 : j*n+n]
			kernel.GemvT(row, 1, c[j0*n+j+1:], n, xs)
			r := 1 / d
			for k := range row {
				row[k] *= r
			}
		}
		if j1 == n {
			break
		}
		// A22 -= U12^T U12 on and above the diagonal, U12 = U[j0:j1, j1:n],
		// with -U12^T copied to a contiguous buffer.
		m, jb := n-j1, j1-j0
		negt := (*bp)[head : head+m*jb]
		for k := range jb {
			r := c[(j0+k)*n+j1 : (j0+k)*n+n]
			for i, v := range r {
				negt[i*jb+k] = -v
			}
		}
		for s0 := 0; s0 < m; s0 += cholBlock {
			s1 := min(s0+cholBlock, m)
			// The strip from its diagonal on, the strict lower triangle
			// of its diagonal block kept aside and put back.
			for i := s0 + 1; i < s1; i++ {
				copy(low[(i-s0)*cholBlock:(i-s0)*cholBlock+i-s0], c[(j1+i)*n+j1+s0:])
			}
			kernel.GemmNN(s1-s0, m-s0, jb, negt[s0*jb:], jb, c[j0*n+j1+s0:], n, c[(j1+s0)*n+j1+s0:], n)
			for i := s0 + 1; i < s1; i++ {
				copy(c[(j1+i)*n+j1+s0:(j1+i)*n+j1+i], low[(i-s0)*cholBlock:])
			}
		}
	}
	return true
}

// cholBlock is the height of Cholesky's block rows and of its trailing
// update's strips (two of GemmNN's eight-row tiles). At N = 64, 200 and
// 512 (BenchmarkCholesky) 8 rows took 12, 120 and 1830 us, 16 rows 7.4,
// 110 and 1460 us, 32 rows 7.5, 112 and 1580 us.
const cholBlock = 16

// SolveCholesky overwrites b[:n] with C^{-1} b, where the upper triangle
// (diagonal included) of the row-major n x n matrix u holds the Cholesky
// factor U of C = U^T U, as gonum's Dpotrf leaves it for blas.Upper; the
// strict lower triangle is not read. It panics if len(u) < n*n or
// len(b) < n.
func SolveCholesky(n int, u []float64, b []float64) {
	if len(u) < n*n || len(b) < n {
		panic("dense: SolveCholesky: u or b shorter than n")
	}
	solveUpperT(n, u, b)
	solveUpper(n, u, nil, b)
}

// SolveUpper overwrites b[:n] with U^{-1} b, and SolveUpperT with
// U^{-T} b, U the upper triangle (diagonal included) of the row-major
// n x n matrix u, such as Cholesky's factor: the two halves of
// SolveCholesky, for a change of variables z = U x. They panic if
// len(u) < n*n or len(b) < n.
func SolveUpper(n int, u []float64, b []float64) {
	if len(u) < n*n || len(b) < n {
		panic("dense: SolveUpper: u or b shorter than n")
	}
	solveUpper(n, u, nil, b)
}

// SolveUpperT overwrites b[:n] with U^{-T} b (see SolveUpper).
func SolveUpperT(n int, u []float64, b []float64) {
	if len(u) < n*n || len(b) < n {
		panic("dense: SolveUpperT: u or b shorter than n")
	}
	solveUpperT(n, u, b)
}
