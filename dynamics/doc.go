// Package dynamics is the continuous-time recurrent network of fpfind: its
// vector field, its analytic Jacobian and the linear operator whose spectrum
// decides stability.
//
// # The model
//
// A state h has N units; a constant input u has M channels (M may be 0). With
// recurrent weights W (N x N, row i holds the weights INTO unit i), input
// weights W_in (N x M), bias b (N), time constants tau (one per unit, all > 0)
// and an element-wise activation phi:
//
//	x(h) = W h + W_in u + b                       pre-activation
//	F(h) = (-h + phi(x(h))) / tau                 vector field, element-wise /
//	J(h) = diag(1/tau) (-I + diag(phi'(x)) W)     Jacobian, J[i][j] = dF_i/dh_j
//
// J is in numerator layout: row i is the gradient of F_i. The speed of
// Sussillo and Barak (2013) is q(h) = |F(h)|^2 / 2, with gradient J(h)^T F(h).
//
// # Time conventions
//
// All three conventions share the fixed-point equation h = phi(x(h)); they
// differ in the linear operator that decides stability (see [Network.Operator]):
//
//	Continuous  tau dh/dt = -h + phi(x)        J                          Re(lambda) < 0
//	Leaky       h <- h + alpha (-h + phi(x))   (1-alpha) I + alpha diag(phi') W   |lambda| < 1
//	Discrete    h <- phi(x)                    diag(phi') W               |lambda| < 1
//
// The leaky convention is an Euler-discretised CTRNN with step dt = alpha tau;
// it needs one tau for all units.
//
// # Memory
//
// Every method writes into a caller-given destination. The single-state
// methods (Field, SpeedGrad, JacVec, ...) allocate nothing. Batches of
// states go through an [Evaluator] ([Network.NewEvaluator]), made once
// with its parallelism: it packs W^T and W for internal/kernel's GEMM,
// each on the first call that needs it, and the network keeps them: up to
// 2 N^2 float64 more for the Network's lifetime, built once and shared by
// all its evaluators. The evaluator's scratch rows (m N, and the gathered
// rows of EvalAll) and SpeedHessian's N^2 + 2N come from pools, so only
// the first calls of a size allocate. Jacobian and SpeedHessian resize an empty destination. A
// [Network]'s model is immutable after [New] (the packed copies are built
// under sync.Once) and it is safe for concurrent use.
//
// References: D. Sussillo and O. Barak, Opening the black box: low-dimensional
// dynamics in high-dimensional recurrent neural networks, Neural Computation
// 25(3), 2013.
package dynamics
