// Package attractor names the continuous attractors among a network's
// fixed and slow points: lines (integrators), rings (closed curves, as in
// head-direction circuits) and manifolds of two or more dimensions, which
// are otherwise read off by hand from clouds of slow points.
//
// # What counts
//
// A mode of the convention's operator is slow when its continuous-time
// rate (lambda, or ln(lambda)/dt for the maps) has modulus at most
// 1/SlowTime (default 20 times the largest tau): its time constant is at
// least SlowTime and it does not oscillate faster. A continuous attractor
// is a connected set of states, each with d >= 1 slow modes, whose tangent
// lies in the span of those modes, and along which the flow is slow. Find
// starts from every point with slow modes and a slow flow (the test each
// sample passes, see trace.go) that is not yet on a known attractor and
// traces the set through it:
//
//   - one slow mode: the curve is followed both ways by pseudo-arclength
//     steps (the point minimising |tau F| on the plane orthogonal to the
//     slow mode through the predicted state), each sample checked to have
//     a slow mode tangent to the curve and a slow flow (see trace.go); a
//     trace that returns to its start is a ring, else a line, which ends
//     where the slow mode is lost, the flow speeds up or the tangent turns
//     away from the slow modes;
//   - d >= 2 slow modes: a manifold of dimension d, sampled along d curves
//     through the point (one per orthonormal slow direction), and joined
//     by every point of the same dimension linked to it by chords tangent
//     to the slow modes at both ends.
//
// Sets with fewer than MinSamples samples are not reported: a stable point
// with a slow mode but a fast flow a little way along it is an isolated
// point. The points on an attractor are those within a step of a sample.
// Each attractor reports its samples in order, their speeds and the slow
// eigenvalues with the next two (the gap: how strongly it attracts), its
// length (along the samples, closing a ring) and whether the trace was
// cut short (Truncated: at MaxSamples or at Bound, as an unbounded line of
// a linear network is).
//
// The work per sample is a Gauss-Newton projection (the normal equations
// of a dense least-squares problem, O(N^3) per factorisation, reused
// while the steps shrink fast, and given up early when they do not shrink
// fast enough to converge), the eigenvalues nearest zero (for the
// continuous convention from N = 100, by Krylov-Schur on the inverse
// Jacobian; else every one, by linearize.At without vectors) and the slow
// modes' eigenvectors by inverse iteration (modes.go): milliseconds at
// N = 64, for some hundred samples per attractor; at N = 200, about
// 5-10 ms per sample (BenchmarkRing: a ring of 98 samples in 1.6 s at
// N = 256). The candidates are traced ahead on Settings.Workers goroutines
// and taken in order, the traces of candidates that an earlier attractor
// covers dropped: the result is that of tracing them one after another,
// whatever the number of workers.
//
// On an odd-symmetric network (odd phi, no bias, no input) the mirror
// image of an attractor is one, and the operator at -h is the one at h
// (dynamics.Network.Mirrors): a candidate whose exact mirror was traced
// from takes that trace's samples negated (a line's in reverse order, a
// manifold's curves along each slow mode swapped), which is what tracing
// it would give bit for bit, instead of tracing; a ring's mirror is
// traced (it would run the other way round). Settings.NoMirrors traces
// every one.
package attractor
