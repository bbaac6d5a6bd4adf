package numpy

import (
	"path/filepath"
	"testing"
)

func BenchmarkLoadNetwork(b *testing.B) {
	p := filepath.Join(testdata, "random_g1.5_n200.npz")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadNetwork(p, nil); err != nil {
			b.Fatal(err)
		}
	}
}

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
