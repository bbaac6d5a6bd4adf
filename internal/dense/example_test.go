package dense_test

import (
	"fmt"

	"github.com/fpfind/fpfind/internal/dense"
)

// Factorize a matrix once, then solve with its factors.
func Example() {
	const n = 3
	a := []float64{ // row-major
		2, 1, 0,
		1, 3, 1,
		0, 1, 4,
	}
	piv, inv := make([]int, n), make([]float64, n)
	if !dense.FactorizeInv(dense.Factorize, n, a, piv, inv) {
		panic("singular")
	}
	b := []float64{3, 5, 5} // A (1, 1, 1)
	dense.SolveLU(n, a, piv, inv, b)
	fmt.Printf("%.12f\n", b)
	// Output:
	// [1.000000000000 1.000000000000 1.000000000000]
}
