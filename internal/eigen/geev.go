// Geev and hseqr are adapted from gonum's lapack/gonum/dgeev.go and
// dhseqr.go (v0.17.0), Copyright ©2015-2016 The Gonum Authors, used under
// gonum's BSD 3-Clause license; they call this package's laqr0 where gonum
// calls its Dlaqr04.

package eigen

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
)

// Machine constants, as in LAPACK's DLAMCH.
const (
	dlamchE = 0x1p-53
	dlamchP = 2 * dlamchE
	dlamchS = 0x1p-1022
)

// ErrNotConverged is wrapped by the error Geev and Factorize return when the
// QR iteration failed to compute every eigenvalue (rare).
var ErrNotConverged = errors.New("eigen: QR iteration did not converge")

// Solver is a pure-Go dense eigen-solver: LAPACK's DGEEV driver (scaling,
// balancing, Hessenberg reduction, multishift QR with aggressive early
// deflation, eigenvectors of the Schur form, back-transformation) assembled
// from gonum's exported LAPACK kernels and this package's ports of the QR
// iteration's, with the shift counts and deflation windows of reference
// LAPACK. The zero value is ready to use and safe for
// concurrent use.
type Solver struct {
	// WindowQR selects how the aggressive-early-deflation window's Schur
	// form is computed when the window is larger than 75: false (the
	// default) uses the double-shift Dlahqr as LAPACK's DLAQR2 does,
	// true uses gonum's Dlaqr04 as DLAQR3 does (with gonum's own shift
	// counts, which is why it is not the default).
	WindowQR bool
}

// Geev computes the eigenvalues and, when asked, the eigenvectors of the
// real n×n row-major matrix a, which it overwrites. It has the contract of
// LAPACK's dgeev and of linearize.Eigensolver: wr and wi (length n) receive
// the real and imaginary parts of the eigenvalues, complex conjugate pairs
// adjacent with the positive imaginary part first. When vr.Rows > 0 the right
// eigenvectors go into the columns of vr (n×n): a real eigenvalue's vector in
// one column, a pair's vector as vr[:,j] + i vr[:,j+1] (its conjugate belongs
// to j+1). vl, when vl.Rows > 0, holds the left eigenvectors u
// (u^H A = lambda u^H) in the same layout. Each vector has unit Euclidean
// norm and its largest component real. Geev returns an error wrapping
// ErrNotConverged when the QR iteration failed; wr and wi then hold the
// eigenvalues that converged, as dgeev leaves them.
//
// Geev panics when the shapes disagree.
func (s Solver) Geev(a blas64.General, wr, wi []float64, vl, vr blas64.General) error {
	n := a.Rows
	if a.Cols != n || len(wr) != n || len(wi) != n {
		panic("eigen: dimension mismatch")
	}
	wantvl, wantvr := vl.Rows > 0, vr.Rows > 0
	if (wantvl && (vl.Rows != n || vl.Cols != n)) || (wantvr && (vr.Rows != n || vr.Cols != n)) {
		panic("eigen: dimension mismatch")
	}
	if n == 0 {
		return nil
	}
	aedRecur := 0
	if s.WindowQR {
		aedRecur = 1
	}
	lda := a.Stride

	// Scale a if its largest entry is outside [smlnum, bignum].
	smlnum := math.Sqrt(dlamchS) / dlamchP
	bignum := 1 / smlnum
	anrm := impl.Dlange(lapack.MaxAbs, n, n, a.Data, lda, nil)
	if math.IsNaN(anrm) || math.IsInf(anrm, 0) {
		return fmt.Errorf("eigen: matrix has a non-finite entry")
	}
	scalea := false
	var cscale float64
	if 0 < anrm && anrm < smlnum {
		scalea, cscale = true, smlnum
	} else if anrm > bignum {
		scalea, cscale = true, bignum
	}
	if scalea {
		impl.Dlascl(lapack.General, 0, 0, anrm, cscale, n, n, a.Data, lda)
	}

	// Balance.
	scale := make([]float64, n)
	ilo, ihi := impl.Dgebal(lapack.PermuteScale, n, a.Data, lda, scale)

	// Workspace: the largest of what each stage asks for.
	tau := make([]float64, n-1)
	q := []float64{0}
	lwork := max(dgehrdWork(n), n)
	if wantvl || wantvr {
		lwork = max(lwork, orghrWork(ilo, ihi))
		impl.Dtrevc3(lapack.EVBoth, lapack.EVAllMulQ, nil, n, a.Data, lda, a.Data, lda, a.Data, lda, n, q, -1)
		lwork = max(lwork, int(q[0]), 3*n)
	}
	lwork = max(lwork, hseqrWork(wantvl || wantvr, n, ilo, ihi, aedRecur))
	work := make([]float64, lwork)

	// Hessenberg reduction.
	dgehrd(n, ilo, ihi, a.Data, lda, tau, work)

	var first int
	side := lapack.EVRight
	switch {
	case wantvl:
		side = lapack.EVLeft
		impl.Dlacpy(blas.Lower, n, n, a.Data, lda, vl.Data, vl.Stride)
		orghr(n, ilo, ihi, vl.Data, vl.Stride, tau, work, lwork)
		first = hseqr(true, true, n, ilo, ihi, a.Data, lda, wr, wi, vl.Data, vl.Stride, work, lwork, aedRecur)
		if wantvr {
			side = lapack.EVBoth
			impl.Dlacpy(blas.All, n, n, vl.Data, vl.Stride, vr.Data, vr.Stride)
		}
	case wantvr:
		impl.Dlacpy(blas.Lower, n, n, a.Data, lda, vr.Data, vr.Stride)
		orghr(n, ilo, ihi, vr.Data, vr.Stride, tau, work, lwork)
		first = hseqr(true, true, n, ilo, ihi, a.Data, lda, wr, wi, vr.Data, vr.Stride, work, lwork, aedRecur)
	default:
		first = hseqr(false, false, n, ilo, ihi, a.Data, lda, wr, wi, nil, 1, work, lwork, aedRecur)
	}

	if first > 0 {
		if scalea {
			impl.Dlascl(lapack.General, 0, 0, cscale, anrm, n-first, 1, wr[first:], 1)
			impl.Dlascl(lapack.General, 0, 0, cscale, anrm, n-first, 1, wi[first:], 1)
			impl.Dlascl(lapack.General, 0, 0, cscale, anrm, ilo, 1, wr, 1)
			impl.Dlascl(lapack.General, 0, 0, cscale, anrm, ilo, 1, wi, 1)
		}
		return fmt.Errorf("%w: %d of %d eigenvalues found", ErrNotConverged, n-first, n)
	}

	if wantvr && !wantvl {
		// Right vectors only: our port of Dtrevc3 for row-major memory.
		trevcRight(n, a.Data, lda, vr.Data, vr.Stride)
	} else if wantvl || wantvr {
		vld, ldvl := []float64{0}, 1
		if wantvl {
			vld, ldvl = vl.Data, vl.Stride
		}
		vrd, ldvr := []float64{0}, 1
		if wantvr {
			vrd, ldvr = vr.Data, vr.Stride
		}
		impl.Dtrevc3(side, lapack.EVAllMulQ, nil, n, a.Data, lda, vld, ldvl, vrd, ldvr, n, work, trevcWork(side, n, a.Data, lda, lwork))
	}
	if wantvl {
		impl.Dgebak(lapack.PermuteScale, lapack.EVLeft, n, ilo, ihi, scale, n, vl.Data, vl.Stride)
		normalize(n, wi, vl.Data, vl.Stride, work)
	}
	if wantvr {
		impl.Dgebak(lapack.PermuteScale, lapack.EVRight, n, ilo, ihi, scale, n, vr.Data, vr.Stride)
		normalize(n, wi, vr.Data, vr.Stride, work)
	}
	if scalea {
		impl.Dlascl(lapack.General, 0, 0, cscale, anrm, n, 1, wr, 1)
		impl.Dlascl(lapack.General, 0, 0, cscale, anrm, n, 1, wi, 1)
	}
	return nil
}

// normalize scales each eigenvector (columns of v, pairs as in Geev) to unit
// Euclidean norm and, for complex vectors, rotates it so that its largest
// component is real, as dgeev does.
func normalize(n int, wi []float64, v []float64, ldv int, work []float64) {
	bi := blas64.Implementation()
	for i, wii := range wi {
		if wii < 0 {
			continue
		}
		if wii == 0 {
			bi.Dscal(n, 1/bi.Dnrm2(n, v[i:], ldv), v[i:], ldv)
			continue
		}
		scl := 1 / math.Hypot(bi.Dnrm2(n, v[i:], ldv), bi.Dnrm2(n, v[i+1:], ldv))
		bi.Dscal(n, scl, v[i:], ldv)
		bi.Dscal(n, scl, v[i+1:], ldv)
		for k := 0; k < n; k++ {
			a, b := v[k*ldv+i], v[k*ldv+i+1]
			work[k] = a*a + b*b
		}
		k := bi.Idamax(n, work[:n], 1)
		cs, sn, _ := impl.Dlartg(v[k*ldv+i], v[k*ldv+i+1])
		bi.Drot(n, v[i:], ldv, v[i+1:], ldv, cs, sn)
		v[k*ldv+i+1] = 0
	}
}

// hseqr is LAPACK's DHSEQR for the balanced Hessenberg matrix h whose active
// block is [ilo, ihi]: eigenvalues only (wantt = wantz = false) or the Schur
// form T in h and, with wantz, the Schur vectors accumulated into z (which
// holds the orthogonal matrix of the Hessenberg reduction on entry, as
// compz = 'V'). It returns 0 on success, otherwise dhseqr's INFO (the
// 0-based index after the last eigenvalue that failed).
func hseqr(wantt, wantz bool, n, ilo, ihi int, h []float64, ldh int, wr, wi []float64, z []float64, ldz int, work []float64, lwork int, aedRecur int) int {
	if n <= nmin {
		// Dlahqr territory, where gonum's Iparmq agrees with LAPACK's
		// on everything that matters: use gonum's Dhseqr as it is.
		job, compz := lapack.EigenvaluesOnly, lapack.SchurNone
		if wantt {
			job = lapack.EigenvaluesAndSchur
		}
		if wantz {
			compz = lapack.SchurOrig
		}
		if ldz < 1 || z == nil {
			z, ldz = []float64{0}, 1
		}
		return impl.Dhseqr(job, compz, n, ilo, ihi, h, ldh, wr, wi, z, ldz, work, lwork)
	}
	// Eigenvalues isolated by balancing.
	for i := 0; i < ilo; i++ {
		wr[i], wi[i] = h[i*ldh+i], 0
	}
	for i := ihi + 1; i < n; i++ {
		wr[i], wi[i] = h[i*ldh+i], 0
	}
	var info int
	if ilo == ihi {
		wr[ilo], wi[ilo] = h[ilo*ldh+ilo], 0
	} else {
		info = laqr0(wantt, wantz, n, ilo, ihi, h, ldh, wr[:ihi+1], wi[:ihi+1], ilo, ihi, z, ldz, work, lwork, 1, aedRecur)
	}
	if (wantt || info > 0) && n > 2 {
		impl.Dlaset(blas.Lower, n-2, n-2, 0, 0, h[2*ldh:], ldh)
	}
	return info
}

// hseqrWork returns the workspace hseqr needs.
func hseqrWork(want bool, n, ilo, ihi int, aedRecur int) int {
	if n <= nmin {
		job, compz := lapack.EigenvaluesOnly, lapack.SchurNone
		if want {
			job, compz = lapack.EigenvaluesAndSchur, lapack.SchurOrig
		}
		q := []float64{0}
		impl.Dhseqr(job, compz, n, ilo, ihi, nil, n, nil, nil, nil, n, q, -1)
		return max(n, int(q[0]))
	}
	return max(n, laqr0Work(want, want, n, ilo, ihi, aedRecur))
}
