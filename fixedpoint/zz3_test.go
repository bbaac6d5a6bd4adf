package fixedpoint

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/fpfind/fpfind/io/numpy"
)

func TestDebugG15(t *testing.T) {
	if os.Getenv("FPDEBUG") == "" {
		t.Skip()
	}
	l, err := numpy.LoadNetwork("../testdata/random_g1.5_n200.npz", nil)
	if err != nil {
		t.Fatal(err)
	}
	inits, _ := numpy.ReadMatrix("/tmp/g15_64.npy")
	m, _ := ParseMethod(os.Getenv("METHOD"))
	debugRun = func(i int, c counts, run *Run) {
		fmt.Printf("%3d %-14s early=%v newton=%d broyden=%d lm=%d speed=%d chord=%d res=%.2e\n", i, run.Status, run.Early, c.newton, c.broyden, c.lm, c.speed, c.chord, run.Residual)
	}
	Find(context.Background(), l.Network, inits, &Settings{Workers: 1, Method: m, Deflation: -1})
}

func TestDebugDefl(t *testing.T) {
	if os.Getenv("FPDEBUG") == "" {
		t.Skip()
	}
	l, _ := numpy.LoadNetwork("../testdata/random_g1.5_n200.npz", nil)
	inits, _ := numpy.ReadMatrix("/tmp/g15_64.npy")
	res, _ := Find(context.Background(), l.Network, inits, &Settings{Workers: 2, Method: Newton, Deflation: -1, MaxSpeedIter: 300})
	rs, _ := resolve(&Settings{Workers: 1})
	fmt.Sscan(os.Getenv("SHIFT"), &rs.shift)
	fmt.Sscan(os.Getenv("POW"), &rs.pow)
	w := newWorker(context.Background(), l.Network, &rs)
	w.known = &knownSet{n: 200}
	for _, p := range res.Points {
		if p.Kind == Fixed {
			w.known.add(p.X, FromRun)
		}
	}
	if os.Getenv("QUIET") != "" {
		deflTrace = nil
	} else {
	deflTrace = func(it int, res, logM, eta, a float64) {
		fmt.Printf("  it=%d res=%.2e logM=%.3f eta=%.3f a=%.3g\n", it, res, logM, eta, a)
	}
	}
	for i := 0; i < 16; i++ {
		fmt.Println("restart", i, res.Runs[i].Status)
		ok := w.deflated(inits.RawRowView(i))
		fmt.Println(" ->", ok)
	}
}
