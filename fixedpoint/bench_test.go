package fixedpoint_test

import (
	"context"
	"sync/atomic"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/internal/nettest"
)

// BenchmarkFind runs Find on random tanh networks with g = 1.5 from states
// sampled from their trajectories (64 initial states).
func BenchmarkFind(b *testing.B) {
	for _, n := range []int{64, 200} {
		net := nettest.Tanh(b, n, 1.5, 15)
		inits, err := fixedpoint.TrajectoryInits(context.Background(), net, &fixedpoint.SampleSettings{Count: 64, Noise: 0.1, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.Run("n="+itoa(n), func(b *testing.B) {
			res := benchFind(b, net, inits)
			b.ReportMetric(float64(res.Count(fixedpoint.Fixed)), "fixed")
			b.ReportMetric(float64(res.Stats.Factorizations), "LU/op")
		})
	}
}

// BenchmarkFindUniform runs Find from 256 states uniform in [-1, 1]^N on a
// chaotic tanh network (g = 1.5, N = 200), as bench/fp_vs_peers.py's
// g15uniform case does on testdata/random_g1.5_n200.npz: most runs end on
// slow points, after hundreds of L-BFGS iterations each.
func BenchmarkFindUniform(b *testing.B) {
	const n = 200
	net := nettest.Tanh(b, n, 1.5, 15)
	inits, err := fixedpoint.RandomInits(256, n, -1, 1, 1)
	if err != nil {
		b.Fatal(err)
	}
	st := benchFind(b, net, inits).Stats
	b.ReportMetric(float64(st.SpeedEvals), "evals/op")
	b.ReportMetric(float64(st.Hessians), "hessians/op")
	b.ReportMetric(float64(st.Factorizations), "LU/op")
}

// benchFind times Find with default settings and returns its last result.
func benchFind(b *testing.B, net *dynamics.Network, inits *mat.Dense) *fixedpoint.Result {
	b.ReportAllocs()
	var res *fixedpoint.Result
	for b.Loop() {
		var err error
		if res, err = fixedpoint.Find(context.Background(), net, inits, nil); err != nil {
			b.Fatal(err)
		}
	}
	return res
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func TestRecorder(t *testing.T) {
	net := nettest.Tanh(t, 20, 1.5, 3)
	inits := uniformInits(40, 20, -1, 1, 5)
	var calls, runs, restarts atomic.Int64
	rec := fixedpoint.RecorderFunc(func(p fixedpoint.Progress) {
		calls.Add(1)
		switch p.Stage {
		case "runs":
			runs.Add(1)
			if p.Total != 40 || p.Done < 1 || p.Done > 40 {
				t.Errorf("bad progress %+v", p)
			}
		case "deflation":
			restarts.Add(1)
		default:
			t.Errorf("unknown stage %q", p.Stage)
		}
	})
	res := find(t, net, inits, &fixedpoint.Settings{Workers: 4, Deflation: 6, Recorder: rec})
	if runs.Load() != 40 || restarts.Load() != 6 || int(restarts.Load()) != res.Stats.Restarts {
		t.Errorf("runs %d, restarts %d (stats %d)", runs.Load(), restarts.Load(), res.Stats.Restarts)
	}
}
