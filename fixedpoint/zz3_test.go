package fixedpoint

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/fpfind/fpfind/io/numpy"
)

func TestDebugApproach(t *testing.T) {
	if os.Getenv("FPDEBUG") == "" {
		t.Skip()
	}
	l, err := numpy.LoadNetwork("../testdata/random_g1.5_n200.npz", nil)
	if err != nil {
		t.Fatal(err)
	}
	inits, _ := numpy.ReadMatrix("/tmp/g15_64.npy")
	rs, _ := resolve(&Settings{Workers: 1, Method: Speed, NoEarlyExit: true})
	w := newWorker(context.Background(), l.Network, &rs)
	w.known = &knownSet{n: 200}
	for i := 0; i < 24; i++ {
		var traj [][]float64
		w.trace = func(x []float64) { traj = append(traj, append([]float64(nil), x...)) }
		var run Run
		w.run(inits.RawRowView(i), &run)
		fin := run.Final
		firsts := []float64{0.5, 0.25, 0.1, 0.03, 0.01}
		out := fmt.Sprintf("%3d %-13s evals=%5d newton=%d res=%.1e", i, run.Status, w.c.speed, w.c.newton, run.Residual)
		for _, r := range firsts {
			k := -1
			for j, x := range traj {
				if distInf(x, fin, 1e9) <= r {
					k = j
					break
				}
			}
			out += fmt.Sprintf(" d<=%g@%d", r, k)
		}
		fmt.Println(out)
	}
}
