package eigen

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// BenchmarkGeev compares Solver.Geev with gonum's Dgeev (through mat.Eigen)
// on the same Gaussian matrix: values only and with right vectors.
func BenchmarkGeev(b *testing.B) {
	for _, n := range []int{256, 1024, 2048} {
		a := randMatrix(n, 1)
		for _, vec := range []bool{false, true} {
			kind := "values"
			if vec {
				kind = "vectors"
			}
			b.Run(fmt.Sprintf("n=%d/%s/ours", n, kind), func(b *testing.B) {
				b.ReportAllocs()
				w := mat.NewDense(n, n, nil)
				wr := make([]float64, n)
				wi := make([]float64, n)
				var vr blas64.General
				if vec {
					vr = blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
				}
				defer reportCPU(b)()
				for b.Loop() {
					w.Copy(a)
					if err := (Solver{}).Geev(w.RawMatrix(), wr, wi, blas64.General{}, vr); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(fmt.Sprintf("n=%d/%s/gonum", n, kind), func(b *testing.B) {
				b.ReportAllocs()
				k := mat.EigenNone
				if vec {
					k = mat.EigenRight
				}
				var e mat.Eigen
				defer reportCPU(b)()
				for b.Loop() {
					if !e.Factorize(a, k) {
						b.Fatal("gonum's Eigen failed")
					}
				}
			})
		}
	}
}

// cpuTime returns the user plus system CPU time of the process.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU seconds per operation (all threads) when the
// returned function is called at the end of a benchmark: on a shared
// machine it is steadier than the wall time.
func reportCPU(b *testing.B) func() {
	t0 := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric((cpuTime()-t0).Seconds()/float64(b.N), "cpu-s/op")
		}
	}
}
