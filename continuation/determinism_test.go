package continuation

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
)

// The result does not depend on the number of workers, bit for bit.
func TestWorkersDeterministic(t *testing.T) {
	const n = 12
	rng := rand.New(rand.NewPCG(3, 0))
	w := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			w.Set(i, j, rng.NormFloat64()*1.5/3.4)
		}
	}
	net, err := dynamics.New(dynamics.Config{W: w})
	if err != nil {
		t.Fatal(err)
	}
	fam, _ := NewFamily(net, Param{Kind: Gain})
	// The origin (odd network) and two more starts on its branch: the
	// duplicates are dropped the same way whatever the workers.
	starts := [][]float64{make([]float64, n), make([]float64, n)}
	var prev *Result
	for _, workers := range []int{1, 2, 3} {
		res, err := Continue(context.Background(), fam, starts, &Settings{From: 0.2, To: 2.5, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Specials) == 0 || len(res.Branches) < 2 {
			t.Fatalf("workers %d: want special points and switched branches, got %d and %d", workers, len(res.Specials), len(res.Branches))
		}
		res.Settings.Workers = 0
		// %v prints the shortest decimal that gives each float64 back, and NaN
		// (which DeepEqual never finds equal) as NaN.
		if prev != nil && fmt.Sprintf("%+v", prev) != fmt.Sprintf("%+v", res) {
			t.Errorf("workers %d: the result differs from one worker's: %d/%d branches, %d/%d specials, dup %d/%d", workers, len(res.Branches), len(prev.Branches), len(res.Specials), len(prev.Specials), res.Duplicates, prev.Duplicates)
		}
		prev = res
	}
	if prev.Duplicates != 1 {
		t.Errorf("duplicates %d, want 1 (the second start is the first)", prev.Duplicates)
	}
}
