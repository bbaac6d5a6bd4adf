package main

import (
	"context"
	"io"
	"testing"
)

// BenchmarkFindFlipflop is `fpfind testdata/flipflop.npz`: 256 initial
// states from trajectories, the solver, 27 spectra of N = 64, the table.
func BenchmarkFindFlipflop(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if code := run(context.Background(), []string{net("flipflop.npz")}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}

// BenchmarkInfoFlipflop is `fpfind info testdata/flipflop.npz`: reading,
// hashing and the eigenvalues of W.
func BenchmarkInfoFlipflop(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if code := run(context.Background(), []string{"info", net("flipflop.npz")}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
