package backend_test

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/internal/backend"
	"github.com/fpfind/fpfind/linearize"
)

// Example shows the wiring a program's main does once, and the build's
// solvers handed to the packages that use them through their settings: in
// the pure-Go build EigenSolver and Factorizer return nil, which selects
// those packages' own pure-Go solvers. The output is the same in both
// builds.
func Example() {
	backend.Install()
	backend.SetThreads(1)
	spectrum := &linearize.Settings{Solver: backend.EigenSolver()}
	newton := &fixedpoint.Settings{LU: backend.Factorizer(), Linear: fixedpoint.LinearLU}

	// A = [[1, 2], [-2, 1]] has eigenvalues 1 ± 2i.
	sp, err := linearize.Decompose(mat.NewDense(2, 2, []float64{1, 2, -2, 1}), dynamics.Continuous, spectrum)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("eigenvalues %.3f, %.3f\n", sp.Values[0], sp.Values[1])

	// A tanh unit with self-weight 2: Newton steps on LU factors reach
	// h = tanh(2h) = 0.9575 from h = 0.7.
	net, err := dynamics.New(dynamics.Config{W: mat.NewDense(1, 1, []float64{2})})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := fixedpoint.Find(context.Background(), net, mat.NewDense(1, 1, []float64{0.7}), newton)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("run from 0.7: %s at h = %.4f\n", res.Runs[0].Status, res.Runs[0].Final[0])
	// Output:
	// eigenvalues (1.000+2.000i), (1.000-2.000i)
	// run from 0.7: fixed at h = 0.9575
}
