package backend_test

import (
	"fmt"

	"gonum.org/v1/gonum/blas/blas64"

	"github.com/fpfind/fpfind/internal/backend"
	"github.com/fpfind/fpfind/linearize"
)

// Example shows the wiring a program's main does once, then an
// eigen-decomposition through linearize.Default and an LU solve. The output
// is the same in both builds.
func Example() {
	backend.Install()
	if s := backend.EigenSolver(); s != nil {
		linearize.Default = s
	}

	// A = [[1, 2], [-2, 1]] has eigenvalues 1 ± 2i.
	a := blas64.General{Rows: 2, Cols: 2, Stride: 2, Data: []float64{1, 2, -2, 1}}
	wr, wi := make([]float64, 2), make([]float64, 2)
	if err := linearize.Default.Geev(a, wr, wi, blas64.General{}, blas64.General{}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("eigenvalues %.3f%+.3fi, %.3f%+.3fi\n", wr[0], wi[0], wr[1], wi[1])

	// Solve [[4, 1], [2, 3]] x = [1, 2].
	var lu backend.LU
	j := blas64.General{Rows: 2, Cols: 2, Stride: 2, Data: []float64{4, 1, 2, 3}}
	if err := lu.Factorize(j); err != nil {
		fmt.Println(err)
		return
	}
	x := []float64{1, 2}
	lu.SolveVec(x)
	fmt.Printf("x = [%.3f %.3f]\n", x[0], x[1])
	// Output:
	// eigenvalues 1.000+2.000i, 1.000-2.000i
	// x = [0.100 0.600]
}
