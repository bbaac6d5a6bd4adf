// Package linearize computes the linear stability of a recurrent network at
// a state: the eigenvalues of the convention's linear operator, its right
// and left eigenvectors, the stability verdict, the time constants and
// frequencies of the modes, and the tools built on them (input overlaps,
// the linearised flow, the stationary covariance under noise, participation
// ratio and principal components).
//
// # Operators and verdict
//
// For the continuous convention the operator is the Jacobian
//
//	J(h) = diag(1/tau) (-I + diag(phi'(x)) W),   x = W h + W_in u + b,
//
// and for the maps it is M = (1-alpha) I + alpha diag(phi') W (leaky) or
// M = diag(phi') W (discrete); see docs/DESIGN.md section 1 and
// [dynamics.Network.Operator]. The three are related by
// lambda_M = 1 + alpha tau lambda_J (leaky, one tau). [Decompose] is a pure
// function of any square matrix; [At] builds the operator of a network.
//
// Eigenvalues are sorted by decreasing real part (continuous) or decreasing
// modulus (maps). With eps (default 1e-8 times the operator's infinity
// norm) and x = Re lambda (continuous) or |lambda| - 1 (maps), a mode is
// unstable when x > eps and marginal when |x| <= eps. The class is stable
// (no unstable, no marginal mode), saddle (0 < n_unstable < N), unstable
// (n_unstable = N) or marginal (n_unstable = 0 < n_marginal).
//
// Left eigenvectors u_k (u_k^H A = lambda_k u_k^H) are scaled so that
// U^H V = I: the coordinate of a displacement d along mode k is u_k^H d, and
// d = sum_k v_k (u_k^H d). Within a cluster of equal eigenvalues the left
// basis is made biorthonormal by U G^{-H}, G = U^H V. The condition number
// of the eigenvector basis is reported (Spectrum.Cond); a defective or
// near-defective operator is flagged, never hidden.
//
// # Leading eigenvalues at large N
//
// [Leading] computes only the k leading eigenvalues (rightmost for
// continuous, largest modulus for the maps) and their right eigenvectors,
// by the Krylov–Schur method (Stewart 2001) on products v -> A v formed
// from W and phi'(x) in O(N^2), never forming A: at N = 2048 about 700
// products, 1.5 s for k = 20 on 2 cores, against 12.5 s for the full
// decomposition, whose O(N^3) cost and N x N workspace rule it out at
// N = 4096 and beyond. The Spectrum is then Partial. Its counts are those of
// the computed eigenvalues, exact when the last computed one is stable
// (the rest are further from instability); when all are unstable
// (MoreUnstable) the class is still decided as Saddle when not every
// eigenvalue can be unstable: Re trace J = sum Re lambda <= N eps
// (continuous), or |M|_F^2 <= N (1+eps)^2, since sum |lambda|^2 <= |M|_F^2
// by Schur's inequality (maps); otherwise it is Undecided. Left
// eigenvectors need the full decomposition.
//
// A product with W is limited by the memory bandwidth once W outgrows the
// caches, so [LeadingAll] runs the Krylov iterations of many states in
// lockstep and forms their products in one pass over W, block of rows by
// block of rows: for 8 states at N = 4096, 24 s instead of 65 s one after
// the other, with bit-identical results.
//
// # Time scales
//
// A continuous mode decays as exp(lambda t): its time constant is
// -1/Re lambda and its frequency Im lambda / (2 pi). A map mode evolves as
// lambda^k = exp(k ln lambda) over k steps of dt (alpha tau for leaky, 1 for
// discrete): time constant -dt/ln|lambda|, frequency arg(lambda)/(2 pi dt).
// Negative time constants belong to growing modes; a mode on the boundary
// (Re lambda = 0, or |lambda| = 1) has time constant +Inf.
//
// # Noise
//
// Around a stable fixed point h0 of dh = F(h) dt + (sigma/tau) dW, the
// fluctuations d = h - h0 are to first order an Ornstein-Uhlenbeck process
// dd = J d dt + (sigma/tau) dW whose stationary covariance S solves the
// Lyapunov equation
//
//	J S + S J^T + diag(sigma/tau)^2 = 0,
//
// solved here by the Bartels-Stewart method on the real Schur form of J
// (Bartels and Stewart 1972). The coordinate of mode k, u_k^H d, has the
// autocorrelation exp(lambda_k t): its correlation time is -1/Re lambda_k.
//
// # Solver
//
// The eigen-solver sits behind the [Eigensolver] interface (LAPACK dgeev
// form) and is chosen per call by Settings.Solver. Nil, the default, means
// internal/eigen's pure-Go dgeev: gonum's LAPACK kernels driven with
// reference LAPACK's shift and deflation-window choices (gonum v0.17.0's
// own driver, available as [Gonum], uses 4 shifts at every order and so
// never takes its blocked path). A program built with a LAPACK backend
// passes that backend's solver (cmd/fpfind does with -tags openblas);
// nothing in the package is set globally. Only what is
// asked is computed: Settings.Vectors chooses values only, right vectors,
// or left and right vectors; by default right vectors up to N = 512 and
// values only above.
//
// References: D. Sussillo and O. Barak, Opening the black box:
// low-dimensional dynamics in high-dimensional recurrent neural networks,
// Neural Computation 25 (2013); H. Sompolinsky, A. Crisanti and H.-J.
// Sommers, Chaos in random neural networks, PRL 61 (1988); R. H. Bartels and
// G. W. Stewart, Solution of the matrix equation AX + XB = C, CACM 15
// (1972); G. W. Stewart, A Krylov–Schur algorithm for large eigenproblems,
// SIAM J. Matrix Anal. Appl. 23 (2001); G. H. Golub and C. F. Van Loan, Matrix Computations, 4th ed.,
// sections 7.6 (Schur form) and 7.2.2 (eigenvalue condition numbers).
package linearize
