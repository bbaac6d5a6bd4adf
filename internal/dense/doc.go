// Package dense holds fpfind's dense linear solves on row-major n x n
// matrices stored in a []float64 of n*n elements (element (i, j) at
// a[i*n+j]): the LU factorisation with partial pivoting ([Factorize],
// LAPACK's dgetrf conventions), the solves with its factors ([SolveLU],
// with the reciprocals of U's diagonal from [InvDiag] or [FactorizeInv]),
// and the Cholesky factorisation with its solve ([Cholesky], with
// Dpotrf's conventions for the upper triangle, and [SolveCholesky], or
// its halves [SolveUpper] and [SolveUpperT], with which fixedpoint's
// preconditioned L-BFGS works in the variables z = U x).
// fixedpoint's Newton and Levenberg-Marquardt steps and its refinement of
// slow points run on them, and attractor's projections.
//
// They exist beside gonum's Dgetrf, Dpotrf and Dtrsv because those are
// slow on the sizes fixedpoint factorises (N = 64 to 1024): the trailing
// updates of Dgetrf and Dpotrf go through a pure-Go Dgemm and Dsyrk
// without fused multiply-add, and Dtrsv sums each row with one scalar
// accumulator, a chain of dependent additions. Here the trailing updates
// and the off-diagonal rectangles of the triangular solves are products of
// internal/kernel; only the small triangles on the diagonal are scalar
// loops. The factors agree with Dgetrf's (with the same pivots) and
// Dpotrf's to rounding (the tests check it). OpenBLAS's single-threaded
// dpotrf took 0.38, 20 and 123 ms at N = 200, 1024 and 2048 where
// [Cholesky] took 0.12, 11.5 and 85 ms, so the OpenBLAS build shares it.
//
// Nothing here allocates per call except [Factorize] and [Cholesky], whose
// buffers are kept in a sync.Pool across calls. The functions are safe for
// concurrent use on distinct matrices. A slice shorter than the size it is
// given (a below n*n, piv, inv or b below n) makes them panic.
//
// internal/eigen shares none of this: its dense work (Hessenberg
// reduction, Schur form, Krylov-Schur restarts) uses gonum's LAPACK
// routines, not an LU or these solves.
package dense
