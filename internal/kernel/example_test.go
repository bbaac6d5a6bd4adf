package kernel_test

import (
	"fmt"

	"github.com/fpfind/fpfind/internal/kernel"
)

func ExampleGemv() {
	// A is 2 x 3, stored with stride 4 (the last column of each row is
	// padding).
	a := []float64{
		1, 2, 3, -1,
		4, 5, 6, -1,
	}
	x := []float64{1, 0, -1}
	y := []float64{10, 20}
	kernel.Gemv(y, 1, a, 4, x) // y = y + A x
	fmt.Println(y)
	// Output:
	// [8 18]
}

func ExampleGemv2() {
	a := []float64{
		1, 2,
		3, 4,
	}
	h, v := []float64{1, 1}, []float64{1, -1}
	wh, wv := make([]float64, 2), make([]float64, 2)
	kernel.Gemv2(wh, wv, 0, a, 2, h, v) // W h and W v in one pass over W
	fmt.Println(wh, wv)
	// Output:
	// [3 7] [-1 -1]
}

func ExampleGemmNN() {
	// Two states (the rows of X, 2 x 3) times a shared 3 x 2 matrix B, in
	// one pass over B: C += X B. Each row of C has the bits GemvT would
	// give it alone.
	x := []float64{
		1, 0, -1,
		2, 1, 0,
	}
	b := []float64{
		1, 2,
		3, 4,
		5, 6,
	}
	c := make([]float64, 4)
	kernel.GemmNN(2, 2, 3, x, 3, b, 2, c, 2)
	fmt.Println(c)
	// Output:
	// [-4 -4 5 8]
}

func ExampleGemmPacked() {
	// W (3 x 2) packed once, then multiplied by a batch of two states (the
	// rows of X, 2 x 3) as often as needed: C += X W, the same bits as
	// GemmNN on W itself.
	w := []float64{
		1, 0,
		0, 1,
		1, 1,
	}
	p := kernel.Pack(3, 2, w, 2)
	x := []float64{
		1, 2, 3,
		0, 1, -1,
	}
	c := make([]float64, 4)
	_, n := p.Dims()
	kernel.GemmPacked(2, x, 3, p, 0, n, c, 2)
	fmt.Println(c)
	// Output:
	// [4 5 -1 0]
}
