package dynamics

import (
	"math"

	"github.com/fpfind/fpfind/internal/kernel"
)

// operatorVecRows writes rows [r0, r1) of (operator) v into dst[r0:r1], for
// the state whose phi'(x) is d, bit-identical to those rows of
// [Network.OperatorVecAt]: kernel.Gemv sums each row in the same order
// wherever a block starts. The other elements of dst are not touched.
func (n *Network) operatorVecRows(dst, d, v []float64, r0, r1 int) {
	if r0 == r1 {
		return
	}
	y := dst[r0:r1]
	kernel.Gemv(y, 0, n.w.Data[r0*n.w.Stride:], n.w.Stride, v)
	switch n.conv {
	case Continuous:
		for i := r0; i < r1; i++ {
			dst[i] = (d[i]*dst[i] - v[i]) * n.invTau[i]
		}
	case Leaky:
		a := n.alpha
		for i := r0; i < r1; i++ {
			dst[i] = (1-a)*v[i] + a*d[i]*dst[i]
		}
	default:
		for i := r0; i < r1; i++ {
			dst[i] = d[i] * dst[i]
		}
	}
}

// OperatorNorms returns the infinity norm, the trace and the squared
// Frobenius norm of the convention's operator (see [Network.Operator]) at
// the state whose phi'(x) is d, from one pass over W and without forming
// the operator. Row i of the operator is c_i W_i + g_i e_i, with c_i =
// d_i/tau_i and g_i = -1/tau_i (Continuous), c_i = alpha d_i and g_i =
// 1-alpha (Leaky), c_i = d_i and g_i = 0 (Discrete). Each row's absolute
// sum is taken in the order of the formed operator's, so the infinity norm
// is bit-identical to that of the matrix [Network.Operator] writes. d has
// length N.
func (n *Network) OperatorNorms(d []float64) (inf, trace, frob2 float64) {
	n.checkLen(d)
	nn := n.n
	for i := 0; i < nn; i++ {
		var c, g float64
		switch n.conv {
		case Continuous:
			inv := 1 / n.tau[i]
			c, g = d[i]*inv, -inv
		case Leaky:
			c, g = n.alpha*d[i], 1-n.alpha
		default:
			c = d[i]
		}
		row := n.row(i)
		diag := c*row[i] + g
		var abs, sq float64
		for j, x := range row {
			if j == i {
				abs += math.Abs(diag)
				continue
			}
			abs += math.Abs(c * x)
			sq += x * x
		}
		inf = max(inf, abs)
		trace += diag
		frob2 += c*c*sq + diag*diag
	}
	return inf, trace, frob2
}
