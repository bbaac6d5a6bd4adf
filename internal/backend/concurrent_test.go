package backend_test

import (
	"math"
	"sync"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"

	"github.com/fpfind/fpfind/internal/backend"
)

// TestConcurrent runs the build's eigen-solver and LU from several goroutines at once, with
// one BLAS thread each as the package documentation advises, and checks
// that every goroutine gets the serial result bit for bit.
func TestConcurrent(t *testing.T) {
	if old := backend.Threads(); old > 0 {
		defer backend.SetThreads(old)
	}
	backend.SetThreads(1)
	const n, workers = 120, 4
	solve := func() []float64 {
		a := randGeneral(n, n, 61)
		wr, wi := make([]float64, n), make([]float64, n)
		vr := newGeneral(n, n)
		if err := solver().Geev(a, wr, wi, blas64.General{}, vr); err != nil {
			t.Error(err)
			return nil
		}
		b := randGeneral(n, n, 62)
		x := make([]float64, n)
		for i := range x {
			x[i] = 1
		}
		if !luSolve(n, b.Data, x) {
			t.Error("singular")
			return nil
		}
		out := append(wr, wi...)
		return append(append(out, vr.Data...), x...)
	}
	want := solve()
	var got [workers][]float64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { got[w] = solve() })
	}
	wg.Wait()
	for w := range workers {
		if len(got[w]) != len(want) {
			t.Fatalf("worker %d: no result", w)
		}
		for i := range want {
			if math.Float64bits(got[w][i]) != math.Float64bits(want[i]) {
				t.Fatalf("worker %d: result %d is %v, serial %v", w, i, got[w][i], want[i])
			}
		}
	}
}
