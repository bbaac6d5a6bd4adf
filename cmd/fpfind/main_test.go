package main

import (
	"bytes"
	"context"
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// repo is the module root, where the shared networks live.
const repo = "../.."

// net returns the path of a network in the module's testdata/.
func net(name string) string { return filepath.Join(repo, "testdata", name) }

// result is what one call of run gave.
type result struct {
	code           int
	stdout, stderr string
}

// runArgs calls run with buffers.
func runArgs(t *testing.T, args ...string) result {
	t.Helper()
	return runCtx(t, context.Background(), args...)
}

func runCtx(t *testing.T, ctx context.Context, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(ctx, args, &out, &errb)
	return result{code, out.String(), errb.String()}
}

// golden compares got with testdata/name, or rewrites it with -update.
// Temporary folders in got are replaced by $TMP first.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// maskTiny replaces, in the q and |F|inf columns of a table, the values
// below 1e-12 (rounding noise at a converged point, which any change of the
// solver moves) by "~0" of the same width, so that the goldens check
// everything else exactly.
func maskTiny(s string) string {
	lines := strings.Split(s, "\n")
	var cols []int
	ncols := 0
	tok := regexp.MustCompile(`\S+`)
	for i, line := range lines {
		f := strings.Fields(line)
		if slices.Contains(f, "|F|inf") {
			cols = cols[:0]
			for j, name := range f {
				if name == "q" || name == "|F|inf" {
					cols = append(cols, j)
				}
			}
			ncols = len(f)
			continue
		}
		if len(cols) == 0 || len(f) != ncols {
			continue
		}
		idx := tok.FindAllStringIndex(line, -1)
		b := []byte(line)
		for _, j := range cols {
			v, err := strconv.ParseFloat(f[j], 64)
			if err != nil || math.Abs(v) >= 1e-12 {
				continue
			}
			lo, hi := idx[j][0], idx[j][1]
			lo = min(lo, hi-2) // "0" takes the blank before it
			copy(b[lo:hi], strings.Repeat(" ", hi-lo-2)+"~0")
		}
		lines[i] = string(b)
	}
	return strings.Join(lines, "\n")
}

// scrub replaces the temporary folder dir by $TMP.
func scrub(s, dir string) string {
	if dir == "" {
		return s
	}
	return strings.ReplaceAll(s, dir, "$TMP")
}

// files lists the names in dir, sorted.
func files(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestHelp(t *testing.T) {
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"help.golden", []string{"--help"}},
		{"help.golden", []string{"-h"}},
		{"help.golden", []string{"help"}},
		{"help.golden", []string{"net.npz", "-n", "3", "--help"}},
		{"help-find.golden", []string{"find", "--help"}},
		{"help-find.golden", []string{"help", "find"}},
		{"help-simulate.golden", []string{"simulate", "-h"}},
		{"help-linearize.golden", []string{"linearize", "--help"}},
		{"help-info.golden", []string{"info", "--help"}},
		{"help-continue.golden", []string{"continue", "--help"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runArgs(t, tc.args...)
			if r.code != 0 || r.stderr != "" {
				t.Errorf("exit %d, stderr %q; want 0 and nothing", r.code, r.stderr)
			}
			golden(t, tc.golden, r.stdout)
		})
	}
}

func TestVersion(t *testing.T) {
	r := runArgs(t, "--version")
	if r.code != 0 || !regexp.MustCompile(`^fpfind \S+ \(go[0-9.]+.*\)\n$`).MatchString(r.stdout) {
		t.Errorf("--version: exit %d, stdout %q", r.code, r.stdout)
	}
}

// Usage and input errors: exit 2, nothing on stdout, one line naming the
// problem (and, for usage errors, a pointer to --help) on stderr.
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	trunc := filepath.Join(dir, "truncated")
	os.Mkdir(trunc, 0o755)
	full, err := os.ReadFile(filepath.Join("testdata", "w2.npy"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(trunc, "W.npy"), full[:len(full)-5], 0o644)
	os.WriteFile(filepath.Join(dir, "exists.npz"), []byte("keep"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"no-args", nil},
		{"bad-flag", []string{"--bogus", net("tanh1.npz")}},
		{"bad-int", []string{"-n", "abc", net("tanh1.npz")}},
		{"bad-format", []string{"--format", "xml", net("tanh1.npz")}},
		{"bad-method", []string{"--method", "magic", net("tanh1.npz")}},
		{"bad-tol", []string{"--tol", "-1", net("tanh1.npz")}},
		{"nan-tol", []string{"--tol", "NaN", net("tanh1.npz")}},
		{"bad-convention", []string{"--convention", "weird", net("tanh1.npz")}},
		{"bad-alpha", []string{"--alpha", "2", net("tanh1.npz")}},
		{"bad-tau", []string{"--tau", "0", net("tanh1.npz")}},
		{"bad-plot", []string{"--plot", "x.gif", net("tanh1.npz")}},
		{"out-with-ext", []string{"-o", "res.npz", net("tanh1.npz")}},
		{"two-networks", []string{net("tanh1.npz"), net("leaky.npz")}},
		{"missing-file", []string{filepath.Join(dir, "missing.npz")}},
		{"not-npz", []string{filepath.Join(dir, "exists.npz")}},
		{"truncated-npy", []string{"info", trunc}},
		{"exists", []string{"linearize", "--at", filepath.Join("testdata", "tanh1_at.npy"), "-o", filepath.Join(dir, "exists"), net("tanh1.npz")}},
		{"at-wrong-width", []string{"linearize", "--at", filepath.Join("testdata", "tanh1_at.npy"), net("two_units.npz")}},
		{"at-missing", []string{"linearize", net("two_units.npz")}},
		{"unknown-help", []string{"help", "frobnicate"}},
		{"inits-and-file", []string{"-n", "5", "--inits-file", "x.npy", net("tanh1.npz")}},
		{"sim-bad-flag", []string{"simulate", "--at", "x", net("tanh1.npz")}},
		{"info-bad-format", []string{"info", "--format", "csv", net("tanh1.npz")}},
		{"bad-eigs", []string{"--eigs", "-1", net("tanh1.npz")}},
		{"eigs-left-vectors", []string{"--eigs", "5", "--left-vectors", net("random_g1.5_n200.npz")}},
		{"linearize-eigs-left-vectors", []string{"linearize", "--eigs", "1", "--left-vectors", "--at", filepath.Join("testdata", "tanh1_at.npy"), net("two_units.npz")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runArgs(t, tc.args...)
			if r.code != 2 {
				t.Errorf("exit %d, want 2; stderr %q", r.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
			golden(t, "err-"+tc.name+".golden", scrub(r.stderr, dir))
		})
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "exists.npz")); string(b) != "keep" {
		t.Error("an existing output was changed without --force")
	}
	if got := files(t, dir); strings.Join(got, ",") != "exists.npz,truncated" {
		t.Errorf("the folder holds %v after failed runs", got)
	}
}

func TestPanicRecovered(t *testing.T) {
	testHook = func() { panic("boom") }
	defer func() { testHook = nil }()
	r := runArgs(t, "info", net("tanh1.npz"))
	if r.code != 1 || !strings.HasPrefix(r.stderr, "fpfind: internal error: boom\n") || r.stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// A panic in a worker goroutine becomes an internal error too.
func TestWorkerPanicRecovered(t *testing.T) {
	workerHook = func() { panic("worker boom") }
	defer func() { workerHook = nil }()
	dir := t.TempDir()
	r := runArgs(t, "linearize", "-j", "4", "--at", filepath.Join("testdata", "tanh1_at.npy"), "-o", filepath.Join(dir, "x"), net("tanh1.npz"))
	if r.code != 1 || !strings.Contains(r.stderr, "fpfind: internal error: linearising point") || !strings.Contains(r.stderr, "worker boom") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("left %v", got)
	}
}
