// Command eigbench times linearize.Decompose on matrices stored as .npy
// files, for bench/eig_vs_numpy.py. For each file it prints one line
//
//	path values_seconds right_seconds
//
// with the minimum over -reps runs of values-only and values plus right
// eigenvectors decompositions.
package main

import (
	"flag"
	"fmt"
	"log"
	"time"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/backend"
	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/linearize"
)

func main() {
	log.SetPrefix("eigbench: ")
	log.SetFlags(0)
	// The dense linear algebra of the fpfind command (its main does the
	// same): gonum's BLAS with internal/kernel's Dgemm.
	backend.Install()
	reps := flag.Int("reps", 3, "repetitions per matrix (the minimum is printed)")
	flag.Parse()
	if err := run(*reps, flag.Args()); err != nil {
		log.Fatal(err)
	}
}

func run(reps int, paths []string) error {
	for _, p := range paths {
		m, err := numpy.ReadMatrix(p)
		if err != nil {
			return fmt.Errorf("could not read %s: %w", p, err)
		}
		var best [2]time.Duration
		for k, want := range []linearize.Vectors{linearize.ValuesOnly, linearize.RightVectors} {
			for r := 0; r < reps; r++ {
				t0 := time.Now()
				if _, err := linearize.Decompose(m, dynamics.Continuous, &linearize.Settings{Vectors: want}); err != nil {
					return fmt.Errorf("%s: %w", p, err)
				}
				if d := time.Since(t0); r == 0 || d < best[k] {
					best[k] = d
				}
			}
		}
		fmt.Printf("%s %.6f %.6f\n", p, best[0].Seconds(), best[1].Seconds())
	}
	return nil
}
