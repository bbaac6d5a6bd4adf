package continuation_test

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/continuation"
	"github.com/fpfind/fpfind/dynamics"
)

// One unit h = tanh(2 h + u), followed along its input u from -1 to 1: the
// branch of fixed points is an S with two folds, at u = +-(atanh(h*) - 2 h*),
// h* = -+sqrt(1/2).
func ExampleContinue() {
	net, err := dynamics.New(dynamics.Config{W: mat.NewDense(1, 1, []float64{2}), WIn: mat.NewDense(1, 1, []float64{1})})
	if err != nil {
		panic(err)
	}
	fam, err := continuation.NewFamily(net, continuation.Param{Kind: continuation.Input, Channel: 0})
	if err != nil {
		panic(err)
	}
	// The one fixed point at u = -1.
	res, err := continuation.Continue(context.Background(), fam, [][]float64{{-0.995}}, &continuation.Settings{From: -1, To: 1})
	if err != nil {
		panic(err)
	}
	for _, s := range res.Specials {
		fmt.Printf("%s at u = %+.10f, h = %+.6f, a = %+.4f\n", s.Type, s.P, s.H[0], s.Coefficient)
	}
	b := res.Branches[0]
	first, last := b.Points[0], b.Points[len(b.Points)-1]
	fmt.Printf("from (u, h) = (%g, %.4f) %s to (%g, %.4f) %s; the branch ends on the %s\n", first.P, first.H[0], first.Class, last.P, last.H[0], last.Class, b.End)
	// Output:
	// fold at u = +0.5328399754, h = -0.707107, a = +1.4142
	// fold at u = -0.5328399754, h = +0.707107, a = -1.4142
	// from (u, h) = (-1, -0.9950) stable to (1, 0.9950) stable; the branch ends on the boundary
}
