package ode_test

import (
	"context"
	"fmt"
	"log"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/ode"
)

func ExampleSolve() {
	// y' = -y, y(0) = 1: y(t) = e^-t.
	f := func(dst []float64, _ float64, y []float64) { dst[0] = -y[0] }
	res, err := ode.Solve(context.Background(), f, []float64{1}, 0, 2, &ode.Settings{Times: []float64{0.5, 1, 2}})
	if err != nil {
		log.Fatal(err)
	}
	for i, t := range res.T {
		fmt.Printf("y(%g) = %.6f\n", t, res.Y.At(i, 0))
	}
	// Output:
	// y(0.5) = 0.606531
	// y(1) = 0.367879
	// y(2) = 0.135335
}

func ExampleSolve_network() {
	// A two-unit tanh network: the closure adapts Network.Field to ode.Func.
	net, err := dynamics.New(dynamics.Config{W: mat.NewDense(2, 2, []float64{0, 2, 2, 0})})
	if err != nil {
		log.Fatal(err)
	}
	f := func(dst []float64, _ float64, h []float64) { net.Field(dst, h) }
	res, err := ode.Solve(context.Background(), f, []float64{0.1, 0.05}, 0, 20, &ode.Settings{Times: []float64{20}})
	if err != nil {
		log.Fatal(err)
	}
	// It settles on the stable fixed point h = tanh(2 h), h > 0.
	fmt.Printf("h(20) = [%.4g %.4g], status %v\n", res.Y.At(0, 0), res.Y.At(0, 1), res.Status)
	// Output:
	// h(20) = [0.9575 0.9575], status success
}

func ExampleSolveBatch() {
	// Noisy trajectories of tau dh = (-h + tanh(W h)) dt + sigma dW with
	// sigma = 0.1, tau = 1: g = sigma/tau. The seed fixes every path,
	// whatever the number of workers.
	net, err := dynamics.New(dynamics.Config{W: mat.NewDense(2, 2, []float64{0, 2, 2, 0})})
	if err != nil {
		log.Fatal(err)
	}
	f := func(dst []float64, _ float64, h []float64) { net.Field(dst, h) }
	inits := mat.NewDense(3, 2, []float64{1, 1, -1, -1, 0.01, 0})
	res, err := ode.SolveBatch(context.Background(), f, inits, 0, 10, &ode.Settings{
		Method: ode.EulerMaruyama, Step: 0.01, Times: []float64{10},
		Noise: &ode.Noise{Diffusion: []float64{0.1}, Seed: 1},
	})
	if err != nil {
		log.Fatal(err)
	}
	for i, r := range res {
		fmt.Printf("trajectory %d ends near %+.0f\n", i, r.Y.At(0, 0))
	}
	// Output:
	// trajectory 0 ends near +1
	// trajectory 1 ends near -1
	// trajectory 2 ends near +1
}

func ExampleSolveLockstep() {
	// A batch through an evaluator's FieldRows: one matrix-matrix product per
	// stage.
	net, err := dynamics.New(dynamics.Config{W: mat.NewDense(2, 2, []float64{0, 2, 2, 0})})
	if err != nil {
		log.Fatal(err)
	}
	ev := net.NewEvaluator(1)
	f := func(dst *mat.Dense, _ float64, h *mat.Dense) { ev.FieldRows(dst, h) }
	inits := mat.NewDense(2, 2, []float64{0.3, 0.1, -0.2, 0.1})
	res, err := ode.SolveLockstep(context.Background(), f, inits, 0, 20, &ode.Settings{Times: []float64{20}})
	if err != nil {
		log.Fatal(err)
	}
	for i, r := range res {
		fmt.Printf("trajectory %d: h(20) = [%.4g %.4g]\n", i, r.Y.At(0, 0), r.Y.At(0, 1))
	}
	// Output:
	// trajectory 0: h(20) = [0.9575 0.9575]
	// trajectory 1: h(20) = [-0.9575 -0.9575]
}

func ExampleInput() {
	// A time-varying input u(t) for Network.FieldInput: a step from 0 to 1
	// at t = 1, held piecewise constant.
	net, err := dynamics.New(dynamics.Config{
		W:          mat.NewDense(1, 1, []float64{0}),
		WIn:        mat.NewDense(1, 1, []float64{1}),
		Activation: dynamics.Linear,
	})
	if err != nil {
		log.Fatal(err)
	}
	in, err := ode.NewInput([]float64{0, 1}, mat.NewDense(2, 1, []float64{0, 1}), ode.Hold)
	if err != nil {
		log.Fatal(err)
	}
	f := func(dst []float64, t float64, h []float64) {
		u := make([]float64, in.Dim()) // per call, so f is safe for concurrent use
		in.At(u, t)
		net.FieldInput(dst, h, u)
	}
	res, err := ode.Solve(context.Background(), f, []float64{0}, 0, 3, &ode.Settings{Times: []float64{1, 3}, RelTol: 1e-9})
	if err != nil {
		log.Fatal(err)
	}
	// h(t) = 1 - e^{-(t-1)} after the step.
	fmt.Printf("h(1) = %.4f, h(3) = %.4f\n", res.Y.At(0, 0), res.Y.At(1, 0))
	// Output:
	// h(1) = 0.0000, h(3) = 0.8647
}
