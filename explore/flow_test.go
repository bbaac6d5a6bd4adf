package explore

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
)

// A trajectory on a limit cycle never settles: its speed stops halving,
// and it stops stallTime time constants after its last halving (here the
// end of its calm time), at the end of the chunk where that runs out
// (chunks of 1, 1.5, 2.25, ... up to 16 time constants) or, with
// cutAtStall, exactly then.
func TestSettleStallTime(t *testing.T) {
	// J at the origin has eigenvalues 0.5 +- 1.5i, and tanh bounds the
	// growth: a stable limit cycle around the origin.
	net, err := dynamics.New(dynamics.Config{W: mat.NewDense(2, 2, []float64{1.5, -1.5, 1.5, 1.5})})
	if err != nil {
		t.Fatal(err)
	}
	// Chunk ends: 1, 2.5, 4.75, 8.125, 13.1875, ...; calm 10 starts the
	// stall clock at 8.125.
	const calm, since = 10, 8.125
	for _, c := range []struct {
		cut  bool
		stop float64
	}{
		{false, 48.171875}, // the first chunk end more than 30 after 8.125
		{true, since + stallTime},
	} {
		fl := newFlow(net, 1)
		y := mat.NewDense(1, 2, []float64{0.5, 0})
		last := 0.0
		fates, err := fl.settle(context.Background(), settleRequest{
			y: y, until: []float64{1000}, calm: []float64{calm}, cutAtStall: c.cut,
			observe: func(_ int, t float64, _ []float64, _ float64) { last = t },
		})
		if err != nil {
			t.Fatal(err)
		}
		if fates[0] != moving || math.Abs(last-c.stop) > 1e-9 {
			t.Errorf("cutAtStall %v: fate %v, stopped at t = %v; want still moving, stopped at %v", c.cut, fates[0], last, c.stop)
		}
	}
}

// A row without calm time has no reference speed, so even one that keeps
// slowing (dh/dt = -h + tanh(0.95 h) decays at rate 0.05 near 0, halving
// its speed every 14 time constants) stops at the first chunk end past
// stallTime, still moving: the sampled long trajectories' bound, as
// Sample's doc says.
func TestSettleWithoutCalmStopsAtStallTime(t *testing.T) {
	net, err := dynamics.New(dynamics.Config{W: mat.NewDense(1, 1, []float64{0.95})})
	if err != nil {
		t.Fatal(err)
	}
	fl := newFlow(net, 1)
	y := mat.NewDense(1, 1, []float64{0.5})
	last := 0.0
	fates, err := fl.settle(context.Background(), settleRequest{
		y: y, until: []float64{1000}, calm: []float64{0},
		observe: func(_ int, t float64, _ []float64, _ float64) { last = t },
	})
	if err != nil {
		t.Fatal(err)
	}
	// Chunk ends: 1, 2.5, 4.75, 8.125, 13.1875, 20.78125, 32.171875.
	if fates[0] != moving || last != 32.171875 {
		t.Errorf("fate %v, stopped at t = %v; want still moving at 32.171875", fates[0], last)
	}
}
