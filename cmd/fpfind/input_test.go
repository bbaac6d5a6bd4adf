package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fpfind/fpfind/io/numpy"
)

// inputNets writes two copies of a 4-unit tanh network with M = 2 inputs:
// one without u, one with u = (0.3, -0.2) in the file.
func inputNets(t *testing.T, dir string) (plain, baked string) {
	t.Helper()
	w := numpy.Array{Shape: []int{4, 4}, Data: []float64{
		1.8, 0.3, -0.2, 0.1,
		-0.4, 1.6, 0.2, 0.0,
		0.1, -0.3, 1.7, 0.4,
		0.2, 0.1, -0.5, 1.5,
	}}
	win := numpy.Array{Shape: []int{4, 2}, Data: []float64{1, 0, 0, 1, 0.5, -0.5, -1, 0.2}}
	b := numpy.Array{Shape: []int{4}, Data: []float64{0.05, -0.1, 0, 0.02}}
	plain = writeNet(t, dir, "plain.npz", map[string]numpy.Array{"W": w, "W_in": win, "b": b}, nil)
	baked = writeNet(t, dir, "baked.npz", map[string]numpy.Array{"W": w, "W_in": win, "b": b,
		"u": {Shape: []int{2}, Data: []float64{0.3, -0.2}}}, nil)
	return plain, baked
}

// settingsOf reads the "settings" object of a .json output.
func settingsOf(t *testing.T, path string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Settings map[string]any `json:"settings"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Settings
}

// find and linearize --input set the constant input u without rewriting
// the file: the points and spectra are those of the file with that u baked
// in, for comma-separated values and for an .npy file (1-d or one row), and
// the .json echoes the input.
func TestFindInput(t *testing.T) {
	dir := t.TempDir()
	plain, baked := inputNets(t, dir)
	u1 := filepath.Join(dir, "u1.npy")
	u2 := filepath.Join(dir, "u2.npy")
	if err := numpy.WriteNPY(u1, numpy.Array{Shape: []int{2}, Data: []float64{0.3, -0.2}}); err != nil {
		t.Fatal(err)
	}
	if err := numpy.WriteNPY(u2, numpy.Array{Shape: []int{1, 2}, Data: []float64{0.3, -0.2}}); err != nil {
		t.Fatal(err)
	}
	run := func(prefix string, args ...string) map[string]*numpy.Array {
		t.Helper()
		r := runArgs(t, append([]string{"-q", "-n", "32", "-o", filepath.Join(dir, prefix)}, args...)...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", prefix, r.code, r.stderr)
		}
		return readArrays(t, filepath.Join(dir, prefix+".npz"))
	}
	want := run("find-baked", baked)
	none := run("none", plain)
	for _, tc := range []struct {
		prefix, input, file string
	}{{"values", "0.3,-0.2", ""}, {"npy", u1, u1}, {"row", u2, u2}} {
		got := run(tc.prefix, "--input", tc.input, plain)
		for _, key := range []string{"fixed_points", "eigenvalues", "inits", "finals"} {
			if !slices.Equal(toFloats(got[key].Data), toFloats(want[key].Data)) {
				t.Errorf("--input %s: %s differs from the network with u in the file", tc.input, key)
			}
		}
		st := settingsOf(t, filepath.Join(dir, tc.prefix+".json"))
		if u, ok := st["input"].([]any); !ok || len(u) != 2 || u[0] != 0.3 || u[1] != -0.2 {
			t.Errorf("--input %s: the .json settings echo input %v, want [0.3 -0.2]", tc.input, st["input"])
		}
		if f, _ := st["input_file"].(string); f != tc.file {
			t.Errorf("--input %s: input_file %q, want %q", tc.input, f, tc.file)
		}
	}
	if slices.Equal(toFloats(none["fixed_points"].Data), toFloats(want["fixed_points"].Data)) {
		t.Error("the input does not move the fixed points: the test proves nothing")
	}
	if _, ok := settingsOf(t, filepath.Join(dir, "none.json"))["input"]; ok {
		t.Error("the .json settings show an input that was not given")
	}

	// linearize at the points found: the spectra of the baked network.
	at := filepath.Join(dir, "at.npy")
	fp := want["fixed_points"]
	if err := numpy.WriteNPY(at, numpy.Array{Shape: fp.Shape, Data: fp.Data}); err != nil {
		t.Fatal(err)
	}
	lin := func(prefix string, args ...string) map[string]*numpy.Array {
		t.Helper()
		r := runArgs(t, append([]string{"linearize", "-q", "--at", at, "-o", filepath.Join(dir, prefix)}, args...)...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", prefix, r.code, r.stderr)
		}
		return readArrays(t, filepath.Join(dir, prefix+".npz"))
	}
	lw := lin("lin-baked", baked)
	lg := lin("lin-input", "--input", "0.3, -0.2", plain)
	for _, key := range []string{"eigenvalues", "q", "residual_inf"} {
		if !slices.Equal(toFloats(lg[key].Data), toFloats(lw[key].Data)) {
			t.Errorf("linearize --input: %s differs from the network with u in the file", key)
		}
	}
	if u, ok := settingsOf(t, filepath.Join(dir, "lin-input.json"))["input"].([]any); !ok || len(u) != 2 || u[0] != 0.3 {
		t.Errorf("linearize --input: the .json settings echo input %v", u)
	}
}

// toFloats flattens real or complex data for comparison (complex as re, im).
func toFloats(d any) []float64 {
	switch x := d.(type) {
	case []float64:
		return x
	case []complex128:
		out := make([]float64, 0, 2*len(x))
		for _, v := range x {
			out = append(out, real(v), imag(v))
		}
		return out
	}
	return nil
}

// A wrong --input is refused with exit 2 and a message saying why: the
// wrong length (naming M), a non-finite value, not a number, an .npy of
// the wrong shape, and a network without inputs.
func TestInputErrors(t *testing.T) {
	dir := t.TempDir()
	plain, _ := inputNets(t, dir)
	noInputs := writeNet(t, dir, "noin.npz", map[string]numpy.Array{"W": {Shape: []int{2, 2}, Data: []float64{1, 0, 0, 1}}}, nil)
	sq := filepath.Join(dir, "sq.npy")
	if err := numpy.WriteNPY(sq, numpy.Array{Shape: []int{2, 2}, Data: []float64{1, 2, 3, 4}}); err != nil {
		t.Fatal(err)
	}
	nan := filepath.Join(dir, "nan.npy")
	if err := numpy.WriteNPY(nan, numpy.Array{Shape: []int{2}, Data: []float64{1, math.NaN()}}); err != nil {
		t.Fatal(err)
	}
	at := filepath.Join(dir, "at.npy")
	if err := numpy.WriteNPY(at, numpy.Array{Shape: []int{4}, Data: make([]float64, 4)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		input, network, want string
	}{
		{"0.3", plain, "M = 2"},
		{"0.3,0.1,0", plain, "M = 2"},
		{"0.3,NaN", plain, "not finite"},
		{"0.3,Inf", plain, "not finite"},
		{"0.3,x", plain, "comma-separated numbers"},
		{sq, plain, "M = 2"},
		{nan, plain, "non-finite"},
		{filepath.Join(dir, "missing.npy"), plain, "missing.npy"},
		{"1,2", noInputs, "no inputs (M = 0"},
	} {
		for _, cmd := range [][]string{{"find", "-n", "2"}, {"linearize", "--at", at}} {
			r := runArgs(t, append(cmd, "-q", "--input", tc.input, tc.network)...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "--input") {
				t.Errorf("%s --input %s: exit %d, %q; want exit 2 naming --input and %q", cmd[0], tc.input, r.code, r.stderr, tc.want)
			}
		}
	}
}
