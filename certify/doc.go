// Package certify proves what a residual only suggests: that a true fixed
// point of a network exists near a computed one, and that it is the only
// one in a box around it.
//
// # The test
//
// Every convention's fixed points are the roots of G(h) = -h + phi(W h +
// c), c = W_in u + b (docs/DESIGN.md section 1; tau and the convention do
// not matter). For a computed point m, an approximate inverse Y of J(m) =
// -I + diag(phi'(x(m))) W and a box X = m +- rho (rho > 0), Krawczyk's
// operator is
//
//	K(X) = m - Y G(m) + (I - Y S(X)) (X - m),
//
// where S(X) = -I + diag(D) W holds every slope matrix of G between two
// points of X: D_i ranges over the difference quotients of phi on the
// enclosure of x_i(X) (SlopeRange). If K(X) lies in the interior of X, X
// holds exactly one fixed point (existence by Brouwer's theorem applied to
// h -> h - Y G(h), which maps X into K(X); uniqueness since |I - Y S| rho <
// rho for every S in S(X) makes every such S invertible), and it lies in
// K(X). Point runs the test on the boxes m +- r (max norm), from the
// smallest radius that can pass up to the whole range of phi, and reports
// the largest passing radius (Result.Radius: the fixed point is unique
// there) and the radius of K's box at the smallest (Result.Error: it lies
// that close to m); or why no radius passed (Result.Reason).
//
// # Rounding, bounded explicitly
//
// Go has no control of the rounding mode, so every bound is computed to
// nearest and then moved outwards. For a single operation, one step of
// math.Nextafter past the computed value passes the exact one (the error
// of a correctly rounded operation is at most half an ulp, or eta/2 in the
// subnormal range). A sum of n products, in any order and with or without
// fused multiply-adds, is within gamma_n = n u / (1 - n u) of the exact
// value relative to the sum of the absolute products, plus n eta for
// products that underflow (Higham, Accuracy and Stability of Numerical
// Algorithms, section 3.1): the matrix products run in floating point
// (gonum's Dgemm for Y A) and their errors are bounded by matrix-vector
// products of absolute values, themselves rounded upwards. Every
// quantity the test compares is such an upper bound, so K(X) is
// enclosed, never underestimated:
//
//   - x(m) = W m + c lies in fl(W m + c) +- (gamma_{N+1} (|W| |m| + |c|) +
//     (N+1) eta), and c = W_in u + b in its own enclosure;
//   - phi and its slopes are enclosed from the library's values (math.Tanh,
//     math.Exp, math.Log1p) widened by 2^-48 relative plus eta: eight
//     times the worst error of Go's implementations (see libRel in
//     phi.go, and TestTanhEnclosure, which measures math.Tanh against
//     math/big: 2.46 u at worst), then by the monotonicity of phi (every
//     activation is non-decreasing) and of |phi'| in |x| (tanh' and the
//     logistic's derivative are even and decrease away from 0);
//   - I - Y S(X) lies within C +- Delta, with C = fl(I + Y - fl(Y A)), A =
//     fl(diag(d) W) and d = phi'(x(m)) computed in floating point, and
//     Delta bounding the rounding of A, of Y A and of C and the spread of
//     D around d (see linearRows and slopeRows).
//
// # Cost
//
// One point costs an inverse and a matrix product (about 4.7 N^3 flops,
// gonum's pure-Go LAPACK and BLAS) and five N x N matrices, then about 15
// matrix-vector products per tested radius (some 60 radii). That is well
// under a millisecond at N = 64 and about a second at N = 1024 on one
// core; DefaultMaxN = 2048 (seconds per point, 170 MB per worker) is the
// default limit.
//
// # Complete sets
//
// Complete proves the whole set of fixed points of a network with a
// bounded activation: every fixed point lies in the range of phi in each
// unit, and a branch and prune over that box excludes boxes (interval
// enclosures of h_i = phi(W_i h + c_i) forwards, and backwards through
// phi's inverse, both from phi's monotonicity; Krawczyk's operator on the
// box), certifies boxes where K(X) lies inside X (exactly one fixed
// point: polished by Newton's method and certified by Point's test), and
// bisects the rest along the unit of largest smear. Certified balls cover
// the boxes inside them, so a root on a bisection plane is counted once;
// boxes that reach MinWidth or are left when MaxBoxes is spent are
// reported, never dropped. When W has numerical rank r <= N/2 the
// branching runs over the r coordinates V^T h of W = U V^T + E (see
// lowrank.go), the pruning and certificates still in N dimensions.
//
// # Reasons
//
// A point is not certified when N exceeds Settings.MaxN (TooLarge), when
// its Jacobian cannot be inverted (Singular), when the rounding errors of
// the linear algebra alone spoil the contraction or no radius passes and
// ||Y|| ||J|| >= 1e8 (IllConditioned: a near-singular Jacobian, as at a
// saddle-node, where the root is not isolated at working precision), or
// when no radius passes for a well-conditioned Jacobian (NoContraction:
// the residual is too large for the curvature, as at a slow point, the
// ghost of a saddle-node, or a point moved off its root).
//
// References: R. Krawczyk, Newton-Algorithmen zur Bestimmung von
// Nullstellen mit Fehlerschranken, Computing 4, 1969; S. M. Rump,
// Verification methods: rigorous results using floating-point arithmetic,
// Acta Numerica 19, 2010.
package certify
