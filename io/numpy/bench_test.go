package numpy

import (
	"path/filepath"
	"testing"
)

func BenchmarkWriteNPZ(b *testing.B) {
	const k, n = 20, 200
	arrays := []Array{
		{Name: "fixed_points", Shape: []int{k, n}, Data: make([]float64, k*n)},
		{Name: "eigvecs_right", Shape: []int{k, n, n}, Data: make([]complex128, k*n*n)},
	}
	p := filepath.Join(b.TempDir(), "res.npz")
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteNPZ(p, arrays); err != nil {
			b.Fatal(err)
		}
	}
}
