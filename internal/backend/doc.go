// Package backend selects the dense linear-algebra engine behind fpfind:
// gonum's pure-Go BLAS and LAPACK (the default build), or OpenBLAS and
// LAPACK through cgo when the program is built with the tag openblas.
//
// The default build needs nothing installed. The fast build needs Debian's
// libopenblas-dev and liblapacke-dev and a C compiler:
//
//	apt-get install -y libopenblas-dev liblapacke-dev
//	go build -tags openblas ./cmd/fpfind
//
// The link flags (-llapacke -lopenblas) come from this package's cgo
// directives; no CGO_* variable is needed.
//
// # What the package offers
//
// [Name] says which engine was compiled in. [Install] routes gonum's
// blas64 and lapack64 to gonum.org/v1/netlib (CBLAS and LAPACKE on
// OpenBLAS) under the tag and does nothing otherwise, so every mat.Dense
// product in the program runs on OpenBLAS after one call from main.
// [EigenSolver] returns the build's dense eigen-solver for
// linearize.Default: Solver (dgeev from OpenBLAS) under the tag, nil in the
// pure-Go build, whose best solver, internal/eigen's, is already
// linearize's default. [LU] factorizes and solves the dense Newton system
// (OpenBLAS's dgetrf/dgetrs under the tag, gonum's otherwise). A program
// wires the package once, at the top of main:
//
//	backend.Install()
//	if s := backend.EigenSolver(); s != nil {
//		linearize.Default = s
//	}
//	backend.SetThreads(1) // when goroutines solve in parallel
//
// # Row-major memory handed to column-major LAPACK
//
// gonum stores matrices row-major, LAPACK column-major. LAPACKE's row-major
// wrappers transpose every matrix argument in and out, which costs a copy
// and, for LU, made it 1.7-2x slower than numpy. This package calls the
// Fortran routines directly on the caller's memory instead. The row-major
// N x N array of A, read column-major, is A^T; so
//
//   - dgeev on A^T gives the eigenvalues of A (A and A^T share them). A left
//     eigenvector y of A^T (y^H A^T = λ y^H) satisfies A conj(y) = λ conj(y),
//     and a right eigenvector x of A^T satisfies conj(x)^H A = λ conj(x)^H.
//     So A's right vectors are the conjugated left vectors of A^T and vice
//     versa: Solver asks dgeev for the opposite side, writes it straight
//     into the caller's matrix, transposes that in place (LAPACK's columns
//     land in rows) and negates the imaginary column of each complex pair.
//     The O(N^2) fix-up is negligible next to the O(N^3) solve, and the
//     input is never copied.
//   - dgetrf on the same memory factors J^T = P L U; J x = b is then
//     (J^T)^T x = b, solved by dgetrs with trans = 'T'.
//
// # Threads
//
// OpenBLAS runs its own thread pool (Debian's default library is the
// pthread build). When several goroutines factorize or multiply at once,
// each call would start as many threads as there are cores, oversubscribing
// the machine: call [SetThreads](1) first, the equivalent of
// OPENBLAS_NUM_THREADS=1 (that variable is read only when the library
// loads, before Go's main runs, so setting it with os.Setenv has no
// effect). [SetThreads] and [Threads] do nothing in the pure-Go build,
// where gonum's Dgemm sizes its own goroutine pool.
//
// OpenBLAS's results are bit-identical from run to run at a fixed thread
// count, but differ in rounding between thread counts (eigenvalues may even
// come out in another order). A program that must print the same output
// whatever its number of workers should therefore fix the count, not tie it
// to the workers: SetThreads(1) unconditionally is the simple choice.
//
// References: E. Anderson et al., LAPACK Users' Guide, 3rd ed., SIAM 1999
// (dgeev, dgetrf, dgetrs; column-major storage); OpenBLAS,
// https://github.com/OpenMathLib/OpenBLAS (openblas_set_num_threads).
package backend
