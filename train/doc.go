// Package train trains the leaky networks that fpfind analyses, with the
// exact gradient and with a biologically plausible local rule side by side,
// so that one can ask whether both build the same fixed points.
//
// # The model
//
// A Net is the leaky network of docs/DESIGN.md section 1 with tanh and a
// linear readout, run from h(0) = 0 over the T steps of a trial:
//
//	h(t) = h(t-1) + alpha (-h(t-1) + tanh(W h(t-1) + W_in x(t) + b)),
//	y(t) = W_out h(t) + b_out,
//	L    = 1/(2 T B) sum over t = 1..T, trials, outputs of mask (y*(t) - y(t))^2.
//
// Its Network is the dynamics.Network of the leaky convention with the
// same alpha (dt/tau), which fpfind find analyses, and its Arrays are the
// network file layout with W_out and b_out.
//
// # The rules
//
//   - BPTT (Pass): the forward pass keeps the states, the backward pass
//     carries dL/dh(t) back through time; the trials of a batch are rows of
//     the time-major arrays, multiplied by W^T and W with internal/kernel's
//     packed GEMM, and the weight gradients are single products over all
//     steps and trials.
//   - RTRL (Online with Exact): the sensitivities P_j,ab = dh_j/dTheta_ab
//     of every unit to every recurrent parameter Theta = [W | W_in | b],
//     carried forward with the full recursion (O(N^4) per step): the exact
//     gradient, equal to BPTT's.
//   - RFLO (Online, Murray 2019): the same recursion without the term that
//     couples the units, which leaves one eligibility trace per synapse
//     (O(N^2) per step), and the error fed back through a fixed random B
//     instead of W_out^T; W_out learns by the delta rule.
//
// RTRL and RFLO update the weights after each batch, or at every step
// (online). Every rule's update goes through an Optimizer: Adam
// (Kingma and Ba 2015) or plain SGD, with gradient-norm clipping.
//
// # Tasks
//
// FlipFlop (Sussillo and Barak 2013), Periodic (Murray 2019's periodic
// output), Context (Mante et al. 2013's context-dependent integration) and
// Data (trials given as arrays). Trial i of training step s draws from its
// own stream rand.NewPCG(seed, 1 + s B + i) and held-out trials from
// another seed, so that a run is the same whatever the number of workers
// and whether it was resumed from a checkpoint.
//
// References: R. J. Williams and D. Zipser, A learning algorithm for
// continually running fully recurrent neural networks, Neural Computation
// 1(2), 1989; J. M. Murray, Local online learning in recurrent networks
// with random feedback, eLife 8:e43299, 2019; D. Sussillo and O. Barak,
// Neural Computation 25(3), 2013; V. Mante, D. Sussillo, K. V. Shenoy and
// W. T. Newsome, Context-dependent computation by recurrent dynamics in
// prefrontal cortex, Nature 503, 2013.
package train
