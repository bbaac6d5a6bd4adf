package numpy

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fpfind/fpfind/internal/atomicfile"
	"gonum.org/v1/gonum/mat"
)

// maxRatio bounds the compression ratio of an .npz entry's claimed size
// (DEFLATE cannot exceed about 1032:1), so that an absurd claim gets a clear
// message at once. It does not stop a real bomb, whose claim is honest: the
// header-first reading does (see readEntries).
const maxRatio = 1100

// ReadNPY reads one .npy file, refusing an array whose decoded size is over
// the machine's memory: it is ReadNPYLimit(path, 0). The returned array's
// Name is empty.
func ReadNPY(path string) (*Array, error) { return ReadNPYLimit(path, 0) }

// ReadNPYLimit reads one .npy file. maxBytes bounds the memory the decoded
// array may take, as [LoadOptions].MaxBytes does: 0 means the machine's
// memory, a negative value no limit. The header is read and checked first,
// against the file's size and the limit; the data is then streamed into the
// array. A refusal for size wraps [ErrTooLarge].
func ReadNPYLimit(path string, maxBytes int64) (*Array, error) {
	f, st, err := openFile(path, ".npy")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := int64(-1) // a pipe or a device: its size is found by reading
	if st.Mode().IsRegular() {
		size = st.Size()
	}
	a, err := readNPY(bufio.NewReaderSize(f, chunkBytes), size, newBudget(maxBytes))
	if err != nil {
		return nil, &FormatError{File: path, Err: osErr(err)}
	}
	return a, nil
}

// readNPY reads one .npy of size bytes (-1 when unknown) from r, charging
// it to b (nil for none).
func readNPY(r io.Reader, size int64, b *budget) (*Array, error) {
	h, err := readHeader(r, size)
	if err != nil {
		return nil, err
	}
	avail := int64(-1)
	if size >= 0 {
		avail = size - h.dataOff
		if err := h.checkSize(avail, true); err != nil {
			return nil, err
		}
	}
	if err := b.take(h); err != nil {
		return nil, err
	}
	return readData(r, h, avail)
}

// ReadNPZ reads every array of an .npz archive, sorted by name, refusing
// arrays whose decoded size together is over the machine's memory: it is
// ReadNPZLimit(path, 0). Entry names lose their ".npy" suffix, as with
// numpy.load.
func ReadNPZ(path string) ([]*Array, error) { return ReadNPZLimit(path, 0) }

// ReadNPZLimit reads every array of an .npz archive, sorted by name.
// maxBytes bounds the memory all the decoded arrays may take together, as
// [LoadOptions].MaxBytes does. Every member's header is read and checked
// (against the member's size and the limit) before any data is decoded.
func ReadNPZLimit(path string, maxBytes int64) ([]*Array, error) {
	return readNPZFile(path, newBudget(maxBytes), nil)
}

func readNPZFile(path string, b *budget, check func([]*Array) error) ([]*Array, error) {
	f, st, err := openFile(path, ".npz")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readNPZ(f, st.Size(), path, b, check)
}

// openFile opens the file at path for reading, with what Stat says of it; a
// folder is refused as not being a kind (".npy" or ".npz") file. Errors are
// [*FormatError]s naming path.
func openFile(path, kind string) (*os.File, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, &FormatError{File: path, Err: osErr(err)}
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, &FormatError{File: path, Err: osErr(err)}
	}
	if st.IsDir() {
		f.Close()
		return nil, nil, &FormatError{File: path, Err: errors.New("is a directory, not an " + kind + " file")}
	}
	return f, st, nil
}

// entry is one .npy to read: an .npz member or a file of a folder.
type entry struct {
	key  string // the array's key
	file string // the path errors name
	// size is the length of the .npy: the file's size, or the size the zip
	// header declares (which the zip reader enforces), or -1 if unknown.
	size int64
	// exact is set when size is a file's own size, so that a shorter
	// array is trailing garbage before anything is read.
	exact bool
	open  func() (io.ReadCloser, error)
	h     *header
}

func (e *entry) fail(err error) error { return &FormatError{File: e.file, Key: e.key, Err: err} }

// readEntries reads the arrays of one file header first: it reads and
// checks every entry's header (against the entry's size), calls check (if
// not nil) with arrays that have a Name, Shape, Dtype and Fortran but no
// Data, charges every array to b, and only then decodes the entries one by
// one, each streamed from a fresh reader.
func readEntries(ents []*entry, b *budget, check func([]*Array) error) (arrays []*Array, err error) {
	heads := make([]*Array, len(ents))
	for i, e := range ents {
		if e.h, err = e.header(); err != nil {
			return nil, e.fail(err)
		}
		heads[i] = &Array{Name: e.key, Shape: e.h.shape, Dtype: e.h.dt.descr, Fortran: e.h.fortran}
	}
	if check != nil {
		if err := check(heads); err != nil {
			return nil, err
		}
	}
	for _, e := range ents {
		if err := b.take(e.h); err != nil {
			return nil, e.fail(err)
		}
	}
	for _, e := range ents {
		a, err := e.read()
		if err != nil {
			return nil, e.fail(err)
		}
		a.Name = e.key
		arrays = append(arrays, a)
	}
	return arrays, nil
}

// exactSize returns the size when it is the file's own, else -1: a zip
// member's header is read through the zip reader, which reports a member
// longer or shorter than its zip header says.
func (e *entry) exactSize() int64 {
	if e.exact {
		return e.size
	}
	return -1
}

// openHeader opens the entry and reads its header; the caller closes the
// reader, positioned at the data.
func (e *entry) openHeader() (io.ReadCloser, *header, error) {
	rc, err := e.open()
	if err != nil {
		return nil, nil, err
	}
	h, err := readHeader(rc, e.exactSize())
	if err != nil {
		rc.Close()
		return nil, nil, err
	}
	return rc, h, nil
}

// header opens the entry and reads its header.
func (e *entry) header() (*header, error) {
	rc, h, err := e.openHeader()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if e.size >= 0 {
		if err := h.checkSize(e.size-h.dataOff, e.exact); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// read opens the entry again and decodes it.
func (e *entry) read() (*Array, error) {
	rc, h, err := e.openHeader()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if !h.sameAs(e.h) {
		return nil, errors.New("the header changed while the file was being read")
	}
	avail := int64(-1)
	if e.size >= 0 {
		avail = e.size - h.dataOff
	}
	return readData(rc, h, avail)
}

// readNPZ reads an .npz archive from r, header first (see readEntries).
func readNPZ(r io.ReaderAt, size int64, path string, b *budget, check func([]*Array) error) (arrays []*Array, err error) {
	var head [6]byte
	n, _ := r.ReadAt(head[:], 0)
	zr, err := zip.NewReader(r, size)
	if err != nil {
		if string(head[:n]) == npyMagic {
			return nil, &FormatError{File: path, Err: fmt.Errorf("is a single .npy array: %w", ErrNotNPZ)}
		}
		return nil, &FormatError{File: path, Err: fmt.Errorf("%w: %v", ErrNotNPZ, err)}
	}
	seen := map[string]bool{}
	var ents []*entry
	for _, zf := range zr.File {
		if strings.HasSuffix(zf.Name, "/") {
			continue // a folder entry
		}
		key, ok := strings.CutSuffix(zf.Name, ".npy")
		if ok && key == "" {
			return nil, &FormatError{File: path, Key: zf.Name, Err: errors.New("entry has an empty name")}
		}
		if strings.IndexByte(zf.Name, 0) >= 0 {
			return nil, &FormatError{File: path, Key: zf.Name, Err: errors.New("entry name holds a NUL byte")}
		}
		if !ok {
			return nil, &FormatError{File: path, Key: zf.Name, Err: fmt.Errorf("entry is not a .npy file: %w", ErrNotNPZ)}
		}
		if seen[key] {
			return nil, &FormatError{File: path, Key: key, Err: errors.New("duplicate entry")}
		}
		seen[key] = true
		if err := checkZipSizes(zf); err != nil {
			return nil, &FormatError{File: path, Key: key, Err: err}
		}
		ents = append(ents, &entry{key: key, file: path, size: zipSize(zf), open: zipOpener(zf)})
	}
	if len(ents) == 0 {
		return nil, &FormatError{File: path, Err: fmt.Errorf("no .npy entries: %w", ErrNotNPZ)}
	}
	if arrays, err = readEntries(ents, b, check); err != nil {
		return nil, err
	}
	slices.SortFunc(arrays, func(a, b *Array) int { return strings.Compare(a.Name, b.Name) })
	return arrays, nil
}

// checkZipSizes refuses sizes in a zip header that no .npy member can have.
func checkZipSizes(zf *zip.File) error {
	if zf.Method == zip.Deflate && zf.UncompressedSize64 > maxRatio*zf.CompressedSize64+1<<16 {
		return fmt.Errorf("entry claims %d bytes from %d compressed: not a plausible .npy", zf.UncompressedSize64, zf.CompressedSize64)
	}
	if zf.Method == zip.Store && zf.UncompressedSize64 != zf.CompressedSize64 {
		return fmt.Errorf("stored entry claims %d bytes but holds %d", zf.UncompressedSize64, zf.CompressedSize64)
	}
	return nil
}

func zipSize(zf *zip.File) int64 {
	if zf.UncompressedSize64 > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(zf.UncompressedSize64)
}

func zipOpener(zf *zip.File) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		rc, err := zf.Open()
		if err != nil {
			return nil, err
		}
		return &zipMember{rc: rc, size: zf.UncompressedSize64}, nil
	}
}

// zipMember reads a zip entry, saying which errors come from the zip layer.
// The zip reader enforces the size in the zip header (more bytes are
// zip.ErrFormat, fewer io.ErrUnexpectedEOF) and checks the CRC at the end.
type zipMember struct {
	rc   io.ReadCloser
	size uint64
}

func (z *zipMember) Read(p []byte) (int, error) {
	n, err := z.rc.Read(p)
	switch {
	case err == nil || err == io.EOF:
	case errors.Is(err, zip.ErrFormat):
		err = fmt.Errorf("reading the zip entry: it holds more than the %d bytes its zip header declares", z.size)
	default:
		err = fmt.Errorf("reading the zip entry: %w", err)
	}
	return n, err
}

func (z *zipMember) Close() error { return z.rc.Close() }

// readFolder reads every *.npy file of a folder, sorted by name, header
// first (see readEntries).
func readFolder(dir string, b *budget, check func([]*Array) error) ([]*Array, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, &FormatError{File: dir, Err: osErr(err)}
	}
	var es []*entry
	for _, e := range ents {
		key, ok := strings.CutSuffix(e.Name(), ".npy")
		if !ok || e.IsDir() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		en := &entry{key: key, file: p, size: -1}
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() {
			en.size, en.exact = info.Size(), true
		}
		en.open = func() (io.ReadCloser, error) {
			f, err := os.Open(p)
			if err != nil {
				return nil, osErr(err)
			}
			return struct {
				io.Reader
				io.Closer
			}{bufio.NewReaderSize(f, chunkBytes), f}, nil
		}
		es = append(es, en)
	}
	if len(es) == 0 {
		return nil, &FormatError{File: dir, Err: errors.New("folder holds no .npy files")}
	}
	return readEntries(es, b, check)
}

// ReadMatrix reads a 2-d numeric .npy file, such as an (I x N) array of
// initial states, into a matrix: it is ReadMatrixLimit(path, 0). A 1-d
// array of length N is read as one row.
func ReadMatrix(path string) (*mat.Dense, error) { return ReadMatrixLimit(path, 0) }

// ReadMatrixLimit is [ReadMatrix] with maxBytes bounding the memory of the
// decoded matrix, as [LoadOptions].MaxBytes does: 0 means the machine's
// memory, a negative value no limit. A matrix over the limit is refused from
// its header, with an error wrapping [ErrTooLarge].
func ReadMatrixLimit(path string, maxBytes int64) (*mat.Dense, error) {
	a, err := ReadNPYLimit(path, maxBytes)
	if err != nil {
		return nil, err
	}
	f, ok := a.Float64s()
	if !ok {
		return nil, &FormatError{File: path, Err: fmt.Errorf("dtype %s is not real numeric", a.Dtype)}
	}
	var r, c int
	switch len(a.Shape) {
	case 1:
		r, c = 1, a.Shape[0]
	case 2:
		r, c = a.Shape[0], a.Shape[1]
	default:
		return nil, &FormatError{File: path, Err: fmt.Errorf("shape %s is not 2-d", pyShape(a.Shape))}
	}
	if r == 0 || c == 0 {
		return nil, &FormatError{File: path, Err: fmt.Errorf("shape %s is empty", pyShape(a.Shape))}
	}
	if i, bad := nonFinite(f); bad {
		return nil, &FormatError{File: path, Err: fmt.Errorf("non-finite value %v at [%d, %d]", f[i], i/c, i%c)}
	}
	return mat.NewDense(r, c, f), nil
}

// WriteNPY writes one array (its Name is ignored) to a .npy file,
// atomically: see [WriteNPZ].
func WriteNPY(path string, a Array) error {
	b, err := encodeNPY(&a)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, true, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// WriteNPYTo writes one array (its Name is ignored) to w in the .npy format.
func WriteNPYTo(w io.Writer, a Array) error {
	b, err := encodeNPY(&a)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// WriteNPZ writes the arrays to an .npz file as [WriteNPZTo] does.
//
// The write is atomic: the archive goes to a temporary file in the target
// folder, which is renamed over path only when complete. On any error the
// temporary file is removed and an existing file at path is left untouched.
func WriteNPZ(path string, arrays []Array) error {
	sorted, err := sortArrays(arrays)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, true, func(w io.Writer) error { return writeNPZTo(w, sorted) })
}

// WriteNPZTo writes the arrays to w as an uncompressed .npz archive (as
// numpy.savez does), in order of name, with a fixed time stamp so that the
// same arrays give the same bytes. The names and shapes are checked before
// anything is written.
func WriteNPZTo(w io.Writer, arrays []Array) error {
	sorted, err := sortArrays(arrays)
	if err != nil {
		return err
	}
	return writeNPZTo(w, sorted)
}

// sortArrays checks the names and shapes of arrays and returns them sorted
// by name.
func sortArrays(arrays []Array) ([]*Array, error) {
	sorted := make([]*Array, len(arrays))
	for i := range arrays {
		sorted[i] = &arrays[i]
	}
	slices.SortStableFunc(sorted, func(a, b *Array) int { return strings.Compare(a.Name, b.Name) })
	for i, a := range sorted {
		if a.Name == "" || strings.IndexByte(a.Name, 0) >= 0 {
			return nil, fmt.Errorf("numpy: bad array name %q", a.Name)
		}
		if i > 0 && sorted[i-1].Name == a.Name {
			return nil, fmt.Errorf("numpy: duplicate array name %q", a.Name)
		}
		if _, err := checkShape(a); err != nil {
			return nil, err
		}
	}
	return sorted, nil
}

// writeNPZTo writes sorted arrays to w as an uncompressed .npz.
func writeNPZTo(w io.Writer, sorted []*Array) error {
	zw := zip.NewWriter(w)
	for _, a := range sorted {
		b, err := encodeNPY(a)
		if err != nil {
			return err
		}
		ew, err := zw.CreateHeader(&zip.FileHeader{Name: a.Name + ".npy", Method: zip.Store})
		if err != nil {
			return err
		}
		if _, err := ew.Write(b); err != nil {
			return err
		}
	}
	return zw.Close()
}

// osErr drops the path an *fs.PathError repeats (the FormatError names the
// file already), keeping errors.Is(err, fs.ErrNotExist) working.
func osErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// nonFinite returns the index of the first NaN or infinity of f.
func nonFinite(f []float64) (int, bool) {
	for i, v := range f {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return i, true
		}
	}
	return 0, false
}
