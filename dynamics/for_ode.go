package dynamics

import (
	"sync"

	"github.com/fpfind/fpfind/internal/kernel"
)

// FieldParallel writes F(h) into dst like [Network.Field], splitting the
// rows of W h into up to parts contiguous blocks computed by as many
// goroutines (the caller's included). It is for one large trajectory on a
// multi-core machine: the matrix-vector product, which Field runs on one
// core, then uses parts cores. It pays only when cores are idle and the
// product is not limited by the shared cache's bandwidth: on the 2-core
// machine of bench/ode_results.md it gained nothing at N <= 1024. Each row
// is computed exactly as Field computes it, so the result is bit-identical
// to Field's whatever parts is.
// parts <= 1 is Field. dst and h must have length N and must not be the
// same slice.
func (n *Network) FieldParallel(dst, h []float64, parts int) {
	n.checkLen(dst, h)
	if alias(dst, h) {
		panic("dynamics: dst aliases h")
	}
	const minRows = 32 // below this a block costs less than a goroutine
	parts = min(parts, n.n/minRows)
	if parts <= 1 {
		n.Field(dst, h)
		return
	}
	var wg sync.WaitGroup
	block := func(r0, r1 int) {
		d := dst[r0:r1]
		copy(d, n.c[r0:r1])
		kernel.Gemv(d, 1, n.w.Data[r0*n.w.Stride:], n.w.Stride, h)
		n.finishRows(d, h[r0:r1], r0)
	}
	// kernel.Gemv sums every row in the same order wherever the block
	// starts; blocks of multiples of 8 rows are kept for its 4-row groups.
	size := ((n.n+parts-1)/parts + 7) / 8 * 8
	for r0 := size; r0 < n.n; r0 += size {
		r1 := min(r0+size, n.n)
		wg.Go(func() { block(r0, r1) })
	}
	block(0, min(size, n.n))
	wg.Wait()
}

// finishRows turns dst = x(h)[r0:r0+len(dst)] into the field of those rows;
// h holds the same rows of the state.
func (n *Network) finishRows(dst, h []float64, r0 int) {
	act, it := n.act, n.invTau[r0:r0+len(dst)]
	switch act {
	case Tanh:
		for i, x := range dst {
			dst[i] = (tanh(x) - h[i]) * it[i]
		}
	default:
		for i, x := range dst {
			dst[i] = (act.Phi(x) - h[i]) * it[i]
		}
	}
}
