package dynamics_test

import (
	"fmt"

	"github.com/fpfind/fpfind/dynamics"
	"gonum.org/v1/gonum/mat"
)

// A single tanh unit with self-weight 2: h = 0 is a fixed point, and its
// Jacobian -1 + 2 tanh'(0) = 1 > 0 says it is unstable.
func ExampleNetwork_Jacobian() {
	net, err := dynamics.New(dynamics.Config{W: mat.NewDense(1, 1, []float64{2})})
	if err != nil {
		fmt.Println(err)
		return
	}
	h := []float64{0}
	f := make([]float64, 1)
	net.Field(f, h)
	j := &mat.Dense{}
	net.Jacobian(j, h)
	fmt.Printf("F(0) = %.4g, J(0) = %.4g\n", f[0], j.At(0, 0))
	// Output: F(0) = 0, J(0) = 1
}

func ExampleNew_error() {
	_, err := dynamics.New(dynamics.Config{W: mat.NewDense(2, 3, nil)})
	fmt.Println(err)
	// Output: dynamics: W: not square (2 x 3)
}

func ExampleEvaluator_Eval() {
	// W = 0, b = 0: F(h) = -h, J = -I, grad q = J^T F = h.
	net, err := dynamics.New(dynamics.Config{W: mat.NewDense(2, 2, nil)})
	if err != nil {
		panic(err)
	}
	h := []float64{ // two states, one per row
		1, 0,
		0, 2,
	}
	grad, f, q := make([]float64, 4), make([]float64, 4), make([]float64, 2)
	ev := net.NewEvaluator(1)                                         // made once, with its parallelism
	ev.Eval(&dynamics.Batch{Speeds: 2, H: h, F: f, Grad: grad, Q: q}) // both states in one pass over W
	fmt.Println(f, grad, q)
	// Output:
	// [-1 0 0 -2] [1 0 0 2] [0.5 2]
}

// Two units that excite each other, without bias: the network is
// odd-symmetric, so -h* is a fixed point whenever h* is, and Mirrors pairs
// the states that are exact negations of each other.
func ExampleNetwork_Mirrors() {
	net, err := dynamics.New(dynamics.Config{W: mat.NewDense(2, 2, []float64{1, 1, 1, 1})})
	if err != nil {
		fmt.Println(err)
		return
	}
	h := []float64{0.95750402, 0.95750402}
	states := [][]float64{h, {0.5, -0.25}, {-h[0], -h[1]}}
	fmt.Println(net.Symmetric(), net.Mirrors(states))
	// Output: true [2 -1 0]
}
