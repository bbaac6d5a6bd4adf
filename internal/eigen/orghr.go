// orghr, orgqr and larft are adapted from gonum's lapack/gonum/dorghr.go,
// dorgqr.go and dlarft.go (v0.17.0), Copyright ©2015-2016 The Gonum
// Authors, used under gonum's BSD 3-Clause license; larft keeps only the
// forward, column-wise case and corrects one line (see larft).

package eigen

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
)

// orghrWork returns the workspace orghr wants for an n×n matrix whose
// active block is [ilo, ihi]: what gonum's Dorghr asks for.
func orghrWork(ilo, ihi int) int {
	nh := ihi - ilo
	return max(1, nh) * impl.Ilaenv(1, "DORGQR", " ", nh, nh, nh, -1)
}

// orghr is LAPACK's DORGHR: it overwrites a, which holds below its
// subdiagonal the Householder reflectors of a Hessenberg reduction
// (dgehrd, with their factors in tau), with the orthogonal matrix Q they
// define. It does what gonum's Dorghr does, with larft in place of gonum's
// Dlarft; lwork must be at least max(1, ihi-ilo).
func orghr(n, ilo, ihi int, a []float64, lda int, tau, work []float64, lwork int) {
	if n == 0 {
		return
	}
	// Shift the reflectors one column to the right and set the first
	// ilo+1 and the last n-ihi-1 rows and columns to the identity.
	for i := ilo + 2; i < ihi+1; i++ {
		copy(a[i*lda+ilo+1:i*lda+i], a[i*lda+ilo:i*lda+i-1])
	}
	for i := 0; i < ilo+1; i++ {
		for j := 0; j < n; j++ {
			a[i*lda+j] = 0
		}
		a[i*lda+i] = 1
	}
	for i := ilo + 1; i < ihi+1; i++ {
		for j := 0; j <= ilo; j++ {
			a[i*lda+j] = 0
		}
		for j := i; j < n; j++ {
			a[i*lda+j] = 0
		}
	}
	for i := ihi + 1; i < n; i++ {
		for j := 0; j < n; j++ {
			a[i*lda+j] = 0
		}
		a[i*lda+i] = 1
	}
	if nh := ihi - ilo; nh > 0 {
		orgqr(nh, nh, nh, a[(ilo+1)*lda+ilo+1:], lda, tau[ilo:ihi], work, lwork)
	}
}

// orgqr is LAPACK's DORGQR: it overwrites the m×n matrix a, which holds
// k Householder reflectors in its first k columns (as dgeqrf leaves them),
// with the first n columns of their product. It is gonum's Dorgqr with
// larft in place of gonum's Dlarft: blocks of nb reflectors, from the last
// one, are applied to the columns right of them as one block reflector
// (Dlarfb), and each block's own columns are formed by Dorg2r.
func orgqr(m, n, k int, a []float64, lda int, tau, work []float64, lwork int) {
	if n == 0 {
		return
	}
	nb := impl.Ilaenv(1, "DORGQR", " ", m, n, k, -1)
	nbmin := 2 // smallest block worth blocking
	var nx int // crossover to the unblocked code
	var ldwork int
	if 1 < nb && nb < k {
		nx = max(0, impl.Ilaenv(3, "DORGQR", " ", m, n, k, -1))
		if nx < k {
			ldwork = nb
			if lwork < n*ldwork {
				nb = lwork / n
				ldwork = nb
				nbmin = max(2, impl.Ilaenv(2, "DORGQR", " ", m, n, k, -1))
			}
		}
	}
	var ki, kk int
	if nbmin <= nb && nb < k && nx < k {
		// The last kk reflectors go through the unblocked code.
		ki = ((k - nx - 1) / nb) * nb
		kk = min(k, ki+nb)
		for i := 0; i < kk; i++ {
			for j := kk; j < n; j++ {
				a[i*lda+j] = 0
			}
		}
	}
	if kk < n {
		// Dorg2r clears the whole of its work at every reflector: give
		// it the n-kk elements it uses.
		impl.Dorg2r(m-kk, n-kk, k-kk, a[kk*lda+kk:], lda, tau[kk:], work[:n-kk])
	}
	if kk == 0 {
		return
	}
	for i := ki; i >= 0; i -= nb {
		ib := min(nb, k-i)
		if i+ib < n {
			larft(m-i, ib, a[i*lda+i:], lda, tau[i:], work, ldwork)
			impl.Dlarfb(blas.Left, blas.NoTrans, lapack.Forward, lapack.ColumnWise,
				m-i, n-i-ib, ib, a[i*lda+i:], lda, work, ldwork,
				a[i*lda+i+ib:], lda, work[ib*ldwork:], ldwork)
		}
		impl.Dorg2r(m-i, ib, ib, a[i*lda+i:], lda, tau[i:i+ib], work[:ib])
		for j := i; j < i+ib; j++ {
			for l := 0; l < i; l++ {
				a[l*lda+j] = 0
			}
		}
	}
}

// larft is LAPACK's DLARFT for direct = 'F', storev = 'C': the k×k upper
// triangular T with H_0 H_1 ... H_{k-1} = I - V T V^T, where H_i =
// I - tau_i v_i v_i^T and v_i is column i of the n×k matrix v (unit at
// row i, zero above it). Trailing zeros of the v_i are skipped: the
// product of column i with the earlier columns runs only to the last
// row where both can be nonzero, min(lastv_i, prevlastv), prevlastv being
// the largest lastv of the earlier columns.
//
// gonum v0.17.0's Dlarft updates prevlastv with `if i > 1` where LAPACK's
// 1-based `IF( I.GT.1 )` means i > 0, so after the second column prevlastv
// forgets the first column's lastv. When column 1 has more trailing zeros
// than column 0, the later columns' products with column 0 stop short and
// T is wrong, so the Q of orgqr is not orthogonal (see UPSTREAM.md). Each
// v_i of a Hessenberg reduction ends in an exact zero now and then when
// most of the matrix's columns are dependent, as in J = D W - I for a W of
// low rank. Where the slip does not matter, this larft performs the same
// operations as gonum's.
func larft(n, k int, v []float64, ldv int, tau []float64, t []float64, ldt int) {
	if n == 0 {
		return
	}
	bi := blas64.Implementation()
	prevlastv := n - 1
	for i := 0; i < k; i++ {
		prevlastv = max(i, prevlastv)
		if tau[i] == 0 {
			for j := 0; j <= i; j++ {
				t[j*ldt+i] = 0
			}
			continue
		}
		lastv := n - 1
		for ; lastv >= i+1; lastv-- {
			if v[lastv*ldv+i] != 0 {
				break
			}
		}
		for j := 0; j < i; j++ {
			t[j*ldt+i] = -tau[i] * v[i*ldv+j]
		}
		j := min(lastv, prevlastv)
		bi.Dgemv(blas.Trans, j-i, i, -tau[i], v[(i+1)*ldv:], ldv, v[(i+1)*ldv+i:], ldv, 1, t[i:], ldt)
		bi.Dtrmv(blas.Upper, blas.NoTrans, blas.NonUnit, i, t, ldt, t[i:], ldt)
		t[i*ldt+i] = tau[i]
		if i > 0 {
			prevlastv = max(prevlastv, lastv)
		} else {
			prevlastv = lastv
		}
	}
}
