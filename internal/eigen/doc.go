// Package eigen holds fpfind's pure-Go eigen-solvers: a dense one for the
// whole spectrum of a real matrix, and a matrix-free one for the few
// eigenvalues that decide stability.
//
// # Dense: Solver, Geev, Factorize
//
// [Solver.Geev] is LAPACK's DGEEV (Anderson et al., LAPACK Users' Guide,
// 3rd ed., SIAM 1999): scale A into a safe range, balance it (permute and
// scale, DGEBAL), reduce it to upper Hessenberg form H = Q^T A Q (DGEHRD,
// DORGHR), compute the real Schur form H = Z T Z^T by the small-bulge
// multishift QR algorithm with aggressive early deflation (DHSEQR, DLAQR0;
// Braman, Byers and Mathias, SIAM J. Matrix Anal. Appl. 23(4), 2002, parts I
// and II), solve for the eigenvectors of T and transform them back (DTREVC3,
// DGEBAK), and normalise each to unit norm with its largest component real.
// The steps are gonum's exported LAPACK kernels
// (gonum.org/v1/gonum/lapack/gonum.Implementation: Dgebal, Dorg2r, Dlarfb,
// Dtrevc3, Dgebak, ...), except that this package supplies the drivers
// DHSEQR and DLAQR0, DGEHRD and DORGHR (see below) and its own ports of the
// kernels of the QR iteration, where nearly all the time of a values-only
// decomposition goes at the orders fpfind meets most (N = 100 to 500):
// DLAQR5 (the multishift sweep), DLAQR2/3 (aggressive early deflation),
// DLAHQR (the double-shift QR of the deflation windows), DTREXC and DLAEXC
// (the reordering of the windows' Schur forms) and DLANV2, and of DTREVC3's
// right eigenvectors (trevcRight: T's columns copied once as rows, so that
// the back-substitutions run on contiguous memory). They are gonum's step
// for step (the tests compare them with gonum's), written for speed:
// reflectors of two and three elements are generated with a direct sum of
// squares instead of Dnrm2 and math.Hypot (gonum's Dlarfg is the fallback
// at extreme scales); applied to three rows, they go through
// internal/kernel's Reflect3 (AVX2 and FMA); the block swaps work on the
// stack where gonum's allocate at each call; and the orthogonal matrices
// that DLAQR5 and the deflation windows accumulate are held transposed, so
// that accumulating a reflection or rotation updates contiguous rows
// instead of strided columns. At N = 200 a values-only decomposition takes
// about 40% less time than with gonum's kernels, about numpy's time
// (bench/eigen_results.md).
//
// Why our own drivers: gonum v0.17.0's Iparmq chooses the number of
// simultaneous shifts with a Go switch whose first true case wins, where
// reference LAPACK's IPARMQ has successive IF statements of which the last
// true one wins. Every active block of order 30 or more therefore gets 4
// shifts and a deflation window of 4 (6 above order 500), so gonum's DLAQR0
// runs as a slow double-shift-like iteration and Dlaqr5 never accumulates
// its reflections for matrix-matrix products. Here the shifts are LAPACK's:
// 4 from order 30, 10 from 60, about n/log2(n) from 150, 64 from 590, 128
// from 3000 and 256 from 6000, with a window of 3/2 of that above order 500
// (see UPSTREAM.md for the bug report). Because gonum's methods call gonum's
// Iparmq internally, the aggressive-early-deflation window itself (at most
// 3/2 × 64 = 96 before order 3000) is reduced by Dlahqr, as LAPACK's DLAQR2
// does, unless [Solver.WindowQR] asks for gonum's Dlaqr04 there.
//
// The Hessenberg reduction is gonum's DGEHRD/DLAHR2/DGEHD2 with one change:
// the Householder vector, a column of the row-major matrix, is copied into
// contiguous memory before the large matrix-vector products with the
// trailing matrix, which gonum performs with a stride of n, and those
// products (and the rank-one updates of the unblocked columns) go through
// internal/kernel's AVX2 kernels. They are the memory-bound, level-2 part of
// the reduction; contiguous, the product runs about 4 times faster at n =
// 2048, and values-only Geev takes 20–30 % less time.
//
// Two of gonum v0.17.0's kernels fail on matrices with an eigenvalue
// repeated to working precision, as J = D W - I has for a W of low rank (-1,
// n - rank(W) times), which is why the eigenvectors take two detours (see
// UPSTREAM.md for both bugs). Dlarft, which Dorghr's blocked Dorgqr calls,
// forgets the first reflector's last nonzero row after the second reflector,
// so Q is not orthogonal when a reflector ends in an exact zero (|Q^T Q - I|
// up to 1e-3 at n = 256): Q is formed by this package's DORGHR, gonum's with
// that line corrected, which gives gonum's bits wherever gonum's are right.
// Dlaln2 stores half its solution at the wrong offset when it replaces a
// complex 2×2 system that is singular to working precision by smin I, which
// makes Dtrevc3's blocked back-transformation index out of range: when the
// Schur form reaches that branch (a complex pair with an imaginary part
// below about ulp |lambda| meeting another 2×2 block equal to lambda I to
// within smin), Dtrevc3 is given the workspace of its unblocked path, which
// solves the same systems and back-transforms each vector on its own. (Right
// vectors alone go through trevcRight, which hands Dlaln2 arrays of equal
// leading dimensions, where the slip cannot happen.)
//
// [Solver.Geev] has the signature of linearize.Eigensolver, so a Solver can
// replace linearize's default. [Factorize] wraps it for a mat.Matrix and
// returns complex eigenvalues and vectors.
//
// # Matrix-free: Leading
//
// [Leading] computes the k eigenvalues of largest real part (or modulus) of
// an operator known only through products v -> A v, and their right
// eigenvectors, by the Krylov–Schur method (G. W. Stewart, A Krylov–Schur
// algorithm for large eigenproblems, SIAM J. Matrix Anal. Appl. 23(3), 2001,
// 601–614). It keeps a Krylov decomposition
//
//	A V_p = V_p B_p + v_{p+1} b^T,   V_{p+1}^T V_{p+1} = I,
//
// expands it to order m by Arnoldi steps (classical Gram–Schmidt applied
// twice, which keeps V orthonormal to working precision), computes the real
// Schur form B_m = Q T Q^T, moves the most wanted Ritz values to the top of
// T by orthogonal swaps of diagonal blocks (LAPACK's DTREXC, which keeps
// complex conjugate pairs together in 2×2 blocks), and truncates to the
// leading p of them, p = kk + (m - kk)/2 with kk = k (k + 1 when the k-th
// value is the first of a conjugate pair). The truncated decomposition has
// the same form, so the expansion restarts from it.
//
// Convergence and locking: after the reordering, the i-th Schur vector
// x_i = V q_i satisfies A [x_1..x_i] = [x_1..x_i] T_ii + v_{m+1} b_{1..i}^T,
// so the leading Schur vectors span an invariant subspace up to the
// residual |b_i|. The leading block is locked (its b entries set to zero,
// and later Schur forms and reorderings only act on the active part below
// it) once |b_i| <= Tol × normA / sqrt(kk), where normA is the largest
// |A v| over the unit vectors v multiplied so far (a lower bound of |A|_2);
// a Ritz vector x = V y of the locked block then has
// |A x - lambda x| <= |b_locked| |y| <= Tol × normA. The run ends
// when the kk wanted values are locked. The returned Ritz pairs (lambda, x)
// carry their residuals |A x - lambda x| recomputed with the operator, and
// the status is converged only if every one is at most Tol × normA.
//
// Rightmost eigenvalues of J = -I + D W are exterior in the complex plane
// (the shift by -I does not change their position relative to the rest), so
// Krylov–Schur finds them without a shift-invert transform; when they sit on
// the rim of a crowded disc, as for a random network at the edge of chaos,
// convergence is slower and a larger Subspace helps. Krylov methods can miss
// an eigenvalue whose eigenvector is nearly orthogonal to the start vector;
// a random start makes this unlikely, and a different Seed is the remedy.
package eigen
