package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/io/netfile"
	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/io/report"
	"gonum.org/v1/gonum/mat"
)

// m2 is the positive root of m = tanh(2m) (testdata/README.md).
const m2 = 0.957504024077269

func TestInfo(t *testing.T) {
	for _, tc := range []struct{ golden, network string }{
		{"info-flipflop.golden", "flipflop.npz"},
		{"info-torch.golden", "torch_rnn.npz"},
		{"info-f4be-fortran.golden", "two_units_f4be_fortran.npz"},
	} {
		t.Run(tc.network, func(t *testing.T) {
			r := runArgs(t, "info", net(tc.network))
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			golden(t, tc.golden, r.stdout)
			j := runArgs(t, "info", "--format", "json", net(tc.network))
			var doc report.Info
			if err := report.Read(strings.NewReader(j.stdout), &doc); err != nil || j.code != 0 {
				t.Fatalf("info --format json: exit %d, %v\n%s", j.code, err, j.stdout)
			}
			if doc.Command != "info" || doc.Input.SHA256 == "" || len(doc.Arrays) == 0 {
				t.Errorf("json document incomplete: %+v", doc.Header)
			}
		})
	}
}

// The torch state dict: W = weight_hh_l0, b = the sum of the two biases,
// convention discrete, the readout ignored.
func TestInfoTorchRoles(t *testing.T) {
	r := runArgs(t, "info", "--format", "json", net("torch_rnn.npz"))
	var doc report.Info
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	roles := map[string]string{}
	for _, a := range doc.Arrays {
		roles[a.Key] = a.Role
		if a.DType != "<f4" {
			t.Errorf("%s: dtype %s, want <f4", a.Key, a.DType)
		}
	}
	want := map[string]string{"rnn.weight_hh_l0": "W", "rnn.weight_ih_l0": "W_in", "rnn.bias_hh_l0": "b", "rnn.bias_ih_l0": "b", "fc.weight": "ignored", "fc.bias": "ignored"}
	for k, v := range want {
		if roles[k] != v {
			t.Errorf("%s used as %q, want %q", k, roles[k], v)
		}
	}
	if doc.Network.Convention != "discrete" || doc.Network.N != 8 || doc.Network.M != 3 {
		t.Errorf("network %+v", doc.Network)
	}
}

// linearize at the three fixed points of tanh1 (w = 2): J = -1 + 2(1 - h^2).
func TestLinearizeKnown(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "lin")
	r := runArgs(t, "linearize", "--at", filepath.Join("testdata", "tanh1_at.npy"), "--vectors", "-o", prefix, net("tanh1.npz"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	golden(t, "linearize-tanh1.golden", r.stdout)
	golden(t, "linearize-tanh1.stderr.golden", scrub(r.stderr, dir))

	var doc report.Linearize
	b, err := os.ReadFile(prefix + ".json")
	if err != nil {
		t.Fatal(err)
	}
	if err := report.Read(bytes.NewReader(b), &doc); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		h     float64
		class string
		fixed bool
	}{{0, "unstable", true}, {m2, "stable", true}, {-m2, "stable", true}, {0.5, "stable", false}}
	for i, w := range want {
		s := doc.States[i]
		lam := -1 + 2*(1-math.Tanh(2*w.h)*math.Tanh(2*w.h))
		if s.Stability != w.class || s.Fixed != w.fixed {
			t.Errorf("state %d: %s fixed=%v, want %s %v", i, s.Stability, s.Fixed, w.class, w.fixed)
		}
		if got := complex128(s.Leading); math.Abs(real(got)-lam) > 1e-12 || imag(got) != 0 {
			t.Errorf("state %d: lambda %v, want %v", i, got, lam)
		}
		if math.Abs(float64(s.SlowestTau)+1/lam) > 1e-9 {
			t.Errorf("state %d: time constant %v, want %v", i, s.SlowestTau, -1/lam)
		}
	}
	arrays, err := numpy.ReadNPZ(prefix + ".npz")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*numpy.Array{}
	for _, a := range arrays {
		got[a.Name] = a
	}
	for _, k := range []string{"states", "q", "residual_inf", "stability", "n_unstable", "n_marginal", "eigenvalues", "eigvecs_right", "convention"} {
		if got[k] == nil {
			t.Errorf("key %s missing from the .npz", k)
		}
	}
	if got["eigvecs_left"] != nil {
		t.Error("eigvecs_left written without --left-vectors")
	}
	ev := got["eigenvalues"].Data.([]complex128)
	for i := range want {
		if ev[i] != complex128(doc.States[i].Leading) {
			t.Errorf("eigenvalue %d: npz %v, json %v", i, ev[i], doc.States[i].Leading)
		}
	}
	// The json on stdout is the same document as the file.
	j := runArgs(t, "linearize", "--at", filepath.Join("testdata", "tanh1_at.npy"), "--vectors", "-o", prefix, "--force", "--format", "json", net("tanh1.npz"))
	if j.code != 0 {
		t.Fatalf("exit %d: %s", j.code, j.stderr)
	}
	b2, _ := os.ReadFile(prefix + ".json")
	if j.stdout != string(b2) || !bytes.Equal(b, b2) {
		t.Errorf("--format json stdout differs from the .json file, or the rerun changed it")
	}
}

// float32 big-endian Fortran-order weights give the same answer as float64.
func TestFloat32Input(t *testing.T) {
	m15 := 0.858559636640110
	at := writeStates(t, []float64{0, 0, m15, m15}, 2, 2)
	a := runArgs(t, "linearize", "--at", at, net("two_units.npz"))
	b := runArgs(t, "linearize", "--at", at, net("two_units_f4be_fortran.npz"))
	if a.code != 0 || b.code != 0 {
		t.Fatalf("exit %d, %d: %s %s", a.code, b.code, a.stderr, b.stderr)
	}
	if a.stdout != b.stdout {
		t.Errorf("float32 Fortran input gives another table:\n%s\nfloat64:\n%s", b.stdout, a.stdout)
	}
	golden(t, "linearize-two-units.golden", a.stdout)
}

func TestLinearizeWorkers(t *testing.T) {
	at := writeStates(t, waveStates(5, 200, math.Sin, 0.3), 5, 200)
	a := runArgs(t, "linearize", "-j", "1", "--format", "json", "--at", at, net("random_g1.5_n200.npz"))
	b := runArgs(t, "linearize", "-j", "4", "--format", "json", "--at", at, net("random_g1.5_n200.npz"))
	if a.code != 0 || a.stdout != b.stdout {
		t.Errorf("-j 1 and -j 4 differ (exit %d, %d)", a.code, b.code)
	}
}

func TestLinearizePlot(t *testing.T) {
	dir := t.TempDir()
	for _, ext := range []string{"png", "svg", "pdf"} {
		p := filepath.Join(dir, "eig."+ext)
		r := runArgs(t, "linearize", "-q", "--at", filepath.Join("testdata", "tanh1_at.npy"), "--plot", p, net("leaky.npz"))
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		magic := map[string]string{"png": "\x89PNG", "svg": "<?xml", "pdf": "%PDF"}[ext]
		if !bytes.HasPrefix(b, []byte(magic)) {
			t.Errorf("%s does not start with %q", p, magic)
		}
		if ext == "png" {
			// 6 inches wide at 96 dpi; taller by the legend strip.
			c, err := png.DecodeConfig(bytes.NewReader(b))
			if err != nil || c.Width != 576 || c.Height <= 576 || c.Height > 700 {
				t.Errorf("png: %v, %dx%d", err, c.Width, c.Height)
			}
		}
	}
	if got := files(t, dir); len(got) != 3 {
		t.Errorf("folder holds %v", got)
	}
}

// A cancelled run exits 130 and writes nothing.
func TestInterrupted(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := runCtx(t, ctx, "linearize", "--at", filepath.Join("testdata", "tanh1_at.npy"), "-o", filepath.Join(dir, "x"), "--plot", filepath.Join(dir, "x.png"), net("tanh1.npz"))
	if r.code != 130 || r.stdout != "" {
		t.Errorf("exit %d, stdout %q; want 130 and nothing", r.code, r.stdout)
	}
	golden(t, "err-interrupted.golden", r.stderr)
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("an interrupted run left %v", got)
	}
}

// Existing outputs are kept without --force and replaced with it.
func TestForce(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "x")
	os.WriteFile(prefix+".json", []byte("old"), 0o644)
	args := []string{"linearize", "-q", "--at", filepath.Join("testdata", "tanh1_at.npy"), "-o", prefix, net("tanh1.npz")}
	if r := runArgs(t, args...); r.code != 2 {
		t.Errorf("without --force: exit %d, want 2", r.code)
	}
	if got := files(t, dir); strings.Join(got, ",") != "x.json" {
		t.Errorf("without --force the folder holds %v", got)
	}
	if r := runArgs(t, append(args, "--force")...); r.code != 0 {
		t.Errorf("with --force: exit %d: %s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(prefix + ".json"); !json.Valid(b) {
		t.Error("--force did not replace the old file")
	}
	if got := files(t, dir); strings.Join(got, ",") != "x.json,x.npz" {
		t.Errorf("with --force the folder holds %v", got)
	}
}

// Writing over the input is refused.
func TestNeverWritesInput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "net.npz")
	b, _ := os.ReadFile(net("tanh1.npz"))
	os.WriteFile(in, b, 0o644)
	r := runArgs(t, "linearize", "--force", "--at", filepath.Join("testdata", "tanh1_at.npy"), "-o", filepath.Join(dir, "net"), in)
	if r.code != 2 || !strings.Contains(r.stderr, "refusing to write over the input") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if now, _ := os.ReadFile(in); !bytes.Equal(now, b) {
		t.Error("the input was changed")
	}
}

func TestSimulate(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "sim")
	r := runArgs(t, "simulate", "-n", "3", "--t-end", "5", "--samples", "11", "-o", prefix, net("two_units.npz"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	golden(t, "simulate-two-units.golden", r.stdout)
	arrays, err := numpy.ReadNPZ(prefix + ".npz")
	if err != nil {
		t.Fatal(err)
	}
	shapes := map[string]string{}
	for _, a := range arrays {
		shapes[a.Name] = shape(a.Shape)
	}
	want := map[string]string{"t": "(11,)", "h": "(3, 11, 2)", "inits": "(3, 2)", "status": "(3,)", "convention": "()"}
	for k, v := range want {
		if shapes[k] != v {
			t.Errorf("%s has shape %s, want %s", k, shapes[k], v)
		}
	}
	// The same seed gives the same file, whatever the workers.
	r1 := runArgs(t, "simulate", "-n", "3", "--noise", "0.2", "-j", "1", "--format", "json", "-o", filepath.Join(dir, "j1"), net("two_units.npz"))
	r4 := runArgs(t, "simulate", "-n", "3", "--noise", "0.2", "-j", "4", "--format", "json", "-o", filepath.Join(dir, "j4"), net("two_units.npz"))
	if r1.code != 0 || r4.code != 0 {
		t.Fatalf("exit %d %d: %s %s", r1.code, r4.code, r1.stderr, r4.stderr)
	}
	n1, _ := os.ReadFile(filepath.Join(dir, "j1.npz"))
	n4, _ := os.ReadFile(filepath.Join(dir, "j4.npz"))
	if !bytes.Equal(n1, n4) {
		t.Error("-j 1 and -j 4 wrote different trajectories")
	}
	if strings.ReplaceAll(r1.stdout, "j1", "jX") != strings.ReplaceAll(r4.stdout, "j4", "jX") {
		t.Error("-j 1 and -j 4 printed different documents")
	}
}

// A leaky network steps its map: h[k+1] = h[k] + alpha (-h[k] + tanh(w h[k]))
// at every sample when the samples fall on every step.
func TestSimulateLeakyMap(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "sim")
	// leaky.npz: N = 1, w = 2, alpha = 0.1, tau = 1: one step is 0.1.
	r := runArgs(t, "simulate", "-q", "-n", "2", "--t-end", "3", "--samples", "31", "-o", prefix, net("leaky.npz"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	arrays, err := numpy.ReadNPZ(prefix + ".npz")
	if err != nil {
		t.Fatal(err)
	}
	var h []float64
	for _, a := range arrays {
		if a.Name == "h" {
			h = a.Data.([]float64)
		}
	}
	for i := range 2 {
		for k := range 30 {
			x := h[i*31+k]
			want := x + 0.1*(-x+math.Tanh(2*x))
			if got := h[i*31+k+1]; math.Abs(got-want) > 1e-14 {
				t.Fatalf("trajectory %d, step %d: %v, the map gives %v", i, k, got, want)
			}
		}
	}
}

// A folder of .npy files, and keys with a prefix.
func TestFolderAndPrefix(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "net")
	os.Mkdir(folder, 0o755)
	w := numpy.Array{Shape: []int{2, 2}, Data: []float64{0, 1.5, 1.5, 0}}
	if err := numpy.WriteNPY(filepath.Join(folder, "W.npy"), w); err != nil {
		t.Fatal(err)
	}
	at := filepath.Join(dir, "at.npy")
	numpy.WriteNPY(at, numpy.Array{Shape: []int{1, 2}, Data: []float64{0, 0}})
	a := runArgs(t, "linearize", "--at", at, folder)
	b := runArgs(t, "linearize", "--at", at, net("two_units.npz"))
	if a.code != 0 || a.stdout != b.stdout {
		t.Errorf("folder input: exit %d, stdout\n%s\nwant\n%s\nstderr %s", a.code, a.stdout, b.stdout, a.stderr)
	}
	r := runArgs(t, "info", "--format", "json", folder)
	var doc report.Info
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || doc.Input.SHA256 == "" || doc.Input.Path != folder {
		t.Errorf("info on a folder: %v, %+v", err, doc.Input)
	}

	pre := filepath.Join(dir, "prefixed.npz")
	w.Name = "model.W"
	if err := numpy.WriteNPZ(pre, []numpy.Array{w}); err != nil {
		t.Fatal(err)
	}
	if r := runArgs(t, "linearize", "--at", at, "--key-prefix", "model.", pre); r.code != 0 || r.stdout != b.stdout {
		t.Errorf("--key-prefix: exit %d, stderr %s", r.code, r.stderr)
	}
	if r := runArgs(t, "linearize", "--at", at, pre); r.code != 2 || !strings.Contains(r.stderr, "W") {
		t.Errorf("without --key-prefix: exit %d, stderr %q; want 2 naming W", r.code, r.stderr)
	}
}

// Model flags override the file: --tau 0.5 doubles the eigenvalues of J;
// --convention discrete turns J into diag(phi') W.
func TestModelOverrides(t *testing.T) {
	at := writeStates(t, []float64{0, 0}, 1, 2)
	lead := func(args ...string) complex128 {
		t.Helper()
		r := runArgs(t, append([]string{"linearize", "--format", "json", "--at", at}, args...)...)
		var doc report.Linearize
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != 0 {
			t.Fatalf("exit %d, %v: %s", r.code, err, r.stderr)
		}
		return complex128(doc.States[0].Leading)
	}
	// two_units at 0: J = -I + W, eigenvalues 0.5 and -2.5.
	if got := lead(net("two_units.npz")); math.Abs(real(got)-0.5) > 1e-15 || imag(got) != 0 {
		t.Errorf("leading eigenvalue %v, want 0.5", got)
	}
	if got := lead("--tau", "0.5", net("two_units.npz")); math.Abs(real(got)-1) > 1e-15 {
		t.Errorf("--tau 0.5: leading eigenvalue %v, want 1", got)
	}
	if got := lead("--convention", "discrete", net("two_units.npz")); math.Abs(cmplx.Abs(got)-1.5) > 1e-15 {
		t.Errorf("--convention discrete: leading eigenvalue %v, want modulus 1.5", got)
	}
	if got := lead("--convention", "leaky", "--alpha", "0.5", net("two_units.npz")); math.Abs(real(got)-1.25) > 1e-15 {
		t.Errorf("--convention leaky --alpha 0.5: leading eigenvalue %v, want 1 + 0.5 * 0.5 = 1.25", got)
	}
}

// Non-finite initial states are an input error naming the file and place.
func TestNonFiniteInits(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.npy")
	numpy.WriteNPY(p, numpy.Array{Shape: []int{2, 1}, Data: []float64{0.5, math.NaN()}})
	for _, args := range [][]string{
		{"--inits-file", p, net("tanh1.npz")},
		{"simulate", "-o", filepath.Join(t.TempDir(), "s"), "--inits-file", p, net("tanh1.npz")},
		{"linearize", "--at", p, net("tanh1.npz")},
	} {
		r := runArgs(t, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "bad.npy") || !strings.Contains(r.stderr, "NaN") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

// A constant --input and an --input-file holding the same row in every
// sample give the same trajectories; a pulse changes them.
func TestSimulateInputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, rows [][]float64) string {
		var data []float64
		for _, r := range rows {
			data = append(data, r...)
		}
		p := filepath.Join(dir, name)
		if err := numpy.WriteNPY(p, numpy.Array{Shape: []int{len(rows), 3}, Data: data}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	h := func(prefix string, args ...string) []float64 {
		t.Helper()
		r := runArgs(t, append([]string{"simulate", "-q", "-n", "2", "--t-end", "4", "--samples", "41", "-o", filepath.Join(dir, prefix)}, append(args, net("flipflop.npz"))...)...)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		arrays, err := numpy.ReadNPZ(filepath.Join(dir, prefix+".npz"))
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range arrays {
			if a.Name == "h" {
				return a.Data.([]float64)
			}
		}
		t.Fatal("no h")
		return nil
	}
	constant := h("const", "--input", "1,0,-1")
	file := h("file", "--input-file", write("u.npy", [][]float64{{1, 0, -1}, {1, 0, -1}, {1, 0, -1}}))
	none := h("none")
	pulse := h("pulse", "--input-file", write("p.npy", [][]float64{{1, 0, -1}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}}))
	for i := range constant {
		if math.Abs(constant[i]-file[i]) > 1e-12 {
			t.Fatalf("h[%d]: --input %v, --input-file %v", i, constant[i], file[i])
		}
	}
	n := 64
	// Sample 5 (t = 0.5) lies in the pulse (t < 1): it differs from the
	// run without input; before the pulse acts (t = 0) all agree.
	for j := range n {
		if pulse[j] != none[j] {
			t.Fatalf("initial states differ at %d", j)
		}
	}
	diff := 0.0
	for j := range n {
		diff = max(diff, math.Abs(pulse[5*n+j]-none[5*n+j]))
	}
	if diff < 1e-3 {
		t.Errorf("a pulse of input 1 changed the state by only %g", diff)
	}
	if r := runArgs(t, "simulate", "-o", filepath.Join(dir, "x"), "--input", "1", net("flipflop.npz")); r.code != 2 {
		t.Errorf("--input with 1 of 3 values: exit %d", r.code)
	}
}

// One trajectory of a large network splits its products over the cores
// (dynamics.ParallelField); the file is the same whatever -j.
func TestSimulateOneLargeTrajectory(t *testing.T) {
	dir := t.TempDir()
	const n = 256
	rnd := rand.New(rand.NewPCG(3, 4))
	w := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			w.Set(i, j, 1.5*rnd.NormFloat64()/16)
		}
	}
	nw, err := dynamics.New(dynamics.Config{W: w})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "big.npz")
	if err := netfile.SaveNetwork(path, nw, nil); err != nil {
		t.Fatal(err)
	}
	var files [][]byte
	for _, j := range []string{"1", "2"} {
		prefix := filepath.Join(dir, "j"+j)
		r := runArgs(t, "simulate", "-n", "1", "--t-end", "10", "--samples", "21", "-j", j, "-q", "-o", prefix, path)
		if r.code != 0 {
			t.Fatalf("-j %s: exit %d: %s", j, r.code, r.stderr)
		}
		b, err := os.ReadFile(prefix + ".npz")
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Error("-j 1 and -j 2 wrote different trajectories")
	}
}
