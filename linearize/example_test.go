package linearize_test

import (
	"fmt"

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
