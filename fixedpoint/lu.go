package fixedpoint

// Factorizer computes in place the LU factorisation with partial pivoting,
// P A = L U, of the row-major n x n matrix a, with LAPACK's dgetrf
// conventions (unit lower L and U in a, piv[i] the row interchanged with
// row i, 0-based), and reports whether U is nonsingular. The default is
// internal/dense's blocked LU (dense.Factorize).
type Factorizer func(n int, a []float64, piv []int) bool
