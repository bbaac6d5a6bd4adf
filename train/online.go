package train

import (
	"github.com/fpfind/fpfind/internal/kernel"
	"github.com/fpfind/fpfind/internal/par"
)

// Forward-mode learning: RTRL and RFLO carry, per trial, the sensitivity of
// the state to the recurrent parameters Theta = [W | W_in | b] (N x C,
// C = N + M + 1), whose row a feeds unit a through u = Theta z, z(t) =
// [h(t-1); x(t); 1]. Differentiating the update
//
//	h_j(t) = (1 - alpha) h_j(t-1) + alpha tanh(u_j(t))
//
// gives the exact recursion of real-time recurrent learning (Williams and
// Zipser 1989), for P_j,ab(t) = dh_j(t)/dTheta_ab:
//
//	P_j,ab(t) = (1 - alpha) P_j,ab(t-1)
//	          + alpha phi'(u_j(t)) [ sum_k W_jk P_k,ab(t-1) + delta_ja z_b(t) ],
//
// and dL/dTheta_ab = sum_t sum_j (W_out^T e(t))_j P_j,ab(t), with e(t) =
// dL/dy(t). RFLO (Murray 2019) drops the sum over k, which couples the
// units: P_j,ab is then zero for j != a, and its diagonal is the eligibility
// trace of synapse (a, b),
//
//	p_ab(t) = (1 - alpha) p_ab(t-1) + alpha phi'(u_a(t)) z_b(t),
//
// updated locally in O(N C) per step instead of O(N^2 N C); and the error
// reaches unit a through a fixed random feedback matrix B (N x K) instead
// of W_out^T: the update direction is (B e(t))_a p_ab(t). W_out learns by
// the delta rule e(t) h(t)^T, which is its exact gradient, in both.

// Online is the workspace of RTRL or RFLO over batches of trials run in
// lockstep: at every step, each trial's sensitivities advance and add
// their part to the gradient, which, when Update is set, changes the
// weights at once (online learning) and otherwise at the end of the batch.
type Online struct {
	// Exact selects RTRL; otherwise RFLO.
	Exact bool
	// DropCoupling, with Exact, drops the term sum_k W_jk P_k,ab of RTRL's
	// recursion, so that P stays diagonal in (j, a): with Feedback nil it
	// then computes RFLO's update with B = W_out^T, by RTRL's own code. It
	// is there to test that RFLO is exactly RTRL without that term.
	DropCoupling bool
	// Feedback is RFLO's B (N x K, row-major); nil uses W_out^T.
	Feedback []float64
	// Workers splits each step's work between goroutines by rows of the
	// sensitivities (bit-identical results whatever its value).
	Workers int

	n, m, k, c, b int
	h, hnext      []float64 // B x N
	z             []float64 // B x C
	dphi          []float64 // B x N
	y, e          []float64 // B x K
	fb            []float64 // B x N: the error fed back, B e or W_out^T e
	p             []float64 // B x N x C (RFLO), B x N x N C (RTRL)
	tmp           []float64 // N x N C: W P (RTRL)
	gTheta        []float64 // N x C
	// sgd, during RunSGD, is its learning rate and the parts that learn.
	sgd *sgdStep
	// balance divides online RFLO's rows among its workers (runRFLOSGD),
	// from one trial to the next, for networks of balanceN units.
	balance  *par.Balance
	balanceN int
}

// sgdStep is plain gradient descent applied inside a step.
type sgdStep struct {
	lr    float64
	learn Learned
}

// OnlineBytes estimates the memory of an Online over b trials of a network
// of n units, m inputs and k outputs.
func OnlineBytes(exact bool, n, m, k, b int) float64 {
	c := float64(n + m + 1)
	per := float64(n) * c
	if exact {
		per *= float64(n)
	}
	return 8 * (float64(b)*per + float64(b)*float64(4*n+2*k+int(c)) + per + float64(n)*c + 3*float64(NumParams(n, m, k)))
}

func (o *Online) resize(net *Net, b int) {
	if o.n == net.N && o.m == net.M && o.k == net.K && o.b == b {
		return
	}
	n, c := net.N, net.N+net.M+1
	o.n, o.m, o.k, o.c, o.b = n, net.M, net.K, c, b
	o.h = make([]float64, b*n)
	o.hnext = make([]float64, b*n)
	o.z = make([]float64, b*c)
	o.dphi = make([]float64, b*n)
	o.y = make([]float64, b*net.K)
	o.e = make([]float64, b*net.K)
	o.fb = make([]float64, b*n)
	per := n * c
	if o.Exact {
		per *= n
		o.tmp = make([]float64, per)
	}
	o.p = make([]float64, b*per)
	o.gTheta = make([]float64, n*c)
}

// Run runs the trials of bt from h = 0 with zero sensitivities and returns
// their loss (as Pass.Forward defines it, with the weights of each step).
// The gradient of each step goes into grad (laid out as net.Params); with
// update nil it sums over the batch, and grad ends as the batch's
// gradient (RTRL's is BPTT's); otherwise update is called after every
// step with that step's gradient, which it may change, and grad is
// cleared after it.
func (o *Online) Run(net *Net, bt *Batch, grad []float64, update func(grad []float64)) float64 {
	o.resize(net, bt.B)
	n, m, k, c, b := net.N, net.M, net.K, o.c, bt.B
	clear(o.h)
	clear(o.p)
	clear(grad)
	scale := 1 / float64(bt.T*bt.B)
	loss := 0.0
	for t := range bt.T {
		for i := range b {
			z := o.z[i*c : (i+1)*c]
			h := o.h[i*n : (i+1)*n]
			copy(z, h)
			copy(z[n:n+m], bt.X[(t*b+i)*m:(t*b+i+1)*m])
			z[n+m] = 1
			// u = Theta z, in dphi.
			u := o.dphi[i*n : (i+1)*n]
			inputTerm(u, net, z[n:n+m])
			kernel.Gemv(u, 1, net.W, n, h)
			hn := o.hnext[i*n : (i+1)*n]
			kernel.Tanh(u, u)
			for j, th := range u {
				hn[j] = h[j] + float64(net.Alpha*(th-h[j])) // products rounded (no fused multiply-add), as runRFLOSGD
				u[j] = 1 - float64(th*th)
			}
			row := t*b + i
			y := o.y[i*k : (i+1)*k]
			e := o.e[i*k : (i+1)*k]
			kernel.Gemv(y, 0, net.WOut, n, hn)
			for q := range y {
				y[q] += net.BOut[q]
				w := scale
				if bt.Mask != nil {
					w *= bt.Mask[row*k+q]
				}
				diff := y[q] - bt.Y[row*k+q]
				e[q] = w * diff
				loss += float64(e[q] * diff)
			}
			// The error fed back to the units.
			fb := o.fb[i*n : (i+1)*n]
			if o.Feedback != nil {
				kernel.Gemv(fb, 0, o.Feedback, k, e)
			} else {
				kernel.GemvT(fb, 0, net.WOut, n, e)
			}
			// W_out and b_out: the delta rule, exact in both.
			gOut := net.Slice(grad, PartWOut)
			gBOut := net.Slice(grad, PartBOut)
			for q, eq := range e {
				if eq != 0 {
					row := gOut[q*n : (q+1)*n]
					for j, hj := range hn {
						row[j] += eq * hj
					}
					gBOut[q] += eq
				}
			}
		}
		if o.Exact {
			o.stepRTRL(net)
		} else {
			o.stepRFLO(net)
		}
		o.h, o.hnext = o.hnext, o.h
		if o.sgd != nil {
			// Theta changed in stepRFLO; W_out and b_out now.
			sgdRow(net.WOut, net.Slice(grad, PartWOut), o.sgd.lr, o.sgd.learn[PartWOut])
			sgdRow(net.BOut, net.Slice(grad, PartBOut), o.sgd.lr, o.sgd.learn[PartBOut])
			clear(net.Slice(grad, PartWOut)) // the only parts of grad that RunSGD fills
			clear(net.Slice(grad, PartBOut))
		} else if update != nil {
			o.scatter(net, grad)
			update(grad)
			clear(grad)
			clear(o.gTheta)
		}
	}
	if update == nil && o.sgd == nil {
		o.scatter(net, grad)
	}
	clear(o.gTheta)
	return loss / 2
}

// stepRFLO advances every trial's eligibility traces and adds (fb)_a p_ab
// to gTheta, row by row; under RunSGD it then changes row a of Theta by
// that row's update at once, as Run's update would after the step (no row
// of Theta is read in between).
func (o *Online) stepRFLO(net *Net) {
	n, m, c, alpha := o.n, o.m, o.c, net.Alpha
	split(n, o.Workers, func(lo, hi int) {
		for a := lo; a < hi; a++ {
			g := o.gTheta[a*c : (a+1)*c]
			for i := range o.b {
				p := o.p[(i*n+a)*c : (i*n+a+1)*c]
				z := o.z[i*c : (i+1)*c]
				s := alpha * o.dphi[i*n+a]
				f := o.fb[i*n+a]
				for q, zq := range z {
					// Each product rounded, as kernel.TraceSGDDot does.
					v := float64((1-alpha)*p[q]) + float64(s*zq)
					p[q] = v
					g[q] += float64(f * v)
				}
			}
			if o.sgd != nil {
				sgdRow(net.W[a*n:(a+1)*n], g[:n], o.sgd.lr, o.sgd.learn[PartW])
				sgdRow(net.WIn[a*m:(a+1)*m], g[n:n+m], o.sgd.lr, o.sgd.learn[PartWIn])
				sgdRow(net.B[a:a+1], g[n+m:], o.sgd.lr, o.sgd.learn[PartB])
				clear(g)
			}
		}
	})
}

// sgdRow sets theta -= lr g when learn.
func sgdRow(theta, g []float64, lr float64, learn bool) {
	if learn {
		for q, v := range g {
			theta[q] -= float64(lr * v) // rounded, as Optimizer.Apply's SGD step
		}
	}
}

// RunSGD runs the trials of bt as Run does with an update after every step
// by plain gradient descent without clipping (an Optimizer of Method SGD
// and Clip 0), with the same results to the bit, but RFLO changes each row
// of the weights as soon as its update is known, in the pass that advances
// its traces, instead of in passes of their own: the online rule at its
// cheapest (with one trial, runRFLOSGD). It returns the loss.
func (o *Online) RunSGD(net *Net, bt *Batch, grad []float64, lr float64, learn Learned) float64 {
	if o.Exact {
		opt := NewOptimizer(Optim{Method: SGD, LR: lr}, learn, len(net.Params))
		return o.Run(net, bt, grad, func(g []float64) { opt.Apply(net, g) })
	}
	if bt.B == 1 {
		return o.runRFLOSGD(net, bt, grad, lr, learn)
	}
	o.sgd = &sgdStep{lr: lr, learn: learn}
	defer func() { o.sgd = nil }()
	return o.Run(net, bt, grad, nil)
}

// stepRTRL advances every trial's full sensitivities, P <- (1 - alpha) P +
// alpha diag(phi') (W P + E), and adds fb^T P to gTheta.
func (o *Online) stepRTRL(net *Net) {
	n, c, alpha := o.n, o.c, net.Alpha
	nc := n * c
	for i := range o.b {
		p := o.p[i*n*nc : (i+1)*n*nc]
		z := o.z[i*c : (i+1)*c]
		dphi := o.dphi[i*n : (i+1)*n]
		split(n, o.Workers, func(lo, hi int) {
			tmp := o.tmp[lo*nc : hi*nc]
			clear(tmp)
			if !o.DropCoupling {
				kernel.GemmNN(hi-lo, nc, n, net.W[lo*n:], n, p, nc, tmp, nc)
			}
		})
		// All rows of W P are read from the old P before any row changes.
		split(n, o.Workers, func(lo, hi int) {
			for j := lo; j < hi; j++ {
				pj := p[j*nc : (j+1)*nc]
				tj := o.tmp[j*nc : (j+1)*nc]
				// E: delta_ja z_b, on the block a = j.
				blk := tj[j*c : (j+1)*c]
				for q, zq := range z {
					blk[q] += zq
				}
				s := alpha * dphi[j]
				for q, v := range tj {
					pj[q] = (1-alpha)*pj[q] + s*v
				}
			}
		})
		// gTheta += P^T fb, by blocks of columns (bit-identical whatever
		// the split).
		fb := o.fb[i*n : (i+1)*n]
		split(n, o.Workers, func(lo, hi int) {
			kernel.GemvT(o.gTheta[lo*c:hi*c], 1, p[lo*c:], nc, fb)
		})
	}
}

// scatter adds gTheta = [dW | dW_in | db] into grad.
func (o *Online) scatter(net *Net, grad []float64) {
	n, m, c := o.n, o.m, o.c
	gW, gIn, gB := net.Slice(grad, PartW), net.Slice(grad, PartWIn), net.Slice(grad, PartB)
	for a := range n {
		row := o.gTheta[a*c : (a+1)*c]
		for q := range n {
			gW[a*n+q] += row[q]
		}
		for q := range m {
			gIn[a*m+q] += row[n+q]
		}
		gB[a] += row[n+m]
	}
}
