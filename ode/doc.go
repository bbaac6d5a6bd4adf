// Package ode integrates ordinary and stochastic differential equations
// dy/dt = f(t, y), one trajectory or many.
//
// The package knows nothing of networks: a [Func] writes f(t, y) into a
// destination, and a closure adapts any model to it. For the network of
// fpfind (package dynamics), F(h) = (-h + phi(W h + W_in u + b)) / tau:
//
//	f := func(dst []float64, _ float64, h []float64) { net.Field(dst, h) }
//	res, err := ode.Solve(ctx, f, h0, 0, 100, &ode.Settings{Times: ts})
//
// # Methods
//
//	DormandPrince  adaptive explicit Runge-Kutta 5(4), first-same-as-last,
//	               error per step: rms_i(err_i / (AbsTol + RelTol max(|y_i|, |ynew_i|))) <= 1,
//	               step-size controller and initial step as scipy's RK45, dense output of order 4
//	               at the requested sample times (no extra steps)
//	Euler          y += h f(t, y)                                          order 1
//	RK4            the classic four-stage Runge-Kutta method                order 4
//	EulerMaruyama  y += h f(t, y) + g sqrt(h) xi,  xi ~ N(0, I)            strong order 1/2 (1 for additive noise)
//	Heun           predictor y~ = y + h f(t, y) + g dW, then
//	               y += h (f(t, y) + f(t+h, y~)) / 2 + g dW                 order 2 without noise;
//	                                                                        weak order 2 for additive noise
//
// # Noise
//
// [Noise] adds additive white noise: dy = f(t, y) dt + g dW with g a
// constant diagonal diffusion. For the network of docs/DESIGN.md section 1 with
// noise eta of intensity sigma (E[eta_i(t) eta_j(s)] = sigma^2 delta_ij
// delta(t-s)) entering tau dh/dt = -h + phi(x) + eta, g = sigma / tau.
// Trajectory i of a batch draws its noise from rand.New(rand.NewPCG(Seed,
// uint64(i))), so the same seed gives the same paths whatever the number of
// workers.
//
// # Batches
//
// [SolveBatch] integrates the rows of a matrix of initial states in
// parallel, one workspace per worker; it is the fastest batch with gonum's
// pure-Go BLAS. [SolveLockstep] integrates groups of rows with one call of a
// [BatchFunc] per stage, which turns a group's N x N matrix-vector products
// into one matrix-matrix product; DormandPrince then takes a step shared by
// the group, chosen from the largest error norm of its rows. It pays with
// an optimized BLAS; with gonum's Dgemm it was slower (bench/ode_vs_scipy.py).
//
// For one large trajectory, dynamics.ParallelField splits the rows of W h
// over the cores.
//
// # Errors
//
// Bad arguments give a [*SettingsError]. A run that stops before t1 (NaN or
// Inf, step-size underflow, the step budget, a canceled context) keeps the
// samples computed so far, sets [Result].Status and gives a [*RunError]
// with the time reached.
//
// References:
//
//   - J. R. Dormand and P. J. Prince, A family of embedded Runge-Kutta
//     formulae, J. Comput. Appl. Math. 6(1), 1980 (the coefficients).
//   - L. F. Shampine, Some practical Runge-Kutta formulas, Math. Comp. 46,
//     1986 (the dense output; the coefficients as in scipy's RK45).
//   - E. Hairer, S. P. Norsett and G. Wanner, Solving Ordinary Differential
//     Equations I, 2nd ed., Springer 1993, sections II.4-II.6 (initial step,
//     PI step-size control of DOPRI5).
//   - P. E. Kloeden and E. Platen, Numerical Solution of Stochastic
//     Differential Equations, Springer 1992 (Euler-Maruyama; Heun for
//     additive noise).
package ode
