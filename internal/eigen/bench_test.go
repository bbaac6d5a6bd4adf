package eigen

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/backend"
)

// BenchmarkGeev compares Solver.Geev with gonum's Dgeev (through mat.Eigen)
// on the same matrix: values only and with right vectors. The matrices are
// Gaussian (gauss, entries N(0, 1/n)) and, at the orders fpfind's
// linearisation meets most, the Jacobian of a chaotic tanh network
// (tanhJacobian, g = 1.5). gonum's BLAS is the one the command installs
// (backend.Install: internal/kernel's Dgemm), which both solvers call.
func BenchmarkGeev(b *testing.B) {
	backend.Install()
	type input struct {
		name string
		a    *mat.Dense
	}
	var inputs []input
	for _, n := range []int{100, 200, 256, 500} {
		inputs = append(inputs, input{fmt.Sprintf("tanh/n=%d", n), tanhJacobian(n, 1.5, 1)})
	}
	for _, n := range []int{200, 256, 1024, 2048} {
		inputs = append(inputs, input{fmt.Sprintf("n=%d", n), randMatrix(n, 1)})
	}
	for _, in := range inputs {
		a := in.a
		n, _ := a.Dims()
		for _, vec := range []bool{false, true} {
			kind := "values"
			if vec {
				kind = "vectors"
			}
			b.Run(in.name+"/"+kind+"/ours", func(b *testing.B) {
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
			b.Run(in.name+"/"+kind+"/gonum", func(b *testing.B) {
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
