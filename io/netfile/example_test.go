package netfile_test

import (
	"fmt"
	"log"

	"github.com/fpfind/fpfind/io/netfile"
)

// A single tanh unit with w = 2 (testdata/tanh1.npz) has a stable fixed point
// at h = m, the positive root of m = tanh(2m).
func ExampleLoadNetwork() {
	l, err := netfile.LoadNetwork("../../testdata/tanh1.npz", nil)
	if err != nil {
		log.Fatal(err)
	}
	net := l.Network
	fmt.Printf("N = %d, %v, %v, W = %.4g\n", net.Dim(), net.Activation(), net.Convention(), net.W().At(0, 0))
	for _, a := range l.Arrays {
		fmt.Printf("%-10s %s %v\n", a.Key, a.Dtype, a.Shape)
	}
	f := make([]float64, 1)
	net.Field(f, []float64{0.957504024077269})
	fmt.Printf("|F(0.9575)| < 1e-15: %v\n", f[0] < 1e-15 && f[0] > -1e-15)

	// A PyTorch nn.RNN state dict: W is rnn.weight_hh_l0; the readout is kept aside.
	t, err := netfile.LoadNetwork("../../testdata/torch_rnn.npz", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(t.Layout, t.Prefix, t.Network.Dim(), t.Network.Inputs(), t.Network.Convention())
	for _, a := range t.Other {
		fmt.Println("other:", a.Name, a.Shape)
	}
	// Output:
	// N = 1, tanh, continuous, W = 2
	// W          <f8 [1 1]
	// activation <U4 []
	// b          <f8 [1]
	// convention <U10 []
	// tau        <f8 []
	// |F(0.9575)| < 1e-15: true
	// torch rnn. 8 3 discrete
	// other: fc.bias [2]
	// other: fc.weight [2 8]
}
