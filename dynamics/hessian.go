package dynamics

import (
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/kernel"
)

// scratch holds N x N work matrices for SpeedHessian, reused across calls
// and goroutines.
var scratch sync.Pool

// SpeedHessian writes the Hessian of the speed q(h) = |F(h)|^2 / 2 at h into
// dst and returns q(h):
//
//	∇²q = J^T J + Σ_i F_i ∇²F_i = J^T J + W^T diag(F ⊙ phi''(x) / tau) W,
//
// with J the Jacobian and x = W h + W_in u + b. At a slow point (a local
// minimum of q with q > 0) the second term is what J^T J alone misses: it
// makes the minimum's curvature exact, so Newton's method on the gradient
// of q converges quadratically there. dst is resized when empty and must be
// N x N otherwise; its result is symmetric to rounding. The work is one
// N x N matrix product (2 N^3 flops), by internal/kernel's packed kernel on
// the packed copy of W that the network keeps for its evaluators (made on
// first use), with an N x N scratch matrix pooled across calls: 0.42 ms at
// N = 200, against 3-4 ms through gonum's Dgemm with a transposed operand
// (BenchmarkSpeedHessian).
func (n *Network) SpeedHessian(dst *mat.Dense, h []float64) float64 {
	n.checkLen(h)
	d := n.sized(dst)
	nn := n.n
	// The last row of dst holds x until the product overwrites it.
	x := d.Data[(nn-1)*d.Stride : (nn-1)*d.Stride+nn]
	n.PreActivation(x, h)
	sp, _ := scratch.Get().(*[]float64)
	if sp == nil || cap(*sp) < nn*nn+2*nn {
		b := make([]float64, nn*nn+2*nn)
		sp = &b
	}
	buf := (*sp)[:nn*nn+2*nn]
	s, b := buf[:nn], buf[nn:2*nn] // phi'/tau; the diagonal of W^T (.) W
	wd := buf[2*nn:]
	var q float64
	for i, xi := range x {
		t := n.invTau[i]
		fi := (n.act.Phi(xi) - h[i]) * t
		q += fi * fi
		s[i] = n.act.D1(xi) * t
		b[i] = s[i]*s[i] + fi*n.act.D2(xi)*t
	}
	// wd = W^T diag(b), then dst = wd W, by the packed kernel on W (the
	// copy the network keeps for the gradients of its evaluators).
	for k := 0; k < nn; k++ {
		bk := b[k]
		for i, v := range n.row(k) {
			wd[i*nn+k] = v * bk
		}
	}
	for i := 0; i < nn; i++ {
		clear(d.Data[i*d.Stride : i*d.Stride+nn])
	}
	kernel.GemmPacked(nn, wd, nn, n.wPacked(), 0, nn, d.Data, d.Stride)
	// - W^T diag(s/tau) - diag(s/tau) W + diag(1/tau^2).
	for i := 0; i < nn; i++ {
		ri := n.row(i)
		c := s[i] * n.invTau[i]
		di := d.Data[i*d.Stride : i*d.Stride+nn]
		for j, v := range ri {
			di[j] -= c * v
		}
		// Column i of the transpose term: d[j][i] -= c W[i][j].
		for j, v := range ri {
			d.Data[j*d.Stride+i] -= c * v
		}
		di[i] += n.invTau[i] * n.invTau[i]
	}
	scratch.Put(sp)
	return q / 2
}
