package fixedpoint

// Matrix-free Newton-Krylov (Knoll and Keyes 2004): at large N the Newton
// steps of a run are hooksteps in a Krylov space of products J v
// (hookstep.go; one pass over W each, the Jacobian's diagonal phi' computed
// once per step), and those of deflated restarts the least-squares Newton
// step in such a space (GMRES without restarts). The spaces are built to
// the relative residual of Eisenstat and Walker (1996, choice 2), or to a
// fixed one for deflated restarts, so early steps are cheap and the last
// ones exact. No N x N matrix is formed: a worker keeps a Krylov basis
// ((hookDim+1) x N) and the L-BFGS pairs (2m x N), and known points keep
// no factorisation. What
// the dense path gets from LU factors it does without: Broyden steps, the
// chord test of early exit at known fixed points, Levenberg-Marquardt,
// and the Hessian refinement of slow points (these stay at the L-BFGS
// tolerance).

// Limits of the Krylov solves.
const (
	etaMax   = 0.1  // loosest relative residual of a Newton step
	etaFirst = 1e-2 // that of the first step of a phase
	// krylovStall is stallRatio for matrix-free steps, looser because
	// without Broyden steps between fresh ones every step counts towards a
	// stall (measurements in bench/scale_results.md, "Moved from
	// comments").
	krylovStall = 0.9
	// krylovPoor is the least reduction of q that a hookstep whose
	// Krylov space reached its full size without meeting its forcing
	// term must make not to count towards a stall. Such a space marks
	// a Jacobian whose spectrum surrounds the origin (chaotic states),
	// where a step of hookDim products reduces q by 1.2-4x, while
	// L-BFGS reduces it from there 1000x in as many evaluations; near
	// the roots of trained and low-rank networks the spaces meet their
	// forcing terms in about 10 products and the rule never acts.
	krylovPoor = 0.25
)
