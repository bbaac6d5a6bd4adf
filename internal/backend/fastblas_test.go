//go:build !openblas

package backend

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	gonumblas "gonum.org/v1/gonum/blas/gonum"
)

// TestFastDgemm: fastBLAS's Dgemm agrees with gonum's to rounding for
// every pair of transposes, for alpha and beta 0, 1 and others, with
// strides longer than the rows, at sizes on both sides of gemmSmall; and
// with beta 0 it does not read C (a NaN there does not propagate).
func TestFastDgemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 1))
	fill := func(n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = rng.NormFloat64()
		}
		return s
	}
	trs := []blas.Transpose{blas.NoTrans, blas.Trans}
	for _, sz := range [][3]int{{3, 4, 5}, {17, 33, 9}, {64, 40, 70}, {130, 7, 200}, {9, 150, 31}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, ta := range trs {
			for _, tb := range trs {
				for _, ab := range [][2]float64{{1, 0}, {1, 1}, {-0.7, 2.5}, {0, 0.5}} {
					alpha, beta := ab[0], ab[1]
					ar, ac := m, k
					if ta == blas.Trans {
						ar, ac = k, m
					}
					br, bc := k, n
					if tb == blas.Trans {
						br, bc = n, k
					}
					lda, ldb, ldc := ac+3, bc+1, n+2
					a, b, c := fill(ar*lda), fill(br*ldb), fill(m*ldc)
					if beta == 0 {
						for i := range c {
							c[i] = math.NaN()
						}
					}
					want := append([]float64(nil), c...)
					if beta == 0 {
						for i := range want {
							want[i] = 0
						}
					}
					gonumblas.Implementation{}.Dgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
					got := append([]float64(nil), c...)
					fastBLAS{}.Dgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc)
					name := fmt.Sprintf("%dx%dx%d %c%c alpha %g beta %g", m, n, k, ta, tb, alpha, beta)
					for i := range m {
						for j := range n {
							g, w := got[i*ldc+j], want[i*ldc+j]
							if math.Abs(g-w) > 1e-13*float64(k)*(1+math.Abs(w)) || math.IsNaN(g) {
								t.Fatalf("%s: C[%d,%d] = %v, gonum %v", name, i, j, g, w)
							}
						}
					}
				}
			}
		}
	}
}

// TestFastDgemmPanics: bad arguments panic as gonum's do.
func TestFastDgemmPanics(t *testing.T) {
	a := make([]float64, 64*64)
	for _, f := range []func(){
		func() { fastBLAS{}.Dgemm(blas.NoTrans, blas.NoTrans, 64, 64, 64, 1, a[:100], 64, a, 64, 0, a, 64) },
		func() { fastBLAS{}.Dgemm(blas.NoTrans, blas.NoTrans, 64, 64, 64, 1, a, 32, a, 64, 0, a, 64) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		}()
	}
}
