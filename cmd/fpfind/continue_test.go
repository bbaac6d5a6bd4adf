package main

import (
	"bytes"
	"context"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/io/report"
)

// The contract keys of docs/DESIGN.md section 6, with their shapes.
func checkContinueKeys(t *testing.T, a map[string]*numpy.Array, n int) (points, specials int) {
	t.Helper()
	for _, k := range []string{"param", "states", "branch", "n_unstable", "stability", "special_type", "special_param", "special_state", "special_branch"} {
		if a[k] == nil {
			t.Fatalf("the .npz has no %s", k)
		}
	}
	points, specials = a["param"].Shape[0], a["special_type"].Shape[0]
	for k, want := range map[string][]int{"states": {points, n}, "branch": {points}, "n_unstable": {points}, "stability": {points},
		"special_param": {specials}, "special_state": {specials, n}, "special_branch": {specials}} {
		if !equalInts(a[k].Shape, want) {
			t.Errorf("%s has shape %v, want %v", k, a[k].Shape, want)
		}
	}
	return points, specials
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The flip-flop network along input channel 0 from -1 to 1, cross-checked
// against fresh fpfind find runs at several inputs: where the branches cross
// u = u_c, solving from the crossing states at u_c gives exactly the fixed
// points (and classes) that find finds there.
func TestContinueFlipFlopAgainstFind(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "ff")
	r := runArgs(t, "continue", "--timing", "--param", "u:0", "--from", "-1", "--to", "1", "-o", prefix, "--plot", prefix+".png", net("flipflop.npz"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "fold") || !strings.Contains(r.stdout, "ends: boundary") {
		t.Errorf("the table shows no fold or no branch ending on the boundary:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "fpfind: timing: start points ") || !strings.Contains(r.stderr, "LU factorisations") {
		t.Errorf("--timing printed %q", r.stderr)
	}
	a := readArrays(t, prefix+".npz")
	checkContinueKeys(t, a, 64)
	if png, err := os.ReadFile(prefix + ".png"); err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("the diagram is not a PNG file: %v", err)
	}
	p := a["param"].Data.([]float64)
	states := a["states"].Data.([]float64)
	br := a["branch"].Data.([]float64) // the reader gives integer arrays as float64
	stab := a["stability"].Data.([]string)
	for _, s := range a["special_type"].Data.([]string) {
		if s != "fold" {
			t.Errorf("special point of type %s; along an input this network has only folds", s)
		}
	}
	for _, uc := range []float64{-0.5, 0.02, 0.2} {
		us := strconv.FormatFloat(uc, 'g', -1, 64) + ",0,0"
		// The crossing states, linearly interpolated, and the classes of the
		// segments they lie on.
		var inits []float64
		classes := map[string]int{}
		for j := 0; j+1 < len(p); j++ {
			if br[j] != br[j+1] || (p[j]-uc)*(p[j+1]-uc) >= 0 {
				continue
			}
			f := (uc - p[j]) / (p[j+1] - p[j])
			for i := range 64 {
				inits = append(inits, states[j*64+i]+f*(states[(j+1)*64+i]-states[j*64+i]))
			}
			if stab[j] != stab[j+1] {
				t.Fatalf("u = %v: the class changes between two points %v and %v across it", uc, p[j], p[j+1])
			}
			classes[stab[j]]++
		}
		k := len(inits) / 64
		at := writeStates(t, inits, k, 64)
		got := runArgs(t, "find", "-q", "--format", "json", "--input", us, "--inits-file", at, "--explore=false", "--deflation", "-1", net("flipflop.npz"))
		want := runArgs(t, "find", "-q", "--format", "json", "--input", us, net("flipflop.npz"))
		if got.code != 0 || want.code != 0 {
			t.Fatalf("u = %v: find exits %d and %d: %s %s", uc, got.code, want.code, got.stderr, want.stderr)
		}
		var dg, dw report.Find
		if err := report.Read(strings.NewReader(got.stdout), &dg); err != nil {
			t.Fatal(err)
		}
		if err := report.Read(strings.NewReader(want.stdout), &dw); err != nil {
			t.Fatal(err)
		}
		fixed := map[string]int{}
		for _, pt := range dw.Points {
			if pt.Kind == "fixed" {
				fixed[pt.Stability]++
			}
		}
		if dg.Summary.FixedPoints != k || dw.Summary.FixedPoints != k {
			t.Errorf("u = %v: %d branch crossings, %d points from them, find finds %d", uc, k, dg.Summary.FixedPoints, dw.Summary.FixedPoints)
		}
		for c, m := range fixed {
			if classes[c] != m {
				t.Errorf("u = %v: %d %s crossings, find finds %d %s points", uc, classes[c], c, m, c)
			}
		}
	}
}

// Gain continuation of testdata's rotation network (W = 0.9 R(pi/4), tau =
// 2) from the origin: a Hopf point at g = 1 / (0.9 cos(pi/4)) with frequency
// g 0.9 sin(pi/4) / (2 pi tau) = 1 / (4 pi); and of two_units (W symmetric,
// lambda_max 1.5): a branch point at g = 1/1.5 and the branches switched
// onto there, in the .npz and the .json.
func TestContinueHopfAndBranchPoint(t *testing.T) {
	dir := t.TempDir()
	origin := writeStates(t, []float64{0, 0}, 1, 2)
	for _, tc := range []struct {
		network, typ string
		p, freq      float64
		branches     int
	}{
		{"rotation.npz", "hopf", 1 / (0.9 * math.Cos(math.Pi/4)), 1 / (4 * math.Pi), 1},
		{"two_units.npz", "branch", 1 / 1.5, math.NaN(), 3},
	} {
		prefix := filepath.Join(dir, strings.TrimSuffix(tc.network, ".npz"))
		r := runArgs(t, "continue", "-q", "--param", "gain", "--from", "0.3", "--to", "2", "--at", origin, "-o", prefix, net(tc.network))
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", tc.network, r.code, r.stderr)
		}
		a := readArrays(t, prefix+".npz")
		if _, s := checkContinueKeys(t, a, 2); s != 1 {
			t.Fatalf("%s: %d special points, want 1", tc.network, s)
		}
		if typ := a["special_type"].Data.([]string)[0]; typ != tc.typ {
			t.Errorf("%s: special point of type %s, want %s", tc.network, typ, tc.typ)
		}
		if p := a["special_param"].Data.([]float64)[0]; math.Abs(p-tc.p) > 1e-8 {
			t.Errorf("%s: special point at g = %.12f, want %.12f", tc.network, p, tc.p)
		}
		f := a["special_frequency"].Data.([]float64)[0]
		if math.IsNaN(tc.freq) != math.IsNaN(f) || math.Abs(f-tc.freq) > 1e-8 {
			t.Errorf("%s: frequency %v, want %v", tc.network, f, tc.freq)
		}
		var doc report.Continue
		b, err := os.ReadFile(prefix + ".json")
		if err != nil {
			t.Fatal(err)
		}
		if err := report.Read(bytes.NewReader(b), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Branches) != tc.branches || len(doc.Specials) != 1 || doc.Specials[0].Type != tc.typ || doc.Settings.Param != "gain" {
			t.Errorf("%s: the .json has %d branches, specials %+v", tc.network, len(doc.Branches), doc.Specials)
		}
		if math.Abs(float64(doc.Specials[0].Param)-tc.p) > 1e-8 {
			t.Errorf("%s: the .json's special point at %v", tc.network, doc.Specials[0].Param)
		}
		// The .json's points are the .npz's rows, branch after branch.
		p := a["param"].Data.([]float64)
		stab := a["stability"].Data.([]string)
		row := 0
		for _, b := range doc.Branches {
			if len(b.Param) != b.Points || len(b.Stability) != b.Points || len(b.NUnstable) != b.Points || len(b.Leading) != b.Points {
				t.Fatalf("%s: branch %d has %d points but lists %d", tc.network, b.Index, b.Points, len(b.Param))
			}
			for j := range b.Param {
				if float64(b.Param[j]) != p[row] || b.Stability[j] != stab[row] {
					t.Fatalf("%s: branch %d point %d: the .json has %v %s, the .npz %v %s", tc.network, b.Index, j, b.Param[j], b.Stability[j], p[row], stab[row])
				}
				row++
			}
		}
		if row != len(p) {
			t.Errorf("%s: the .json lists %d points, the .npz %d", tc.network, row, len(p))
		}
	}
}

// The same run gives the same bytes whatever --workers.
func TestContinueWorkers(t *testing.T) {
	dir := t.TempDir()
	at := writeStates(t, []float64{0, 0, 0.9, 0.9, -0.9, -0.9}, 3, 2)
	var first []byte
	for _, j := range []string{"1", "2", "3"} {
		prefix := filepath.Join(dir, "j"+j)
		r := runArgs(t, "continue", "-q", "-j", j, "--param", "gain", "--from", "1", "--to", "0.2", "--at", at, "-o", prefix, net("two_units.npz"))
		if r.code != 0 {
			t.Fatalf("-j %s: exit %d: %s", j, r.code, r.stderr)
		}
		b, err := os.ReadFile(prefix + ".npz")
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = b
		} else if !bytes.Equal(first, b) {
			t.Errorf("-j %s writes other bytes than -j 1", j)
		}
	}
}

// Bad parameters: exit 2, nothing on stdout, a message naming the problem.
func TestContinueUsageErrors(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short.npy")
	if err := numpy.WriteNPY(short, numpy.Array{Shape: []int{3}, Data: []float64{1, 2, 3}}); err != nil {
		t.Fatal(err)
	}
	ff := net("flipflop.npz")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--from", "0", "--to", "1", ff}, "--param P is required"},
		{[]string{"--param", "w:1", "--from", "0", "--to", "1", ff}, `--param "w:1": want u:K`},
		{[]string{"--param", "tau", "--from", "1", "--to", "2", net("tanh1.npz")}, "it is a parameter of the leaky convention only"},
		{[]string{"--param", "u:x", "--from", "0", "--to", "1", ff}, "u:K wants an input channel"},
		{[]string{"--param", "u:3", "--from", "0", "--to", "1", ff}, "no input channel 3: the network has M = 3"},
		{[]string{"--param", "u:0", "--from", "0", "--to", "1", net("tanh1.npz")}, "the network has no inputs"},
		{[]string{"--param", "bias:" + short, "--from", "0", "--to", "1", ff}, "short.npy"},
		{[]string{"--param", "bias:dir.txt", "--from", "0", "--to", "1", ff}, "wants an .npy file"},
		{[]string{"--param", "gain", "--from", "1", "--to", "1", ff}, "are equal"},
		{[]string{"--param", "gain", "--from", "1", "--to", "2", "--start", "0.5", ff}, "--start 0.5: want a value in [1, 2]"},
		{[]string{"--param", "gain", "--to", "1", ff}, "--from A and --to B are required"},
		{[]string{"--param", "gain", "--from", "0", "--to", "NaN", ff}, "--to NaN: want a finite number"},
		{[]string{"--param", "gain", "--from", "0", "--to", "1", "--project", "unit:64", ff}, "--project unit:64"},
		{[]string{"--param", "gain", "--from", "0", "--to", "1", "--project", "pc2", ff}, `--project "pc2"`},
		{[]string{"--param", "gain", "--from", "0", "--to", "1", "--at", short, ff}, "short.npy"},
		{[]string{"--param", "gain", "--from", "0", "--to", "1", "--at", short, "--seed", "3", ff}, "--seed and --inits would not be used"},
	} {
		r := runArgs(t, append([]string{"continue"}, tc.args...)...)
		if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, tc.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2, nothing, and a message with %q", tc.args, r.code, r.stdout, r.stderr, tc.want)
		}
	}
	if got := files(t, dir); strings.Join(got, ",") != "short.npy" {
		t.Errorf("the folder holds %v after failed runs", got)
	}
}

// BenchmarkContinueFlipflop is `fpfind continue --param u:0 --from -1 --to
// 1 testdata/flipflop.npz`: the start points found at u = -1, every branch
// through them to u = 1 with its 8 folds, the table.
func BenchmarkContinueFlipflop(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if code := run(context.Background(), []string{"continue", "--param", "u:0", "--from", "-1", "--to", "1", net("flipflop.npz")}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}

// A cancelled run (a signal) writes nothing and exits 130, whether it is
// stopped while searching for start points or while following branches; a
// run whose estimate exceeds --max-memory is refused before any work.
func TestContinueInterruptedAndRefused(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	origin := writeStates(t, []float64{0, 0}, 1, 2)
	for _, args := range [][]string{
		{"continue", "--param", "u:0", "--from", "-1", "--to", "1", "-o", filepath.Join(dir, "a"), net("flipflop.npz")},
		{"continue", "--param", "gain", "--from", "0.3", "--to", "2", "--at", origin, "-o", filepath.Join(dir, "b"), "--plot", filepath.Join(dir, "b.png"), net("two_units.npz")},
	} {
		r := runCtx(t, ctx, args...)
		if r.code != 130 || r.stdout != "" || !strings.Contains(r.stderr, "no output written") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 130, nothing, no output written", args, r.code, r.stdout, r.stderr)
		}
	}
	r := runArgs(t, "continue", "--param", "u:0", "--from", "-1", "--to", "1", "--max-memory", "1M", "-o", filepath.Join(dir, "c"), net("flipflop.npz"))
	if r.code != 2 || !strings.Contains(r.stderr, "would need about") || !strings.Contains(r.stderr, "--max-memory") {
		t.Errorf("--max-memory 1M: exit %d, stderr %q; want 2 and the estimate", r.code, r.stderr)
	}
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("the runs left %v", got)
	}
}

// Along a bias direction read from a file: testdata's tanh1 unit (w = 2)
// with b = p v, v = (1), has the one unit's folds at p = -+(atanh(h*) - 2
// h*), h* = sqrt(1/2); the start point is found by find at p = -1.
func TestContinueBias(t *testing.T) {
	dir := t.TempDir()
	v := filepath.Join(dir, "v.npy")
	if err := numpy.WriteNPY(v, numpy.Array{Shape: []int{1}, Data: []float64{1}}); err != nil {
		t.Fatal(err)
	}
	prefix := filepath.Join(dir, "bias")
	r := runArgs(t, "continue", "-q", "--param", "bias:"+v, "--from", "-1", "--to", "1", "-o", prefix, net("tanh1.npz"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	a := readArrays(t, prefix+".npz")
	checkContinueKeys(t, a, 1)
	sp := a["special_param"].Data.([]float64)
	typ := a["special_type"].Data.([]string)
	hf := math.Sqrt(0.5)
	u := math.Atanh(hf) - 2*hf
	if len(sp) != 2 || typ[0] != "fold" || typ[1] != "fold" || math.Abs(sp[0]+u) > 1e-8 || math.Abs(sp[1]-u) > 1e-8 {
		t.Errorf("special points %v at %v; want folds at %v and %v", typ, sp, -u, u)
	}
	if name := a["param_name"].Data.([]string)[0]; name != "bias:"+v {
		t.Errorf("param_name %q", name)
	}
}
