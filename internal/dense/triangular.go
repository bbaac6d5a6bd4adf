package dense

import "github.com/fpfind/fpfind/internal/kernel"

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
// included) of the row-major n x n matrix a: a forward substitution by
// blocks of rows of U, each block's triangle solved, then its rows times
// the block's solution taken from the rest of b (one GemvT over the
// contiguous rows to the block's right). Taking the rectangle above each
// block instead (rows of trsvBlock elements at stride n) took twice as
// long as solveUpper at N = 200 and four times at N = 512.
func solveUpperT(n int, a, b []float64) {
	var nb [trsvBlock]float64
	for i0 := 0; i0 < n; i0 += trsvBlock {
		i1 := min(i0+trsvBlock, n)
		for i := i0; i < i1; i++ {
			s := b[i]
			for j := i0; j < i; j++ {
				s -= a[j*n+i] * b[j]
			}
			b[i] = s / a[i*n+i]
		}
		if i1 < n {
			// b[i1:n] -= U[i0:i1, i1:n]^T b[i0:i1].
			x := nb[:i1-i0]
			for k := range x {
				x[k] = -b[i0+k]
			}
			kernel.GemvT(b[i1:n], 1, a[i0*n+i1:], n, x)
		}
	}
}
