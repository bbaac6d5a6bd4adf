// Package explore finds every fixed point of a network that it can reach,
// classifies each, and returns the fixed-point graph: where each unstable
// direction of each saddle leads. [Find] is the one call; it composes the
// solver of package fixedpoint, the spectra of package linearize and the
// integrators of package ode (the solver itself imports no spectra).
//
// # Why explore
//
// Solving from sampled initial states finds what the samples lie near. On
// networks of low-rank structure plus a random bulk (the standard model of
// trained networks) the samples that trajectories give after a time
// constant or two all lie near the origin, a saddle with slow unstable
// modes, and a solver from them finds the origin alone (bench/lowrank.py:
// 1 of 5 points at N = 1024 and 4096 before this package). The attractors
// lie where trajectories settle, and the saddles between them where
// trajectories slow down on the way, or on the boundaries between basins.
//
// # The method
//
//  1. Sampling that reaches the dynamics. Count trajectories from Gaussian
//     states give one initial state each after one (largest) time constant,
//     plus noise, as before; the first Long of them run on until they
//     settle (max_i |F_i| tau <= 1e-6) or about 30 time constants pass (the
//     flow's stall time; LongTime if less), and
//     add the states where their speed had a local minimum (checked at the
//     ends of chunks of time that grow from one time constant by half at a
//     time, up to 16) and where they settled. The centre of the sampled
//     states is one more initial state, so that a point as plain as the
//     origin is never missed. One solve (fixedpoint.Find, deflation
//     included) runs from them all.
//  2. Unstable manifolds. Every fixed point with unstable modes has its
//     leading Modes directions followed (up to 256 units, when its
//     spectrum holds every eigenvalue, by inverse iteration from them,
//     linearize.InverseIteration; otherwise from linearize.Leading, a
//     Krylov method that never forms an N x N matrix, with DirectionEigs
//     eigenvalues: above DefaultFullMax units the run of the point's
//     default partial spectrum, made once for both): real eigenvectors, and the
//     real and imaginary parts of complex pairs, both ways, from h* +- eps v
//     (eps = d sqrt(N) for a unit v, d = 1e-3, or for a mode growing at a
//     rate r below 0.2 per time constant and at least half as fast as the
//     point's fastest, d = min(1e-3^(r/0.2), sqrt(1e-3)), so that its
//     linear phase lasts no longer) until the trajectory settles or its
//     time (twice the escape time log(1/d)/r, plus 100 time
//     constants; at most 1000) runs out, or its speed stalls: it has not
//     halved within 30 time constants after the end of its calm time
//     (chaos, a cycle, a slow region), twice the escape time or, if
//     sooner, the first observation at least 0.3 sqrt(N) from h* where
//     the distance grew at less than half the mode's rate. A solve
//     (without deflation) runs from where the trajectories settled and
//     from where they slowed down;
//     the point a settled trajectory's end solved to is the end of its
//     edge. New points are followed in turn. On an odd-symmetric network
//     (odd phi, no bias, no input) the points come in exact mirror pairs
//     (fixedpoint.Result.Symmetric), and the second member of a pair takes
//     the first's spectrum and mirrored edges instead of computing its own
//     (dynamics.Network.Mirrors; Settings.NoMirrors computes both, with
//     the same result).
//  3. Basin boundaries. For pairs of attractors that no saddle with one
//     unstable mode connects yet (nearest first, Pairs per round), the
//     segment between them is bisected 24 times, each midpoint labelled by
//     the attractor its trajectory arrives at (within a quarter of the
//     distance to the nearest other fixed point), down to a state on the
//     boundary of the first one's basin. A trajectory on a basin boundary
//     stays near it and is drawn towards the saddle that sits there (the
//     edge state, as in edge tracking); a solve runs from the boundary
//     state, from where its trajectory slowed down, and from trajectories
//     that settled where no known point is.
//  4. Rounds repeat steps 2 and 3 until a round finds nothing new, Rounds
//     rounds have run, or the Budget of trajectories is spent (directions
//     then left are edges to ToBudget). Each point records the stage that
//     found it (Point.Source: sample, manifold, boundary, deflation,
//     symmetry).
//
// Later solves find points again; they are merged by the solver's unique
// tolerance, and a point keeps the index of its first finding. Point.
// Multiplicity counts the runs from the initial states (step 1) only, so
// that it matches Result.Runs.
//
// # Determinism
//
// Trajectories are integrated in lockstep groups of 16 (one product with W
// per stage for a group, ode.SolveLockstep), formed from the rows still
// moving in a fixed order, the groups side by side on the workers, or,
// when there are fewer groups than workers, each product split between
// them; maps (the leaky and discrete conventions) are iterated row by row.
// Every random draw comes from Seed. The result does not depend on
// Workers.
//
// # Reading the code
//
// explore.go holds Settings, Result and the defaults; find.go runs the
// stages and merges the points; sample.go is step 1, manifold.go step 2,
// boundary.go step 3; flow.go moves states along the network's dynamics
// until they settle.
//
// # References
//
// J. D. Skufca, J. A. Yorke and B. Eckhardt, Edge of chaos in a parallel
// shear flow, Phys. Rev. Lett. 96, 174101, 2006 (edge tracking).
//
// F. Mastrogiuseppe and S. Ostojic, Linking connectivity, dynamics, and
// computations in low-rank recurrent neural networks, Neuron 99(3),
// 609-623, 2018.
//
// D. Sussillo and O. Barak, Opening the black box: low-dimensional dynamics
// in high-dimensional recurrent neural networks, Neural Computation 25(3),
// 626-649, 2013.
package explore
