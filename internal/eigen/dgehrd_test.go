package eigen

import (
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/mat"
)

// TestDgehrd checks A = Q H Q^T with H upper Hessenberg and Q orthogonal,
// for sizes that take the blocked path (order > 128) and the unblocked one,
// with and without a balanced-away border (ilo > 0, ihi < n-1).
func TestDgehrd(t *testing.T) {
	for _, c := range []struct{ n, ilo, ihi int }{
		{1, 0, 0}, {5, 0, 4}, {100, 0, 99}, {300, 0, 299}, {300, 7, 280},
	} {
		a := randMatrix(c.n, 11)
		// Make the border triangular as balancing would leave it.
		for i := 0; i < c.n; i++ {
			for j := 0; j < c.n; j++ {
				if (j < c.ilo && i > j) || (i > c.ihi && j < i) {
					a.Set(i, j, 0)
				}
			}
		}
		h := mat.DenseCopyOf(a)
		raw := h.RawMatrix()
		tau := make([]float64, c.n-1)
		work := make([]float64, dgehrdWork(c.n))
		dgehrd(c.n, c.ilo, c.ihi, raw.Data, raw.Stride, tau, work)
		q := mat.DenseCopyOf(h)
		qr := q.RawMatrix()
		qw := make([]float64, 64*c.n)
		impl.Dorghr(c.n, c.ilo, c.ihi, qr.Data, qr.Stride, tau, qw, len(qw))
		if c.n > 2 {
			impl.Dlaset(blas.Lower, c.n-2, c.n-2, 0, 0, raw.Data[2*raw.Stride:], raw.Stride)
		}
		var qh, back, qtq mat.Dense
		qh.Mul(q, h)
		back.Mul(&qh, q.T())
		back.Sub(&back, a)
		if e := mat.Norm(&back, 1) / max(1, mat.Norm(a, 1)); e > 1e-13 {
			t.Errorf("n=%d ilo=%d ihi=%d: |Q H Q^T - A| / |A| = %g", c.n, c.ilo, c.ihi, e)
		}
		qtq.Mul(q.T(), q)
		for i := 0; i < c.n; i++ {
			qtq.Set(i, i, qtq.At(i, i)-1)
		}
		if e := mat.Norm(&qtq, 1); e > 1e-13*float64(c.n) {
			t.Errorf("n=%d: |Q^T Q - I| = %g", c.n, e)
		}
	}
}
