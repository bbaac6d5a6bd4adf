package numpy

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/fpfind/fpfind/dynamics"
)

// FuzzReadNetwork feeds arbitrary bytes to the .npy decoder (when they start
// with the .npy magic) or to the .npz reader and the network loader
// (otherwise). Nothing may panic; whatever reads without error must survive
// a write and a read back unchanged.
func FuzzReadNetwork(f *testing.F) {
	// Only the small networks: the fuzzer minimizes slowly from large seeds.
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "*.npz"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) <= maxSeed {
			f.Add(b)
		}
	}
	for _, c := range badCases() {
		if c.npz != nil {
			f.Add(c.npz)
		}
	}
	for _, h := range badHeaders() {
		f.Add(h.b)
	}
	f.Add(w2)
	f.Add(npyStr("tanh"))
	f.Add(rawNPY("{'descr': '>f4', 'fortran_order': True, 'shape': (2, 3), }", make([]byte, 24)))
	f.Add(rawNPY("{'descr': '<c8', 'fortran_order': True, 'shape': (2, 1, 2), }", make([]byte, 32)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.HasPrefix(data, []byte(npyMagic)) {
			a, err := decodeNPY(data)
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
			return
		}
		arrays, err := readNPZ(bytes.NewReader(data), int64(len(data)), "fuzz.npz", &budget{limit: fuzzLimit}, nil)
		if err != nil {
			var fe *FormatError
			if !asFormatError(err, &fe) || fe.File != "fuzz.npz" {
				t.Fatalf("error is not a *FormatError naming the file: %v", err)
			}
			return
		}
		for _, tr := range []bool{false, true} {
			l, err := build("fuzz.npz", arrays, &LoadOptions{Transpose: tr})
			if err != nil {
				var fe *FormatError
				if !asFormatError(err, &fe) {
					t.Fatalf("error is not a *FormatError: %v", err)
				}
				continue
			}
			// SaveNetwork and LoadNetwork, in memory: the fuzzer runs
			// and minimizes far faster without files.
			saved, err := networkFile(l.Network, l.Other)
			if err != nil {
				if l.Layout == "fpfind" || !hasClash(l.Other) {
					t.Fatalf("SaveNetwork: %v", err)
				}
				continue
			}
			file := npzBytes(t, saved)
			again, err := readNPZ(bytes.NewReader(file), int64(len(file)), "back.npz", nil, nil)
			if err != nil {
				t.Fatalf("cannot read back a saved network: %v", err)
			}
			back, err := build("back.npz", again, &LoadOptions{})
			if err != nil {
				t.Fatalf("cannot read back a saved network: %v", err)
			}
			if !sameNetwork(l.Network, back.Network) {
				t.Fatalf("network changed through a write and a read")
			}
			if len(back.Other) != len(l.Other) {
				t.Fatalf("other keys: %d before, %d after", len(l.Other), len(back.Other))
			}
			for i := range l.Other {
				if !sameArray(&l.Other[i], &back.Other[i]) {
					t.Fatalf("other key %s changed", l.Other[i].Name)
				}
			}
		}
	})
}

// maxSeed bounds the size of a seed file; fuzzLimit is the memory limit
// of the fuzzed readers, so that an honest claim of a large array in a
// small (compressed) input is refused rather than decoded.
const (
	maxSeed   = 1 << 10
	fuzzLimit = 1 << 20
)

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

// hasClash reports whether a torch file's other keys use a network key's
// name (SaveNetwork refuses them).
func hasClash(other []Array) bool {
	for _, a := range other {
		switch a.Name {
		case KeyW, KeyB, KeyWIn, KeyU, KeyTau, KeyActivation, KeyConvention, KeyAlpha:
			return true
		}
	}
	return false
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

func sameBits(x, y []float64) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
			return false
		}
	}
	return true
}

// sameNetwork compares every parameter bit for bit.
func sameNetwork(a, b *dynamics.Network) bool {
	if a.Dim() != b.Dim() || a.Inputs() != b.Inputs() || a.Activation() != b.Activation() ||
		a.Convention() != b.Convention() || a.Alpha() != b.Alpha() {
		return false
	}
	if !sameBits(a.W().RawMatrix().Data, b.W().RawMatrix().Data) || !sameBits(a.B(), b.B()) ||
		!sameBits(a.U(), b.U()) || !sameBits(a.TauVec(), b.TauVec()) {
		return false
	}
	if a.Inputs() > 0 && !sameBits(a.WIn().RawMatrix().Data, b.WIn().RawMatrix().Data) {
		return false
	}
	return true
}
