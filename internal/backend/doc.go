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
// [Name] says which engine was compiled in. [EigenSolver] and [Factorizer]
// return the build's dense eigen-solver and LU factorisation, as values for
// linearize.Settings.Solver and fixedpoint.Settings.LU: under the tag,
// [Solver] (LAPACK's dgeev) and LAPACK's dgetrf; in the pure-Go build nil,
// which those settings take as their own pure-Go defaults (internal/eigen's
// dgeev and fixedpoint's blocked LU, the fastest in pure Go). [Install]
// routes gonum's blas64 and lapack64 to gonum.org/v1/netlib (CBLAS and
// LAPACKE on OpenBLAS) under the tag, so that the other dense operations of
// gonum/mat run on OpenBLAS too; in the pure-Go build it routes blas64 to
// gonum's BLAS with internal/kernel's matrix product as Dgemm, which
// gonum's pure-Go LAPACK (inside internal/eigen's dgeev) and gonum/mat
// call. A program wires the package once, in main, before any computation,
// and passes the values on through the settings:
//
//	backend.Install()
//	backend.SetThreads(1) // when goroutines solve in parallel
//	eig := linearize.Settings{Solver: backend.EigenSolver()}
//	newton := fixedpoint.Settings{LU: backend.Factorizer()}
//
// Nothing in the package acts on its own: no init function, no variable
// another package reads.
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
//   - dgetrf must give the factors of A itself, in the row-major layout its
//     callers read (P A = L U), so [Factorizer]'s function transposes the
//     matrix in place, factorises it and transposes it back: O(N^2) moves
//     around O(N^3) flops, and no copy.
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
// whose Dgemm after [Install] runs on the calling goroutine (gonum's own
// starts goroutines for 64 x 64 blocks).
//
// OpenBLAS's results are bit-identical from run to run at a fixed thread
// count, but differ in rounding between thread counts (eigenvalues may even
// come out in another order). A program that must print the same output
// whatever its number of workers should therefore fix the count, not tie it
// to the workers: SetThreads(1) unconditionally is the simple choice.
//
// References: E. Anderson et al., LAPACK Users' Guide, 3rd ed., SIAM 1999
// (dgeev, dgetrf; column-major storage); OpenBLAS,
// https://github.com/OpenMathLib/OpenBLAS (openblas_set_num_threads).
package backend
