package main

import (
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
	}
}
