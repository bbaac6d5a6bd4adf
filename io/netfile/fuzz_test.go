package netfile

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/fpfind/fpfind/internal/npytest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fpfind/fpfind/io/numpy"
)

// FuzzReadNetwork feeds arbitrary bytes to the .npz reader and the network
// loader. Nothing may panic; errors are *numpy.FormatError values; the
// network checks give the same verdict from the headers alone as from the
// data; and whatever loads survives a save and a load back unchanged.
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
	f.Add(npytest.ZipOf("W.npy", w2, "activation.npy", npytest.NpyStr("tanh"), "c.npy", npytest.RawNPY("{'descr': '<c8', 'fortran_order': True, 'shape': (2, 1), }", make([]byte, 16))))
	f.Fuzz(func(t *testing.T, data []byte) {
		var heads []*numpy.Array
		keep := func(h []*numpy.Array) error { heads = h; return nil }
		arrays, err := numpy.ReadNPZFrom(bytes.NewReader(data), int64(len(data)), &numpy.ReadOptions{MaxBytes: fuzzLimit, Check: keep})
		if err != nil {
			var fe *numpy.FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error is not a *numpy.FormatError: %v", err)
			}
			return
		}
		sameChecks(t, arrays, heads)
		for _, tr := range []bool{false, true} {
			l, err := build("fuzz.npz", arrays, &LoadOptions{Transpose: tr})
			if err != nil {
				var fe *numpy.FormatError
				if !errors.As(err, &fe) || fe.File != "fuzz.npz" {
					t.Fatalf("error is not a *numpy.FormatError naming the file: %v", err)
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
			again, err := numpy.ReadNPZFrom(bytes.NewReader(file), int64(len(file)), nil)
			if err != nil {
				t.Fatalf("cannot read back a saved network: %v", err)
			}
			back, err := build("back.npz", again, &LoadOptions{})
			if err != nil {
				t.Fatalf("cannot read back a saved network: %v", err)
			}
			if !sameNetwork(t, l.Network, back.Network) {
				t.Fatalf("network changed through a write and a read")
			}
			if len(back.Other) != len(l.Other) {
				t.Fatalf("other keys: %d before, %d after", len(l.Other), len(back.Other))
			}
			for i := range l.Other {
				if !sameArray(t, &l.Other[i], &back.Other[i]) {
					t.Fatalf("other key %s changed", l.Other[i].Name)
				}
			}
		}
	})
}

// maxSeed bounds the size of a seed file; fuzzLimit is the memory limit
// of the fuzzed reader, so that an honest claim of a large array in a
// small (compressed) input is refused rather than decoded.
const (
	maxSeed   = 1 << 10
	fuzzLimit = 1 << 20
)

// sameChecks checks that the network checks give the same verdict from the
// headers alone as from the decoded arrays: a shape or dtype error found
// late would mean data read for nothing.
func sameChecks(t *testing.T, arrays, heads []*numpy.Array) {
	t.Helper()
	for _, tr := range []bool{false, true} {
		opts := &LoadOptions{Transpose: tr}
		_, eh := resolve("f", heads, opts)
		_, ed := resolve("f", arrays, opts)
		if fmt.Sprint(eh) != fmt.Sprint(ed) {
			t.Fatalf("headers: %v; data: %v", eh, ed)
		}
		_, eb := build("f", arrays, opts)
		if eh != nil && fmt.Sprint(eb) != fmt.Sprint(eh) {
			t.Fatalf("headers: %v; build: %v", eh, eb)
		}
		if eb != nil {
			var fe *numpy.FormatError
			if !errors.As(eb, &fe) {
				t.Fatalf("error is not a *numpy.FormatError: %v", eb)
			}
		}
	}
}

// FuzzTorchLayout builds PyTorch-style state dicts from a few numbers:
// the shapes of weight_hh_l0 and weight_ih_l0, which keys are present
// (biases, a second layer, a reverse direction, projections, a string bias,
// a bias of the wrong length) and the module prefix. The loader must not
// panic, must give the same verdict from headers as from data, must refuse
// GRU and LSTM shapes by name, and must read a well-formed nn.RNN.
func FuzzTorchLayout(f *testing.F) {
	f.Add(uint8(2), uint8(2), uint8(1), uint16(0b11), "rnn.")
	f.Add(uint8(6), uint8(2), uint8(3), uint16(0), "")
	f.Add(uint8(8), uint8(2), uint8(0), uint16(0b100), "lstm.")
	f.Add(uint8(3), uint8(3), uint8(2), uint16(0b1111111), "a.b.")
	f.Add(uint8(0), uint8(0), uint8(0), uint16(0b1000000), "\x1b[2J")
	f.Fuzz(func(t *testing.T, rows, cols, in uint8, flags uint16, prefix string) {
		r, c, m := int(rows%33), int(cols%17), int(in%5)
		if len(prefix) > 32 {
			prefix = prefix[:32]
		}
		vals := func(n int) []float64 {
			v := make([]float64, n)
			for i := range v {
				v[i] = float64(i%7) / 8
			}
			return v
		}
		var arrays []*numpy.Array
		add := func(key string, data any, shape ...int) {
			dt := "<f8"
			if _, ok := data.([]string); ok {
				dt = "<U4"
			}
			arrays = append(arrays, &numpy.Array{Name: prefix + key, Shape: shape, Data: data, Dtype: dt})
		}
		add("weight_hh_l0", vals(r*c), r, c)
		bias := c
		if flags&(1<<7) != 0 {
			bias++
		}
		if flags&1 != 0 {
			add("weight_ih_l0", vals(r*m), r, m)
		}
		if flags&2 != 0 {
			add("bias_hh_l0", vals(bias), bias)
		}
		if flags&(1<<2) != 0 {
			add("bias_ih_l0", vals(r), r)
		}
		if flags&(1<<3) != 0 {
			add("weight_hh_l1", vals(r*c), r, c)
		}
		if flags&(1<<4) != 0 {
			add("weight_hh_l0_reverse", vals(r*c), r, c)
		}
		if flags&(1<<5) != 0 {
			add("weight_hr_l0", vals(c), c, 1)
		}
		if flags&(1<<6) != 0 {
			add("bias_hh_l0", []string{"tanh"})
		}
		if flags&(1<<8) != 0 {
			add("fc.weight", vals(2*c), 2, c)
		}
		// A later array replaces an earlier one of the same key.
		seen := map[string]int{}
		var uniq []*numpy.Array
		for _, a := range arrays {
			if i, ok := seen[a.Name]; ok {
				uniq[i] = a
				continue
			}
			seen[a.Name] = len(uniq)
			uniq = append(uniq, a)
		}
		heads := make([]*numpy.Array, len(uniq))
		for i, a := range uniq {
			heads[i] = &numpy.Array{Name: a.Name, Shape: a.Shape, Dtype: a.Dtype}
		}
		sameChecks(t, uniq, heads)
		l, err := build("torch.npz", uniq, &LoadOptions{})
		hasProj := flags&(1<<5) != 0
		switch {
		case c > 0 && !hasProj && (r == 3*c || r == 4*c):
			cell := map[bool]string{true: "GRU", false: "LSTM"}[r == 3*c]
			if err == nil || !strings.Contains(err.Error(), cell+" cell of hidden size") || !strings.Contains(err.Error(), "nn.RNN") {
				t.Fatalf("%d x %d: got %v, want a %s refusal", r, c, err, cell)
			}
		case hasProj:
			if err == nil || !strings.Contains(err.Error(), "LSTM with projections") {
				t.Fatalf("weight_hr_l0: got %v", err)
			}
		case err == nil:
			if l.Layout != "torch" || l.Prefix != prefix || l.Network.Dim() != c || r != c {
				t.Fatalf("%d x %d read as N = %d, layout %s, prefix %q", r, c, l.Network.Dim(), l.Layout, l.Prefix)
			}
			if flags&1 != 0 && m > 0 && l.Network.Inputs() != m {
				t.Fatalf("M = %d, want %d", l.Network.Inputs(), m)
			}
		}
		if err != nil {
			var fe *numpy.FormatError
			if !errors.As(err, &fe) || fe.File != "torch.npz" {
				t.Fatalf("error is not a *numpy.FormatError naming the file: %v", err)
			}
		}
	})
}

// hasClash reports whether a torch file's other keys use a network key's
// name (SaveNetwork refuses them).
func hasClash(other []numpy.Array) bool {
	for _, a := range other {
		switch a.Name {
		case KeyW, KeyB, KeyWIn, KeyU, KeyTau, KeyActivation, KeyConvention, KeyAlpha:
			return true
		}
	}
	return false
}
