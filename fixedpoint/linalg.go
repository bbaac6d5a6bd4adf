package fixedpoint

import (
	"math"

	"gonum.org/v1/gonum/blas/blas64"

	"github.com/fpfind/fpfind/internal/kernel"
)

// normInf returns max_i |x_i|, or NaN when x holds a NaN.
func normInf(x []float64) float64 {
	var m float64
	for _, v := range x {
		a := math.Abs(v)
		if a > m {
			m = a
		} else if a != a {
			return math.NaN()
		}
	}
	return m
}

func dot(x, y []float64) float64 {
	return blas64.Implementation().Ddot(len(x), x, 1, y, 1)
}

func norm2(x []float64) float64 { return blas64.Implementation().Dnrm2(len(x), x, 1) }

// distInf returns max_i |a_i - b_i|, stopping early once it exceeds limit.
func distInf(a, b []float64, limit float64) float64 {
	var m float64
	for i, v := range a {
		d := math.Abs(v - b[i])
		if d > m {
			m = d
			if m > limit {
				return m
			}
		}
	}
	return m
}

// luSolve overwrites b with A^{-1} b, where lu and piv hold the LU
// factorisation of the n x n matrix A from getrf and inv the reciprocals of
// U's diagonal (invDiag).
func luSolve(n int, lu []float64, piv []int, inv, b []float64) {
	for i := 0; i < n; i++ {
		if p := piv[i]; p != i {
			b[i], b[p] = b[p], b[i]
		}
	}
	solveLower(n, lu, b)
	solveUpper(n, lu, inv, b)
}

// factorInv factorises the n x n matrix a in place with lu and, when U is
// nonsingular, writes the reciprocals of its diagonal into inv, for
// luSolve; it reports success.
func factorInv(lu Factorizer, n int, a []float64, piv []int, inv []float64) bool {
	ok := lu(n, a, piv)
	if ok {
		invDiag(n, a, inv)
	}
	return ok
}

// invDiag writes the reciprocals of the diagonal of the row-major n x n
// matrix a into inv. With them the back substitution multiplies instead of
// dividing: a division on its chain of dependent steps took a quarter of
// the solves on the flip-flop network (N = 64).
func invDiag(n int, a, inv []float64) {
	for i := range n {
		inv[i] = 1 / a[i*n+i]
	}
}

// cholSolve overwrites b with C^{-1} b, where the upper triangle of u holds
// the Cholesky factor of C = U^T U.
func cholSolve(n int, u []float64, b []float64) {
	solveUpperT(n, u, b)
	solveUpper(n, u, nil, b)
}

// trsvBlock is the number of rows the triangular solves below take at a
// time: the rectangle left of (or right of, or above) a block of rows is one
// kernel product, and only the small triangle on the diagonal is solved by
// scalar loops. gonum's Dtrsv sums each row with one scalar accumulator, a
// chain of dependent additions: at N = 64 it took 40% of Find on a trained
// flip-flop network, four times what these take.
const trsvBlock = 8

// solveLower overwrites b with L^{-1} b, L the unit lower triangle of the
// row-major n x n matrix a.
func solveLower(n int, a, b []float64) {
	var tb [trsvBlock]float64
	for i0 := 0; i0 < n; i0 += trsvBlock {
		i1 := min(i0+trsvBlock, n)
		if i0 > 0 {
			t := tb[:i1-i0]
			kernel.Gemv(t, 0, a[i0*n:], n, b[:i0])
			for k, v := range t {
				b[i0+k] -= v
			}
		}
		for i := i0 + 1; i < i1; i++ {
			s, r := b[i], a[i*n:]
			for j := i0; j < i; j++ {
				s -= r[j] * b[j]
			}
			b[i] = s
		}
	}
}

// solveUpper overwrites b with U^{-1} b, U the upper triangle (diagonal
// included) of the row-major n x n matrix a; inv holds the reciprocals of
// its diagonal, or is nil (then it divides).
func solveUpper(n int, a, inv, b []float64) {
	var tb [trsvBlock]float64
	for i1 := n; i1 > 0; i1 -= trsvBlock {
		i0 := max(i1-trsvBlock, 0)
		if i1 < n {
			t := tb[:i1-i0]
			kernel.Gemv(t, 0, a[i0*n+i1:], n, b[i1:n])
			for k, v := range t {
				b[i0+k] -= v
			}
		}
		for i := i1 - 1; i >= i0; i-- {
			s, r := b[i], a[i*n:]
			for j := i + 1; j < i1; j++ {
				s -= r[j] * b[j]
			}
			if inv != nil {
				b[i] = s * inv[i]
			} else {
				b[i] = s / r[i]
			}
		}
	}
}

// solveUpperT overwrites b with U^{-T} b, U the upper triangle (diagonal
// included) of the row-major n x n matrix a.
func solveUpperT(n int, a, b []float64) {
	var tb [trsvBlock]float64
	for i0 := 0; i0 < n; i0 += trsvBlock {
		i1 := min(i0+trsvBlock, n)
		if i0 > 0 {
			// The rectangle above the block: U[0:i0, i0:i1]^T b[0:i0].
			t := tb[:i1-i0]
			kernel.GemvT(t, 0, a[i0:], n, b[:i0])
			for k, v := range t {
				b[i0+k] -= v
			}
		}
		for i := i0; i < i1; i++ {
			s := b[i]
			for j := i0; j < i; j++ {
				s -= a[j*n+i] * b[j]
			}
			b[i] = s / a[i*n+i]
		}
	}
}

// same reports whether a and b are the same point: max_i |a_i - b_i| <=
// tol * max(1, |a|_inf, |b|_inf).
func same(a, b []float64, na, nb, tol float64) bool {
	lim := tol * math.Max(1, math.Max(na, nb))
	return distInf(a, b, lim) <= lim
}
