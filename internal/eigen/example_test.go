package eigen_test

import (
	"fmt"
	"math/cmplx"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/eigen"
)

func ExampleFactorize() {
	// A scaled rotation minus the identity: eigenvalues -1 ± 2i, and an
	// isolated real eigenvalue 3.
	a := mat.NewDense(3, 3, []float64{
		-1, -2, 0,
		2, -1, 0,
		0, 0, 3,
	})
	d, err := eigen.Factorize(a, false, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	for j, l := range d.Values {
		// Check A v = lambda v for the j-th column of d.Right.
		var worst float64
		for i := 0; i < 3; i++ {
			var av complex128
			for k := 0; k < 3; k++ {
				av += complex(a.At(i, k), 0) * d.Right.At(k, j)
			}
			worst = max(worst, cmplx.Abs(av-l*d.Right.At(i, j)))
		}
		fmt.Printf("lambda = %.4g, residual below 1e-14: %t\n", l, worst < 1e-14)
	}
	// Output:
	// lambda = (-1+2i), residual below 1e-14: true
	// lambda = (-1-2i), residual below 1e-14: true
	// lambda = (3+0i), residual below 1e-14: true
}

func ExampleLeading() {
	// The operator diag(1, 2, ..., 200) - 100 I, known only by its
	// product: its rightmost eigenvalues are 100, 99 and 98.
	const n = 200
	op := func(dst, v []float64) {
		for i := range v {
			dst[i] = float64(i+1-100) * v[i]
		}
	}
	p, err := eigen.Leading(n, 3, op, eigen.LargestReal, &eigen.ArnoldiSettings{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Status)
	for _, v := range p.Values {
		fmt.Printf("%.4g\n", real(v))
	}
	// Output:
	// converged
	// 100
	// 99
	// 98
}
