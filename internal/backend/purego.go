//go:build !openblas

package backend

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// Name returns the engine compiled in: "pure-go" in this build.
func Name() string { return "pure-go" }

// Install does nothing in the pure-Go build: gonum's blas64 and lapack64
// already use gonum's own implementations. With the tag openblas it routes
// them to OpenBLAS.
func Install() {}

// SetThreads does nothing in the pure-Go build (it sets OpenBLAS's thread
// count under the tag openblas). n < 1 panics in both builds.
func SetThreads(n int) {
	if n < 1 {
		panic("backend: thread count < 1")
	}
}

// Threads returns 0 in the pure-Go build, where no BLAS thread pool is
// under this package's control.
func Threads() int { return 0 }

// EigenSolver returns nil in the pure-Go build: linearize.Default
// (internal/eigen's dgeev) is already the best pure-Go eigen-solver, so the
// caller keeps it. Under the tag openblas it returns Solver.
func EigenSolver() Geever { return nil }

// LU is the LU factorization with partial pivoting of a square row-major
// matrix, kept in place in the caller's memory (gonum's dgetrf and dgetrs
// in this build). The zero value is ready for [LU.Factorize].
type LU struct {
	a    blas64.General
	ipiv []int
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
		lu.ipiv = make([]int, n)
	}
	lu.ipiv = lu.ipiv[:n]
	if n == 0 {
		lu.ok = true
		return nil
	}
	if !lapack64.Getrf(a, lu.ipiv) {
		for i := 0; i < n; i++ {
			if a.Data[i*a.Stride+i] == 0 {
				return fmt.Errorf("%w: zero pivot in column %d of %d", ErrSingular, i, n)
			}
		}
		return ErrSingular
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
	lapack64.Getrs(blas.NoTrans, lu.a, blas64.General{Rows: n, Cols: 1, Stride: 1, Data: b}, lu.ipiv)
}
