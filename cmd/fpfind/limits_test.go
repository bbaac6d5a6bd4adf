package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/fpfind/fpfind/internal/sysmem"
	"github.com/fpfind/fpfind/io/numpy"
)

// allocated runs args in process and returns the result and the bytes the
// run allocated (runtime.MemStats.TotalAlloc).
func allocated(t *testing.T, args ...string) (result, uint64) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := runArgs(t, args...)
	runtime.ReadMemStats(&after)
	return r, after.TotalAlloc - before.TotalAlloc
}

// Requests that cannot fit are refused from an estimate made before
// anything large is allocated: exit 2, the estimate, the limit and the
// flag to raise it in the message, and a few MB allocated in all (the
// requests themselves would take tens of GB).
func TestMemoryRefusals(t *testing.T) {
	dir := t.TempDir()
	two := net("two_units.npz")
	rows := []struct {
		name string
		args []string
	}{
		{"find -n 1e9", []string{"-n", "1000000000", "--max-memory", "16G", two}},
		{"find -n 1e9 random", []string{"-n", "1000000000", "--inits-from", "random", "--max-memory", "16G", two}},
		{"simulate --samples 1e8", []string{"simulate", "--samples", "100000000", "--max-memory", "16G", "-o", filepath.Join(dir, "s"), two}},
		{"simulate -n 1e8", []string{"simulate", "-n", "100000000", "--max-memory", "16G", "-o", filepath.Join(dir, "s"), two}},
		{"find --max-memory 1K", []string{"-n", "4", "--max-memory", "1K", two}},
		{"simulate --max-memory 1K", []string{"simulate", "-n", "1", "--max-memory", "1K", "-o", filepath.Join(dir, "s"), two}},
	}
	// With the default limit, the machine's memory, when it is below what
	// the requests need (89 GiB and 49 GiB).
	if m := sysmem.Total(); m > 0 && m < 40<<30 {
		rows = append(rows,
			struct {
				name string
				args []string
			}{"find -n 1e9, default limit", []string{"-n", "1000000000", two}},
			struct {
				name string
				args []string
			}{"simulate --samples 1e8, default limit", []string{"simulate", "--samples", "100000000", "-o", filepath.Join(dir, "s"), two}})
	}
	for _, row := range rows {
		r, alloc := allocated(t, append([]string{"-q"}, row.args...)...)
		if row.args[0] == "simulate" {
			r, alloc = allocated(t, append([]string{"simulate", "-q"}, row.args[1:]...)...)
		}
		if r.code != 2 {
			t.Errorf("%s: exit %d, want 2: %s", row.name, r.code, r.stderr)
			continue
		}
		for _, want := range []string{"would need about", "more than the limit of", "--max-memory"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("%s: the message does not say %q: %s", row.name, want, r.stderr)
			}
		}
		if alloc > 8<<20 {
			t.Errorf("%s: allocated %d bytes before refusing", row.name, alloc)
		}
		t.Logf("%s: %d kB allocated: %s", row.name, alloc>>10, strings.TrimSpace(r.stderr))
	}
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("refused runs wrote %v", got)
	}
}

// The network file and the .npy inputs are read under --max-memory too
// (numpy's limit, from the headers), with a message that names the flag.
func TestMemoryLimitsFiles(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "inits.npy")
	if err := numpy.WriteNPY(big, numpy.Array{Shape: []int{4096, 2}, Data: make([]float64, 8192)}); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"-q", "--max-memory", "1K", net("flipflop.npz")},
		{"linearize", "-q", "--max-memory", "1K", "--at", big, net("flipflop.npz")},
		{"-q", "--max-memory", "40K", "--inits-file", big, net("two_units.npz")},
		{"linearize", "-q", "--max-memory", "40K", "--at", big, net("two_units.npz")},
	} {
		r := runArgs(t, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "--max-memory") || !strings.Contains(r.stderr, "limit") {
			t.Errorf("%v: exit %d, %q; want exit 2 naming the limit and --max-memory", args, r.code, r.stderr)
		}
	}
	// The same inputs under a large enough limit, and with none.
	for _, lim := range []string{"64M", "0"} {
		if r := runArgs(t, "-q", "--max-memory", lim, "--inits-file", big, "--deflation", "-1", net("two_units.npz")); r.code != 0 {
			t.Errorf("--max-memory %s: exit %d: %s", lim, r.code, r.stderr)
		}
	}
}

// --workers is capped at what can be used (GOMAXPROCS, and one worker per
// lockstep group of runs, trajectory or state): -j 100000 on a job of one
// work item runs one worker and allocates what -j 1 does, not a workspace
// per requested worker; and the output is the same.
func TestWorkersCapped(t *testing.T) {
	dir := t.TempDir()
	two := net("two_units.npz")
	at := writeStates(t, []float64{0.1, 0.2}, 2)
	for _, cmd := range [][]string{
		{"-n", "1", "--deflation", "-1", "--timing", two},
		{"simulate", "-n", "1", "-o", filepath.Join(dir, "s"), "--force", two},
		{"linearize", "--at", at, two},
	} {
		one, a1 := allocated(t, append(append([]string{}, cmd...), "-j", "1")...)
		many, aMany := allocated(t, append(append([]string{}, cmd...), "-j", "100000")...)
		if one.code != 0 || many.code != 0 {
			t.Fatalf("%v: exit %d, %d: %s %s", cmd, one.code, many.code, one.stderr, many.stderr)
		}
		if one.stdout != many.stdout {
			t.Errorf("%v: the output depends on -j:\n%s\n%s", cmd, one.stdout, many.stdout)
		}
		if aMany > 2*a1+(1<<20) {
			t.Errorf("%v: -j 100000 allocated %d bytes, -j 1 %d", cmd, aMany, a1)
		}
		t.Logf("%v: -j 1 %d kB, -j 100000 %d kB", cmd[0], a1>>10, aMany>>10)
		if cmd[len(cmd)-2] == "--timing" && !strings.Contains(many.stderr, "1 workers)") {
			t.Errorf("find -n 1 -j 100000: the timing line does not show 1 worker: %s", many.stderr)
		}
	}
	// A larger job: at most GOMAXPROCS workers.
	r := runArgs(t, "-q", "-n", "256", "-j", "100000", "--timing", two)
	if want := strconv.Itoa(runtime.GOMAXPROCS(0)) + " workers)"; !strings.Contains(r.stderr, want) {
		t.Errorf("find -n 256 -j 100000: want %q in %s", want, r.stderr)
	}
}

// --max-memory sizes: bytes, K/M/G/T/P as powers of 1024 (with B or iB),
// fractions; 0 is no limit. Bad sizes are refused with exit 2.
func TestParseSize(t *testing.T) {
	for s, want := range map[string]int64{
		"0": 0, "1000": 1000, "1K": 1024, "512M": 512 << 20, "8G": 8 << 30, "1.5T": 3 << 39,
		"2GiB": 2 << 30, "2gb": 2 << 30, "1P": 1 << 50, "100B": 100,
	} {
		if got, err := parseSize(s); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "x", "-1", "1Q", "NaN", "Inf", "1e30T"} {
		if _, err := parseSize(s); err == nil {
			t.Errorf("parseSize(%q): no error", s)
		}
	}
	if r := runArgs(t, "-q", "--max-memory", "lots", net("two_units.npz")); r.code != 2 || !strings.Contains(r.stderr, "--max-memory") {
		t.Errorf("--max-memory lots: exit %d: %s", r.code, r.stderr)
	}
	// A normal run is unaffected by a limit it fits in, or none.
	base := runArgs(t, "-q", net("two_units.npz"))
	for _, lim := range []string{"0", "1G"} {
		if r := runArgs(t, "-q", "--max-memory", lim, net("two_units.npz")); r.code != 0 || r.stdout != base.stdout {
			t.Errorf("--max-memory %s: exit %d, output differs: %s", lim, r.code, r.stderr)
		}
	}
}

// An honest but huge W (a sparse file of 3.2 GB: shape (20000, 20000) of
// <f8) is refused from its header, before its data is read, by every
// command: reading it would hold the decoded W and the network's copy, more
// than the limit of 4 GiB given here, although the file alone is under it.
// Without the check on N, info read it whole and the machine ran out of
// memory on a 12.8 GB W.
func TestHugeNetworkRefusedFromHeader(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "net")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	const n = 20000
	hdr := fmt.Sprintf("{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }", n, n)
	hdr += strings.Repeat(" ", (64-(10+len(hdr)+1)%64)%64) + "\n"
	f, err := os.Create(filepath.Join(dir, "W.npy"))
	if err != nil {
		t.Fatal(err)
	}
	pre := append([]byte("\x93NUMPY\x01\x00"), byte(len(hdr)), byte(len(hdr)>>8))
	if _, err := f.Write(append(pre, hdr...)); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(int64(len(pre)+len(hdr)) + 8*n*n); err != nil {
		t.Fatalf("making a sparse file: %v", err)
	}
	f.Close()
	at := filepath.Join(t.TempDir(), "at.npy")
	for _, args := range [][]string{
		{"-q", "--max-memory", "4G", dir},
		{"-q", "--max-memory", "4G", "--inits-file", at, dir},
		{"simulate", "-q", "--max-memory", "4G", "-o", filepath.Join(t.TempDir(), "s"), dir},
		{"linearize", "-q", "--max-memory", "4G", "--at", at, dir},
		{"info", "--max-memory", "4G", dir},
	} {
		r, alloc := allocated(t, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "N = 20000 units") || !strings.Contains(r.stderr, "--max-memory") {
			t.Errorf("%v: exit %d, %q; want exit 2 naming N and --max-memory", args, r.code, r.stderr)
		}
		if alloc > 4<<20 {
			t.Errorf("%v: allocated %d bytes to refuse", args, alloc)
		}
	}
}

// --attractors above attractorMaxN counts the tracers' workspaces (about
// 13 N x N matrices per worker) in find's estimate: at N = 1024 it adds at
// least one worker's 104 MiB, and a limit between the two estimates refuses
// the run that traces them, saying how not to, before anything is written.
func TestAttractorMemory(t *testing.T) {
	const n = 1024
	dir := t.TempDir()
	w := make([]float64, n*n)
	for i := range n {
		w[i*n+(i*7+1)%n] = 0.5
	}
	file := filepath.Join(dir, "net.npz")
	if err := numpy.WriteNPZ(file, []numpy.Array{{Name: "W", Shape: []int{n, n}, Data: w}}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	estimate := func(args ...string) float64 {
		t.Helper()
		r := runArgs(t, append([]string{"find", "-q", "-n", "1", "-o", out}, args...)...)
		_, after, ok := strings.Cut(r.stderr, "would need about ")
		if r.code != 2 || !ok {
			t.Fatalf("%v: exit %d, want 2 and an estimate: %s", args, r.code, r.stderr)
		}
		f := strings.Fields(after)
		v, err := strconv.ParseFloat(f[0], 64)
		if err != nil || f[1] != "MiB" {
			t.Fatalf("%v: estimate %q %q", args, f[0], f[1])
		}
		return v * (1 << 20)
	}
	with := estimate("--attractors", "--max-memory", "1K", file)
	without := estimate("--max-memory", "1K", file)
	if per := attractorBytes(n); with-without < 0.99*per {
		t.Errorf("--attractors adds %.0f bytes to the estimate, want at least one worker's %.0f", with-without, per)
	}
	limit := fmt.Sprintf("%d", int64((with+without)/2))
	r := runArgs(t, "find", "-q", "-n", "1", "-o", out, "--attractors", "--max-memory", limit, file)
	if r.code != 2 || !strings.Contains(r.stderr, "--attractors=false") {
		t.Errorf("--attractors with --max-memory %s: exit %d, want 2 and how to do without: %s", limit, r.code, r.stderr)
	}
	if got := files(t, dir); len(got) != 1 {
		t.Errorf("refused runs wrote %v", got)
	}
}
