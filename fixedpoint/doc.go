// Package fixedpoint finds the fixed points and slow points of a
// continuous-time recurrent network from many initial states.
//
// # The math
//
// For the vector field F of a [System] (for a CTRNN, F(h) = (-h + phi(W h +
// W_in u + b)) / tau) a fixed point is a state with F(h*) = 0; Find accepts
// one when max_i |F_i(h*)| <= Settings.Tol (default 1e-10, in units of
// 1/time). The speed of Sussillo and Barak (2013) is
//
//	q(h) = |F(h)|^2 / 2,   grad q(h) = J(h)^T F(h),
//
// with J the Jacobian (J[i][j] = dF_i/dh_j). A slow point is a local
// minimum of q with q > 0: there J^T F = 0 while F != 0, so J is singular.
// Find declares a state stationary for q when |J^T F|_2 <= SlowTol |F|_2.
//
// # Solvers
//
// Each initial state gets a run:
//
//   - Newton solves J d = -F with an LU factorisation of the analytic J and
//     backtracks on q (d is a descent direction: grad q . d = -2q). Between
//     factorisations it takes Broyden steps (the inverse Jacobian updated by
//     Broyden's good rank-one formula in product form, two triangular solves
//     per step, as in MINPACK's hybrid method), refactorising when they fail.
//     When J is singular or the line search fails with a fresh J it takes
//     Levenberg-Marquardt steps (J^T J + mu I) d = -J^T F with an adaptive mu.
//   - Auto (the default) runs Newton (Levenberg-Marquardt only for a
//     singular J) and, when Newton stalls (q falling by less than half per
//     fresh Jacobian, twice in a row) or its line search fails, minimises q
//     with L-BFGS down to a local minimum of q. The L-BFGS direction uses
//     the compact representation of Byrd, Nocedal and Schnabel (1994) with
//     min(max(N/6, 10), 100) curvature pairs (N/3 with matrix-free
//     steps): two streaming products with the stored pairs per step,
//     where the two-loop recursion (Nocedal and Wright 2006, Algorithm
//     7.4) makes 4m short dot and axpy calls; a backtracking Armijo line
//     search; two matrix-vector products with W per evaluation. The minima
//     of q at slow points are ill-conditioned, and more pairs take fewer
//     evaluations, but each pair is read twice per step (lbfgsMemory has
//     the trade-off).
//   - Speed minimises q with L-BFGS from the initial state (Sussillo and
//     Barak 2013).
//
// Every state that looks like a fixed point is polished with plain Newton
// steps to max|F| <= Tol. What cannot be polished is a slow point (if
// stationary), not converged, or diverged; Find never drops a run and never
// calls a slow point fixed. A slow point is refined with Newton's method on
// the gradient of q, with the exact Hessian J^T J + Σ_i F_i ∇²F_i
// (System.SpeedHessian): up to 8 steps, each at most 1e-2 (relative) from
// where L-BFGS stopped and never raising q beyond its rounding error. Its
// location is then exact to rounding rather than to the L-BFGS tolerance
// (runs that L-BFGS leaves near-duplicates of one minimum end on one
// point), and the Cholesky factorisation of the Hessian that ends it shows
// a strict local minimum.
//
// With LU steps, L-BFGS hands a run to Newton's method before it has
// converged, as it converges only linearly into the ill-conditioned minima
// of q: once max|F| <= 1e-3 it tries a Newton polish (two steps), and once
// |J^T F| <= 1e-3 |F| the refinement above, moving at most 5e-2 (relative);
// the phase ends when the polish reaches a fixed point or the refinement
// certifies a local minimum, and goes on from where it was otherwise (the
// next try waits for another tenfold fall). On a chaotic N = 200 network
// from 256 uniform states this took 13% fewer speed evaluations, for 53
// more Hessians, finding the same 51 points.
//
// With LU steps, too, L-BFGS is preconditioned from a run's 25th
// iteration on: its initial inverse Hessian is the Cholesky factor of the
// damped exact Hessian of q, H + λI, formed afresh every 60 iterations
// (λ 0.02 times the mean of H's diagonal at first, falling eightfold at
// each refresh, raised where H + λI is indefinite): with U its factor,
// L-BFGS runs in the variables z = U x, its pairs forgotten at each
// refresh (P^{-1} its initial inverse Hessian). Plain L-BFGS
// crawls down curved, ill-conditioned valleys of q for hundreds of
// iterations before it nears a slow point; on the same network and starts
// the preconditioned steps took 23.7k speed evaluations and 523 Hessians
// instead of 90.9k and 120, the solve's CPU time about a third less, with
// the same 51 points; on a chaotic N = 1024 network every one of 16 runs
// converged instead of 4.
//
// # Saving work
//
// Runs proceed in rounds of fixed sizes. During a round, a run whose state
// comes within a quarter (relative, max-norm) of a fixed point h_k known at
// the end of the previous round tries the chord iteration y <- y -
// J(h_k)^{-1} F(y) with the stored LU factors of J(h_k). Because J(h_k) is
// the Jacobian at the root, the iteration converges quadratically inside
// the ball; when it reaches max|F| <= Tol within the unique tolerance of
// h_k the run stops early there (Run.Early). Likewise, when an L-BFGS
// iterate comes within 1e-1 (relative, max-norm) of a slow point known at
// the end of the previous round, with q within a factor 2 of that point's
// q, the run stops as slow at that point (Run.Early, Final the known
// state). Distinct slow points lie much farther apart: on a chaotic
// N = 200 network they are at least 0.59 apart, each of the 712 slow runs
// ends on the same point (to 1e-6) with and without the early exit, and
// the speed evaluations drop by a third. As a round only reads the
// points known before it, results do not depend on scheduling: they are
// bit-identical for any number of workers.
//
// For an odd-symmetric system (odd phi, no bias, no input) -h* is a fixed
// point whenever h* is, and a slow point whenever h* is one (q(-h) =
// q(h)); Find adds it (after checking a fixed point's residual) and says
// so in Result.Symmetric. Runs stop early at the mirrors of known points
// as at the points (on the chaotic N = 200 network's 256 uniform starts,
// 4% fewer speed evaluations and 70 instead of 100 Hessians, the same
// points). The points it returns come in exact mirror
// pairs (the state of one is the other's negated, bit for bit), so that
// whatever depends on the operator alone is computed once per pair
// (dynamics.Network.Mirrors).
//
// # Large networks
//
// Settings.Linear chooses how Newton steps are solved. Below
// DefaultMatrixFreeN (2048) units they use LU factorisations (the
// package's blocked LU, or LAPACK through Settings.LU), with Broyden
// updates and the chord early exit above. From there on, the steps are
// matrix-free, on products J v (Knoll and Keyes 2004): each Newton step of
// a run is a hookstep (Viswanath 2007), the minimiser of |F + J d| over the
// Krylov space of at most 100 products, within a trust region |d| <= delta
// solved through the SVD of the small Hessenberg matrix, so that a rejected
// step is shrunk without new products; the space grows only to the relative
// residual of Eisenstat and Walker (1996, choice 2). Deflated restarts
// take the least-squares Newton step in such a space (GMRES without
// restarts). Then no N x N matrix exists per
// worker or per known point: no LU factors are kept, and there are no
// Broyden steps, no chord test, no Levenberg-Marquardt steps and no Hessian
// refinement of slow points. A worker holds a Krylov basis and the L-BFGS
// pairs, O((100 + m) N). The one exception: a run whose hooksteps or speed
// phase end near a root (max|F| <= 1e-4) that Krylov steps cannot resolve
// (at an unstable fixed point whose spectrum surrounds the origin they
// reduce the residual little, and q is as ill-conditioned) takes two dense
// Newton steps, with an N x N matrix borrowed from a pool, so that only as
// many exist as such polishes run at once. On the g = 1.5 network of
// N = 4096, four runs from within 4e-6 of its fixed point at the origin
// ended not converged without it, after 2000 L-BFGS iterations each (30 s);
// with it, fixed to 3e-21 after one LU each (6 s).
//
// Two tests stop matrix-free runs that cannot pay for themselves. At the
// states of a chaotic network, where the spectrum of J surrounds the
// origin, a Krylov space does not meet its forcing term within hookDim
// products, and a hookstep reduces q only 1.2-4x for them while L-BFGS
// reduces it 1000x in as many evaluations: a hookstep that needed the
// whole space and did not reduce q 4x (krylovPoor) counts towards the
// Newton phase's stall; in a deflated restart, two such steps in a row
// that do not halve |G| end it. In the speed phase, a run whose q and
// stationarity |J^T F|/|F| both failed to halve over the last
// Settings.SpeedStall (300) iterations ends not converged: on a g = 1.5
// network of N = 2048 such runs descend q by a few percent per hundred
// iterations, each two passes over W, towards no point, and the test
// halves their speed evaluations (bench/explore_results.md). With LU
// steps (below N = 2048) the test is off by default: there a run costs
// less, and on the g = 1.5 network of N = 1024 one of the two runs that
// reach a fixed point at all halves q only every 300 iterations for a
// while before converging.
//
// Hooksteps rather than plain least-squares (GMRES) Newton steps, because
// from chaotic states, where the spectrum of J surrounds the origin, GMRES
// needs hundreds of products for even a loose Newton step, which the line
// search then often cuts short; hooksteps need a fifth of the products and
// find more fixed points (bench/scale_results.md).
//
// At large N a run's time goes to products with W, each a pass over N^2
// weights that memory cannot deliver as fast as the cores multiply. When
// the system is a *dynamics.Network (Stats.Batched), each worker advances
// Settings.Batch runs (default 8, or 32 with matrix-free steps) in
// lockstep (internal/lockstep): every run is a coroutine that waits when
// it needs the speed and its gradient, or a product J v, and once all wait
// the network's dynamics.Evaluator serves every waiting run in one
// matrix-matrix product (internal/kernel's GemmPacked, on W and W^T packed
// once), one pass over W for all of them: speeds, products J v, and the
// fields and phi' of hooksteps' trial states together. A row of those
// products does not depend on the others, so the result is bit-identical
// for every batch size and number of workers. Any other System is
// evaluated one state at a time by its own methods. At
// N = 1024 this made speed minimisation 2.5x and matrix-free Newton steps
// 1.8x faster for the same work; at N = 200, where W stays in cache, it
// changes little. Runs proceed in rounds (each uses the points known at
// the end of the one before); with matrix-free steps the rounds hold 64
// runs and more, so that the batches stay full.
//
// # Deflation
//
// After the runs, Find restarts Newton from initial states on the deflated
// system G(h) = M(h) F(h), M(h) = prod_k (|h - h_k|^-p + s), whose known
// roots h_k are removed (Farrell, Birkisson and Funke 2015). The distance
// is the root mean square over the units up to a constant, |h - h_k|_2 /
// sqrt(max(1, N/2)), so that the deflation acts at any N (the states of bounded units lie O(sqrt(N))
// apart in the 2-norm; with that norm, 64 restarts at N = 2048 found
// nothing, and with this one they find every point of a rank-2 network
// with a random bulk that the runs missed). By the
// Sherman-Morrison formula the Newton step of G is the Newton step d of F
// scaled by 1 / (1 - sum_k grad(log m_k) . d), so a deflated step costs no
// more than a plain one. A root of G is polished on F with plain Newton.
// With no root known there is nothing to deflate, and no restart runs.
//
// # Unique points
//
// Two states are the same point when max_i |a_i - b_i| <= UniqueTol *
// max(1, |a|_inf, |b|_inf) (UniqueTol default 1e-6). Each unique point
// keeps the state with the lowest q among the runs that reached it (then
// the lowest run index), and counts them (Multiplicity). Points are
// ordered fixed first, then slow, each by increasing q; Result.Permute
// reorders them (for example by stability class) and remaps the runs.
//
// # Reading the code
//
// settings.go holds Settings and Resolve, which decides once, from N and
// the fields set, every default and whether Newton steps use LU or are
// matrix-free; Result.Settings carries what Find ran with. Find decides
// once, at its start, whether the evaluations go through a network's
// dynamics.Evaluator (the System is a *dynamics.Network; Stats.Batched)
// or the System's own methods. find.go runs the rounds and merges the
// points; worker.go is one run and the order of its phases; eval.go is how
// the phases' speeds, fields and products J v reach the evaluator, alone
// or through the run's lockstep group (lockstep.go, on internal/lockstep's
// scheduler), or the System's methods. Each phase
// is a type with its own scratch: luNewton (newton.go: LU Newton, Broyden,
// Levenberg-Marquardt), hookNewton (hookstep.go: matrix-free hooksteps),
// speedMin (speed.go, with lbfgs.go and precond.go), slowRefiner (slow.go), deflator
// (deflate.go) and earlyExit (early.go: the chord and slow-point tests).
// lu.go names the Factorizer (the LU itself and its solves are
// internal/dense's) and linalg.go the vector norms and point comparisons.
//
// # References
//
// D. Sussillo and O. Barak, Opening the black box: low-dimensional dynamics
// in high-dimensional recurrent neural networks, Neural Computation 25(3),
// 626-649, 2013.
//
// P. E. Farrell, A. Birkisson and S. W. Funke, Deflation techniques for
// finding distinct solutions of nonlinear partial differential equations,
// SIAM J. Sci. Comput. 37(4), A2026-A2045, 2015.
//
// J. Nocedal and S. J. Wright, Numerical Optimization, 2nd ed., Springer,
// 2006 (L-BFGS, Levenberg-Marquardt, backtracking line searches).
//
// R. H. Byrd, J. Nocedal and R. B. Schnabel, Representations of
// quasi-Newton matrices and their use in limited memory methods, Math.
// Programming 63, 129-156, 1994 (the compact L-BFGS form).
//
// S. C. Eisenstat and H. F. Walker, Choosing the forcing terms in an
// inexact Newton method, SIAM J. Sci. Comput. 17(1), 16-32, 1996.
//
// D. A. Knoll and D. E. Keyes, Jacobian-free Newton-Krylov methods: a
// survey of approaches and applications, J. Comput. Phys. 193(2), 357-397,
// 2004.
//
// M. D. Golub and D. Sussillo, FixedPointFinder: a Tensorflow toolbox for
// identifying and characterizing fixed points in recurrent neural networks,
// JOSS 3(31), 1003, 2018.
package fixedpoint
