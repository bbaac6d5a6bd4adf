package eigen

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/mat"
)

// TestTrevcWork checks that trevcWork sends the Schur form of a doubly
// repeated complex eigenvalue to Dtrevc3's unblocked path, whose vectors
// then satisfy T x = lambda x, and keeps the blocked path for a Gaussian
// matrix's Schur form.
func TestTrevcWork(t *testing.T) {
	// Two 2×2 blocks with eigenvalues -1 ± 1e-17 i: solving for the
	// vector of the lower one meets the upper one in Dlaln2's
	// smin-identity branch.
	const e = 1e-17
	const n = 4
	tm := []float64{
		-1, e, 1, 1,
		-e, -1, 1, 1,
		0, 0, -1, e,
		0, 0, -e, -1,
	}
	lwork := n + 2*n*64
	for _, side := range []lapack.EVSide{lapack.EVRight, lapack.EVLeft, lapack.EVBoth} {
		if got := trevcWork(side, n, tm, n, lwork); got != 3*n {
			t.Fatalf("side %c: trevcWork = %d, want %d (unblocked)", side, got, 3*n)
		}
	}
	vl := make([]float64, n*n)
	vr := make([]float64, n*n)
	for i := 0; i < n; i++ {
		vl[i*n+i], vr[i*n+i] = 1, 1
	}
	work := make([]float64, 3*n)
	impl.Dtrevc3(lapack.EVBoth, lapack.EVAllMulQ, nil, n, tm, n, vl, n, vr, n, n, work, trevcWork(lapack.EVBoth, n, tm, n, len(work)))
	tt := mat.NewDense(n, n, tm)
	wi := []float64{e, -e, e, -e}
	vals := []complex128{complex(-1, e), complex(-1, -e), complex(-1, e), complex(-1, -e)}
	right := complexVectors(wi, mat.NewDense(n, n, vr).RawMatrix())
	left := complexVectors(wi, mat.NewDense(n, n, vl).RawMatrix())
	rr, rl := residuals(tt, vals, right, left)
	// Dtrevc3 scales each vector to a largest component of 1, so the
	// residuals are relative to the vectors too.
	if lim := 1e-15 * mat.Norm(tt, 2); rr > lim || rl > lim || math.IsNaN(rr+rl) {
		t.Errorf("residuals right %g left %g > %g", rr, rl, lim)
	}

	// A Gaussian matrix's Schur form keeps the blocked path.
	ts := schurForm(randMatrix(100, 6))
	if got := trevcWork(lapack.EVBoth, 100, ts, 100, 12345); got != 12345 {
		t.Errorf("Gaussian matrix: trevcWork = %d, want the blocked path's 12345", got)
	}
}

// schurForm returns the real Schur form of a (row-major, n×n), as Geev
// computes it.
func schurForm(a *mat.Dense) []float64 {
	n, _ := a.Dims()
	h := mat.DenseCopyOf(a).RawMatrix().Data
	ilo, ihi := impl.Dgebal(lapack.PermuteScale, n, h, n, make([]float64, n))
	work := make([]float64, max(dgehrdWork(n), hseqrWork(true, n, ilo, ihi, 0)))
	dgehrd(n, ilo, ihi, h, n, make([]float64, n-1), work)
	hseqr(true, false, n, ilo, ihi, h, n, make([]float64, n), make([]float64, n), nil, 1, work, len(work), 0)
	return h
}

// TestLarft checks larft's T against the product of the reflectors it
// stands for, I - V T V^T = H_0 H_1 H_2, for reflectors of which the
// second ends in a zero that the first and third do not.
func TestLarft(t *testing.T) {
	const n, k = 4, 3
	v := []float64{
		1, 0, 0,
		1, 1, 0,
		1, 1, 1,
		1, 0, 1,
	}
	tau := make([]float64, k)
	for i := range tau {
		var s float64
		for r := 0; r < n; r++ {
			s += v[r*k+i] * v[r*k+i]
		}
		tau[i] = 2 / s // H_i = I - tau_i v_i v_i^T is orthogonal
	}
	tf := make([]float64, k*k)
	larft(n, k, v, k, tau, tf, k)

	prod := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		prod.Set(i, i, 1)
	}
	vm := mat.NewDense(n, k, v)
	for i := 0; i < k; i++ {
		var h, p mat.Dense
		col := vm.ColView(i)
		h.Outer(-tau[i], col, col)
		for r := 0; r < n; r++ {
			h.Set(r, r, h.At(r, r)+1)
		}
		p.Mul(prod, &h)
		prod.Copy(&p)
	}
	var vt, vtv, block mat.Dense
	vt.Mul(vm, mat.NewDense(k, k, tf))
	vtv.Mul(&vt, vm.T())
	block.Sub(mat.NewDense(n, n, nil), &vtv)
	for i := 0; i < n; i++ {
		block.Set(i, i, block.At(i, i)+1)
	}
	if !mat.EqualApprox(&block, prod, 1e-15) {
		t.Errorf("I - V T V^T differs from H_0 H_1 H_2:\n%v\n%v", mat.Formatted(&block), mat.Formatted(prod))
	}
}

// TestOrghr checks orghr's Q for the Hessenberg reduction of a rank-2
// network's Jacobian, whose reflectors end in zeros now and then: Q is
// orthogonal and Q^T A Q is the Hessenberg matrix. For a Gaussian matrix,
// where no reflector ends in a zero, Q is gonum's Dorghr's bit for bit.
func TestOrghr(t *testing.T) {
	if raceEnabled {
		t.Skip("n = 200 is slow under the race detector")
	}
	const n = 200
	for _, tc := range []struct {
		name string
		a    *mat.Dense
	}{
		{"lowrank", lowRankJacobian(n, 5)},
		{"gauss", randMatrix(n, 7)},
	} {
		h := mat.DenseCopyOf(tc.a).RawMatrix().Data
		tau := make([]float64, n-1)
		work := make([]float64, max(dgehrdWork(n), orghrWork(0, n-1)))
		dgehrd(n, 0, n-1, h, n, tau, work)
		q := slices.Clone(h)
		orghr(n, 0, n-1, q, n, tau, work, len(work))
		qm := mat.NewDense(n, n, q)

		var qtq mat.Dense
		qtq.Mul(qm.T(), qm)
		for i := 0; i < n; i++ {
			qtq.Set(i, i, qtq.At(i, i)-1)
		}
		if e := mat.Norm(&qtq, math.Inf(1)); e > 1e-13 {
			t.Errorf("%s: |Q^T Q - I| = %g", tc.name, e)
		}
		var aq, qaq mat.Dense
		aq.Mul(tc.a, qm)
		qaq.Mul(qm.T(), &aq)
		hess := mat.NewDense(n, n, nil)
		for i := 0; i < n; i++ {
			for j := max(0, i-1); j < n; j++ {
				hess.Set(i, j, h[i*n+j])
			}
		}
		if !mat.EqualApprox(&qaq, hess, 1e-13*mat.Norm(tc.a, math.Inf(1))) {
			t.Errorf("%s: Q^T A Q is not the Hessenberg matrix", tc.name)
		}

		if tc.name == "gauss" {
			g := slices.Clone(h)
			impl.Dorghr(n, 0, n-1, g, n, tau, work, len(work))
			if !slices.Equal(q, g) {
				t.Error("gauss: Q differs from gonum's Dorghr")
			}
		}
	}
}
