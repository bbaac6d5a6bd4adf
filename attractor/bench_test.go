package attractor

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/fpfind/fpfind/linearize"
)

// BenchmarkRing traces the ring of the cosine ring network from one bump
// (found by iterating h <- tanh(W h)): the cost of a whole ring at each N.
func BenchmarkRing(b *testing.B) {
	for _, n := range []int{32, 64, 128, 256} {
		b.Run(fmt.Sprint("N=", n), func(b *testing.B) {
			net := ringNet(b, n, 4)
			h, next := make([]float64, n), make([]float64, n)
			for i := range h {
				h[i] = math.Cos(2*math.Pi*float64(i)/float64(n) + 0.3)
			}
			for range 3000 {
				net.Map(next, h)
				h, next = next, h
			}
			sp, err := linearize.At(net, h, nil)
			if err != nil {
				b.Fatal(err)
			}
			var samples int
			for b.Loop() {
				as, err := Find(context.Background(), net, [][]float64{h}, []*linearize.Spectrum{sp}, nil)
				if err != nil || len(as) != 1 || !as[0].Closed {
					b.Fatalf("%v %v", as, err)
				}
				samples = len(as[0].Samples)
			}
			b.ReportMetric(float64(samples), "samples")
		})
	}
}
