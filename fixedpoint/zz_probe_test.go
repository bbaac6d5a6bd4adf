package fixedpoint_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fpfind/fpfind/dynamics"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

func probeNet(n int, g float64) *dynamics.Network {
	r := rand.New(rand.NewPCG(1, 1))
	w := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			w.Set(i, j, g*r.NormFloat64()/math.Sqrt(float64(n)))
		}
	}
	net, _ := dynamics.New(dynamics.Config{W: w})
	return net
}

func BenchmarkProbeLU(b *testing.B) {
	net := probeNet(200, 1.5)
	h := make([]float64, 200)
	for i := range h {
		h[i] = 0.3 * math.Sin(float64(i))
	}
	var J mat.Dense
	var lu mat.LU
	b.ReportAllocs()
	for b.Loop() {
		net.Jacobian(&J, h)
		lu.Factorize(&J)
	}
}
func BenchmarkProbeSpeedGrad(b *testing.B) {
	net := probeNet(200, 1.5)
	h := make([]float64, 200)
	g := make([]float64, 200)
	f := make([]float64, 200)
	b.ReportAllocs()
	for b.Loop() {
		net.SpeedGrad(g, f, h)
	}
}
func BenchmarkProbeSolve(b *testing.B) {
	net := probeNet(200, 1.5)
	h := make([]float64, 200)
	var J mat.Dense
	var lu mat.LU
	net.Jacobian(&J, h)
	lu.Factorize(&J)
	x := mat.NewVecDense(200, nil)
	f := mat.NewVecDense(200, nil)
	b.ReportAllocs()
	for b.Loop() {
		lu.SolveVecTo(x, false, f)
	}
}

func BenchmarkProbeGetrf(b *testing.B) {
	net := probeNet(200, 1.5)
	h := make([]float64, 200)
	for i := range h {
		h[i] = 0.3 * math.Sin(float64(i))
	}
	J := mat.NewDense(200, 200, nil)
	ipiv := make([]int, 200)
	b.ReportAllocs()
	for b.Loop() {
		net.Jacobian(J, h)
		lapack64.Getrf(J.RawMatrix(), ipiv)
	}
}
func BenchmarkProbeGetrs(b *testing.B) {
	net := probeNet(200, 1.5)
	h := make([]float64, 200)
	J := mat.NewDense(200, 200, nil)
	ipiv := make([]int, 200)
	net.Jacobian(J, h)
	lapack64.Getrf(J.RawMatrix(), ipiv)
	x := make([]float64, 200)
	b.ReportAllocs()
	for b.Loop() {
		lapack64.Getrs(blas.NoTrans, J.RawMatrix(), blas64.General{Rows: 200, Cols: 1, Stride: 1, Data: x}, ipiv)
	}
}
func BenchmarkProbeTrsv(b *testing.B) {
	net := probeNet(200, 1.5)
	h := make([]float64, 200)
	J := mat.NewDense(200, 200, nil)
	ipiv := make([]int, 200)
	net.Jacobian(J, h)
	lapack64.Getrf(J.RawMatrix(), ipiv)
	x := make([]float64, 200)
	raw := J.RawMatrix()
	b.ReportAllocs()
	for b.Loop() {
		blas64.Trsv(blas.NoTrans, blas64.Triangular{Uplo: blas.Lower, Diag: blas.Unit, N: 200, Stride: raw.Stride, Data: raw.Data}, blas64.Vector{N: 200, Inc: 1, Data: x})
		blas64.Trsv(blas.NoTrans, blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: 200, Stride: raw.Stride, Data: raw.Data}, blas64.Vector{N: 200, Inc: 1, Data: x})
	}
}
