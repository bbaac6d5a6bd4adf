//go:build !openblas

package backend

import "gonum.org/v1/gonum/blas/blas64"

// Name returns the engine compiled in: "pure-go" in this build.
func Name() string { return "pure-go" }

// Install routes gonum's blas64 (and so gonum's pure-Go LAPACK and
// gonum/mat, which call it) to gonum's own BLAS with Dgemm replaced by
// internal/kernel's matrix product (fastBLAS): the trailing updates inside
// every dense spectrum take 3-6 times less CPU.
// Call it once from main before any computation; it is not safe to call
// concurrently with BLAS use. With the tag openblas it routes blas64 and
// lapack64 to OpenBLAS.
func Install() { blas64.Use(fastBLAS{}) }

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

// EigenSolver returns nil in the pure-Go build: internal/eigen's dgeev,
// which a nil linearize.Settings.Solver selects, is already the best
// pure-Go eigen-solver. Under the tag openblas it returns Solver.
func EigenSolver() Geever { return nil }

// Factorizer returns nil in the pure-Go build: fixedpoint's own blocked LU,
// which a nil fixedpoint.Settings.LU selects, is the fastest pure-Go one.
// Under the tag openblas it returns LAPACK's dgetrf.
func Factorizer() func(n int, a []float64, piv []int) bool { return nil }
