package dynamics

import (
	"fmt"
	"sync"

	"github.com/fpfind/fpfind/internal/kernel"
)

// packedW holds W^T and W packed for kernel.GemmPacked, each built on
// first use and kept (N^2 more memory each): the products of batches of
// states with W (H W^T) and of gradients' rows with W (D W).
type packedW struct {
	onceT, once sync.Once
	t, w        *kernel.Packed
}

// wT returns W^T packed: x = W h for the rows h of a batch is H W^T.
func (n *Network) wT() *kernel.Packed {
	n.pk.onceT.Do(func() { n.pk.t = kernel.PackTransposed(n.n, n.n, n.w.Data, n.w.Stride) })
	return n.pk.t
}

// wPacked returns W packed: the rows of D W are the products W^T d.
func (n *Network) wPacked() *kernel.Packed {
	n.pk.once.Do(func() { n.pk.w = kernel.Pack(n.n, n.n, n.w.Data, n.w.Stride) })
	return n.pk.w
}

// rowsPool holds SpeedGradRows' scratch rows.
var rowsPool = sync.Pool{New: func() any { return new([]float64) }}

// SpeedGradRows evaluates the speed and its gradient at m states at once:
// for each r < m, with h_r = h[r*N:(r+1)*N], it writes F(h_r) into row r of
// f, J(h_r)^T F(h_r) into row r of grad and q(h_r) = |F(h_r)|^2/2 into
// q[r]. The products with W of all m states are two passes over W, packed
// once into the blocks of internal/kernel's GemmPacked (W and W^T, built
// on first use and kept: 2 N^2 more memory), a register-blocked kernel
// that for large N and m >= 4 moves a fraction of the memory m separate
// products would and overlaps reading W with the arithmetic.
//
// Row r of every result is bit-identical whatever m is and whatever the
// other rows hold, so states can be batched in any grouping without
// changing a bit of any of them. The results agree with [Network.SpeedGrad]
// to rounding but are not bit-identical to it: x(h) is summed in column
// order here and in blocks there. grad, f and h must have length at least
// m N and must not overlap; q must have length at least m.
func (n *Network) SpeedGradRows(grad, f, h []float64, m int, q []float64) {
	nn := n.n
	if m < 0 || len(grad) < m*nn || len(f) < m*nn || len(h) < m*nn || len(q) < m {
		panic(fmt.Sprintf("dynamics: SpeedGradRows with %d rows of %d: slices too short", m, nn))
	}
	if alias(grad, f) || alias(grad, h) || alias(f, h) {
		panic("dynamics: arguments alias")
	}
	n.speedJacVecRows(grad, f, h, m, q, nil, 0, 0, 1)
}

// SpeedGradJacVecRows is [Network.SpeedGradRows] on the first m rows of h
// and [Network.JacVecRowsAt] on the next mv: the rows m to m+mv-1 of h are
// vectors v_r, row r-m of d is phi' at the state of v_r, and row r of f
// receives J v_r. The products with W of all m+mv rows share one pass over
// W (the speed's gradients take a second, of m rows). Every row is
// bit-identical to the same row computed by SpeedGradRows or JacVecRowsAt,
// alone or in any batch. grad and q take m rows and values, f and h m+mv
// rows, d mv rows; f must not overlap the others, nor grad. With par > 1
// the products are split by columns between par goroutines (each reads
// its share of W), which changes no bit.
func (n *Network) SpeedGradJacVecRows(grad, f, h []float64, m int, q, d []float64, mv, par int) {
	nn := n.n
	if m < 0 || mv < 0 || par < 1 || len(grad) < m*nn || len(f) < (m+mv)*nn || len(h) < (m+mv)*nn || len(q) < m || len(d) < mv*nn {
		panic(fmt.Sprintf("dynamics: SpeedGradJacVecRows with %d + %d rows of %d: slices too short", m, mv, nn))
	}
	if alias(grad, f) || alias(grad, h) || alias(f, h) || alias(f, d) || alias(grad, d) {
		panic("dynamics: arguments alias")
	}
	n.speedJacVecRows(grad, f, h, m, q, d, 0, mv, par)
}

// SpeedFieldJacVecRows is [Network.SpeedGradJacVecRows] with mf rows of a
// third kind between the two: for r in [m, m+mf), row r of h is a state
// h_r, row r of f receives F(h_r) and row r-m of d receives phi'(x(h_r))
// (what [Network.PhiPrime] writes, for the products J v at h_r). The rows
// m+mf to m+mf+mv-1 of h are the vectors v of the products, and their
// phi' are the rows mf to mf+mv-1 of d. All m+mf+mv rows share one pass
// over W. Row r of f for a state is bit-identical to the F of the same
// state as a speed row, and every row is bit-identical whatever the
// other rows are, in any batch and for any par. grad and q take m rows
// and values, f and h m+mf+mv rows, d mf+mv rows; f must not overlap the
// others, nor grad, nor d.
func (n *Network) SpeedFieldJacVecRows(grad, f, h []float64, m int, q, d []float64, mf, mv, par int) {
	nn := n.n
	rows := m + mf + mv
	if m < 0 || mf < 0 || mv < 0 || par < 1 || len(grad) < m*nn || len(f) < rows*nn || len(h) < rows*nn || len(q) < m || len(d) < (mf+mv)*nn {
		panic(fmt.Sprintf("dynamics: SpeedFieldJacVecRows with %d + %d + %d rows of %d: slices too short", m, mf, mv, nn))
	}
	if alias(grad, f) || alias(grad, h) || alias(f, h) || alias(f, d) || alias(grad, d) || mf > 0 && alias(h, d) {
		panic("dynamics: arguments alias")
	}
	n.speedJacVecRows(grad, f, h, m, q, d, mf, mv, par)
}

// gemmCols is C += A B for the m rows of a (stride N) and the packed N x N
// matrix b, into c (stride N), its columns split between par goroutines
// in whole bands of the packing. Every element keeps its FMA chain.
func (n *Network) gemmCols(m int, a []float64, b *kernel.Packed, c []float64, par int) {
	nn := n.n
	bands := (nn + kernel.Band - 1) / kernel.Band
	per := (bands + par - 1) / par
	if par == 1 || per >= bands || m == 0 {
		kernel.GemmPacked(m, a, nn, b, 0, nn, c, nn)
		return
	}
	var wg sync.WaitGroup
	for b0 := 0; b0 < bands; b0 += per {
		j0, j1 := b0*kernel.Band, min((b0+per)*kernel.Band, nn)
		wg.Go(func() { kernel.GemmPacked(m, a, nn, b, j0, j1, c, nn) })
	}
	wg.Wait()
}

// speedJacVecRows is SpeedFieldJacVecRows without the checks.
func (n *Network) speedJacVecRows(grad, f, h []float64, m int, q, d []float64, mf, mv, par int) {
	nn := n.n
	rows := m + mf + mv
	if rows == 0 {
		return
	}
	grad, f, h = grad[:m*nn], f[:rows*nn], h[:rows*nn]
	// x = W h + c, each x_i the FMA chain over j from c_i (from 0 for the
	// vectors of J v).
	for r := range m + mf {
		copy(f[r*nn:], n.c)
	}
	clear(f[(m+mf)*nn:])
	n.gemmCols(rows, h, n.wT(), f, par)
	it := n.invTau
	kernel.ForRows(mf+mv, par, func(r int) {
		o, od := (m+r)*nn, r*nn
		if r < mf {
			for i := range nn {
				p, d1 := n.act.phiD1(f[o+i])
				f[o+i] = (p - h[o+i]) * it[i]
				d[od+i] = d1
			}
			return
		}
		for i := range nn {
			f[o+i] = (d[od+i]*f[o+i] - h[o+i]) * it[i]
		}
	})
	if m == 0 {
		return
	}
	bp := rowsPool.Get().(*[]float64)
	defer rowsPool.Put(bp)
	if len(*bp) < m*nn {
		*bp = make([]float64, m*nn)
	}
	dd := (*bp)[:m*nn]
	kernel.ForRows(m, par, func(r int) {
		fr, hr, dr := f[r*nn:(r+1)*nn], h[r*nn:(r+1)*nn], dd[r*nn:(r+1)*nn]
		var s float64
		for i, x := range fr {
			p, d1 := n.act.phiD1(x)
			fi := (p - hr[i]) * it[i]
			fr[i] = fi
			s += fi * fi
			dr[i] = d1 * fi * it[i]
		}
		q[r] = s / 2
	})
	// grad = W^T (phi' F / tau) - F / tau.
	clear(grad)
	n.gemmCols(m, dd, n.wPacked(), grad, par)
	kernel.ForRows(m, par, func(r int) {
		gr, fr := grad[r*nn:(r+1)*nn], f[r*nn:(r+1)*nn]
		for i := range gr {
			gr[i] -= fr[i] * it[i]
		}
	})
}

// JacVecRowsAt writes J v for m states at once: for each r < m, row r of
// dst gets J v_r with v_r row r of v, at the state whose phi'(x) is row r of
// d (from [Network.PhiPrime]). The products of all m rows with W are one
// pass over packed W^T (as in [Network.SpeedGradRows]), and row r
// of dst is bit-identical whatever m is and whatever the other rows hold.
// It agrees with [Network.JacVecAt] to rounding. dst, d and v must have
// length at least m N, and dst must not overlap d or v.
func (n *Network) JacVecRowsAt(dst, d, v []float64, m int) {
	nn := n.n
	if m < 0 || len(dst) < m*nn || len(d) < m*nn || len(v) < m*nn {
		panic(fmt.Sprintf("dynamics: JacVecRowsAt with %d rows of %d: slices too short", m, nn))
	}
	if m == 0 {
		return
	}
	if alias(dst, d) || alias(dst, v) {
		panic("dynamics: dst aliases an argument")
	}
	dst = dst[:m*nn]
	clear(dst)
	kernel.GemmPacked(m, v, nn, n.wT(), 0, nn, dst, nn)
	it := n.invTau
	for r := range m {
		o := r * nn
		for i := range nn {
			dst[o+i] = (d[o+i]*dst[o+i] - v[o+i]) * it[i]
		}
	}
}
