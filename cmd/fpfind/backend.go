package main

import (
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"

	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/internal/backend"
	"github.com/fpfind/fpfind/linearize"
)

// init selects the linear-algebra backend: in the default build nothing
// changes (pure Go, linearize.Default is internal/eigen's dgeev); built with
// -tags openblas, gonum's BLAS and LAPACK calls go to OpenBLAS and LAPACK,
// and the eigen-solver calls LAPACK's dgeev directly. OpenBLAS is held to
// one thread: fpfind parallelises across initial states and points itself,
// and a fixed thread count keeps the output bit-identical whatever --workers.
func init() {
	backend.Install()
	if s := backend.EigenSolver(); s != nil {
		linearize.Default = s
	}
	if backend.Name() != "pure-go" {
		backend.SetThreads(1)
		// Newton's LU factorisations through LAPACK (gonum's lapack64,
		// which Install routed to LAPACKE).
		fixedpoint.LU = func(n int, a []float64, piv []int) bool {
			return lapack64.Getrf(blas64.General{Rows: n, Cols: n, Stride: n, Data: a}, piv)
		}
	}
}
