package attractor

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/fpfind/fpfind/explore"
	"github.com/fpfind/fpfind/io/netfile"
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

// BenchmarkChaotic runs Find on the fixed and slow points that explore
// finds on the chaotic network of testdata (g = 1.5, N = 200, 64 sampled
// initial states): slow points everywhere, each with an exact zero mode,
// most of whose flow is too fast, or whose projections do not converge.
func BenchmarkChaotic(b *testing.B) {
	l, err := netfile.LoadNetwork(filepath.Join("..", "testdata", "random_g1.5_n200.npz"), nil)
	if err != nil {
		b.Fatal(err)
	}
	r, err := explore.Find(context.Background(), l.Network, &explore.Settings{Sample: explore.Sample{Count: 64, Seed: 1}})
	if err != nil {
		b.Fatal(err)
	}
	xs := make([][]float64, len(r.Points))
	for i, p := range r.Points {
		xs[i] = p.X
	}
	var found int
	for b.Loop() {
		as, err := Find(context.Background(), l.Network, xs, r.Spectra, nil)
		if err != nil {
			b.Fatal(err)
		}
		found = len(as)
	}
	b.ReportMetric(float64(len(xs)), "points")
	b.ReportMetric(float64(found), "attractors")
}
