package numpy

import (
	"errors"
	"github.com/fpfind/fpfind/internal/npytest"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npz"
)

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

// TestDecodeLayouts checks dtype, byte order and Fortran order against
// hand-encoded bytes.
func TestDecodeLayouts(t *testing.T) {
	// [[1, 2, 3], [4, 5, 6]] stored column-major as big-endian float32.
	be := []byte{}
	for _, v := range []float32{1, 4, 2, 5, 3, 6} {
		u := math.Float32bits(v)
		be = append(be, byte(u>>24), byte(u>>16), byte(u>>8), byte(u))
	}
	a, err := decodeNPY(npytest.RawNPY("{'descr': '>f4', 'fortran_order': True, 'shape': (2, 3), }", be))
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
	a, err = decodeNPY(npytest.RawNPY("{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3, 2), }", raw))
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
		b = append(append(b, h...), npytest.F8(-1, 0.5)...)
		a, err := decodeNPY(b)
		if err != nil || !slices.Equal(a.Data.([]float64), []float64{-1, 0.5}) {
			t.Errorf("version %d: %+v, %v", v, a, err)
		}
	}
	// 'S' strings are Latin-1 bytes; trailing NULs go, inner ones stay.
	b, err := decodeNPY(npytest.RawNPY("{'descr': '|S4', 'fortran_order': False, 'shape': (2,), }", []byte("a\x00\xe9\x00tanh")))
	if err != nil || !slices.Equal(b.Data.([]string), []string{"a\x00é", "tanh"}) {
		t.Errorf("|S4: got %+v, %v", b, err)
	}
	s, err := decodeNPY(npytest.NpyStr("rectified-tanh"))
	if err != nil || s.Data.([]string)[0] != "rectified-tanh" || len(s.Shape) != 0 {
		t.Errorf("0-d string: got %+v, %v", s, err)
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
		{Name: "certified", Shape: []int{3}, Data: []bool{true, false, true}},
		{Name: "complete", Shape: []int{}, Data: []bool{true}},
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
	if want := []string{"certified", "complete", "eigenvalues", "empty", "kind", "multiplicity", "n_unstable", "q", "status"}; !slices.Equal(names, want) {
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
		if bs, ok := w.Data.([]bool); ok {
			f := make([]float64, len(bs))
			for j, v := range bs {
				if v {
					f[j] = 1
				}
			}
			want.Data = f
			if a.Dtype != "|b1" {
				t.Errorf("%s: dtype %q, want |b1", w.Name, a.Dtype)
			}
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
	os.WriteFile(p, npytest.NpyF8("(2, 1)", 1, math.NaN()), 0o644)
	if _, err := ReadMatrix(p); err == nil || !strings.Contains(err.Error(), "NaN at [1, 0]") {
		t.Errorf("NaN: %v", err)
	}
	os.WriteFile(p, npytest.NpyF8("(1, 1, 1)", 1), 0o644)
	if _, err := ReadMatrix(p); err == nil || !strings.Contains(err.Error(), "not 2-d") {
		t.Errorf("3-d: %v", err)
	}
}
