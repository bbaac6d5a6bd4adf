package numpy

import (
	"errors"
	"io"
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
			var fe *FormatError
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

func TestBadHeaders(t *testing.T) {
	for _, h := range badHeaders() {
		t.Run(h.name, func(t *testing.T) {
			a, err := decodeNPY(h.b)
			if err == nil {
				t.Fatalf("no error; got %+v", a)
			}
			if !strings.Contains(err.Error(), h.want) {
				t.Errorf("error %q does not say %q", err, h.want)
			}
		})
	}
	// Every EOF-like failure is io.ErrUnexpectedEOF.
	_, err := decodeNPY(w2[:len(w2)-1])
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated data: %v is not io.ErrUnexpectedEOF", err)
	}
}

// TestHugeClaimNoAllocation checks that a header claiming 10^12 elements in a
// 1 kB file, bare or inside an .npz, is refused without allocating for the
// claim.
func TestHugeClaimNoAllocation(t *testing.T) {
	npy := rawNPY("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }", make([]byte, 1000))
	p := filepath.Join(t.TempDir(), "huge.npz")
	os.WriteFile(p, zipOf("W.npy", npy), 0o644)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 10 {
		if _, err := decodeNPY(npy); err == nil {
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

// TestDecodeLayouts checks dtype, byte order and Fortran order against
// hand-encoded bytes.
func TestDecodeLayouts(t *testing.T) {
	// [[1, 2, 3], [4, 5, 6]] stored column-major as big-endian float32.
	be := []byte{}
	for _, v := range []float32{1, 4, 2, 5, 3, 6} {
		u := math.Float32bits(v)
		be = append(be, byte(u>>24), byte(u>>16), byte(u>>8), byte(u))
	}
	a, err := decodeNPY(rawNPY("{'descr': '>f4', 'fortran_order': True, 'shape': (2, 3), }", be))
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Data.([]float64); !slices.Equal(got, []float64{1, 2, 3, 4, 5, 6}) || !slices.Equal(a.Shape, []int{2, 3}) {
		t.Errorf("got %v %v, want [1 2 3 4 5 6] [2 3]", got, a.Shape)
	}
	// A 2 x 3 x 2 int16 array in Fortran order: element (i, j, k) = 100i + 10j + k.
	var raw []byte
	for k := 0; k < 2; k++ {
		for j := 0; j < 3; j++ {
			for i := 0; i < 2; i++ {
				v := int16(-(100*i + 10*j + k))
				raw = append(raw, byte(v), byte(uint16(v)>>8))
			}
		}
	}
	a, err = decodeNPY(rawNPY("{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3, 2), }", raw))
	if err != nil {
		t.Fatal(err)
	}
	var want []float64
	for i := 0; i < 2; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 2; k++ {
				want = append(want, -float64(100*i+10*j+k))
			}
		}
	}
	if got := a.Data.([]float64); !slices.Equal(got, want) {
		t.Errorf("Fortran int16: got %v, want %v", got, want)
	}
	// Versions 2.0 and 3.0 have a 4-byte header length.
	for _, v := range []byte{2, 3} {
		h := "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n"
		b := append([]byte("\x93NUMPY"), v, 0, byte(len(h)), 0, 0, 0)
		b = append(append(b, h...), f8(-1, 0.5)...)
		a, err := decodeNPY(b)
		if err != nil || !slices.Equal(a.Data.([]float64), []float64{-1, 0.5}) {
			t.Errorf("version %d: %+v, %v", v, a, err)
		}
	}
	// 'S' strings are Latin-1 bytes; trailing NULs go, inner ones stay.
	b, err := decodeNPY(rawNPY("{'descr': '|S4', 'fortran_order': False, 'shape': (2,), }", []byte("a\x00\xe9\x00tanh")))
	if err != nil || !slices.Equal(b.Data.([]string), []string{"a\x00é", "tanh"}) {
		t.Errorf("|S4: got %+v, %v", b, err)
	}
	s, err := decodeNPY(npyStr("rectified-tanh"))
	if err != nil || s.Data.([]string)[0] != "rectified-tanh" || len(s.Shape) != 0 {
		t.Errorf("0-d string: got %+v, %v", s, err)
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
	os.WriteFile(p, zipOf("net.W.npy", npyF8("(2, 2)", 1, 2, 3, 4), "net.W_in.npy", npyF8("(1, 2)", 5, 6), "net.u.npy", npyF8("(1,)", 1)), 0o644)
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
	os.WriteFile(filepath.Join(dir, "W.npy"), npyF8("(1, 1)", 2), 0o644)
	os.WriteFile(filepath.Join(dir, "activation.npy"), npyStr("tanh"), 0o644)
	os.WriteFile(filepath.Join(dir, "W_out.npy"), npyF8("(1, 1)", 7), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o644)
	l, err := LoadNetwork(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l.Format != "npy folder" || l.Network.W().At(0, 0) != 2 || len(l.Other) != 1 || l.Other[0].Name != "W_out" {
		t.Errorf("got %+v", l)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "res.npz")
	in := []Array{
		{Name: "q", Shape: []int{3}, Data: []float64{1e-300, math.Inf(1), math.Copysign(0, -1)}},
		{Name: "eigenvalues", Shape: []int{2, 2}, Data: []complex128{1 + 2i, -3i, 4, complex(math.NaN(), 1)}},
		{Name: "multiplicity", Shape: []int{2}, Data: []int64{7, -1 << 62}},
		{Name: "n_unstable", Shape: []int{2}, Data: []int{0, 3}},
		{Name: "status", Shape: []int{3}, Data: []string{"fixed", "not-converged", "é\x00x"}},
		{Name: "kind", Shape: []int{}, Data: []string{""}},
		{Name: "empty", Shape: []int{0, 4}, Data: []float64{}},
	}
	if err := WriteNPZ(p, in); err != nil {
		t.Fatal(err)
	}
	got, err := ReadNPZ(p)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range got {
		names = append(names, a.Name)
	}
	if want := []string{"eigenvalues", "empty", "kind", "multiplicity", "n_unstable", "q", "status"}; !slices.Equal(names, want) {
		t.Fatalf("keys %q, want sorted %q", names, want)
	}
	for _, w := range in {
		i := slices.Index(names, w.Name)
		a := got[i]
		want := w
		if ints, ok := w.Data.([]int64); ok {
			f := make([]float64, len(ints))
			for j, v := range ints {
				f[j] = float64(v)
			}
			want.Data = f
		}
		if ints, ok := w.Data.([]int); ok {
			f := make([]float64, len(ints))
			for j, v := range ints {
				f[j] = float64(v)
			}
			want.Data = f
		}
		if !sameArray(a, &want) {
			t.Errorf("%s: got %+v, want %+v", w.Name, a, want)
		}
	}
	// npyio reads what we wrote.
	var q []float64
	if err := npz.Read(mustOpen(t, p), "q.npy", &q); err != nil || q[0] != 1e-300 || !math.IsInf(q[1], 1) {
		t.Errorf("npyio read q = %v, %v", q, err)
	}
	// The same arrays give the same bytes.
	p2 := filepath.Join(dir, "res2.npz")
	WriteNPZ(p2, in)
	b1, _ := os.ReadFile(p)
	b2, _ := os.ReadFile(p2)
	if string(b1) != string(b2) {
		t.Error("two writes of the same arrays differ")
	}
}

func mustOpen(t *testing.T, p string) *os.File {
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestWriteAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.npz")
	os.WriteFile(p, []byte("precious"), 0o644)
	for _, bad := range [][]Array{
		{{Name: "a", Shape: []int{3}, Data: []float64{1, 2}}},
		{{Name: "a", Shape: []int{1}, Data: []float32{1}}},
		{{Name: "a", Shape: []int{1}, Data: []float64{1}}, {Name: "a", Shape: []int{1}, Data: []float64{1}}},
		{{Name: "", Shape: []int{1}, Data: []float64{1}}},
		{{Name: "s", Shape: []int{1}, Data: []string{"ab\x00"}}},
	} {
		if err := WriteNPZ(p, bad); err == nil {
			t.Errorf("no error writing %+v", bad)
		}
	}
	if b, _ := os.ReadFile(p); string(b) != "precious" {
		t.Errorf("a failed write changed the existing file: %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("temporary files left behind: %v", ents)
	}
	if err := WriteNPZ(filepath.Join(dir, "missing", "x.npz"), []Array{{Name: "a", Shape: []int{}, Data: []float64{1}}}); err == nil {
		t.Error("no error writing into a missing folder")
	}
	// SaveNetwork refuses an extra array named like a network key.
	net, _ := dynamics.New(dynamics.Config{W: w2mat()})
	if err := SaveNetwork(p, net, []Array{{Name: "tau", Shape: []int{}, Data: []float64{1}}}); err == nil {
		t.Error("extra key tau accepted")
	}
	if b, _ := os.ReadFile(p); string(b) != "precious" {
		t.Errorf("a failed save changed the existing file")
	}
}

func TestReadMatrix(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "inits.npy")
	if err := WriteNPY(p, Array{Shape: []int{2, 3}, Data: []float64{1, 2, 3, 4, 5, 6}}); err != nil {
		t.Fatal(err)
	}
	m, err := ReadMatrix(p)
	if err != nil {
		t.Fatal(err)
	}
	if r, c := m.Dims(); r != 2 || c != 3 || m.At(1, 0) != 4 {
		t.Errorf("got %v", m)
	}
	os.WriteFile(p, npyF8("(2, 1)", 1, math.NaN()), 0o644)
	if _, err := ReadMatrix(p); err == nil || !strings.Contains(err.Error(), "NaN at [1, 0]") {
		t.Errorf("NaN: %v", err)
	}
	os.WriteFile(p, npyF8("(1, 1, 1)", 1), 0o644)
	if _, err := ReadMatrix(p); err == nil || !strings.Contains(err.Error(), "not 2-d") {
		t.Errorf("3-d: %v", err)
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
		extra := []Array{{Name: "W_out", Shape: []int{1, 2}, Data: []float64{1, 2}}}
		if err := SaveNetwork(p, net, extra); err != nil {
			t.Fatal(err)
		}
		l, err := LoadNetwork(p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !sameNetwork(net, l.Network) || len(l.Other) != 1 || !sameArray(&l.Other[0], &extra[0]) {
			t.Errorf("round trip changed %+v", c)
		}
	}
}
