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
