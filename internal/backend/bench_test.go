package backend_test

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"

	"github.com/fpfind/fpfind/internal/backend"
)

// benchMatrix returns the n x n matrix of bench/backend_numpy.py: entry k
// (row-major) is the k-th splitmix64 output from seed 1, mapped to a
// uniform on [-1, 1) and scaled to variance 1/n, so Go and numpy time the
// same matrix.
func benchMatrix(n int) blas64.General {
	d := make([]float64, n*n)
	scale := math.Sqrt(3 / float64(n))
	state := uint64(1)
	for k := range d {
		state += 0x9E3779B97F4A7C15
		z := state
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		z ^= z >> 31
		d[k] = (float64(z>>11)*0x1p-53*2 - 1) * scale
	}
	return blas64.General{Rows: n, Cols: n, Stride: n, Data: d}
}

// BenchmarkGeev times backend.Solver's dense eigen-decomposition, values
// only (numpy.linalg.eigvals) and with right vectors (numpy.linalg.eig),
// including the copy of the input that Geev overwrites (numpy copies too).
func BenchmarkGeev(b *testing.B) {
	for _, n := range []int{256, 1024, 2048} {
		orig := benchMatrix(n)
		for _, vectors := range []bool{false, true} {
			mode := "values"
			if vectors {
				mode = "vectors"
			}
			b.Run(fmt.Sprintf("%s/%s/N=%d", backend.Name(), mode, n), func(b *testing.B) {
				a := blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
				wr, wi := make([]float64, n), make([]float64, n)
				var vr blas64.General
				if vectors {
					vr = blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
				}
				b.ReportAllocs()
				for b.Loop() {
					copy(a.Data, orig.Data)
					if err := solver().Geev(a, wr, wi, blas64.General{}, vr); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkLU times the build's LU factorisation (gonum's dgetrf in the
// pure-Go build) and one solve on its factors by gonum's dgetrs
// (numpy.linalg.solve with one right-hand side), including the copy of the
// matrix.
func BenchmarkLU(b *testing.B) {
	for _, n := range []int{256, 1024, 2048, 4096} {
		orig := benchMatrix(n)
		b.Run(fmt.Sprintf("%s/N=%d", backend.Name(), n), func(b *testing.B) {
			a := blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
			x := make([]float64, n)
			b.ReportAllocs()
			for b.Loop() {
				copy(a.Data, orig.Data)
				for i := range x {
					x[i] = 1
				}
				if !luSolve(n, a.Data, x) {
					b.Fatal("singular")
				}
			}
		})
	}
}

// TestBenchMatrix checks that benchMatrix and bench/backend_numpy.py build
// the same matrix, so the benchmark table compares like with like.
func TestBenchMatrix(t *testing.T) {
	const n = 5
	out := python(t, `
import runpy
m = runpy.run_path("../../bench/backend_numpy.py")
for v in m["bench_matrix"](5).ravel():
    print(repr(float(v)))
`, "")
	ref := floatsOf(t, out, n*n)
	a := benchMatrix(n)
	for i, v := range a.Data {
		if v != ref[i] {
			t.Fatalf("entry %d: Go %v, numpy %v", i, v, ref[i])
		}
	}
}
