package netfile

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"github.com/fpfind/fpfind/internal/npytest"
	"github.com/fpfind/fpfind/io/numpy"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/fpfind/fpfind/internal/sysmem"
)

// bombZeros is the size of the zeros a test bomb inflates to: 128 MiB, in a
// file of about 128 kB. Decoding it whole, as the reader once did, costs
// several times that.
const bombZeros = 128 << 20

// refusalBudget is the most a refusal may allocate, whatever the file
// claims: a zip reader, a flate decompressor and a read buffer.
const refusalBudget = 4 << 20

// writeBomb writes an .npz with the members given (name, .npy header dict,
// bytes of zeros after the header), deflated, with honest zip sizes. The
// zeros are written in chunks, so that building the file costs little
// memory.
func writeBomb(t *testing.T, path string, members ...any) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	zeros := make([]byte, 1<<20)
	for i := 0; i < len(members); i += 3 {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: members[i].(string), Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(npytest.RawNPY(members[i+1].(string), nil))
		for n := members[i+2].(int); n > 0; n -= len(zeros) {
			w.Write(zeros[:min(n, len(zeros))])
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// allocated runs f and returns the bytes it allocated (the runtime's
// TotalAlloc).
func allocated(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// refuse checks that load fails with an error holding the words, at a
// cost under refusalBudget.
func refuse(t *testing.T, what string, load func() error, words ...string) error {
	t.Helper()
	var err error
	d := allocated(func() { err = load() })
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	if !containsAll(err.Error(), words) {
		t.Errorf("%s: error %q does not say %q", what, err, words)
	}
	var fe *numpy.FormatError
	if !errors.As(err, &fe) {
		t.Errorf("%s: error %v (%T) is not a *FormatError", what, err, err)
	}
	if d > refusalBudget {
		t.Errorf("%s: refusing cost %d bytes (more than %d)", what, d, refusalBudget)
	}
	t.Logf("%s: refused with %d bytes allocated: %v", what, d, err)
	return err
}

// TestBombTrailingData: a (2, 2) header followed by 128 MiB of zeros, with
// honest zip sizes, is refused after reading the 32 bytes the header
// declares and one more.
func TestBombTrailingData(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bomb.npz")
	writeBomb(t, p, "W.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", bombZeros)
	if st, _ := os.Stat(p); st.Size() > 1<<20 {
		t.Fatalf("the bomb is %d bytes on disk", st.Size())
	}
	refuse(t, "LoadNetwork", func() error { _, err := LoadNetwork(p, nil); return err },
		"key W:", "trailing garbage after the 32 bytes of shape (2, 2) of <f8")
	refuse(t, "ReadNPZ", func() error { _, err := numpy.ReadNPZ(p); return err }, "trailing garbage")
}

// TestBombHonestShape: an honest 128 MiB array in a small file is refused
// from its header: by the network's shape checks when it cannot be W, and
// by the memory limit otherwise; neither reads its data.
func TestBombHonestShape(t *testing.T) {
	dir := t.TempDir()
	flat := filepath.Join(dir, "flat.npz")
	writeBomb(t, flat, "W.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (16777216,), }", bombZeros)
	refuse(t, "1-d W", func() error { _, err := LoadNetwork(flat, nil); return err }, "key W:", "(16777216,) is not 2-d")

	const n = 4096 // 4096 x 4096 float64 = 128 MiB
	sq := filepath.Join(dir, "square.npz")
	writeBomb(t, sq, "W.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (4096, 4096), }", n*n*8)
	const limit = 64 << 20
	err := refuse(t, "square W over the limit", func() error {
		_, err := LoadNetwork(sq, &LoadOptions{MaxBytes: limit})
		return err
	}, "key W:", "shape (4096, 4096) of <f8 needs 134 MB, more than the 67.1 MB memory limit")
	if !errors.Is(err, numpy.ErrTooLarge) {
		t.Errorf("%v does not wrap ErrTooLarge", err)
	}
	err = refuse(t, "ReadNPZLimit", func() error { _, err := numpy.ReadNPZLimit(sq, limit); return err }, "needs 134 MB")
	if !errors.Is(err, numpy.ErrTooLarge) {
		t.Errorf("%v does not wrap ErrTooLarge", err)
	}
	// Under the limit it reads, holding the decoded array and not much
	// more (no raw copy of the bytes beside it).
	var l *Loaded
	d := allocated(func() { l, err = LoadNetwork(sq, &LoadOptions{MaxBytes: 2 * n * n * 8}) })
	if err != nil {
		t.Fatal(err)
	}
	if l.Network.Dim() != n {
		t.Fatalf("N = %d", l.Network.Dim())
	}
	t.Logf("reading the 128 MiB W allocated %d bytes", d)
	// The network copies W once; the reader adds its decoded array and
	// buffers.
	if d > 2*n*n*8+refusalBudget {
		t.Errorf("reading a 128 MiB W allocated %d bytes (more than twice its size)", d)
	}
}

// TestBudgetAcrossArrays: the limit bounds the arrays of a file together.
func TestBudgetAcrossArrays(t *testing.T) {
	p := filepath.Join(t.TempDir(), "two.npz")
	d := "{'descr': '<f8', 'fortran_order': False, 'shape': (5242880,), }" // 40 MiB each
	writeBomb(t, p, "a.npy", d, 40<<20, "b.npy", d, 40<<20)
	err := refuse(t, "two arrays", func() error { _, err := numpy.ReadNPZLimit(p, 64<<20); return err },
		"key b:", "needs 41.9 MB, which with the 41.9 MB of the file's arrays before it is more than the 67.1 MB memory limit")
	if !errors.Is(err, numpy.ErrTooLarge) {
		t.Errorf("%v does not wrap ErrTooLarge", err)
	}
	if _, err := numpy.ReadNPZLimit(p, 81<<20); err != nil {
		t.Errorf("80 MiB under an 81 MiB limit: %v", err)
	}
	if _, err := numpy.ReadNPZLimit(p, -1); err != nil {
		t.Errorf("no limit: %v", err)
	}
}

// sparseNPY writes a .npy whose header declares an n x n float64 array
// and whose data is a hole: the file has its honest size but takes no
// disk.
func sparseNPY(t *testing.T, path string, n int64) {
	t.Helper()
	hdr := npytest.RawNPY("{'descr': '<f8', 'fortran_order': False, 'shape': ("+strconv.FormatInt(n, 10)+", "+strconv.FormatInt(n, 10)+"), }", nil)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(hdr); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(int64(len(hdr)) + 8*n*n); err != nil {
		t.Fatalf("cannot make a sparse file: %v", err)
	}
}

// TestSparseNPY: an honest .npy larger than the machine (a sparse file) is
// refused from its header, alone, as W in a folder and as a matrix, with
// the default limit (the machine's memory) and with a given one.
func TestSparseNPY(t *testing.T) {
	dir := t.TempDir()
	// 40000 x 40000 float64: 12.8 GB.
	w := filepath.Join(dir, "W.npy")
	sparseNPY(t, w, 40000)
	const limit = 64 << 20
	for _, c := range []struct {
		what string
		load func() error
	}{
		{"ReadNPYLimit", func() error { _, err := numpy.ReadNPYLimit(w, limit); return err }},
		{"ReadMatrixLimit", func() error { _, err := numpy.ReadMatrixLimit(w, limit); return err }},
		{"LoadNetwork folder", func() error { _, err := LoadNetwork(dir, &LoadOptions{MaxBytes: limit}); return err }},
	} {
		err := refuse(t, c.what, c.load, "shape (40000, 40000) of <f8 needs 12.8 GB, more than the 67.1 MB memory limit")
		if !errors.Is(err, numpy.ErrTooLarge) {
			t.Errorf("%s: %v does not wrap ErrTooLarge", c.what, err)
		}
	}
	// The default limit is the machine's memory: a file just larger is
	// refused.
	total := sysmem.Total()
	if total <= 0 {
		t.Logf("the machine's memory is unknown: no default limit to check")
		return
	}
	n := int64(math.Sqrt(float64(total)/8)) + 1
	big := filepath.Join(t.TempDir(), "W.npy")
	sparseNPY(t, big, n)
	want := "memory limit (the memory of this machine)"
	for _, c := range []struct {
		what string
		load func() error
	}{
		{"ReadNPY", func() error { _, err := numpy.ReadNPY(big); return err }},
		{"ReadMatrix", func() error { _, err := numpy.ReadMatrix(big); return err }},
		{"LoadNetwork", func() error { _, err := LoadNetwork(filepath.Dir(big), nil); return err }},
	} {
		if err := refuse(t, c.what, c.load, want); !errors.Is(err, numpy.ErrTooLarge) {
			t.Errorf("%s: %v does not wrap ErrTooLarge", c.what, err)
		}
	}
}

// TestZipSizeLies: a member whose zip header declares fewer bytes than it
// holds is refused once the declared bytes are read, not inflated whole.
func TestZipSizeLies(t *testing.T) {
	hdr := npytest.RawNPY("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", nil)
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestSpeed)
	crc := crc32.NewIEEE()
	w := io.MultiWriter(fw, crc)
	w.Write(hdr)
	zeros := make([]byte, 1<<20)
	for n := 0; n < bombZeros; n += len(zeros) {
		w.Write(zeros)
	}
	fw.Close()
	claim := uint64(len(hdr) + 32)
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	ew, err := zw.CreateRaw(&zip.FileHeader{Name: "W.npy", Method: zip.Deflate,
		CompressedSize64: uint64(comp.Len()), UncompressedSize64: claim, CRC32: crc.Sum32()})
	if err != nil {
		t.Fatal(err)
	}
	ew.Write(comp.Bytes())
	zw.Close()
	p := filepath.Join(t.TempDir(), "lie.npz")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	comp.Reset()
	refuse(t, "LoadNetwork", func() error { _, err := LoadNetwork(p, nil); return err },
		"key W:", "reading the zip entry: it holds more than the "+strconv.FormatUint(claim, 10)+" bytes its zip header declares")
	// A claim larger than DEFLATE can give is refused from the zip header.
	big := filepath.Join(t.TempDir(), "claim.npz")
	os.WriteFile(big, npytest.RawZip(zip.Deflate, npytest.Deflate(w2), 1<<40), 0o644)
	refuse(t, "claim", func() error { _, err := LoadNetwork(big, nil); return err }, "not a plausible .npy")
}

// TestEscapedKeys: names read from a file reach an error message escaped,
// so that terminal escape codes in a key are printed, not obeyed.
func TestEscapedKeys(t *testing.T) {
	const evil = "\x1b]0;owned\x07\x1b[2J"
	escaped := strings.Trim(strconv.Quote(evil), `"`)
	dir := t.TempDir()
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s: no error", what)
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\x1b\x07") {
			t.Errorf("%s: raw control characters in %q", what, msg)
		}
		if !strings.Contains(msg, escaped) {
			t.Errorf("%s: %q does not hold the key escaped as %s", what, msg, escaped)
		}
	}
	p := filepath.Join(dir, "evil.npz")
	os.WriteFile(p, npytest.ZipOf("W.npy", w2, evil+".npy", []byte("not npy")), 0o644)
	_, err := LoadNetwork(p, nil)
	check("bad member", err)
	os.WriteFile(p, npytest.ZipOf(evil+"weight_hh_l0.npy", w2, "x.weight_hh_l0.npy", w2), 0o644)
	_, err = LoadNetwork(p, nil)
	check("two torch prefixes", err)
	os.WriteFile(p, npytest.ZipOf(evil+"W.npy", w2, evil+"u.npy", npytest.NpyF8("(1,)", 1)), 0o644)
	_, err = LoadNetwork(p, &LoadOptions{KeyPrefix: evil})
	check("u without W_in", err)
	folder := filepath.Join(dir, "net")
	os.Mkdir(folder, 0o755)
	os.WriteFile(filepath.Join(folder, evil+".npy"), []byte("\x93NUMPY\x09"), 0o644)
	_, err = LoadNetwork(folder, nil)
	check("folder", err)

	for _, c := range []struct{ in, want string }{
		{"W", "W"}, {"rnn.weight_hh_l0", "rnn.weight_hh_l0"}, {"a b", "a b"}, {"é", "é"},
		{"", `""`}, {"a\x1bb", `"a\x1bb"`}, {"\xff", `"\xff"`}, {`a"b`, `"a\"b"`}, {`a\b`, `"a\\b"`}, {"a\u00a0b", `"a\u00a0b"`},
	} {
		if got := numpy.QuoteKey(c.in); got != c.want {
			t.Errorf("QuoteKey(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}
