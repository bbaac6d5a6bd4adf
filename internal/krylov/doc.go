// Package krylov solves large linear systems A x = b when A is available
// only through products v -> A v: restarted GMRES(m) with an optional right
// preconditioner, for the Newton steps J d = -F of fpfind at large N, where
// J = diag(1/tau) (-I + diag(phi'(x)) W) costs one O(N^2) product with W
// and forming and factorising it would cost O(N^3).
//
// # Method
//
// GMRES (Saad and Schultz, SIAM J. Sci. Stat. Comput. 7(3), 1986) builds an
// orthonormal basis V_j of the Krylov space span{r0, A r0, ..., A^{j-1} r0}
// by the Arnoldi process, A V_j = V_{j+1} Hbar_j, and picks
// x = x0 + V_j y minimising |b - A x|_2 = |beta e_1 - Hbar_j y|_2. The
// (j+1) x j Hessenberg matrix Hbar_j is reduced to triangular form by Givens
// rotations as it grows, so the residual norm |g_{j+1}| of each step is
// known without forming x (the History of a Result). Orthogonalisation is
// modified Gram-Schmidt with one more pass when the first cancels more than
// a factor 1/sqrt(2) of |A v_j| ("twice is enough": Giraud, Langou and
// Rozloznik, Comput. Math. Appl. 50, 2005). After m steps, or when the
// estimate reaches the tolerance, x is updated, the true residual
// b - A x is computed with one more product, and the method stops or
// restarts from x (GMRES(m)). Stopping is always decided on that true
// residual, relative to |b|_2.
//
// With a right preconditioner M^-1 the method runs on A M^-1 u = b and
// returns x = x0 + M^-1 V_j y (Saad, Iterative Methods for Sparse Linear
// Systems, 2nd ed., SIAM 2003, section 9.3.2): one application of M^-1 per
// step plus one per cycle, and the residual minimised is that of the
// original system.
//
// A breakdown h_{j+1,j} = 0 means the Krylov space is invariant under A:
// when A is nonsingular there, the solution in it is exact and the run ends
// as Converged ("happy breakdown", e.g. A = I + u v^T after at most two
// steps); when A is singular on it, the run ends as Breakdown with the best
// iterate it found.
//
// # Cost
//
// Each inner iteration costs one product with A (plus one M^-1) and
// O(j n) for orthogonalisation; the workspace holds (m+1) n + O(m^2)
// floats. For fpfind's J the product is (*dynamics.Network).JacVecAt, about
// 2 N^2 flops and one pass over W, so a solve of k iterations costs about
// 2 k N^2 flops (memory-bound) plus 2 k^2 N for Gram-Schmidt, where dense
// LU costs 2/3 N^3 (compute-bound) plus N^2 to form J.
//
// Measured on random g = 1.5 tanh networks (2 cores, pure Go; see
// BenchmarkNewtonStep and the opt-in TestMeasureNewton/TestMeasureStates): J
// = -I + diag(phi') W is far from -I there. Its eigenvalues fill a disc
// around -1 of radius about g·mean(phi'), 0.9 on the attractor and at
// nonzero fixed points and 1.5 at the origin, so they reach 0 and restarted
// GMRES(30) or GMRES(100) usually stagnates. Unrestarted GMRES needs, for
// 1e-12, 65-240 iterations at the states of a Newton run at N = 500 (110-380
// at N = 2000), and on the attractor 183 at N = 500, 375 at 1024, 589 at
// 2048 and 1002 at 4096 (0.6-0.85 of that for 1e-6). At the origin, a fixed
// point with phi' = 1, it needs about N iterations. A solve then costs about
// as much as forming J and factorising it with LU (within 1.4x either way
// from N = 512 to 4096 at 1e-12; 1.0-1.9x faster at 1e-6). Give m as large
// as the iteration count (memory (m+1) N floats) or the run stagnates.
//
// The preconditioner that pays is a frozen Jacobian: the LU of J at an
// earlier Newton state, M^-1 v = J_old^-1 v (two triangular solves, about
// the cost of one more product). It cuts Newton steps with |F| < 0.1 to
// 5-20 iterations and early ones to 40-150. Diagonal (Jacobi) preconditioning
// does nothing here, because diag(J) = -1 + phi'_i W_ii is about -1.
//
// # Using it for Newton steps
//
// Wiring into a Newton iteration on F(h) = 0 with a *dynamics.Network net
// (this package imports nothing from fpfind; the caller adapts):
//
//	ws := krylov.NewGMRES(n, 0)      // one per worker, reused for every step
//	d := make([]float64, n)          // phi'(x(h)), refreshed per Newton step
//	rhs, step := make([]float64, n), make([]float64, n)
//	op := func(dst, v []float64) { net.JacVecAt(dst, d, v) }
//	// per step, with f = F(h):
//	net.PhiPrime(d, h)
//	for i := range rhs { rhs[i] = -f[i] }
//	clear(step)                      // zero initial guess
//	res, err := ws.Solve(op, rhs, step, &krylov.Settings{Tol: eta, MaxIter: 200})
//	// err: non-finite data (a NaN state); res.Status != Converged: treat
//	// the step as inexact (it still reduces |J d + F|) or fall back to LU.
//
// Build op once (it captures d) so that Solve allocates nothing. For
// inexact Newton choose eta by Eisenstat and Walker (SIAM J. Sci. Comput.
// 17(1), 1996), e.g. eta_k = 0.9 (|F_k| / |F_{k-1}|)^2 capped at 1e-1, and a
// tight eta (1e-12) only for the final steps where quadratic convergence is
// wanted.
//
// [Lockstep] runs several independent GMRES solves side by side so that the
// products of all of them can be one matrix-matrix product, which pays with
// the shared W of fpfind's many initial states.
package krylov
