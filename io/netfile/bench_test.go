package netfile

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
