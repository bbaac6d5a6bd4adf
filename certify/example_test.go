package certify_test

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/certify"
	"github.com/fpfind/fpfind/dynamics"
)

// Two tanh units with W = diag(1.5, 0.5) have three fixed points: the
// origin and (+-0.8586, 0). The origin is certified (unique within a
// radius short of the other two); a point off every root is not.
func ExamplePoint() {
	net, err := dynamics.New(dynamics.Config{W: mat.NewDense(2, 2, []float64{1.5, 0, 0, 0.5})})
	if err != nil {
		panic(err)
	}
	for _, x := range [][]float64{{0, 0}, {0.5, 0.5}} {
		r := certify.Point(net, x)
		fmt.Printf("%v: %s, radius %.2f\n", x, r.Reason, r.Radius)
	}
	// Output:
	// [0 0]: certified, radius 0.44
	// [0.5 0.5]: no-contraction, radius 0.00
}
