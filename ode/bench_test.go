package ode_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/ode"
)

var benchSizes = []int{128, 512, 1024}

// BenchmarkMatVec is the bare product W h that a field evaluation costs at
// least: the yardstick for ns per function evaluation below.
func BenchmarkMatVec(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			net := randomNet(b, n, 1.5, 1, dynamics.Tanh)
			h := randomStates(1, n, 1, 2).RawRowView(0)
			dst := make([]float64, n)
			w := net.W().RawMatrix()
			b.ReportAllocs()
			for b.Loop() {
				blas64.Gemv(blas.NoTrans, 1, w, blas64.Vector{N: n, Inc: 1, Data: h}, 0, blas64.Vector{N: n, Inc: 1, Data: dst})
			}
		})
	}
}

// BenchmarkSolve: one trajectory, Dormand-Prince at rtol 1e-6, atol 1e-9
// over [0, 10], with Field (one core) and ParallelField (every core).
func BenchmarkSolve(b *testing.B) {
	for _, n := range benchSizes {
		net := randomNet(b, n, 1.5, 1, dynamics.Tanh)
		h0 := randomStates(1, n, 1, 2).RawRowView(0)
		s := &ode.Settings{Times: []float64{10}}
		for _, par := range []int{1, runtime.GOMAXPROCS(0)} {
			b.Run(fmt.Sprintf("n=%d/parts=%d", n, par), func(b *testing.B) {
				pf := net.NewEvaluator(par).ParallelField()
				defer pf.Close()
				f := func(dst []float64, _ float64, h []float64) { pf.Field(dst, h) }
				b.ReportAllocs()
				var evals int
				for b.Loop() {
					res, err := ode.Solve(context.Background(), f, h0, 0, 10, s)
					if err != nil {
						b.Fatal(err)
					}
					evals = res.Stats.FuncEvals
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(evals), "ns/eval")
			})
		}
	}
}

// BenchmarkBatch: 32 trajectories over [0, 5], Dormand-Prince in parallel
// per trajectory (SolveBatch) and in lockstep with an evaluator's FieldRows (one GEMM per
// stage), and RK4 (step 0.05) in lockstep.
func BenchmarkBatch(b *testing.B) {
	const batch, t1 = 32, 5.0
	for _, n := range benchSizes {
		net := randomNet(b, n, 1.5, 1, dynamics.Tanh)
		y0s := randomStates(batch, n, 1, 2)
		ev := net.NewEvaluator(1)
		rows := func(dst *mat.Dense, _ float64, h *mat.Dense) { ev.FieldRows(dst, h) }
		dp := &ode.Settings{Times: []float64{t1}}
		rk := &ode.Settings{Method: ode.RK4, Step: 0.05, Times: []float64{t1}}
		b.Run(fmt.Sprintf("n=%d/dp-parallel", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ode.SolveBatch(context.Background(), field(net), y0s, 0, t1, dp); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/dp-lockstep", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ode.SolveLockstep(context.Background(), rows, y0s, 0, t1, dp); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/rk4-lockstep", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ode.SolveLockstep(context.Background(), rows, y0s, 0, t1, rk); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
