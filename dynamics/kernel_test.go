package dynamics

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// JacVec takes the rows of W in blocks of jacVecBlock with one pass of
// internal/kernel's Gemv2 per block; at sizes around the block length it
// matches the formed Jacobian, and, since the kernel sums every row in a
// fixed order, JacVecAt on PhiPrime bit for bit.
func TestJacVecBlocks(t *testing.T) {
	for _, n := range []int{1, 5, jacVecBlock - 1, jacVecBlock, jacVecBlock + 1, 2*jacVecBlock + 3, 200} {
		net := randomNet(t, n, 2, 1.3, Tanh, Continuous, true, uint64(n))
		h, v := randomState(n, 8), randomState(n, 9)
		got, at, d := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range got {
			got[i] = math.NaN()
		}
		net.JacVec(got, h, v)
		net.PhiPrime(d, h)
		net.JacVecAt(at, d, v)
		j := &mat.Dense{}
		net.Jacobian(j, h)
		var want mat.VecDense
		want.MulVec(j, mat.NewVecDense(n, v))
		for i := range got {
			if math.Abs(got[i]-want.AtVec(i)) > 1e-12*(1+math.Abs(want.AtVec(i))) {
				t.Fatalf("n=%d: JacVec[%d] = %v, J v = %v", n, i, got[i], want.AtVec(i))
			}
			if math.Float64bits(got[i]) != math.Float64bits(at[i]) {
				t.Fatalf("n=%d: JacVec[%d] = %v, JacVecAt %v", n, i, got[i], at[i])
			}
		}
	}
}
