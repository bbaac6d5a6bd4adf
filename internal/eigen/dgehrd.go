// dgehrd, dlahr2 and dgehd2 are adapted from gonum's lapack/gonum/dgehrd.go,
// dlahr2.go and dgehd2.go (v0.17.0), Copyright ©2015-2016 The Gonum Authors,
// used under gonum's BSD 3-Clause license. The changes: the Householder
// vector, a column of the row-major a, is copied into a contiguous buffer
// before the large matrix-vector products with the trailing matrix, which
// gonum performs with a stride of lda (about 4x slower at n = 2048), and
// those products and the rank-one updates of the unblocked columns go
// through internal/kernel's AVX2 Gemv, GemvT and DescendOuter.

package eigen

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"

	"github.com/fpfind/fpfind/internal/kernel"
)

const (
	gehrdNbmax = 64
	gehrdLdt   = gehrdNbmax + 1
	gehrdTsize = gehrdLdt * gehrdNbmax
)

// dgehrdWork returns the workspace dgehrd wants for order n.
func dgehrdWork(n int) int {
	nb := min(gehrdNbmax, impl.Ilaenv(1, "DGEHRD", " ", n, 0, n-1, -1))
	return max(1, n*nb+gehrdTsize+2*n)
}

// dgehrd is LAPACK's DGEHRD: it reduces a[ilo:ihi+1, ilo:ihi+1] to upper
// Hessenberg form by an orthogonal similarity Q^T A Q, with Q stored as
// Householder reflectors below the subdiagonal and in tau (length n-1), as
// gonum's Dgehrd does. work must have length at least dgehrdWork(n).
func dgehrd(n, ilo, ihi int, a []float64, lda int, tau, work []float64) {
	if n == 0 {
		return
	}
	for i := 0; i < ilo; i++ {
		tau[i] = 0
	}
	for i := max(0, ihi); i < n-1; i++ {
		tau[i] = 0
	}
	nh := ihi - ilo + 1
	if nh <= 1 {
		return
	}
	nb := min(gehrdNbmax, impl.Ilaenv(1, "DGEHRD", " ", n, ilo, ihi, -1))
	nbmin := 2
	var nx int
	if 1 < nb && nb < nh {
		nx = max(nb, impl.Ilaenv(3, "DGEHRD", " ", n, ilo, ihi, -1))
	}
	ldwork := nb // work holds Y (n×nb), then T, then two contiguous vectors
	iwt := n * nb
	xbuf := work[iwt+gehrdTsize : iwt+gehrdTsize+n]
	ybuf := work[iwt+gehrdTsize+n : iwt+gehrdTsize+2*n]

	var i int
	if nb < nbmin || nh <= nb {
		i = ilo
	} else {
		bi := blas64.Implementation()
		for i = ilo; i < ihi-nx; i += nb {
			ib := min(nb, ihi-i)
			// Reduce columns i:i+ib, returning the matrices V and T of
			// the block reflector H = I - V T V^T and Y = A V T.
			dlahr2(ihi+1, i+1, ib, a[i:], lda, tau[i:], work[iwt:], gehrdLdt, work, ldwork, xbuf, ybuf)

			// Apply the block reflector from the right to
			// A[0:ihi+1, i+ib:ihi+1]: A -= Y V^T.
			ei := a[(i+ib)*lda+i+ib-1]
			a[(i+ib)*lda+i+ib-1] = 1
			bi.Dgemm(blas.NoTrans, blas.Trans, ihi+1, ihi-i-ib+1, ib,
				-1, work, ldwork,
				a[(i+ib)*lda+i:], lda,
				1, a[i+ib:], lda)
			a[(i+ib)*lda+i+ib-1] = ei

			// Apply it from the right to A[0:i+1, i+1:i+ib].
			bi.Dtrmm(blas.Right, blas.Lower, blas.Trans, blas.Unit, i+1, ib-1,
				1, a[(i+1)*lda+i:], lda, work, ldwork)
			for j := 0; j <= ib-2; j++ {
				bi.Daxpy(i+1, -1, work[j:], ldwork, a[i+j+1:], lda)
			}

			// Apply it from the left to A[i+1:ihi+1, i+ib:n].
			impl.Dlarfb(blas.Left, blas.Trans, lapack.Forward, lapack.ColumnWise,
				ihi-i, n-i-ib, ib,
				a[(i+1)*lda+i:], lda, work[iwt:], gehrdLdt, a[(i+1)*lda+i+ib:], lda, work, ldwork)
		}
	}
	// The rest, unblocked.
	dgehd2(n, i, ihi, a, lda, tau, xbuf, ybuf)
}

// dgehd2 is LAPACK's DGEHD2, the unblocked reduction of columns ilo to
// ihi-1, as gonum's Dgehd2 with each reflector H = I - tau v v^T (v copied
// to the contiguous v, length >= n) applied as two matrix-vector products
// and two rank-one updates of internal/kernel (w of length >= n).
func dgehd2(n, ilo, ihi int, a []float64, lda int, tau, v, w []float64) {
	for i := ilo; i < ihi; i++ {
		// The reflector H_i annihilating A[i+2:ihi+1, i].
		var beta float64
		beta, tau[i] = impl.Dlarfg(ihi-i, a[(i+1)*lda+i], a[min(i+2, n-1)*lda+i:], lda)
		m := ihi - i // the length of v
		vi := v[:m]
		vi[0] = 1
		for r := 1; r < m; r++ {
			vi[r] = a[(i+1+r)*lda+i]
		}
		if tau[i] != 0 {
			// From the right: A[0:ihi+1, i+1:ihi+1] -= tau (A v) v^T.
			wi := w[:ihi+1]
			kernel.Gemv(wi, 0, a[i+1:], lda, vi)
			kernel.DescendOuter(a[i+1:], lda, wi, vi, tau[i])
			// From the left: A[i+1:ihi+1, i+1:n] -= tau v (A^T v)^T.
			wi = w[:n-i-1]
			kernel.GemvT(wi, 0, a[(i+1)*lda+i+1:], lda, vi)
			kernel.DescendOuter(a[(i+1)*lda+i+1:], lda, vi, wi, tau[i])
		}
		a[(i+1)*lda+i] = beta
	}
}

// dlahr2 is LAPACK's DLAHR2 as in gonum (see there for the arguments), with
// xbuf and ybuf (length >= n) as scratch for a contiguous copy of the
// Householder vector and of the product Y[k:n, i].
func dlahr2(n, k, nb int, a []float64, lda int, tau, t []float64, ldt int, y []float64, ldy int, xbuf, ybuf []float64) {
	if n <= 1 {
		return
	}
	bi := blas64.Implementation()
	var ei float64
	for i := 0; i < nb; i++ {
		if i > 0 {
			// Update A[k:n, i]: A[k:n, i] -= Y[k:n, 0:i] A[k+i-1, 0:i]^T.
			bi.Dgemv(blas.NoTrans, n-k, i,
				-1, y[k*ldy:], ldy,
				a[(k+i-1)*lda:], 1,
				1, a[k*lda+i:], lda)

			// Apply I - V T^T V^T to this column from the left, using
			// the last column of T as workspace w.
			bi.Dcopy(i, a[k*lda+i:], lda, t[nb-1:], ldt)
			bi.Dtrmv(blas.Lower, blas.Trans, blas.Unit, i,
				a[k*lda:], lda, t[nb-1:], ldt)
			bi.Dgemv(blas.Trans, n-k-i, i,
				1, a[(k+i)*lda:], lda,
				a[(k+i)*lda+i:], lda,
				1, t[nb-1:], ldt)
			bi.Dtrmv(blas.Upper, blas.Trans, blas.NonUnit, i,
				t, ldt, t[nb-1:], ldt)
			bi.Dgemv(blas.NoTrans, n-k-i, i,
				-1, a[(k+i)*lda:], lda,
				t[nb-1:], ldt,
				1, a[(k+i)*lda+i:], lda)
			bi.Dtrmv(blas.Lower, blas.NoTrans, blas.Unit, i,
				a[k*lda:], lda, t[nb-1:], ldt)
			bi.Daxpy(i, -1, t[nb-1:], ldt, a[k*lda+i:], lda)

			a[(k+i-1)*lda+i-1] = ei
		}

		// Generate the elementary reflector H_i to annihilate
		// A[k+i+1:n, i].
		ei, tau[i] = impl.Dlarfg(n-k-i, a[(k+i)*lda+i], a[min(k+i+1, n-1)*lda+i:], lda)
		a[(k+i)*lda+i] = 1

		// Compute Y[k:n, i] = A[k:n, i+1:n-k+1] v with v = A[k+i:n, i]
		// copied into contiguous memory first.
		x := xbuf[:n-k-i]
		bi.Dcopy(n-k-i, a[(k+i)*lda+i:], lda, x, 1)
		yi := ybuf[:n-k]
		kernel.Gemv(yi, 0, a[k*lda+i+1:], lda, x)
		bi.Dcopy(n-k, yi, 1, y[k*ldy+i:], ldy)
		bi.Dgemv(blas.Trans, n-k-i, i,
			1, a[(k+i)*lda:], lda,
			x, 1,
			0, t[i:], ldt)
		bi.Dgemv(blas.NoTrans, n-k, i,
			-1, y[k*ldy:], ldy,
			t[i:], ldt,
			1, y[k*ldy+i:], ldy)
		bi.Dscal(n-k, tau[i], y[k*ldy+i:], ldy)

		// Compute T[0:i+1, i].
		bi.Dscal(i, -tau[i], t[i:], ldt)
		bi.Dtrmv(blas.Upper, blas.NoTrans, blas.NonUnit, i,
			t, ldt, t[i:], ldt)

		t[i*ldt+i] = tau[i]
	}
	a[(k+nb-1)*lda+nb-1] = ei

	// Compute Y[0:k, 0:nb].
	impl.Dlacpy(blas.All, k, nb, a[1:], lda, y, ldy)
	bi.Dtrmm(blas.Right, blas.Lower, blas.NoTrans, blas.Unit, k, nb,
		1, a[k*lda:], lda, y, ldy)
	if n > k+nb {
		bi.Dgemm(blas.NoTrans, blas.NoTrans, k, nb, n-k-nb,
			1, a[1+nb:], lda,
			a[(k+nb)*lda:], lda,
			1, y, ldy)
	}
	bi.Dtrmm(blas.Right, blas.Upper, blas.NoTrans, blas.NonUnit, k, nb,
		1, t, ldt, y, ldy)
}
