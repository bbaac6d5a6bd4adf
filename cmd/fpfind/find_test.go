package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/io/report"
)

// find on two_units from given states: the table, and the document on
// stdout equal to the .json file.
func TestFindTable(t *testing.T) {
	dir := t.TempDir()
	// 5 states near (m, m), 7 near the origin, 4 near (-m, -m), with
	// m = tanh(1.5 m): any solver takes each to the point nearby.
	const m15 = 0.858559636640110
	var data []float64
	for k := range 16 {
		d := 0.01 * float64(k%4+1)
		switch {
		case k < 5:
			data = append(data, m15+d, m15-d)
		case k < 12:
			data = append(data, d, -d/2)
		default:
			data = append(data, -m15-d, -m15+d/2)
		}
	}
	inits := filepath.Join(dir, "inits.npy")
	if err := numpy.WriteNPY(inits, numpy.Array{Shape: []int{16, 2}, Data: data}); err != nil {
		t.Fatal(err)
	}
	r := runArgs(t, "--inits-file", inits, net("two_units.npz"))
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	golden(t, "find-two-units.golden", maskTiny(r.stdout))

	prefix := filepath.Join(dir, "res")
	j := runArgs(t, "find", "--inits-file", inits, "--format", "json", "-o", prefix, net("two_units.npz"))
	if j.code != 0 {
		t.Fatalf("exit %d: %s", j.code, j.stderr)
	}
	b, err := os.ReadFile(prefix + ".json")
	if err != nil {
		t.Fatal(err)
	}
	if j.stdout != string(b) {
		t.Error("--format json stdout differs from the .json file")
	}
	var doc report.Find
	if err := report.Read(bytes.NewReader(b), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Settings.InitsFrom != "file" || doc.Settings.Inits != 16 || doc.Summary.Points != 3 {
		t.Errorf("settings %+v, summary %+v", doc.Settings, doc.Summary)
	}
	if doc.Outputs.NPZ != prefix+".npz" || doc.Outputs.JSON != prefix+".json" {
		t.Errorf("outputs %+v", doc.Outputs)
	}
	golden(t, "find-two-units.stderr.golden", scrub(j.stderr, dir))
}

// The output does not depend on the number of workers.
func TestFindWorkers(t *testing.T) {
	dir := t.TempDir()
	inits := randomInits(t, dir, "hopfield.npz", 64)
	var outs []string
	for _, j := range []string{"1", "4"} {
		for _, format := range []string{"text", "json"} {
			r := runArgs(t, "-j", j, "--format", format, "--inits-file", inits, net("hopfield.npz"))
			if r.code != 0 {
				t.Fatalf("-j %s: exit %d: %s", j, r.code, r.stderr)
			}
			outs = append(outs, r.stdout)
		}
	}
	if outs[0] != outs[2] || outs[1] != outs[3] {
		t.Errorf("-j 1 and -j 4 differ:\n%s\n---\n%s", outs[0], outs[2])
	}
	if !strings.Contains(outs[0], "stable") {
		t.Errorf("no stable point on the Hopfield network:\n%s", outs[0])
	}
}

// --quiet silences stderr; errors still show.
func TestQuiet(t *testing.T) {
	dir := t.TempDir()
	inits := randomInits(t, dir, "tanh1.npz", 4)
	r := runArgs(t, "-q", "--progress", "always", "--inits-file", inits, "-o", filepath.Join(dir, "x"), net("tanh1.npz"))
	if r.code != 0 || r.stderr != "" {
		t.Errorf("exit %d, stderr %q; want 0 and nothing", r.code, r.stderr)
	}
	r = runArgs(t, "-q", "--inits-file", inits, "-o", filepath.Join(dir, "x"), net("tanh1.npz"))
	if r.code != 2 || !strings.Contains(r.stderr, "exists") {
		t.Errorf("exit %d, stderr %q; want 2 and the error", r.code, r.stderr)
	}
}

// --progress always draws on stderr (with \r) and never touches stdout.
func TestProgress(t *testing.T) {
	dir := t.TempDir()
	inits := randomInits(t, dir, "tanh1.npz", 8)
	a := runArgs(t, "--progress", "always", "--inits-file", inits, net("tanh1.npz"))
	b := runArgs(t, "--progress", "never", "--inits-file", inits, net("tanh1.npz"))
	if a.code != 0 || a.stdout != b.stdout {
		t.Errorf("progress changed stdout (exit %d)", a.code)
	}
	if !strings.Contains(a.stderr, "\rfpfind: initial states 8/8") || !strings.HasSuffix(a.stderr, "\n") {
		t.Errorf("progress stderr %q", a.stderr)
	}
	// tanh1 has 3 fixed points, all known once the first round is merged.
	if !strings.Contains(a.stderr, ", 3 fixed points so far,") {
		t.Errorf("progress does not count the fixed points found: %q", a.stderr)
	}
	if b.stderr != "" {
		t.Errorf("--progress never: stderr %q", b.stderr)
	}
}

// With the default initial states (from trajectories, which run in
// parallel too) the output does not depend on the number of workers.
func TestFindDefaultWorkers(t *testing.T) {
	var outs []string
	for _, j := range []string{"1", "4"} {
		r := runArgs(t, "-n", "64", "-j", j, "--format", "json", net("flipflop.npz"))
		if r.code != 0 {
			t.Fatalf("-j %s: exit %d: %s", j, r.code, r.stderr)
		}
		outs = append(outs, r.stdout)
	}
	if outs[0] != outs[1] {
		t.Errorf("-j 1 and -j 4 differ")
	}
}

// --linear matrix-free solves Newton steps matrix-free and finds the
// flip-flop network's points as --linear lu does; gmres, its old name, runs
// the same with a note on stderr; --timing reports the stages; a bad
// --linear or --max-speed-iter is a usage error.
func TestFindLinear(t *testing.T) {
	docs := map[string]report.Find{}
	for _, lin := range []string{"lu", "matrix-free", "gmres"} {
		r := runArgs(t, "--linear", lin, "-n", "128", "--timing", "--format", "json", net("flipflop.npz"))
		if r.code != 0 {
			t.Fatalf("--linear %s: exit %d: %s", lin, r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "fpfind: timing: initial states") || !strings.Contains(r.stderr, "J v products") {
			t.Errorf("--linear %s --timing: stderr %q", lin, r.stderr)
		}
		want := lin
		if lin == "gmres" {
			want = "matrix-free"
		}
		if note := strings.Contains(r.stderr, "--linear gmres is the old name of --linear matrix-free"); note != (lin == "gmres") {
			t.Errorf("--linear %s: note on the old name %v; stderr %q", lin, note, r.stderr)
		}
		if !strings.Contains(r.stderr, "Newton steps ("+want+")") {
			t.Errorf("--linear %s --timing: the work line does not name %s: %q", lin, want, r.stderr)
		}
		var doc report.Find
		if err := report.Read(strings.NewReader(r.stdout), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Settings.Linear != want || doc.Settings.MaxSpeed != 2000 {
			t.Errorf("--linear %s: settings %+v", lin, doc.Settings)
		}
		docs[lin] = doc
	}
	lu, mf := docs["lu"], docs["matrix-free"]
	if lu.Summary.Points == 0 || mf.Summary.Status.Fixed < lu.Summary.Status.Fixed-4 {
		t.Errorf("lu: %+v; matrix-free: %+v", lu.Summary, mf.Summary)
	}
	if old := docs["gmres"]; !reflect.DeepEqual(old.Points, mf.Points) || old.Summary != mf.Summary {
		t.Errorf("--linear gmres and matrix-free found different points: %+v and %+v", old.Summary, mf.Summary)
	}
	for _, args := range [][]string{{"--linear", "qr"}, {"--max-speed-iter", "-3"}} {
		r := runArgs(t, append(args, net("flipflop.npz"))...)
		if r.code != 2 || !strings.Contains(r.stderr, args[0]) {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

// With its defaults (256 starts sampled from trajectories), find locates all
// 27 fixed points of the trained 3-bit flip-flop network (testdata/README.md)
// for every seed tried. A change of the chord test's radius once lost one
// for four seeds of six without failing any other test.
func TestFindFlipFlopAllPoints(t *testing.T) {
	for _, seed := range []string{"1", "2", "3", "4", "5", "6"} {
		dir := t.TempDir()
		prefix := filepath.Join(dir, "res")
		r := runArgs(t, "find", "--seed", seed, "-q", "--format", "json", "-o", prefix, net("flipflop.npz"))
		if r.code != 0 {
			t.Fatalf("seed %s: exit %d: %s", seed, r.code, r.stderr)
		}
		var doc report.Find
		if err := report.Read(strings.NewReader(r.stdout), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Summary.FixedPoints != 27 {
			t.Errorf("seed %s: %d fixed points, want 27", seed, doc.Summary.FixedPoints)
		}
	}
}
