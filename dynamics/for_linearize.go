package dynamics

import "github.com/fpfind/fpfind/internal/kernel"

// OperatorVecRowsAt writes rows [r0, r1) of (operator) v into dst[r0:r1],
// for the state whose phi'(x) is d, bit-identical to those rows of
// [Network.OperatorVecAt]: kernel.Gemv sums each row in the same order
// wherever a block starts. It lets a caller form several products in one
// pass over W, block of rows by block of rows while the block is in cache
// (linearize.LeadingAll), or split one product among goroutines. The other
// elements of dst are not touched. dst, d and v have length N; dst must not
// alias d or v; 0 <= r0 <= r1 <= N.
func (n *Network) OperatorVecRowsAt(dst, d, v []float64, r0, r1 int) {
	n.checkLen(dst, d, v)
	if alias(dst, d) || alias(dst, v) {
		panic("dynamics: dst aliases an argument")
	}
	if r0 < 0 || r1 < r0 || r1 > n.n {
		panic("dynamics: row range out of bounds")
	}
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
