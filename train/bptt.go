package train

import (
	"sync"

	"github.com/fpfind/fpfind/internal/kernel"
)

// Pass is the workspace of forward passes and backpropagation through time
// over batches of trials, reused across calls of one size. Trials are
// rows: every array is time-major (T x B x width), and the trials are split
// between Workers goroutines in contiguous blocks for the whole time loop,
// so the goroutines meet only once per pass. Each row's arithmetic, and
// each element of the weight gradients (rows of one matrix product),
// does not depend on the split, so the results are bit-identical whatever
// Workers is.
type Pass struct {
	// Workers is the number of goroutines (<= 1: the calling one).
	Workers int

	t, b    int
	n, m, k int
	// h holds the states h(0) = 0, h(1), ..., h(T), (T+1) x B x N.
	h []float64
	// d holds phi'(u(t)) after the forward pass, and the backward pass
	// overwrites it with delta(t) = alpha g(t) phi'(u(t)), g(t) = dL/dh(t).
	d []float64
	// y and e are the outputs and the scaled errors
	// mask (y - y*) / (T B) = dL/dy, T x B x K.
	y, e []float64
	// carry (B x N) is dL/dh(t) through h(t+1); dT (N x TB) and eT (K x
	// TB) are delta and e transposed for the gradient products.
	carry, dT, eT []float64
}

// resize makes room for a batch of b trials of t steps.
func (p *Pass) resize(net *Net, t, b int) {
	if p.t == t && p.b == b && p.n == net.N && p.m == net.M && p.k == net.K {
		return
	}
	p.t, p.b, p.n, p.m, p.k = t, b, net.N, net.M, net.K
	p.h = make([]float64, (t+1)*b*net.N)
	p.d = make([]float64, t*b*net.N)
	p.y = make([]float64, t*b*net.K)
	p.e = make([]float64, t*b*net.K)
	p.carry = make([]float64, b*net.N)
	p.dT = nil
	p.eT = nil
}

// PassBytes estimates the memory of a Pass over batches of b trials of t
// steps of a network of n units and k outputs, with the gradient buffers.
func PassBytes(n, m, k, t, b int) float64 {
	return 8 * (float64(t+1)*float64(b)*float64(n)*3 + 2*float64(t)*float64(b)*float64(k)*1.5 + float64(b*n) + 2*float64(NumParams(n, m, k)) + 2*float64(n*n))
}

// split calls fn on contiguous blocks [lo, hi) covering 0..n, on up to
// workers goroutines.
func split(n, workers int, fn func(lo, hi int)) {
	workers = min(workers, n)
	if workers <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Go(func() { fn(lo, hi) })
	}
	wg.Wait()
}

// Forward runs the trials of bt through net and returns the loss
//
//	L = 1/(2 T B) sum over t, trials, outputs of mask (y - y*)^2.
//
// States, outputs and errors stay in p for Backward and Outputs.
func (p *Pass) Forward(net *Net, bt *Batch) float64 {
	p.resize(net, bt.T, bt.B)
	n, b := net.N, bt.B
	pT := kernel.PackTransposed(n, n, net.W, n) // rows times W^T
	scale := 1 / float64(bt.T*bt.B)
	split(b, p.Workers, func(lo, hi int) {
		rows := hi - lo
		clear(p.h[lo*n : hi*n])
		for t := range bt.T {
			hprev := p.h[(t*b+lo)*n : (t*b+hi)*n]
			hcur := p.h[((t+1)*b+lo)*n : ((t+1)*b+hi)*n]
			u := p.d[(t*b+lo)*n : (t*b+hi)*n]
			for r := range rows {
				inputTerm(u[r*n:(r+1)*n], net, bt.X[(t*b+lo+r)*bt.M:(t*b+lo+r+1)*bt.M])
			}
			kernel.GemmPacked(rows, hprev, n, pT, 0, n, u, n)
			kernel.Tanh(u, u)
			for j, th := range u {
				hcur[j] = hprev[j] + net.Alpha*(th-hprev[j])
				u[j] = 1 - th*th
			}
			for r := range rows {
				row := (t*b + lo + r) * net.K
				p.output(net, bt, row, hcur[r*n:(r+1)*n], scale)
			}
		}
	})
	loss := 0.0
	for i, e := range p.e {
		if e != 0 {
			diff := p.y[i] - bt.Y[i]
			loss += diff * e
		}
	}
	return loss / 2
}

// inputTerm sets u = b + W_in x.
func inputTerm(u []float64, net *Net, x []float64) {
	copy(u, net.B)
	if net.M > 0 {
		kernel.Gemv(u, 1, net.WIn, net.M, x)
	}
}

// output sets the outputs y = W_out h + b_out of one row (of the T x B
// arrays) and its scaled error e = mask (y - y*) scale.
func (p *Pass) output(net *Net, bt *Batch, row int, h []float64, scale float64) {
	k := net.K
	y := p.y[row : row+k]
	kernel.Gemv(y, 0, net.WOut, net.N, h)
	for c := range y {
		y[c] += net.BOut[c]
		w := scale
		if bt.Mask != nil {
			w *= bt.Mask[row+c]
		}
		p.e[row+c] = w * (y[c] - bt.Y[row+c])
	}
}

// Outputs returns the outputs of the last Forward, T x B x K.
func (p *Pass) Outputs() []float64 { return p.y }

// Backward propagates the errors of the last Forward back through time and
// sets grad (laid out as net.Params) to the gradient of its loss.
func (p *Pass) Backward(net *Net, bt *Batch, grad []float64) {
	n, b, t, alpha := net.N, bt.B, bt.T, net.Alpha
	pW := kernel.Pack(n, n, net.W, n) // rows times W
	split(b, p.Workers, func(lo, hi int) {
		rows := hi - lo
		carry := p.carry[lo*n : hi*n]
		clear(carry)
		for s := t - 1; s >= 0; s-- {
			d := p.d[(s*b+lo)*n : (s*b+hi)*n]
			for r := range rows {
				// g = carry + W_out^T e, into carry.
				row := (s*b + lo + r) * net.K
				kernel.GemvT(carry[r*n:(r+1)*n], 1, net.WOut, n, p.e[row:row+net.K])
			}
			for j, g := range carry {
				d[j] *= alpha * g
				carry[j] = (1 - alpha) * g
			}
			if s > 0 {
				kernel.GemmPacked(rows, d, n, pW, 0, n, carry, n)
			}
		}
	})
	p.gradients(net, bt, grad)
}

// gradients sets grad from delta and e: dL/dW = sum delta(t) h(t-1)^T,
// dL/dW_in = sum delta(t) x(t)^T, dL/db = sum delta(t), dL/dW_out = sum
// e(t) h(t)^T, dL/db_out = sum e(t), each sum over trials and steps as one
// product of the transposed T B-long columns.
func (p *Pass) gradients(net *Net, bt *Batch, grad []float64) {
	n, k, tb := net.N, net.K, bt.T*bt.B
	if len(p.dT) != n*tb {
		p.dT = make([]float64, n*tb)
		p.eT = make([]float64, k*tb)
	}
	transpose(p.dT, p.d, tb, n, p.Workers)
	transpose(p.eT, p.e, tb, k, 1)
	clear(grad)
	gW, gIn, gB := net.Slice(grad, PartW), net.Slice(grad, PartWIn), net.Slice(grad, PartB)
	gOut, gBOut := net.Slice(grad, PartWOut), net.Slice(grad, PartBOut)
	split(n, p.Workers, func(lo, hi int) {
		rows := hi - lo
		kernel.GemmNN(rows, n, tb, p.dT[lo*tb:], tb, p.h, n, gW[lo*n:], n)
		if net.M > 0 {
			kernel.GemmNN(rows, net.M, tb, p.dT[lo*tb:], tb, bt.X, net.M, gIn[lo*net.M:], net.M)
		}
		for a := lo; a < hi; a++ {
			s := 0.0
			for _, v := range p.dT[a*tb : (a+1)*tb] {
				s += v
			}
			gB[a] = s
		}
	})
	kernel.GemmNN(k, n, tb, p.eT, tb, p.h[bt.B*n:], n, gOut, n)
	for c := range k {
		s := 0.0
		for _, v := range p.eT[c*tb : (c+1)*tb] {
			s += v
		}
		gBOut[c] = s
	}
}

// transpose sets dst (c x r) to src (r x c) transposed, in blocks of rows
// of dst on up to workers goroutines.
func transpose(dst, src []float64, r, c, workers int) {
	split(c, workers, func(lo, hi int) {
		const blk = 64
		for i0 := 0; i0 < r; i0 += blk {
			i1 := min(i0+blk, r)
			for j := lo; j < hi; j++ {
				row := dst[j*r:]
				for i := i0; i < i1; i++ {
					row[i] = src[i*c+j]
				}
			}
		}
	})
}
