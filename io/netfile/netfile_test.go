package netfile

import (
	"errors"
	"github.com/fpfind/fpfind/internal/npytest"
	"github.com/fpfind/fpfind/io/numpy"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npz"
	"github.com/fpfind/fpfind/dynamics"
)

const testdata = "../../testdata"

// m2 is the positive root of m = tanh(2 m) (scipy brentq, see testdata/).
const m2 = 0.957504024077269

func TestBadInputs(t *testing.T) {
	for _, c := range badCases() {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "net.npz")
			if c.files != nil {
				path = filepath.Join(dir, "net")
				os.Mkdir(path, 0o755)
				for name, b := range c.files {
					os.WriteFile(filepath.Join(path, name), b, 0o644)
				}
			} else {
				os.WriteFile(path, c.npz, 0o644)
			}
			l, err := LoadNetwork(path, nil)
			if err == nil {
				t.Fatalf("no error; got a network of dimension %d", l.Network.Dim())
			}
			var fe *numpy.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T) is not a *FormatError", err, err)
			}
			if !strings.HasPrefix(fe.File, path) || fe.Key != c.key {
				t.Errorf("error names file %q key %q, want %q and %q", fe.File, fe.Key, path, c.key)
			}
			msg := err.Error()
			if !strings.Contains(msg, path) || (c.key != "" && !strings.Contains(msg, "key "+c.key+":")) || !containsAll(msg, c.want) {
				t.Errorf("error %q does not name the file, key %q and %q", msg, c.key, c.want)
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope.npz")
	_, err := LoadNetwork(p, nil)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), p) {
		t.Fatalf("got %v, want a not-exist error naming %s", err, p)
	}
}

// TestHugeClaimNoAllocation checks that a header claiming 10^12 elements in a
// 1 kB file, bare or inside an .npz, is refused without allocating for the
// claim.
func TestHugeClaimNoAllocation(t *testing.T) {
	npy := npytest.RawNPY("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }", make([]byte, 1000))
	dir := t.TempDir()
	p, bare := filepath.Join(dir, "huge.npz"), filepath.Join(dir, "huge.npy")
	os.WriteFile(p, npytest.ZipOf("W.npy", npy), 0o644)
	os.WriteFile(bare, npy, 0o644)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 10 {
		if _, err := numpy.ReadNPY(bare); err == nil {
			t.Fatal("no error")
		}
		if _, err := LoadNetwork(p, nil); err == nil {
			t.Fatal("no error")
		}
	}
	runtime.ReadMemStats(&after)
	if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
		t.Errorf("%d bytes allocated for 10 refused 1 kB files", d)
	}
}

func TestLoadTestdata(t *testing.T) {
	for _, tc := range []struct {
		file      string
		n, m      int
		conv      dynamics.Convention
		layout    string
		others    []string
		fixed     []float64 // a known fixed point, or nil
		firstDype string
	}{
		{file: "tanh1.npz", n: 1, conv: dynamics.Continuous, layout: "fpfind", fixed: []float64{m2}},
		{file: "leaky.npz", n: 1, conv: dynamics.Leaky, layout: "fpfind", fixed: []float64{-m2}},
		{file: "zero_weights.npz", n: 3, conv: dynamics.Continuous, layout: "fpfind", fixed: []float64{math.Tanh(0.5), math.Tanh(-1), math.Tanh(2)}},
		{file: "two_units.npz", n: 2, layout: "fpfind", fixed: []float64{0.858559636640110, 0.858559636640110}},
		{file: "two_units_f4be_fortran.npz", n: 2, layout: "fpfind", fixed: []float64{0.858559636640110, 0.858559636640110}},
		{file: "rotation.npz", n: 2, layout: "fpfind", fixed: []float64{0, 0}},
		{file: "hopfield.npz", n: 16, layout: "fpfind", others: []string{"patterns"}},
		{file: "random_g0.8.npz", n: 50, layout: "fpfind", fixed: make([]float64, 50)},
		{file: "random_g1.5_n200.npz", n: 200, layout: "fpfind"},
		{file: "torch_rnn.npz", n: 8, m: 3, conv: dynamics.Discrete, layout: "torch", others: []string{"fc.bias", "fc.weight"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			l, err := LoadNetwork(filepath.Join(testdata, tc.file), nil)
			if err != nil {
				t.Fatal(err)
			}
			net := l.Network
			if net.Dim() != tc.n || net.Inputs() != tc.m || net.Convention() != tc.conv || l.Layout != tc.layout || net.Activation() != dynamics.Tanh {
				t.Errorf("got N=%d M=%d %v %s %v", net.Dim(), net.Inputs(), net.Convention(), l.Layout, net.Activation())
			}
			var others []string
			for _, a := range l.Other {
				others = append(others, a.Name)
			}
			if !slices.Equal(others, tc.others) {
				t.Errorf("other keys %q, want %q", others, tc.others)
			}
			if tc.fixed != nil {
				f := make([]float64, tc.n)
				net.Field(f, tc.fixed)
				for i, v := range f {
					if math.Abs(v) > 1e-14 {
						t.Errorf("F_%d = %g at the known fixed point", i, v)
					}
				}
			}
		})
	}
}

// TestTorchAgainstNpyio reads the torch state dict with npyio (float32, as
// stored) and checks W, W_in and b = bias_hh + bias_ih.
func TestTorchAgainstNpyio(t *testing.T) {
	path := filepath.Join(testdata, "torch_rnn.npz")
	l, err := LoadNetwork(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := npz.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	get := func(k string) []float32 {
		var v []float32
		if err := f.Read(k+".npy", &v); err != nil {
			t.Fatal(k, err)
		}
		return v
	}
	whh, wih, bhh, bih := get("rnn.weight_hh_l0"), get("rnn.weight_ih_l0"), get("rnn.bias_hh_l0"), get("rnn.bias_ih_l0")
	net := l.Network
	for i := 0; i < 8; i++ {
		for j := 0; j < 8; j++ {
			if net.W().At(i, j) != float64(whh[8*i+j]) {
				t.Fatalf("W[%d,%d] = %v, npyio %v", i, j, net.W().At(i, j), whh[8*i+j])
			}
		}
		for j := 0; j < 3; j++ {
			if net.WIn().At(i, j) != float64(wih[3*i+j]) {
				t.Fatalf("W_in[%d,%d] = %v, npyio %v", i, j, net.WIn().At(i, j), wih[3*i+j])
			}
		}
		if b := net.B()[i]; b != float64(bhh[i])+float64(bih[i]) {
			t.Fatalf("b[%d] = %v, want %v", i, b, float64(bhh[i])+float64(bih[i]))
		}
	}
	if l.Prefix != "rnn." || l.OtherArray("fc.weight") == nil || !slices.Equal(l.OtherArray("fc.weight").Shape, []int{2, 8}) {
		t.Errorf("prefix %q, fc.weight %+v", l.Prefix, l.OtherArray("fc.weight"))
	}
	for _, a := range l.Arrays {
		if a.Dtype != "<f4" {
			t.Errorf("%s: dtype %s, want <f4", a.Key, a.Dtype)
		}
	}
}

func TestOptions(t *testing.T) {
	dir := t.TempDir()
	// A row-vector layout: W stored as W^T, W_in stored as M x N.
	p := filepath.Join(dir, "rows.npz")
	os.WriteFile(p, npytest.ZipOf("net.W.npy", npytest.NpyF8("(2, 2)", 1, 2, 3, 4), "net.W_in.npy", npytest.NpyF8("(1, 2)", 5, 6), "net.u.npy", npytest.NpyF8("(1,)", 1)), 0o644)
	l, err := LoadNetwork(p, &LoadOptions{KeyPrefix: "net.", Transpose: true, Activation: "relu", Convention: "leaky", Alpha: 0.5, Tau: []float64{2}})
	if err != nil {
		t.Fatal(err)
	}
	n := l.Network
	if w := n.W(); w.At(0, 1) != 3 || w.At(1, 0) != 2 || n.WIn().At(1, 0) != 6 || n.Activation() != dynamics.ReLU ||
		n.Convention() != dynamics.Leaky || n.Alpha() != 0.5 || n.Tau(1) != 2 {
		t.Errorf("options not applied: W=%v W_in=%v %v %v %v %v", n.W().RawMatrix().Data, n.WIn().RawMatrix().Data, n.Activation(), n.Convention(), n.Alpha(), n.Tau(1))
	}
	// Without the prefix, W is missing.
	if _, err := LoadNetwork(p, nil); err == nil || !strings.Contains(err.Error(), "key W: missing") {
		t.Errorf("got %v, want a missing-W error", err)
	}
	// A torch file read as continuous.
	l, err = LoadNetwork(filepath.Join(testdata, "torch_rnn.npz"), &LoadOptions{Convention: "continuous"})
	if err != nil || l.Network.Convention() != dynamics.Continuous {
		t.Errorf("convention override: %v", err)
	}
	if _, err := LoadNetwork(p, &LoadOptions{KeyPrefix: "net.", Transpose: true, Activation: "swish"}); err == nil || !strings.Contains(err.Error(), "swish") {
		t.Errorf("bad activation option: %v", err)
	}
}

func TestFolder(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "W.npy"), npytest.NpyF8("(1, 1)", 2), 0o644)
	os.WriteFile(filepath.Join(dir, "activation.npy"), npytest.NpyStr("tanh"), 0o644)
	os.WriteFile(filepath.Join(dir, "W_out.npy"), npytest.NpyF8("(1, 1)", 7), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o644)
	l, err := LoadNetwork(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l.Format != "npy folder" || l.Network.W().At(0, 0) != 2 || len(l.Other) != 1 || l.Other[0].Name != "W_out" {
		t.Errorf("got %+v", l)
	}
}

func TestSaveLoadNetwork(t *testing.T) {
	for _, c := range []dynamics.Config{
		{W: w2mat(), B: []float64{0.5, -0.25}, Tau: []float64{1, 3}, Activation: dynamics.Softplus},
		{W: w2mat(), WIn: w2mat(), U: []float64{1, -1}, Convention: dynamics.Leaky, Alpha: 0.2, Tau: []float64{4}, Activation: dynamics.RectifiedTanh},
		{W: w2mat(), Convention: dynamics.Discrete, Activation: dynamics.Sigmoid},
	} {
		net, err := dynamics.New(c)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), "net.npz")
		extra := []numpy.Array{{Name: "W_out", Shape: []int{1, 2}, Data: []float64{1, 2}}}
		if err := SaveNetwork(p, net, extra); err != nil {
			t.Fatal(err)
		}
		l, err := LoadNetwork(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !sameNetwork(t, net, l.Network) || len(l.Other) != 1 || !sameArray(t, &l.Other[0], &extra[0]) {
			t.Errorf("round trip changed %+v", c)
		}
	}
}

// SaveNetwork refuses an extra array named like a network key, and leaves
// the existing file as it was.
func TestSaveNetworkClash(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out.npz")
	os.WriteFile(p, []byte("precious"), 0o644)
	net, _ := dynamics.New(dynamics.Config{W: w2mat()})
	if err := SaveNetwork(p, net, []numpy.Array{{Name: "tau", Shape: []int{}, Data: []float64{1}}}); err == nil {
		t.Error("extra key tau accepted")
	}
	if b, _ := os.ReadFile(p); string(b) != "precious" {
		t.Errorf("a failed save changed the existing file")
	}
}
