package eigen

import (
	"math"

	"gonum.org/v1/gonum/lapack"
)

// trevcWork returns the workspace length to hand gonum's Dtrevc3 for the
// eigenvectors (side) of the n×n Schur form t: lwork, which lets Dtrevc3
// back-transform the vectors nb at a time with Dgemm, unless that blocked
// path would fail on t; then 3n, which selects its unblocked path (one
// Dgemv per vector). Both paths solve the same triangular systems.
//
// The failure is in gonum v0.17.0's Dlaln2, the solver of Dtrevc3's 1×1
// and 2×2 systems (T_jj - lambda) x = scale b. For a complex lambda and a
// 2×2 block T_jj within smin of lambda I (so that it replaces T_jj - lambda
// by smin I, as LAPACK's DLALN2 does), it stores the second row of x at
// x[ldb] and x[ldb+1], where it should use ldx. Dtrevc3's unblocked path
// has ldb = ldx = 2, where the slip is harmless; the blocked path has
// ldb = 2 nb >= 16 and an x of length 4, so it panics with an index out of
// range (see UPSTREAM.md). The branch is reached when T has a complex pair
// whose imaginary part is below smin (about ulp |lambda|) and another 2×2
// block equal to lambda I to within smin: an eigenvalue repeated to
// working precision, as -1 is (n - r times) in J = D W - I for a W of
// rank r.
func trevcWork(side lapack.EVSide, n int, t []float64, ldt int, lwork int) int {
	right := side == lapack.EVRight || side == lapack.EVBoth
	left := side == lapack.EVLeft || side == lapack.EVBoth
	if (right && trevcHitsDlaln2(n, t, ldt, false)) || (left && trevcHitsDlaln2(n, t, ldt, true)) {
		return 3 * n
	}
	return lwork
}

// trevcHitsDlaln2 reports whether Dtrevc3, computing the left (left = true)
// or right eigenvectors of the Schur form t, solves a complex 2×2 system in
// Dlaln2's smin-identity branch (see trevcWork). It repeats Dtrevc3's own
// arithmetic: its partition of t into diagonal blocks (from the top for
// left vectors, from the bottom for right ones), each complex pair's
// (wr, wi, smin), and for every 2×2 block solved against that pair (below
// it for left vectors, above it for right ones) Dlaln2's test.
func trevcHitsDlaln2(n int, t []float64, ldt int, left bool) bool {
	// pairs holds the first row of each 2×2 diagonal block, in the order
	// Dtrevc3 visits them.
	var pairs []int
	if left {
		for k := 0; k < n-1; k++ {
			if t[(k+1)*ldt+k] != 0 {
				pairs = append(pairs, k)
				k++
			}
		}
	} else {
		for k := n - 1; k > 0; k-- {
			if t[k*ldt+k-1] != 0 {
				pairs = append(pairs, k-1)
				k--
			}
		}
	}
	ulp := dlamchP
	smlnum := float64(n) / ulp * dlamchS
	for p, k := range pairs {
		// Dtrevc3 reads wr from the pair's first diagonal entry for left
		// vectors and from its second for right ones.
		wr := t[k*ldt+k]
		if !left {
			wr = t[(k+1)*ldt+k+1]
		}
		wi := math.Sqrt(math.Abs(t[k*ldt+k+1])) * math.Sqrt(math.Abs(t[(k+1)*ldt+k]))
		smin := math.Max(ulp*(math.Abs(wr)+math.Abs(wi)), smlnum)
		for _, j := range pairs[p+1:] {
			if dlaln2Singular(t[j*ldt+j:], ldt, wr, wi, smin) {
				return true
			}
		}
	}
	return false
}

// dlaln2Singular reports whether Dlaln2 replaces the complex 2×2 system
// matrix A - (wr + i wi) I (or its transpose, the same test) by smin I:
// when the largest |re| + |im| of its entries, found as Dlaln2 finds it
// (a NaN entry is passed over), is below max(smin, 2 safmin).
func dlaln2Singular(a []float64, lda int, wr, wi, smin float64) bool {
	smini := math.Max(smin, 2*dlamchS)
	cmax := 0.0
	for _, v := range [4]float64{
		math.Abs(a[0]-wr) + math.Abs(wi),
		math.Abs(a[1]),
		math.Abs(a[lda]),
		math.Abs(a[lda+1]-wr) + math.Abs(wi),
	} {
		if v > cmax {
			cmax = v
		}
	}
	return cmax < smini
}
