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
// N x N otherwise; its result is exactly symmetric (the lower triangle is
// the mirror of the upper). The work is the upper triangle of one N x N
// matrix product (N^3 flops), by internal/kernel's GemmUpper, with an N x N scratch matrix pooled across calls:
// BenchmarkSpeedHessian (quiet) 0.09-0.10 ms at N = 128, 5.7 ms at
// N = 512 and 0.26-0.29 s at N = 2048, against 0.15 ms, 10.1 ms and
// 0.51-0.53 s for the whole product by the packed kernel (and 3-4 ms at
// N = 200 through gonum's Dgemm with a transposed operand).
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
	// wd = W^T diag(b) (by tiles of hessTile x hessTile, so that the
	// transposed writes stay in cache), then the upper triangle of
	// dst = wd W (kernel.GemmUpper): half the product, the lower triangle
	// being its mirror.
	const t = hessTile
	for k0 := 0; k0 < nn; k0 += t {
		for i0 := 0; i0 < nn; i0 += t {
			for k := k0; k < min(k0+t, nn); k++ {
				bk, rk := b[k], n.row(k)
				for i := i0; i < min(i0+t, nn); i++ {
					wd[i*nn+k] = rk[i] * bk
				}
			}
		}
	}
	kernel.GemmUpper(nn, nn, wd, nn, n.w.Data, n.w.Stride, d.Data, d.Stride)
	// - diag(s/tau) W - W^T diag(s/tau) + diag(1/tau^2) on the upper
	// triangle, in that order for each element, then the mirror.
	for i := 0; i < nn; i++ {
		c := s[i] * n.invTau[i]
		di := d.Data[i*d.Stride : i*d.Stride+nn]
		for j, v := range n.row(i)[i:] {
			di[i+j] -= c * v
		}
	}
	for r0 := 0; r0 < nn; r0 += t {
		for i0 := r0; i0 < nn; i0 += t {
			// d[r][i] -= c_i W[i][r] for r <= i in the tile.
			for i := i0; i < min(i0+t, nn); i++ {
				c, ri := s[i]*n.invTau[i], n.row(i)
				for r := r0; r < min(r0+t, i+1); r++ {
					d.Data[r*d.Stride+i] -= c * ri[r]
				}
			}
		}
	}
	for i := 0; i < nn; i++ {
		d.Data[i*d.Stride+i] += n.invTau[i] * n.invTau[i]
	}
	for i0 := 0; i0 < nn; i0 += t {
		for j0 := i0; j0 < nn; j0 += t {
			for i := i0; i < min(i0+t, nn); i++ {
				ri := d.Data[i*d.Stride:]
				for j := max(j0, i+1); j < min(j0+t, nn); j++ {
					d.Data[j*d.Stride+i] = ri[j]
				}
			}
		}
	}
	scratch.Put(sp)
	return q / 2
}

// hessTile is the side of the tiles of SpeedHessian's transposed copies.
const hessTile = 16
