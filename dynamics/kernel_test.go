package dynamics

import (
	"fmt"
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

// JacTVec, JacTVecAt and SpeedGrad take the rows of W in blocks with
// internal/kernel's GemvT, whose FMA chain does not depend on the blocks:
// at sizes around the block lengths they match the formed J^T v, and
// JacTVec(h, v), JacTVecAt(PhiPrime(h), v) and SpeedGrad's gradient (with
// v = F) agree bit for bit. They allocate nothing.
func TestJacTVecBlocks(t *testing.T) {
	for _, n := range []int{1, 3, 5, jacVecBlock - 1, jacVecBlock, jacVecBlock + 1, 2*jacVecBlock + 3, 257, 300} {
		net := randomNet(t, n, 2, 1.3, Tanh, Continuous, true, uint64(n)+100)
		h, v := randomState(n, 18), randomState(n, 19)
		got, at, d := make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range got {
			got[i], at[i] = math.NaN(), math.NaN()
		}
		net.JacTVec(got, h, v)
		net.PhiPrime(d, h)
		net.JacTVecAt(at, d, v)
		j := &mat.Dense{}
		net.Jacobian(j, h)
		var want mat.VecDense
		want.MulVec(j.T(), mat.NewVecDense(n, v))
		for i := range got {
			if math.Abs(got[i]-want.AtVec(i)) > 1e-12*(1+math.Abs(want.AtVec(i))) {
				t.Fatalf("n=%d: JacTVec[%d] = %v, J^T v = %v", n, i, got[i], want.AtVec(i))
			}
			if math.Float64bits(got[i]) != math.Float64bits(at[i]) {
				t.Fatalf("n=%d: JacTVec[%d] = %v, JacTVecAt %v", n, i, got[i], at[i])
			}
		}
		grad, f, jt := make([]float64, n), make([]float64, n), make([]float64, n)
		q := net.SpeedGrad(grad, f, h)
		net.JacTVec(jt, h, f)
		var ff float64
		for i := range grad {
			ff += f[i] * f[i]
			if math.Float64bits(grad[i]) != math.Float64bits(jt[i]) {
				t.Fatalf("n=%d: SpeedGrad grad[%d] = %v, JacTVec(h, F) %v", n, i, grad[i], jt[i])
			}
		}
		if math.Abs(q-ff/2) > 1e-14*ff {
			t.Fatalf("n=%d: q = %v, |F|^2/2 = %v", n, q, ff/2)
		}
	}
	const n = 2*jacVecBlock + 5
	net := randomNet(t, n, 0, 1, Tanh, Continuous, true, 7)
	h, v := randomState(n, 20), randomState(n, 21)
	dst, d, f := make([]float64, n), make([]float64, n), make([]float64, n)
	net.PhiPrime(d, h)
	for name, fn := range map[string]func(){
		"JacTVec":   func() { net.JacTVec(dst, h, v) },
		"JacTVecAt": func() { net.JacTVecAt(dst, d, v) },
		"SpeedGrad": func() { net.SpeedGrad(dst, f, h) },
	} {
		if a := testing.AllocsPerRun(10, fn); a != 0 {
			t.Errorf("%s allocates %v times per call", name, a)
		}
	}
}

func BenchmarkJacTVec(b *testing.B) {
	for _, n := range sizes {
		net := randomNet(b, n, 0, 1, Tanh, Continuous, false, 1)
		h, v, dst, d := randomState(n, 2), randomState(n, 3), make([]float64, n), make([]float64, n)
		net.PhiPrime(d, h)
		b.Run(fmt.Sprintf("JacTVec/n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(8 * n * n))
			b.ReportAllocs()
			for b.Loop() {
				net.JacTVec(dst, h, v)
			}
		})
		b.Run(fmt.Sprintf("JacTVecAt/n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(8 * n * n))
			b.ReportAllocs()
			for b.Loop() {
				net.JacTVecAt(dst, d, v)
			}
		})
	}
}
