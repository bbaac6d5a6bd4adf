package krylov_test

import (
	"fmt"

	"github.com/fpfind/fpfind/internal/krylov"
)

// ExampleGMRES_Solve solves a small non-symmetric system given only by its
// product, A = [[4, 1, 0], [-1, 3, 1], [0, 2, 5]].
func ExampleGMRES_Solve() {
	a := [3][3]float64{{4, 1, 0}, {-1, 3, 1}, {0, 2, 5}}
	op := func(dst, v []float64) {
		for i := range dst {
			dst[i] = a[i][0]*v[0] + a[i][1]*v[1] + a[i][2]*v[2]
		}
	}
	b := []float64{5, 3, 7} // A (1, 1, 1)
	x := make([]float64, 3) // zero initial guess
	ws := krylov.NewGMRES(3, 0)
	res, err := ws.Solve(op, b, x, &krylov.Settings{Tol: 1e-12})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v after %d iterations, %d products\n", res.Status, res.Iter, res.MatVecs)
	fmt.Printf("x = [%.4g %.4g %.4g], residual < 1e-12: %v\n", x[0], x[1], x[2], res.Residual < 1e-12)
	// Output:
	// converged after 3 iterations, 4 products
	// x = [1 1 1], residual < 1e-12: true
}

// ExampleGMRES_Solve_newton shows one Newton step (numpy.linalg.solve gives
// the same d) J d = -F of a network
// whose Jacobian J = -I + diag(phi') W is applied without being formed; in
// fpfind op would be net.JacVecAt(dst, d, v) after net.PhiPrime(d, h).
func ExampleGMRES_Solve_newton() {
	w := [2][2]float64{{0.5, -1}, {1, 0.5}}
	d := []float64{0.9, 0.4} // phi'(x) at the current state
	op := func(dst, v []float64) {
		for i := range dst {
			dst[i] = -v[i] + d[i]*(w[i][0]*v[0]+w[i][1]*v[1])
		}
	}
	f := []float64{0.3, -0.2} // F(h)
	rhs := []float64{-f[0], -f[1]}
	step := make([]float64, 2)
	res, _ := krylov.NewGMRES(2, 0).Solve(op, rhs, step, &krylov.Settings{Tol: 1e-6})
	fmt.Printf("%v in %d iterations: d = [%.4f %.4f]\n", res.Status, res.Iter, step[0], step[1])
	// Output:
	// converged in 2 iterations: d = [0.5250 0.0125]
}
