package attractor

import (
	"cmp"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"
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
	var w inverseIteration
	w.op.CloneFrom(a)
	reals, pairs := 0, 0
	for k, l := range values {
		if imag(l) < 0 {
			continue
		}
		re, im, ok := w.eigenvector(l)
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

// TestNearZero: the eigenvalues nearZero gives at random states of a
// chaotic network (N = 120) are those of the dense decomposition nearest
// zero, in its order, to 1e-10; an operator with an eigenvalue within
// 1e-9 of zero is refused.
func TestNearZero(t *testing.T) {
	const n = 120
	net := nettest.Tanh(t, n, 1.5, 7)
	r := rand.New(rand.NewPCG(7, 8))
	var w inverseIteration
	const rateMax = 0.3 // some slow modes at these states
	used := 0
	for range 6 {
		h := make([]float64, n)
		for i := range h {
			h[i] = 2 * r.NormFloat64()
		}
		net.Operator(&w.op, h)
		got, ok := w.nearZero(rateMax)
		if !ok {
			continue
		}
		used++
		var eig mat.Eigen
		if !eig.Factorize(&w.op, mat.EigenNone) {
			t.Fatal("gonum's Eigen failed")
		}
		want := eig.Values(nil)
		// The len(got) of smallest modulus, in got's order.
		slices.SortStableFunc(want, func(a, b complex128) int { return cmp.Compare(cmplx.Abs(a), cmplx.Abs(b)) })
		want = want[:len(got)]
		slices.SortFunc(want, func(a, b complex128) int {
			return cmp.Or(cmp.Compare(real(b), real(a)), cmp.Compare(imag(b), imag(a)))
		})
		for i := range got {
			if cmplx.Abs(got[i]-want[i]) > 1e-10 {
				t.Fatalf("eigenvalue %d: %v, dense %v", i, got[i], want[i])
			}
		}
		slow := 0
		for _, l := range got {
			if cmplx.Abs(l) <= rateMax {
				slow++
			}
		}
		if slow+2 > len(got) {
			t.Fatalf("%d slow of %d computed: want two more", slow, len(got))
		}
	}
	if used < 3 {
		t.Fatalf("nearZero gave up at %d of 6 states", 6-used)
	}
	// A real eigenvalue moved to 1e-9.
	var eig mat.Eigen
	if !eig.Factorize(&w.op, mat.EigenNone) {
		t.Fatal("gonum's Eigen failed")
	}
	shift := math.NaN()
	for _, l := range eig.Values(nil) {
		if imag(l) == 0 {
			shift = real(l)
			break
		}
	}
	if math.IsNaN(shift) {
		t.Fatal("no real eigenvalue")
	}
	for i := range n {
		w.op.Set(i, i, w.op.At(i, i)-shift+1e-9)
	}
	if _, ok := w.nearZero(rateMax); ok {
		t.Error("an operator with an eigenvalue 1e-9 from zero: nearZero did not refuse")
	}
}
