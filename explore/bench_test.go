package explore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/explore"
	"github.com/fpfind/fpfind/internal/nettest"
)

// BenchmarkChaoticOrigin measures the stages of Find that do not depend on
// the runs, on a chaotic network (tanh, W ~ N(0, 1.5^2/N), N = 2048) from
// its origin alone: the origin's 20 leading eigenvalues with their right
// vectors, and its 4 leading unstable directions followed both ways (8
// trajectories in one lockstep group, until they stall). It reports each
// stage's seconds per run (bench/stages4096.py does N = 4096 against
// scipy).
func BenchmarkChaoticOrigin(b *testing.B) {
	const n = 2048
	net := nettest.Tanh(b, n, 1.5, 2048)
	stages := map[string]float64{}
	for b.Loop() {
		res, err := explore.Find(context.Background(), net, &explore.Settings{Inits: mat.NewDense(1, n, nil), Pairs: -1, Rounds: 1})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Points) != 1 || len(res.Edges) != 8 {
			b.Fatalf("%d points, %d edges; want the origin and 8", len(res.Points), len(res.Edges))
		}
		for _, st := range res.Stats.Stages {
			stages[st.Name] += st.Seconds
		}
	}
	b.ReportMetric(stages[explore.StageLinearising]/float64(b.N), "linearising-s/op")
	b.ReportMetric(stages[explore.StageManifolds]/float64(b.N), "manifolds-s/op")
}

// BenchmarkMirrors measures what the reuse of exact mirror pairs saves on
// the chaotic network of testdata (odd-symmetric, N = 200), from 64
// states uniform in [-1, 1]^N (a smaller uniform case of
// bench/fp_vs_peers.py): Find as it is, and with NoMirrors, which computes
// the spectrum and manifold trajectories of both members of each pair. It
// reports the seconds of the linearising and manifold stages per run.
func BenchmarkMirrors(b *testing.B) {
	net := load(b, "random_g1.5_n200.npz").Network
	n := net.Dim()
	inits := mat.NewDense(64, n, nil)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range inits.RawMatrix().Data {
		inits.RawMatrix().Data[i] = 2*rng.Float64() - 1
	}
	for _, no := range []bool{false, true} {
		b.Run(fmt.Sprint("NoMirrors=", no), func(b *testing.B) {
			stages := map[string]float64{}
			for b.Loop() {
				res, err := explore.Find(context.Background(), net, &explore.Settings{Inits: inits, NoMirrors: no})
				if err != nil {
					b.Fatal(err)
				}
				for _, st := range res.Stats.Stages {
					stages[st.Name] += st.Seconds
				}
			}
			b.ReportMetric(stages[explore.StageLinearising]/float64(b.N), "linearising-s/op")
			b.ReportMetric(stages[explore.StageManifolds]/float64(b.N), "manifolds-s/op")
		})
	}
}
