package main

import (
	"sync"

	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/internal/backend"
	"github.com/fpfind/fpfind/linearize"
)

// linearAlgebra is the dense linear algebra of this build, handed to the
// solvers through their settings. In the default build both are nil, which
// the settings take as their pure-Go defaults (fixedpoint's blocked LU and
// internal/eigen's dgeev); built with -tags openblas, they are LAPACK's
// dgetrf and dgeev from OpenBLAS.
type linearAlgebra struct {
	lu  fixedpoint.Factorizer // fixedpoint.Settings.LU
	eig linearize.Eigensolver // linearize.Settings.Solver
}

// setUpBackend wires the build's backend on its first call and returns its
// solvers; every command that computes calls it before its first solve.
// With -tags openblas the first call also routes gonum's BLAS and LAPACK
// (so gonum/mat's products and factorisations) to OpenBLAS, and holds
// OpenBLAS to one thread: fpfind parallelises across initial states and
// points itself, and a fixed thread count keeps the output bit-identical
// whatever --workers. In the default build it gives gonum's BLAS
// internal/kernel's matrix product as Dgemm (one goroutine, so the bits do
// not depend on the machine's processors either).
func setUpBackend() linearAlgebra {
	wireBackend.Do(func() {
		backend.Install()
		if backend.Name() != "pure-go" {
			backend.SetThreads(1)
		}
	})
	return linearAlgebra{lu: backend.Factorizer(), eig: backend.EigenSolver()}
}

// wireBackend makes setUpBackend's process-wide setting happen once, even
// when tests run commands concurrently.
var wireBackend sync.Once
