package linearize

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/nettest"
)

// TestInverseIteration: for every eigenvalue of a random 40 x 40 matrix
// (real ones and conjugate pairs), inverse iteration gives a unit vector
// with its largest component real and positive, a residual at rounding,
// and the direction of gonum's eigenvector (|<x, v>| = 1).
func TestInverseIteration(t *testing.T) {
	const n = 40
	a := nettest.GaussianW(rand.New(rand.NewPCG(3, 4)), n, 1)
	var eig mat.Eigen
	if !eig.Factorize(a, mat.EigenRight) {
		t.Fatal("gonum's Eigen failed")
	}
	values := eig.Values(nil)
	var vecs mat.CDense
	eig.VectorsTo(&vecs)
	var w InverseIteration
	reals, pairs := 0, 0
	for k, l := range values {
		if imag(l) < 0 {
			continue
		}
		re, im, ok := w.Eigenvector(a, l)
		if !ok {
			t.Fatalf("lambda %v: residual test failed", l)
		}
		if (imag(l) == 0) != (im == nil) {
			t.Fatalf("lambda %v: imaginary part %v", l, im != nil)
		}
		x := make([]complex128, n)
		for i := range n {
			x[i] = complex(re[i], 0)
			if im != nil {
				x[i] += complex(0, im[i])
			}
		}
		var nx float64
		big := 0
		for i, v := range x {
			nx += real(v * cmplx.Conj(v))
			if cmplx.Abs(v) > cmplx.Abs(x[big]) {
				big = i
			}
		}
		if math.Abs(nx-1) > 1e-12 || imag(x[big]) != 0 || real(x[big]) <= 0 {
			t.Errorf("lambda %v: |x|^2 = %v, largest component %v", l, nx, x[big])
		}
		var res float64
		for i := range n {
			var s complex128
			for j := range n {
				s += complex(a.At(i, j), 0) * x[j]
			}
			res = math.Max(res, cmplx.Abs(s-l*x[i]))
		}
		if res > 1e-12 {
			t.Errorf("lambda %v: residual %.2e", l, res)
		}
		var dot complex128
		var nv float64
		for i := range n {
			v := vecs.At(i, k)
			dot += cmplx.Conj(v) * x[i]
			nv += real(v * cmplx.Conj(v))
		}
		if c := cmplx.Abs(dot) / math.Sqrt(nv); math.Abs(c-1) > 1e-10 {
			t.Errorf("lambda %v: |<x, v>| = %v, want 1", l, c)
		}
		if imag(l) == 0 {
			reals++
		} else {
			pairs++
		}
	}
	if reals == 0 || pairs == 0 {
		t.Fatalf("%d real eigenvalues, %d pairs: the test needs both", reals, pairs)
	}
}
