package fixedpoint_test

import (
	"context"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/fixedpoint"
)

// A single tanh unit with self-weight 2 has three fixed points: 0 and
// h = tanh(2h) = +-0.9575.
func ExampleFind() {
	net, err := dynamics.New(dynamics.Config{W: mat.NewDense(1, 1, []float64{2})})
	if err != nil {
		panic(err)
	}
	inits := mat.NewDense(4, 1, []float64{-2, -0.3, 0.2, 0.7})
	res, err := fixedpoint.Find(context.Background(), net, inits, nil)
	if err != nil {
		panic(err)
	}
	// Order the points by h (fixed points with equal q ~ 1e-30 come in no
	// meaningful order); Permute remaps the runs.
	perm := []int{0, 1, 2}
	sort.Slice(perm, func(a, b int) bool { return res.Points[perm[a]].X[0] < res.Points[perm[b]].X[0] })
	res.Permute(perm)
	for _, p := range res.Points {
		h := p.X[0]
		if math.Abs(h) < 1e-12 {
			h = 0 // the origin, found to rounding precision
		}
		fmt.Printf("%s h=%.4g max|F|<=1e-10:%v multiplicity=%d source=%s\n", p.Kind, h, p.Residual <= 1e-10, p.Multiplicity, p.Source)
	}
	for i, r := range res.Runs {
		fmt.Printf("run %d from %.4g: %s at point %d\n", i, r.Init[0], r.Status, r.Point)
	}
	fmt.Println("symmetric:", res.Symmetric)
	// Output:
	// fixed h=-0.9575 max|F|<=1e-10:true multiplicity=1 source=sample
	// fixed h=0 max|F|<=1e-10:true multiplicity=2 source=sample
	// fixed h=0.9575 max|F|<=1e-10:true multiplicity=1 source=symmetry
	// run 0 from -2: fixed at point 0
	// run 1 from -0.3: fixed at point 1
	// run 2 from 0.2: fixed at point 1
	// run 3 from 0.7: fixed at point 2
	// symmetric: true
}
