package fixedpoint

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
)

// norm2 against gonum's scaled Dnrm2, on ordinary vectors and on those
// whose sum of squares overflows or underflows (where it falls back).
func TestNorm2(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	ref := func(x []float64) float64 { return blas64.Implementation().Dnrm2(len(x), x, 1) }
	for _, scale := range []float64{1, 1e-3, 1e150, 1e160, 1e-150, 1e-160, 1e-310, 1e300} {
		for _, n := range []int{0, 1, 3, 4, 7, 200} {
			x := make([]float64, n)
			for i := range x {
				x[i] = scale * rnd.NormFloat64()
			}
			got, want := norm2(x), ref(x)
			if !(math.Abs(got-want) <= 4e-16*float64(max(n, 1))*want) {
				t.Errorf("scale %g, n %d: norm2 %v, Dnrm2 %v", scale, n, got, want)
			}
		}
	}
	if v := norm2([]float64{1, math.NaN(), 2}); !math.IsNaN(v) {
		t.Errorf("norm2 with a NaN = %v", v)
	}
	if v := norm2([]float64{1, math.Inf(-1)}); !math.IsInf(v, 1) {
		t.Errorf("norm2 with -Inf = %v", v)
	}
	if v := norm2([]float64{3e200, 4e200}); math.Abs(v-5e200) > 1e185 {
		t.Errorf("norm2 of (3e200, 4e200) = %v", v)
	}
}

// normInf against the plain loop, signs, infinities and NaNs included.
func TestNormInf(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	cases := []struct {
		x    []float64
		want float64
	}{
		{nil, 0},
		{[]float64{math.Copysign(0, -1)}, 0},
		{[]float64{-3}, 3},
		{[]float64{1, -2, 0.5}, 2},
		{[]float64{1, -inf, 2}, inf},
		{[]float64{1, 2, -5e-324}, 2},
		{[]float64{-5e-324}, 5e-324},
		{[]float64{1, nan}, nan},
		{[]float64{nan, 1, -inf}, nan},
		{[]float64{-inf, 1, nan}, nan},
		{[]float64{1, 2, 3, 4, -7, 6, math.Copysign(nan, -1)}, nan},
	}
	for _, c := range cases {
		got := normInf(c.x)
		if got != c.want && !(math.IsNaN(got) && math.IsNaN(c.want)) {
			t.Errorf("normInf(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}
