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
*/
import "C"

import (
	"fmt"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	netblas "gonum.org/v1/netlib/blas/netlib"
	netlapack "gonum.org/v1/netlib/lapack/netlib"
)

const (
	errShape  = "backend: matrix is not square"
	errLength = "backend: slice length mismatch"
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

// EigenSolver returns [Solver]{}, for linearize.Settings.Solver. In the
// pure-Go build it returns nil.
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

// Factorizer returns LAPACK's dgetrf from OpenBLAS in the form
// fixedpoint.Settings.LU takes (in the pure-Go build it returns nil): it
// overwrites the row-major n x n matrix a with its LU factorisation with
// partial pivoting, P A = L U, with dgetrf's conventions (unit lower L and
// U in a, piv[i] the row interchanged with row i, 0-based), and reports
// whether U is nonsingular. It is safe for concurrent use.
func Factorizer() func(n int, a []float64, piv []int) bool { return getrf }

// getrf is [Factorizer]'s function. dgetrf works on column-major memory, so
// a is transposed in place, factorised and transposed back: the arithmetic
// of LAPACKE's row-major dgetrf, without its copy of the matrix.
func getrf(n int, a []float64, piv []int) bool {
	if len(a) < n*n || len(piv) < n {
		panic(errLength)
	}
	if n == 0 {
		return true
	}
	ipiv := make([]C.lapack_int, n)
	transpose(n, a, n)
	info := C.fp_dgetrf(C.int(n), (*C.double)(&a[0]), C.int(n), &ipiv[0])
	transpose(n, a, n)
	if info < 0 {
		panic(fmt.Sprintf("backend: dgetrf argument %d invalid", -int(info)))
	}
	for i, p := range ipiv {
		piv[i] = int(p) - 1
	}
	return info == 0
}
