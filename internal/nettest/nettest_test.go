package nettest_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/nettest"
)

// Tanh's weights have mean about 0 and variance about g^2/n, and the same
// seed gives the same bits.
func TestTanh(t *testing.T) {
	const n, g = 200, 1.5
	net := nettest.Tanh(t, n, g, 3)
	w := net.W().RawMatrix().Data
	var sum, sq float64
	for _, v := range w {
		sum += v
		sq += v * v
	}
	mean, variance := sum/float64(len(w)), sq/float64(len(w))
	if math.Abs(mean) > 0.01 || math.Abs(variance*n/(g*g)-1) > 0.02 {
		t.Errorf("mean %g, variance %g n/g^2 (want 0 and 1)", mean, variance*n/(g*g))
	}
	again := nettest.Tanh(t, n, g, 3).W().RawMatrix().Data
	for i := range w {
		if math.Float64bits(w[i]) != math.Float64bits(again[i]) {
			t.Fatalf("W[%d] differs for the same seed", i)
		}
	}
}

// Rank2W's weights have rank 2: two singular values of order 1, the others
// at rounding level.
func TestRank2W(t *testing.T) {
	const n = 50
	var svd mat.SVD
	if !svd.Factorize(nettest.Rank2W(rand.New(rand.NewPCG(1, 0)), n), mat.SVDNone) {
		t.Fatal("SVD failed")
	}
	s := svd.Values(nil)
	if s[1] < 0.1 || s[2] > 1e-13*s[0] {
		t.Errorf("singular values %g, %g, %g: want two of order 1 and the rest near 0", s[0], s[1], s[2])
	}
}

// MatchValues pairs greedily in got's order: a permutation matches exactly,
// a shifted value shows its shift, and a value too many is +Inf.
func TestMatchValues(t *testing.T) {
	want := []complex128{1, 2i, -3}
	if d := nettest.MatchValues([]complex128{-3, 1, 2i}, want); d != 0 {
		t.Errorf("permutation: %g", d)
	}
	if d := nettest.MatchValues([]complex128{1.5, 2i}, want); d != 0.5 {
		t.Errorf("shifted: %g, want 0.5", d)
	}
	if d := nettest.MatchValues([]complex128{1, 2i, -3, 4}, want); !math.IsInf(d, 1) {
		t.Errorf("one too many: %g, want +Inf", d)
	}
}
