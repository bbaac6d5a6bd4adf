package numpy

import (
	"archive/zip"
	"bytes"
	"fmt"
	"github.com/fpfind/fpfind/internal/npytest"
	"math"
	"math/bits"
	"slices"
	"strings"
	"testing"
)

// formatHeader writes h back as a version 1.0 header, in the form NumPy
// writes, for round trips.
func formatHeader(h *header) []byte {
	order := "False"
	if h.fortran {
		order = "True"
	}
	return npytest.RawNPY(fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", h.dt.descr, order, pyShape(h.shape)), nil)
}

// FuzzParseHeader feeds arbitrary bytes to the .npy header reader, with the
// length known (a file) and unknown (a stream). Nothing may panic; the two
// must agree; an accepted header must have consistent sizes and survive
// being written back and read again; and decoding must not fail
// internally.
func FuzzParseHeader(f *testing.F) {
	for _, h := range badHeaders() {
		f.Add(h.b)
	}
	for _, d := range []string{"<f8", ">f4", "<i2", "|u1", "|b1", "<c8", ">c16", "<U3", "|S2", "<i8"} {
		f.Add(npytest.RawNPY("{'descr': '"+d+"', 'fortran_order': True, 'shape': (2, 1, 3), }", nil))
	}
	f.Add(w2)
	f.Add(npytest.NpyStr("tanh"))
	f.Add([]byte("\x93NUMPY\x03\x00\x3c\x00\x00\x00{'descr': '<f8', 'fortran_order': False, 'shape': (), }     \n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := readHeader(bytes.NewReader(data), int64(len(data)))
		hs, errs := readHeader(bytes.NewReader(data), -1)
		if (err == nil) != (errs == nil) {
			t.Fatalf("size known: %v; size unknown: %v", err, errs)
		}
		if err != nil {
			return
		}
		if !h.sameAs(hs) || h.count != hs.count || h.nbytes != hs.nbytes {
			t.Fatalf("two readings differ: %+v, %+v", h, hs)
		}
		if h.dataOff > int64(len(data)) {
			t.Fatalf("data offset %d past the %d bytes", h.dataOff, len(data))
		}
		// Sizes: the product of the shape, or -1 when it overflows.
		want, over := uint64(1), false
		for _, d := range h.shape {
			if d < 0 {
				t.Fatalf("negative dimension in %v", h.shape)
			}
			hi, lo := bits.Mul64(want, uint64(d))
			want, over = lo, over || hi != 0
		}
		if slices.Contains(h.shape, 0) {
			want, over = 0, false
		}
		switch {
		case over || want > math.MaxInt64:
			if h.count != -1 || h.nbytes != -1 {
				t.Fatalf("shape %v overflows but count %d, bytes %d", h.shape, h.count, h.nbytes)
			}
		case h.count != int64(want):
			t.Fatalf("shape %v: count %d", h.shape, h.count)
		case h.nbytes != -1 && h.nbytes != h.count*int64(h.dt.size):
			t.Fatalf("shape %v of %s: %d bytes", h.shape, h.dt.descr, h.nbytes)
		case h.nbytes == -1 && h.count <= math.MaxInt64/int64(h.dt.size):
			t.Fatalf("shape %v of %s: bytes overflow reported for %d elements", h.shape, h.dt.descr, h.count)
		}
		// Written back and read again, the header is the same.
		again, err := readHeader(bytes.NewReader(formatHeader(h)), -1)
		if err != nil {
			t.Fatalf("own header %q: %v", formatHeader(h), err)
		}
		if again.dt != h.dt || again.fortran != h.fortran || !slices.Equal(again.shape, h.shape) || again.count != h.count {
			t.Fatalf("round trip changed the header: %+v -> %+v", h, again)
		}
		// Decoding whatever follows fails cleanly or gives the declared
		// array.
		a, err := readNPY(bytes.NewReader(data), int64(len(data)), &budget{limit: fuzzLimit})
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatal(err)
			}
			return
		}
		if int64(a.Len()) != h.count || reflectLen(a.Data) != a.Len() {
			t.Fatalf("decoded %d elements for shape %v", reflectLen(a.Data), h.shape)
		}
	})
}

func reflectLen(d any) int {
	switch d := d.(type) {
	case []float64:
		return len(d)
	case []complex128:
		return len(d)
	case []string:
		return len(d)
	}
	return -1
}

// FuzzReadNPZ feeds small archives to the .npz reader with a memory limit:
// the fuzzed bytes as an archive, and an archive holding the fuzzed member
// bytes as W.npy (stored or deflated, with a correct CRC, so that the
// fuzzer reaches the member's decoding). Nothing may panic; errors are
// *FormatError values naming the file; what reads must fit the limit, be
// sorted by name, and survive a write and a read back unchanged; the
// headers seen before decoding describe the arrays decoded.
func FuzzReadNPZ(f *testing.F) {
	f.Add(npytest.ZipOf("W.npy", w2, "b.npy", npytest.NpyF8("(3,)", 1, 2, 3)), []byte(nil), false)
	f.Add(npytest.RawZip(zip.Deflate, npytest.Deflate(w2), 1e12), []byte(nil), false)
	f.Add(npytest.RawZip(zip.Store, w2, 1e9), []byte(nil), false)
	f.Add(npytest.ZipOf("readme.txt", []byte("hello")), []byte(nil), false)
	for _, h := range badHeaders() {
		f.Add([]byte(nil), h.b, true)
	}
	f.Add(npytest.ZipOf("W.npy", w2, "activation.npy", npytest.NpyStr("tanh"), "c.npy", npytest.RawNPY("{'descr': '<c8', 'fortran_order': True, 'shape': (2, 1), }", make([]byte, 16))), w2, false)
	f.Add(npytest.RawZip(zip.Deflate, npytest.Deflate(w2), uint64(len(w2))), npytest.NpyStr("relu"), true)
	f.Add([]byte(nil), npytest.RawNPY("{'descr': '<f8', 'fortran_order': False, 'shape': (64, 64), }", make([]byte, 64*64*8)), true)
	f.Fuzz(func(t *testing.T, data, member []byte, deflated bool) {
		checkNPZ(t, data)
		method := zip.Store
		if deflated {
			method = zip.Deflate
		}
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		if w, err := zw.CreateHeader(&zip.FileHeader{Name: "W.npy", Method: method}); err == nil {
			w.Write(member)
		}
		zw.Close()
		checkNPZ(t, b.Bytes())
	})
}

// checkNPZ reads data as an .npz and checks what it gives (see FuzzReadNPZ).
func checkNPZ(t *testing.T, data []byte) {
	t.Helper()
	const file = "fuzz.npz"
	var heads []*Array
	keep := func(h []*Array) error { heads = h; return nil }
	arrays, err := readNPZ(bytes.NewReader(data), int64(len(data)), file, &budget{limit: fuzzLimit}, keep)
	if err != nil {
		var fe *FormatError
		if !asFormatError(err, &fe) || fe.File != file {
			t.Fatalf("error is not a *FormatError naming the file: %v", err)
		}
		if strings.Contains(err.Error(), "internal error") {
			t.Fatal(err)
		}
		return
	}
	var total int64
	for i, a := range arrays {
		if i > 0 && arrays[i-1].Name >= a.Name {
			t.Fatalf("keys not sorted and unique: %q, %q", arrays[i-1].Name, a.Name)
		}
		if reflectLen(a.Data) != a.Len() {
			t.Fatalf("%s: %d elements for shape %v", a.Name, reflectLen(a.Data), a.Shape)
		}
		d, _ := parseDtype(a.Dtype)
		total += (&header{dt: d, count: int64(a.Len())}).decodedBytes()
	}
	if total > fuzzLimit {
		t.Fatalf("read %d bytes of arrays under a %d limit", total, fuzzLimit)
	}
	// The headers seen before decoding describe the arrays decoded.
	if len(heads) != len(arrays) {
		t.Fatalf("%d headers, %d arrays", len(heads), len(arrays))
	}
	for _, h := range heads {
		i := slices.IndexFunc(arrays, func(a *Array) bool { return a.Name == h.Name })
		if i < 0 || !slices.Equal(arrays[i].Shape, h.Shape) || arrays[i].Dtype != h.Dtype || h.Data != nil {
			t.Fatalf("header %+v does not match its array", h)
		}
	}
	// Written and read back, the arrays are the same.
	in := make([]Array, len(arrays))
	for i, a := range arrays {
		in[i] = *a
	}
	written := npzBytes(t, in)
	back, err := readNPZ(bytes.NewReader(written), int64(len(written)), "back.npz", nil, nil)
	if err != nil {
		t.Fatalf("reading back: %v", err)
	}
	for i := range arrays {
		if !sameArray(arrays[i], back[i]) {
			t.Fatalf("%s changed through a write and a read", arrays[i].Name)
		}
	}
}
