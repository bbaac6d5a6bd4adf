package linearize_test

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/linearize"
)

// A scaled rotation W = a R(theta) has, at h = 0 with b = 0, the
// eigenvalues (-1 + a e^{+-i theta}) / tau.
func ExampleAt() {
	w := mat.NewDense(2, 2, []float64{0, -2, 2, 0}) // a = 2, theta = pi/2
	net, err := dynamics.New(dynamics.Config{W: w, Tau: []float64{0.5}})
	if err != nil {
		fmt.Println(err)
		return
	}
	sp, err := linearize.At(net, []float64{0, 0}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	tc := sp.TimeConstants(nil, net.TimeStep())
	fr := sp.Frequencies(nil, net.TimeStep())
	fmt.Printf("class %v, %d unstable\n", sp.Class, sp.NUnstable)
	for k, v := range sp.Values {
		fmt.Printf("lambda %.4g  time constant %.4g  frequency %.4g\n", v, tc[k], fr[k])
	}
	// Output:
	// class stable, 0 unstable
	// lambda (-2+4i)  time constant 0.5  frequency 0.6366
	// lambda (-2-4i)  time constant 0.5  frequency -0.6366
}

// The verdict of a hand-built operator: a saddle of a map, with one mode
// outside the unit circle.
func ExampleDecompose() {
	m := mat.NewDense(3, 3, []float64{
		1.2, 0, 0,
		0, 0.5, -0.5,
		0, 0.5, 0.5,
	})
	sp, err := linearize.Decompose(m, dynamics.Discrete, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sp.Class, sp.NUnstable, sp.NMarginal)
	fmt.Printf("%.4g\n", sp.Values)
	fmt.Printf("%.4g\n", sp.TimeConstants(nil, 1))
	// Output:
	// saddle 1 0
	// [(1.2+0i) (0.5+0.5i) (0.5-0.5i)]
	// [-5.485 2.885 2.885]
}

// The stationary covariance of noise-driven fluctuations around the origin
// of a two-unit network (J = -I + W at h = 0 with tanh).
func ExampleStationaryCovariance() {
	w := mat.NewDense(2, 2, []float64{0, 0.5, 0, 0})
	net, err := dynamics.New(dynamics.Config{W: w})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := linearize.StationaryCovariance(net, []float64{0, 0}, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4g\n", mat.Formatted(s))
	// Output:
	// ⎡0.5625   0.125⎤
	// ⎣ 0.125     0.5⎦
}

// The 3 rightmost eigenvalues of a 200-unit network without forming its
// Jacobian. W is a block-diagonal stack of scaled rotations a_j R(pi/4),
// a_j = j/50, so at h = 0 (tanh, no bias) J = -I + W has the eigenvalues
// -1 + a_j e^{+-i pi/4}; the rightmost pair has a = 1.98 and the next
// real part belongs to a = 1.96.
func ExampleLeading() {
	const n = 200
	w := mat.NewDense(n, n, nil)
	c := math.Cos(math.Pi / 4)
	for j := 0; j < n/2; j++ {
		a := float64(j) / 50
		w.Set(2*j, 2*j, a*c)
		w.Set(2*j, 2*j+1, -a*c)
		w.Set(2*j+1, 2*j, a*c)
		w.Set(2*j+1, 2*j+1, a*c)
	}
	net, err := dynamics.New(dynamics.Config{W: w})
	if err != nil {
		fmt.Println(err)
		return
	}
	sp, err := linearize.Leading(net, make([]float64, n), 3, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4g\n", sp.Values)
	fmt.Println(sp.Partial, sp.Class, sp.NUnstable, sp.MoreUnstable, sp.Undecided)
	// Output:
	// [(0.4001+1.4i) (0.4001-1.4i) (0.3859+1.386i)]
	// true saddle 3 true false
}

// The rightmost eigenvalue at several states at once: W = 2 I (tanh), so
// J = -I + 2 diag(1 - tanh(2 h)^2) is diagonal, and its rightmost
// eigenvalue belongs to the unit with the smallest |h_i|.
func ExampleLeadingAll() {
	const n = 50
	w := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		w.Set(i, i, 2)
	}
	net, err := dynamics.New(dynamics.Config{W: w})
	if err != nil {
		fmt.Println(err)
		return
	}
	states := make([][]float64, 3)
	for s := range states {
		states[s] = make([]float64, n)
		for i := range states[s] {
			states[s][i] = 0.1*float64(s) + 0.02*float64(i) + 0.1
		}
	}
	sps, errs := linearize.LeadingAll(context.Background(), net, states, 1, nil, nil)
	for s, sp := range sps {
		if errs[s] != nil {
			fmt.Println(errs[s])
			return
		}
		fmt.Printf("state %d: %.4g %v\n", s, real(sp.Values[0]), sp.Class)
	}
	// Output:
	// state 0: 0.9221 saddle
	// state 1: 0.7113 saddle
	// state 2: 0.4232 saddle
}
