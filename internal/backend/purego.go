//go:build !openblas

package backend

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

// EigenSolver returns nil in the pure-Go build: internal/eigen's dgeev,
// which a nil linearize.Settings.Solver selects, is already the best
// pure-Go eigen-solver. Under the tag openblas it returns Solver.
func EigenSolver() Geever { return nil }

// Factorizer returns nil in the pure-Go build: fixedpoint's own blocked LU,
// which a nil fixedpoint.Settings.LU selects, is the fastest pure-Go one.
// Under the tag openblas it returns LAPACK's dgetrf.
func Factorizer() func(n int, a []float64, piv []int) bool { return nil }
