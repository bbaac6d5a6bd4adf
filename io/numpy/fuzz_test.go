package numpy

import (
	"bytes"
	"github.com/fpfind/fpfind/internal/npytest"
	"math"
	"reflect"
	"slices"
	"testing"
)

// FuzzDecodeNPY feeds arbitrary bytes to the .npy decoder. Nothing may
// panic; whatever decodes must survive an encoding and a decoding back
// unchanged.
func FuzzDecodeNPY(f *testing.F) {
	for _, h := range badHeaders() {
		f.Add(h.b)
	}
	f.Add(w2)
	f.Add(npytest.NpyStr("tanh"))
	f.Add(npytest.RawNPY("{'descr': '>f4', 'fortran_order': True, 'shape': (2, 3), }", make([]byte, 24)))
	f.Add(npytest.RawNPY("{'descr': '<c8', 'fortran_order': True, 'shape': (2, 1, 2), }", make([]byte, 32)))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := readNPY(bytes.NewReader(data), int64(len(data)), &budget{limit: fuzzLimit})
		if err != nil {
			return
		}
		enc, err := encodeNPY(a)
		if err != nil {
			t.Fatalf("cannot re-encode %v %s: %v", a.Shape, a.Dtype, err)
		}
		b, err := decodeNPY(enc)
		if err != nil {
			t.Fatalf("cannot decode own encoding: %v", err)
		}
		if !sameArray(a, b) {
			t.Fatalf("round trip changed the array: %+v -> %+v", a, b)
		}
	})
}

// fuzzLimit is the memory limit of the fuzzed readers, so that an honest
// claim of a large array in a small (compressed) input is refused rather
// than decoded.
const fuzzLimit = 1 << 20

// npzBytes is WriteNPZ into memory.
func npzBytes(t *testing.T, arrays []Array) []byte {
	t.Helper()
	sorted, err := sortArrays(arrays)
	if err != nil {
		t.Fatalf("WriteNPZ: %v", err)
	}
	var b bytes.Buffer
	if err := writeNPZTo(&b, sorted); err != nil {
		t.Fatalf("WriteNPZ: %v", err)
	}
	return b.Bytes()
}

func asFormatError(err error, fe **FormatError) bool {
	e, ok := err.(*FormatError)
	*fe = e
	return ok
}

// sameArray compares name, shape and data bit for bit.
func sameArray(a, b *Array) bool {
	if a.Name != b.Name || a.Len() != b.Len() || !slices.Equal(a.Shape, b.Shape) {
		return false
	}
	switch x := a.Data.(type) {
	case []float64:
		y, ok := b.Data.([]float64)
		return ok && sameBits(x, y)
	case []complex128:
		y, ok := b.Data.([]complex128)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Float64bits(real(x[i])) != math.Float64bits(real(y[i])) || math.Float64bits(imag(x[i])) != math.Float64bits(imag(y[i])) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a.Data, b.Data)
}

// sameBits reports whether x and y hold the same float64 bit patterns.
func sameBits(x, y []float64) bool {
	return slices.EqualFunc(x, y, func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) })
}
