package explore_test

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/explore"
)

// Two coupled tanh units with W = [[1.5, 0], [0, 0.5]]: the origin is a
// saddle whose unstable manifold leads to the two attractors +-h*, exact
// negations of each other (the second component is 0 in one, -0 in the
// other).
func ExampleFind() {
	net, err := dynamics.New(dynamics.Config{W: mat.NewDense(2, 2, []float64{1.5, 0, 0, 0.5})})
	if err != nil {
		panic(err)
	}
	r, err := explore.Find(context.Background(), net, &explore.Settings{Sample: explore.Sample{Count: 16, Seed: 1}})
	if err != nil {
		panic(err)
	}
	for i, p := range r.Points {
		fmt.Printf("point %d: %s %s at (%.4f, %.4f), found by %s\n", i, p.Kind, r.Spectra[i].Class, p.X[0], p.X[1], p.Source)
	}
	for _, e := range r.Edges {
		fmt.Printf("from point %d, mode %d, sign %+d: to point %d\n", e.From, e.Mode, e.Sign, e.To)
	}
	// Output:
	// point 0: fixed stable at (-0.8586, -0.0000), found by sample
	// point 1: fixed stable at (0.8586, 0.0000), found by symmetry
	// point 2: fixed saddle at (0.0000, 0.0000), found by sample
	// from point 2, mode 0, sign +1: to point 1
	// from point 2, mode 0, sign -1: to point 0
}
