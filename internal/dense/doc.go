// Package dense holds fpfind's dense linear solves on row-major n x n
// matrices stored in a []float64 of n*n elements (element (i, j) at
// a[i*n+j]): the LU factorisation with partial pivoting ([Factorize],
// LAPACK's dgetrf conventions), the solves with its factors ([SolveLU],
// with the reciprocals of U's diagonal from [InvDiag] or [FactorizeInv]),
// and the Cholesky factorisation with its solve ([Cholesky], gonum's
// Dpotrf, and [SolveCholesky]). fixedpoint's Newton and
// Levenberg-Marquardt steps and its refinement of slow points run on them.
//
// They exist beside gonum's Dgetrf and Dtrsv because those are slow on the
// sizes fixedpoint factorises (N = 64 to 1024): Dgetrf's trailing update
// goes through a pure-Go Dgemm without fused multiply-add, and Dtrsv sums
// each row with one scalar accumulator, a chain of dependent additions.
// Here the trailing update and the off-diagonal rectangles of the
// triangular solves are products of internal/kernel; only the small
// triangles on the diagonal are scalar loops. The factors agree with
// Dgetrf's to rounding, with the same pivots (the tests check both).
//
// Nothing here allocates per call except [Factorize], whose panel buffer
// is kept in a sync.Pool across calls. The functions are safe for
// concurrent use on distinct matrices. A slice shorter than the size it is
// given (a below n*n, piv, inv or b below n) makes them panic.
//
// internal/eigen shares none of this: its dense work (Hessenberg
// reduction, Schur form, Krylov-Schur restarts) uses gonum's LAPACK
// routines, not an LU or these solves.
package dense
