package eigen

import (
	"fmt"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// BenchmarkGeev compares Solver.Geev with gonum's Dgeev (through mat.Eigen)
// on the same Gaussian matrix: values only and with right vectors.
func BenchmarkGeev(b *testing.B) {
	for _, n := range []int{256, 1024, 2048} {
		a := randMatrix(n, 1)
		for _, vec := range []bool{false, true} {
			kind := "values"
			if vec {
				kind = "vectors"
			}
			b.Run(fmt.Sprintf("n=%d/%s/ours", n, kind), func(b *testing.B) {
				b.ReportAllocs()
				w := mat.NewDense(n, n, nil)
				wr := make([]float64, n)
				wi := make([]float64, n)
				var vr blas64.General
				if vec {
					vr = blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
				}
				for b.Loop() {
					w.Copy(a)
					if err := (Solver{}).Geev(w.RawMatrix(), wr, wi, blas64.General{}, vr); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(fmt.Sprintf("n=%d/%s/gonum", n, kind), func(b *testing.B) {
				b.ReportAllocs()
				k := mat.EigenNone
				if vec {
					k = mat.EigenRight
				}
				var e mat.Eigen
				for b.Loop() {
					if !e.Factorize(a, k) {
						b.Fatal("gonum's Eigen failed")
					}
				}
			})
		}
	}
}
