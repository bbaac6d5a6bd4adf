package attractor_test

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/attractor"
	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/linearize"
)

// A ring network: 32 tanh units with cosine connectivity W_ij = (4/32)
// cos(theta_i - theta_j) hold a bump of activity at any angle, a ring of
// fixed points. From one of them (found by iterating h <- tanh(W h)),
// Find traces the ring.
func ExampleFind() {
	const n = 32
	w := mat.NewDense(n, n, nil)
	h := make([]float64, n)
	for i := range n {
		for j := range n {
			w.Set(i, j, 4.0/n*math.Cos(2*math.Pi*float64(i-j)/n))
		}
		h[i] = math.Cos(2*math.Pi*float64(i)/n + 0.3)
	}
	net, err := dynamics.New(dynamics.Config{W: w})
	if err != nil {
		panic(err)
	}
	next := make([]float64, n)
	for range 2000 {
		net.Map(next, h)
		h, next = next, h
	}
	sp, err := linearize.At(net, h, nil)
	if err != nil {
		panic(err)
	}
	as, err := attractor.Find(context.Background(), net, [][]float64{h}, []*linearize.Spectrum{sp}, nil)
	if err != nil {
		panic(err)
	}
	for _, a := range as {
		fmt.Printf("%s of dimension %d, closed %v, length %.1f\n", a.Kind, a.Dim, a.Closed, a.Length)
	}
	// Output:
	// ring of dimension 1, closed true, length 34.6
}
