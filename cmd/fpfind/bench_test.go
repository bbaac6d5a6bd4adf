package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
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

// BenchmarkSweep measures what a sweep adds to the analyses it runs: find
// on 8 networks (the flip-flop with seeds 1 to 8) one after the other,
// without output files, against sweep over the same 8 into a new folder
// (-j 1: the plan, each network's options, its result files and record),
// and against a rerun of that sweep, where every network is done (the
// resume check: hashing the input and reading its .json).
func BenchmarkSweep(b *testing.B) {
	const k = 8
	dir := b.TempDir()
	var m strings.Builder
	m.WriteString("network,seed,flags\n")
	for i := 1; i <= k; i++ {
		fmt.Fprintf(&m, "%s,%d,--seed %d\n", net("flipflop.npz"), i, i)
	}
	manifest := filepath.Join(dir, "nets.csv")
	if err := os.WriteFile(manifest, []byte(m.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("find", func(b *testing.B) {
		for b.Loop() {
			for i := 1; i <= k; i++ {
				if code := run(context.Background(), []string{"-q", "-j", "1", "--seed", fmt.Sprint(i), net("flipflop.npz")}, io.Discard, io.Discard); code != 0 {
					b.Fatalf("exit %d", code)
				}
			}
		}
	})
	n := 0
	b.Run("sweep", func(b *testing.B) {
		for b.Loop() {
			n++
			out := filepath.Join(dir, fmt.Sprint("out", n))
			if code := run(context.Background(), []string{"sweep", "-q", "-j", "1", "-o", out, manifest}, io.Discard, io.Discard); code != 0 {
				b.Fatalf("exit %d", code)
			}
		}
	})
	b.Run("resume", func(b *testing.B) {
		for b.Loop() {
			if code := run(context.Background(), []string{"sweep", "-q", "-j", "1", "-o", filepath.Join(dir, "out1"), manifest}, io.Discard, io.Discard); code != 0 {
				b.Fatalf("exit %d", code)
			}
		}
	})
}
