package train

import (
	"runtime"

	"github.com/fpfind/fpfind/internal/kernel"
	"github.com/fpfind/fpfind/internal/par"
)

// runRFLOSGD is RunSGD for RFLO on one trial: Run's arithmetic, element
// for element, arranged so that the step stays in the cores' caches.
//
// The online rule's state, the traces p and the weights Theta, is about
// 1 MB at N = 256 and is read and written once per time step: more than
// one core's L2 cache, so a single pass streams it from the shared cache
// every step. Here each worker owns a block of rows of p and Theta for
// the whole trial (half of them each on two cores, in each core's own
// cache) and the workers meet once per step:
//
//   - before the barrier, each computes its rows of u = Theta z(t), h(t)
//     and phi'(u);
//   - after it, each computes the outputs y(t) from the whole h(t) and
//     W_out, its rows of the fed-back error, and advances its rows of p
//     and Theta; the pass that changes a row of W also forms that row's
//     product with h(t), the largest part of u at step t + 1
//     (kernel.TraceSGDDotRows), so W is read once per step, and goes on
//     to the row's inputs' and bias's traces and weights, kept for the
//     trial as one array [W_in | b] beside them; then it changes all of
//     W_out and b_out, in a copy of its own.
//
// The workers share only h(t): each writes its rows and reads the
// others'. A line that one core writes and another reads travels between
// the cores' caches every step (about 180 ns a line here, some of it
// overlapped): W_out, which every worker reads whole for y(t), would move
// its K N / 8 lines a step each way if each worker changed its own
// columns of one copy (5-7 us a step at N = 256, K = 3), ten times the
// arithmetic of changing all of it; so each worker keeps its own copy
// (worker 0's is the network's) and changes all of it by the same
// operations, and the copies stay equal to the bit.
//
// The rows are divided among the workers by a par.Balance, which moves
// rows from a slower core to a faster one as it measures them (kept in
// the Online, so that the next trial starts from the division learned).
// A division changes at the barrier: the rows of h(t) come from the
// division before it, the rest of step t from the one after it, so that
// the new owner of a row reads only what was written before the barrier.
//
// A worker may start step t + 1 while another still works on step t, so
// h(t) rotates between three buffers (the slower worker still reads h(t -
// 1), its z(t), while the faster one writes h(t + 1)). Every row's
// arithmetic is Run's, in Run's order, so the results do not depend on
// the number of workers.
func (o *Online) runRFLOSGD(net *Net, bt *Batch, grad []float64, lr float64, learn Learned) float64 {
	n, m, k, alpha := net.N, net.M, net.K, net.Alpha
	o.resize(net, 1)
	clear(grad)
	var ring [3][]float64
	ring[0], ring[1], ring[2] = o.h, o.hnext, make([]float64, n)
	clear(ring[0])
	state := func(t int) []float64 { return ring[(t+1)%3] } // h(t), with h(-1) = 0

	fused := learn[PartW] // the product W h(t) formed as W changes
	dotW := make([]float64, n)
	scale, decay := 1/float64(bt.T), 1-alpha
	// The inputs' and bias's weights [W_in | b], a row per unit, beside
	// their traces' [x(t); 1] in each row of p: the tail of each row's pass.
	mt := m + 1
	inB := make([]float64, n*mt)
	for a := range n {
		copy(inB[a*mt:], net.WIn[a*m:(a+1)*m])
		inB[a*mt+m] = net.B[a]
	}
	learnInB := make([]bool, mt)
	for q := range learnInB {
		learnInB[q] = q < m && learn[PartWIn] || q == m && learn[PartB]
	}
	// No more workers than processors: each spins at the barrier while it
	// waits (the results do not depend on the number).
	workers := min(max(o.Workers, 1), n, runtime.GOMAXPROCS(0))
	if o.balance == nil || o.balance.Members() != workers || o.balanceN != n {
		o.balance, o.balanceN = par.NewBalance(n, workers, 8, 16, nil), n
	}
	bal := o.balance
	loss := 0.0
	par.Team(workers, func(w int, sync func()) {
		lo, hi := bal.Rows(w)
		// Each worker changes its own copy of W_out (worker 0's is the
		// network's) and of b_out, all of it, by the same arithmetic.
		bOut, wo := append([]float64(nil), net.BOut...), net.WOut
		if w > 0 && learn[PartWOut] {
			wo = append([]float64(nil), net.WOut...)
		}
		y, e := make([]float64, k), make([]float64, k)
		sum := 0.0 // worker 0's loss, in a register rather than shared
		tail := kernel.TraceTail{Z: make([]float64, mt), LD: mt, Learn: learnInB}
		tail.Z[m] = 1
		c := n + mt
		clear(o.p[lo*c : hi*c]) // each worker its own rows, into its own cache
		if fused {
			kernel.Gemv(dotW[lo:hi], 0, net.W[lo*n:], n, state(-1))
		}
		bal.Start(w)
		for t := range bt.T {
			hp, hn := state(t-1), state(t)
			x := bt.X[t*m : (t+1)*m]
			lo, hi = bal.Rows(w)
			u := o.dphi[lo:hi] // u, then phi'(u), then alpha phi'(u)
			// Take the lines of this worker's rows of h(t) from the other
			// cores' caches now (a store to each; the values come below),
			// so that the transfers overlap the arithmetic instead of
			// stalling the stores of h(t) (the phase that writes them: 0.95
			// us a step without this, 0.6 with it).
			for a := lo; a < hi; a += 8 {
				hn[a] = 0
			}
			// u = W h(t-1) + W_in x(t) + b on this worker's rows, as Run's
			// inputTerm and Gemv compute it: W_in x + b (Gemv adds its sum
			// to what is there, b, as s + b), then W h(t-1) + that.
			if m > 0 {
				kernel.Gemv(u, 0, inB[lo*mt:], mt, x)
			}
			for j := range u {
				v := inB[(lo+j)*mt+m]
				if m > 0 {
					v = u[j] + v
				}
				if fused {
					v = dotW[lo+j] + v
				}
				u[j] = v
			}
			if !fused {
				kernel.Gemv(u, 1, net.W[lo*n:], n, hp)
			}
			kernel.Tanh(u, u)
			for j, th := range u {
				a := lo + j
				hn[a] = hp[a] + float64(alpha*(th-hp[a])) // products rounded, as Run
				u[j] = float64(alpha * float64(1-float64(th*th)))
			}
			bal.Sync(w, sync)
			lo, hi = bal.Rows(w)
			u, fb := o.dphi[lo:hi], o.fb[lo:hi]
			kernel.Gemv(y, 0, wo, n, hn)
			for q := range y {
				y[q] += bOut[q]
				s := scale
				if bt.Mask != nil {
					s *= bt.Mask[t*k+q]
				}
				diff := y[q] - bt.Y[t*k+q]
				e[q] = s * diff
				if w == 0 {
					sum += float64(e[q] * diff)
				}
			}
			if o.Feedback != nil {
				kernel.Gemv(fb, 0, o.Feedback[lo*k:], k, e)
			} else {
				kernel.GemvT(fb, 0, wo[lo:], n, e)
			}
			copy(tail.Z, x)
			tail.Theta = inB[lo*mt:]
			if fused {
				kernel.TraceSGDDotRows(o.p[lo*c:], c, net.W[lo*n:], n, hp, hn, decay, u, fb, lr, dotW[lo:hi], &tail)
			} else {
				// The same arithmetic, without W's updates and products.
				for j, s := range u {
					a, f := lo+j, fb[j]
					p := o.p[a*c : (a+1)*c]
					for q, zq := range hp {
						p[q] = float64(decay*p[q]) + float64(s*zq)
					}
					pt, th := p[n:], inB[a*mt:(a+1)*mt]
					for q, zq := range tail.Z {
						v := float64(decay*pt[q]) + float64(s*zq)
						pt[q] = v
						if learnInB[q] {
							th[q] -= float64(lr * float64(f*v))
						}
					}
				}
			}
			// W_out and b_out by the delta rule, as Run's sgdRow applies
			// the gradient e h^T (each element 0 + e_q h_j) and e.
			if learn[PartWOut] {
				kernel.DescendOuter(wo, n, e, hn, lr)
			}
			if learn[PartBOut] {
				for q, eq := range e {
					bOut[q] -= float64(lr * eq)
				}
			}
		}
		if w == 0 {
			copy(net.BOut, bOut)
			loss = sum
		}
	})
	for a := range n {
		copy(net.WIn[a*m:(a+1)*m], inB[a*mt:])
		net.B[a] = inB[a*mt+m]
	}
	return loss / 2
}
