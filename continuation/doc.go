// Package continuation follows the fixed points of a recurrent network as
// one parameter changes, and locates the folds, Hopf points, branch points
// and, for maps, period doublings and Neimark-Sacker points on the way.
//
// # The parameter
//
// A Family is a network as a function of a parameter p (a Param):
//
//	Input  u_K = p, the constant input on channel K     (dynamics.Network.WithInput)
//	Bias   b + p v for a direction v (p = 0: as given)  (dynamics.Network.WithBias)
//	Gain   p W (p = 1: as given)
//	Tau    p tau with dt = alpha tau kept: alpha / p (leaky convention only)
//
// Family.At makes the network at p (along an input or a bias sharing the
// weights, O(N)); Family.Deriv gives dF/dp analytically: phi'(x) W_in[:, K]
// / tau, phi'(x) v / tau, phi'(x) (W h) / tau and -F / p. Time constants do
// not move fixed points; in the continuous convention they only scale the
// spectrum, and the discrete convention has none, so tau's scale is a
// parameter of the leaky convention alone, where it moves the multipliers
// 1 - alpha/p + (alpha/p) mu (and can cross -1 or the unit circle).
//
// # Pseudo-arclength continuation
//
// A point of a branch is y = (h, p) with F(h, p) = 0. Lengths are measured
// in the weighted norm |y|^2 = |h|^2 / N + p^2 (the state in
// root-mean-square units), so that a step means the same at every N. From a
// point y_k with unit tangent t_k, the predictor y_k + ds t_k is corrected by
// Newton's method on the bordered system
//
//	F(h, p) = 0,   t_k . (y - y_k) = ds      (Keller 1977)
//
// whose Jacobian [J dF/dp; t_k^T] ((N+1) x (N+1)) stays nonsingular at
// folds, where J alone is singular. Below KrylovMin (512) units it is
// factorised by LU (internal/dense, or the LAPACK dgetrf of Settings.LU);
// from there on it is solved matrix-free, by restarted GMRES (restart 60,
// relative residual 1e-11) on products [J dF/dp; t^T] z formed from one
// product with W (dynamics.Network.JacVecAt), with no N x N matrix; a solve
// that GMRES cannot finish in 300 products (near a branch point, where the
// bordered matrix is nearly singular) falls back to the dense LU. A point
// is accepted when max_i |F_i|
// <= Tol (1e-10, fixedpoint's) within 8 iterations, and the new tangent t
// solves [J dF/dp; t_k^T] t = (0, 1): as t_k . t > 0, the tangent never
// turns back on itself, and the branch goes through folds in the direction
// it came. The step ds starts at StepMax / 4, grows by 1.5 after a
// correction in at most 2 iterations, halves after one in 5 or more, and
// halves and is retried when the corrector fails or the tangent turns by
// more than about 20 degrees in one step (so that a step cannot jump to a
// nearby branch); StepMax defaults to 0.05 |To - From| and StepMin to 1e-6
// StepMax, and the largest step is StepMax times max(1, |h| / sqrt(N)), so
// that a branch running off to infinity gets there in geometric steps.
//
// A branch ends on an end of [From, To] (landed on it exactly by a
// corrector at fixed p: EndBoundary), when the state diverges (|h|_inf >
// 1e6, only for unbounded activations: EndDiverged), when it comes back to
// its first point after having left it (an isola, or a loop: EndClosed),
// when the corrector fails at StepMin (EndStalled), or after MaxSteps steps.
// Start points are given at p = From and each is followed towards To; a
// start point that an earlier branch reached (a branch that folded back to
// From) is dropped as a duplicate, so every branch is followed once. Start
// points may be given at another p0 in the interval (Settings.Start): each
// is then followed both ways, so that a closed branch that never reaches
// From is followed round from a point on it.
//
// # Special points
//
// At every point the operator of the network's convention is linearised
// (linearize.Decompose up to FullMax = 256 units, else the Eigs leading
// eigenvalues by Krylov-Schur, linearize.Leading, with no N x N matrix,
// their number doubled at a point until the last is stable, so that an
// eigenvalue crossing the boundary is always among those computed).
// The test functions are eigenvalues, never the bialternate product (of
// order N^2/2), so they scale to large N. With d = Re lambda (continuous)
// or |lambda| - 1 (maps), an eigenvalue is unstable when d > 0; between two
// consecutive points
//
//   - a real eigenvalue crosses when the parity of the number of unstable
//     real eigenvalues changes (the sign of det J changes): a fold if the
//     tangent's p-component changes sign there (the branch turns back), a
//     branch point otherwise;
//   - for maps, a real eigenvalue crosses -1 when the parity of the number
//     below -1 changes: period doubling;
//   - a complex pair crosses when the number of unstable pairs changes
//     other than by a collision on the real axis: Hopf (Neimark-Sacker for
//     maps).
//
// A step with more than one crossing is retried shorter. The crossing is
// then located by the Illinois variant of regula falsi on the arclength s
// from the earlier point, on the test function d of the crossing
// eigenvalue (the k-th of its kind by decreasing d, k fixed by the counts
// at both ends), each trial point corrected onto the branch, until the
// bracket is below ParamTol (1e-10) in p; the analytic cases of the tests
// agree to 1e-8 or better.
//
// At each special point the package reports p, the state, the critical
// eigenvalue and (the null vectors from a dense LU of J, N^2 memory, at
// special points only):
//
//   - for a fold, the normal-form coefficient a: with q and l the right and
//     left null vectors of J (inverse iteration on the LU factors of J and
//     J^T), l . q = 1 and l . dF/dp > 0, the flow on the centre manifold
//     is xi' = (p - p*) l . dF/dp + a xi^2 + ..., a = l . B(q, q) / 2 with
//     B(q, q)_i = phi2(x_i) (W_p q)_i^2 / tau_i (phi2 = phi's second
//     derivative, W_p the weights at p); the two branches meeting there
//     exist on the side (p - p*) a < 0 (Kuznetsov 2004, section 3.2).
//     It is the coefficient of the fixed-point equation F = 0, in units of
//     1/time, for every convention;
//   - for a Hopf point, its frequency Im lambda / (2 pi) in cycles per unit
//     time, and the first Lyapunov coefficient l1 (up to LyapunovMaxN =
//     1024 units): with J q = i omega q, J^T p = -i omega p, |q| = 1 and
//     conj(p) . q = 1,
//     l1 = Re[<p, C(q, q, qbar)> - 2 <p, B(q, J^{-1} B(q, qbar))> +
//     <p, B(qbar, (2 i omega - J)^{-1} B(q, q))>] / (2 omega), with
//     C(u, v, z)_i = phi3(x_i) (W_p u)_i (W_p v)_i (W_p z)_i / tau_i (phi3
//     = phi's third derivative)
//     (Kuznetsov 2004, eq. (3.20)); q and p by inverse iteration, the
//     complex solves in their real 2N x 2N form. l1 < 0: supercritical (a
//     stable cycle is born where the fixed point loses stability); l1 > 0:
//     subcritical;
//   - for a Neimark-Sacker point, its frequency arg lambda / (2 pi dt)
//     (dt the time of one step); its coefficient (the map's analogue of
//     l1) is not computed.
//
// # Branch switching
//
// At a branch point the null space of [J dF/dp] is two-dimensional: the
// branch's tangent t and another direction. With q the null vector of J,
// d = (q, 0) - <(q, 0), t> t lies in it and is orthogonal to t, and the
// other branch is followed from the branch point both ways, its first
// corrector on the hyperplane d . (y - y_bp) = ds, which meets the crossing
// branch and not the first. For the pitchfork of an odd network (tanh, no
// bias) along the gain at 1/lambda_max(W), this gives the two symmetric
// branches +-h*(g). A branch point reached again (on another branch) is not
// switched at twice.
//
// # Determinism
//
// Branches are followed on Workers goroutines (internal/par), each from its
// own start with its own workspace, and gathered in the order of their
// start points, then of their branch points: the result does not depend on
// Workers.
//
// # References
//
// H. B. Keller, Numerical solution of bifurcation and nonlinear eigenvalue
// problems, in Applications of Bifurcation Theory, Academic Press, 1977.
//
// Yu. A. Kuznetsov, Elements of Applied Bifurcation Theory, 3rd ed.,
// Springer, 2004 (sections 3.2, 3.5 and 10.2).
//
// E. L. Allgower and K. Georg, Introduction to Numerical Continuation
// Methods, SIAM, 2003.
package continuation
