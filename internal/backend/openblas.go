//go:build openblas

package backend

/*
#cgo LDFLAGS: -llapacke -lopenblas
#include <lapack.h>

void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

static int fp_dgeev(char jobvl, char jobvr, int n, double *a, int lda,
		double *wr, double *wi, double *vl, int ldvl, double *vr, int ldvr,
		double *work, int lwork) {
	lapack_int nn = n, la = lda, lvl = ldvl, lvr = ldvr, lw = lwork, info = 0;
	LAPACK_dgeev(&jobvl, &jobvr, &nn, a, &la, wr, wi, vl, &lvl, vr, &lvr,
		work, &lw, &info);
	return info;
}

static int fp_dgetrf(int n, double *a, int lda, lapack_int *ipiv) {
	lapack_int nn = n, la = lda, info = 0;
	LAPACK_dgetrf(&nn, &nn, a, &la, ipiv, &info);
	return info;
}

static int fp_dgetrs(char trans, int n, int nrhs, double *a, int lda,
		lapack_int *ipiv, double *b, int ldb) {
	lapack_int nn = n, nr = nrhs, la = lda, lb = ldb, info = 0;
	LAPACK_dgetrs(&trans, &nn, &nr, a, &la, ipiv, b, &lb, &info);
	return info;
}
*/
import "C"

import (
	"fmt"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	netblas "gonum.org/v1/netlib/blas/netlib"
	netlapack "gonum.org/v1/netlib/lapack/netlib"
)

// Name returns the engine compiled in: "openblas" in this build.
func Name() string { return "openblas" }

// Install routes gonum's blas64 and lapack64 packages (and so gonum/mat)
// to OpenBLAS through gonum.org/v1/netlib. Call it once from main before
// any computation; it is not safe to call concurrently with BLAS use.
func Install() {
	blas64.Use(netblas.Implementation{})
	lapack64.Use(netlapack.Implementation{})
}

// SetThreads sets the number of threads OpenBLAS uses inside one call, as
// OPENBLAS_NUM_THREADS would at start-up. Call SetThreads(1) before solving
// from several goroutines at once. n < 1 panics.
func SetThreads(n int) {
	if n < 1 {
		panic("backend: thread count < 1")
	}
	C.openblas_set_num_threads(C.int(n))
}

// Threads returns the number of threads OpenBLAS uses inside one call.
func Threads() int { return int(C.openblas_get_num_threads()) }

// EigenSolver returns [Solver]{}, to be assigned to linearize.Default.
// In the pure-Go build it returns nil.
func EigenSolver() Geever { return Solver{} }

var _ Geever = Solver{}

// Solver is the linearize.Eigensolver of this build (built only with the
// tag openblas): LAPACK's dgeev from
// OpenBLAS, called on the caller's row-major memory read as the transposed
// matrix (see the package documentation), without LAPACKE's copies.
type Solver struct{}

// Geev computes the eigenvalues of the row-major n x n matrix a, which it
// overwrites, into wr and wi, and the right (vr.Rows > 0) and left
// (vl.Rows > 0) eigenvectors in LAPACK's dgeev layout, row-major: see
// linearize.Eigensolver. It returns an error when the QR iteration did not
// converge.
func (Solver) Geev(a blas64.General, wr, wi []float64, vl, vr blas64.General) error {
	n := a.Rows
	if a.Cols != n {
		panic(errShape)
	}
	if len(wr) != n || len(wi) != n {
		panic(errLength)
	}
	if n == 0 {
		return nil
	}
	wantR, wantL := vr.Rows > 0, vl.Rows > 0
	var dummy [1]float64
	// dgeev on A^T: its left vectors give A's right ones and vice versa.
	jobl, jobr := C.char('N'), C.char('N')
	pl, ldl := &dummy[0], 1
	pr, ldr := &dummy[0], 1
	if wantR {
		if vr.Rows != n || vr.Cols != n {
			panic(errShape)
		}
		jobl, pl, ldl = 'V', &vr.Data[0], vr.Stride
	}
	if wantL {
		if vl.Rows != n || vl.Cols != n {
			panic(errShape)
		}
		jobr, pr, ldr = 'V', &vl.Data[0], vl.Stride
	}
	var q [1]float64
	info := C.fp_dgeev(jobl, jobr, C.int(n), (*C.double)(&a.Data[0]), C.int(a.Stride),
		(*C.double)(&wr[0]), (*C.double)(&wi[0]),
		(*C.double)(pl), C.int(ldl), (*C.double)(pr), C.int(ldr),
		(*C.double)(&q[0]), -1)
	if info != 0 {
		panic(fmt.Sprintf("backend: dgeev workspace query returned info %d", int(info)))
	}
	work := make([]float64, max(int(q[0]), 4*n))
	info = C.fp_dgeev(jobl, jobr, C.int(n), (*C.double)(&a.Data[0]), C.int(a.Stride),
		(*C.double)(&wr[0]), (*C.double)(&wi[0]),
		(*C.double)(pl), C.int(ldl), (*C.double)(pr), C.int(ldr),
		(*C.double)(&work[0]), C.int(len(work)))
	switch {
	case info < 0:
		panic(fmt.Sprintf("backend: dgeev argument %d invalid", -int(info)))
	case info > 0:
		return fmt.Errorf("backend: dgeev did not converge (%d of %d eigenvalues found)", n-int(info), n)
	}
	if wantR {
		transposeConj(n, vr.Data, vr.Stride, wi)
	}
	if wantL {
		transposeConj(n, vl.Data, vl.Stride, wi)
	}
	return nil
}

// LU is the LU factorization with partial pivoting of a square row-major
// matrix, kept in place in the caller's memory: LAPACK's dgetrf applied to
// that memory factors the transpose, and [LU.SolveVec] solves with
// dgetrs(trans = 'T'). The zero value is ready for [LU.Factorize].
type LU struct {
	a    blas64.General
	ipiv []C.lapack_int
	ok   bool
}

// Factorize computes the LU factorization of the n x n row-major matrix a,
// overwriting a, which LU keeps for later solves (the caller must not
// modify it meanwhile). It returns an error wrapping [ErrSingular] when a
// pivot is exactly zero; the factors are then unusable.
func (lu *LU) Factorize(a blas64.General) error {
	n := a.Rows
	if a.Cols != n {
		panic(errShape)
	}
	lu.a, lu.ok = a, false
	if cap(lu.ipiv) < n {
		lu.ipiv = make([]C.lapack_int, n)
	}
	lu.ipiv = lu.ipiv[:n]
	if n == 0 {
		lu.ok = true
		return nil
	}
	info := C.fp_dgetrf(C.int(n), (*C.double)(&a.Data[0]), C.int(a.Stride), &lu.ipiv[0])
	switch {
	case info < 0:
		panic(fmt.Sprintf("backend: dgetrf argument %d invalid", -int(info)))
	case info > 0:
		return fmt.Errorf("%w: zero pivot in column %d of %d", ErrSingular, int(info)-1, n)
	}
	lu.ok = true
	return nil
}

// SolveVec overwrites b (length n) with the solution x of A x = b for the
// matrix A last factorized.
func (lu *LU) SolveVec(b []float64) {
	if !lu.ok {
		panic(errNoLU)
	}
	n := lu.a.Rows
	if len(b) != n {
		panic(errLength)
	}
	if n == 0 {
		return
	}
	info := C.fp_dgetrs('T', C.int(n), 1, (*C.double)(&lu.a.Data[0]), C.int(lu.a.Stride),
		&lu.ipiv[0], (*C.double)(&b[0]), C.int(n))
	if info != 0 {
		panic(fmt.Sprintf("backend: dgetrs argument %d invalid", -int(info)))
	}
}
