package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// tanhInputs spans tanh's whole range: zeros, subnormals, the tiny values
// where tanh x = x, both branches and the neighbours of their boundary
// (0.625) and of the saturation (44.01), huge values, infinities and NaN,
// with both signs, and random values at every binary exponent from 2^-40
// to 2^7.
func tanhInputs() []float64 {
	xs := []float64{0, math.SmallestNonzeroFloat64, 1e-310, 0x1p-1022, 1e-300, 1e-20, 1e-8, 1e-4,
		0.1, 0.5, 1, 2, 3, 5, 10, 19.06, 22, 40, 45, 1e3, 1e300, math.MaxFloat64, math.Inf(1), math.NaN()}
	for _, edge := range []float64{0.625, tanhSat} {
		for x, i := edge, 0; i < 4; i++ {
			x = math.Nextafter(x, 0)
			xs = append(xs, x)
		}
		for x, i := edge, 0; i < 4; i++ {
			xs = append(xs, x)
			x = math.Nextafter(x, math.Inf(1))
		}
	}
	rng := rand.New(rand.NewPCG(11, 12))
	for e := -40; e <= 7; e++ {
		for range 200 {
			xs = append(xs, math.Ldexp(1+rng.Float64(), e))
		}
	}
	for range 2000 {
		xs = append(xs, 30*rng.Float64())
	}
	for _, x := range xs[:len(xs):len(xs)] {
		xs = append(xs, -x)
	}
	return xs
}

func sameBits(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
}

// ulps is the distance between a and b in units in the last place (both
// finite and of one sign).
func ulps(a, b float64) int64 {
	d := int64(math.Float64bits(a)) - int64(math.Float64bits(b))
	return max(d, -d)
}

// Tanh gives tanhGo's bits on the assembly path and the pure-Go one, in
// place or not, at every length (the tails), and tanhGo gives math.Tanh's
// bits where math's own tanh is compiled without fused multiply-adds (and
// differs by at most one unit in the last place elsewhere).
func TestTanh(t *testing.T) {
	xs := tanhInputs()
	eachPath(func(asm bool) {
		got := make([]float64, len(xs))
		Tanh(got, xs)
		for i, x := range xs {
			if want := tanhGo(x); !sameBits(got[i], want) {
				t.Fatalf("asm %v: Tanh(%v) = %v (%#x), tanhGo %v (%#x)", asm, x, got[i], math.Float64bits(got[i]), want, math.Float64bits(want))
			}
		}
		for n := range 18 {
			src := append([]float64(nil), xs[100:100+n]...)
			Tanh(src, src)
			for i := range n {
				if !sameBits(src[i], tanhGo(xs[100+i])) {
					t.Fatalf("asm %v, in place, length %d: element %d differs", asm, n, i)
				}
			}
		}
	})
	worst := int64(0)
	for _, x := range xs {
		got, want := tanhGo(x), math.Tanh(x)
		switch {
		case mathTanhUnfused && !sameBits(got, want):
			t.Fatalf("tanhGo(%v) = %v, math.Tanh %v", x, got, want)
		case math.IsNaN(want) || math.IsInf(x, 0):
			if !sameBits(got, want) {
				t.Fatalf("tanhGo(%v) = %v, math.Tanh %v", x, got, want)
			}
		default:
			worst = max(worst, ulps(got, want))
		}
	}
	if worst > 1 {
		t.Errorf("tanhGo differs from math.Tanh by up to %d units in the last place", worst)
	}
}

func BenchmarkTanh(b *testing.B) {
	x := make([]float64, 128)
	for i := range x {
		x[i] = 3 * math.Sin(float64(i))
	}
	y := make([]float64, len(x))
	b.Run("kernel", func(b *testing.B) {
		for b.Loop() {
			Tanh(y, x)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/element")
	})
	b.Run("math", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				y[i] = math.Tanh(v)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/element")
	})
}

func ExampleTanh() {
	x := []float64{0, 0.5, 1, -2, 30}
	Tanh(x, x) // in place
	fmt.Printf("%.6f\n", x)
	// Output:
	// [0.000000 0.462117 0.761594 -0.964028 1.000000]
}
