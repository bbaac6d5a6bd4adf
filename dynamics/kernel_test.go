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
		checkJacProduct(t, net, randomState(n, 8), randomState(n, 9), false)
	}
}

// checkJacProduct checks the matrix-free product of net's Jacobian at h
// with v (JacVec, or JacTVec when trans) against the formed Jacobian, to
// 1e-12, and against the same product at PhiPrime(h) (JacVecAt or
// JacTVecAt), bit for bit.
func checkJacProduct(t *testing.T, net *Network, h, v []float64, trans bool) {
	t.Helper()
	n := len(h)
	name, prod, atName, at := "JacVec", net.JacVec, "JacVecAt", net.JacVecAt
	var j mat.Dense
	net.Jacobian(&j, h)
	var jm mat.Matrix = &j
	if trans {
		name, prod, atName, at = "JacTVec", net.JacTVec, "JacTVecAt", net.JacTVecAt
		jm = j.T()
	}
	got, gotAt, d := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range got {
		got[i], gotAt[i] = math.NaN(), math.NaN()
	}
	prod(got, h, v)
	net.PhiPrime(d, h)
	at(gotAt, d, v)
	var want mat.VecDense
	want.MulVec(jm, mat.NewVecDense(n, v))
	for i := range got {
		if math.Abs(got[i]-want.AtVec(i)) > 1e-12*(1+math.Abs(want.AtVec(i))) {
			t.Fatalf("n=%d: %s[%d] = %v, product with the formed Jacobian %v", n, name, i, got[i], want.AtVec(i))
		}
		if math.Float64bits(got[i]) != math.Float64bits(gotAt[i]) {
			t.Fatalf("n=%d: %s[%d] = %v, %s %v", n, name, i, got[i], atName, gotAt[i])
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
		h := randomState(n, 18)
		checkJacProduct(t, net, h, randomState(n, 19), true)
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
