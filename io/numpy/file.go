package numpy

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// maxRatio bounds the compression ratio of an .npz entry (DEFLATE cannot
// exceed about 1032:1), so that a small archive cannot make the reader
// allocate a huge buffer.
const maxRatio = 1100

// ReadNPY reads one .npy file. The returned array's Name is empty.
func ReadNPY(path string) (*Array, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &FormatError{File: path, Err: osErr(err)}
	}
	a, err := decodeNPY(b)
	if err != nil {
		return nil, &FormatError{File: path, Err: osErr(err)}
	}
	return a, nil
}

// ReadNPZ reads every array of an .npz archive, sorted by name. Entry names
// lose their ".npy" suffix, as with numpy.load.
func ReadNPZ(path string) ([]*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &FormatError{File: path, Err: osErr(err)}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &FormatError{File: path, Err: osErr(err)}
	}
	if st.IsDir() {
		return nil, &FormatError{File: path, Err: errors.New("is a directory, not an .npz file")}
	}
	return readNPZ(f, st.Size(), path)
}

// readNPZ reads an .npz archive from r. Any panic becomes an error.
func readNPZ(r io.ReaderAt, size int64, path string) (arrays []*Array, err error) {
	defer func() {
		if p := recover(); p != nil {
			arrays, err = nil, &FormatError{File: path, Err: fmt.Errorf("internal error reading .npz: %v", p)}
		}
	}()
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
	for _, zf := range zr.File {
		if strings.HasSuffix(zf.Name, "/") {
			continue // a folder entry
		}
		key, ok := strings.CutSuffix(zf.Name, ".npy")
		if ok && key == "" {
			return nil, &FormatError{File: path, Key: zf.Name, Err: errors.New("entry has an empty name")}
		}
		if strings.IndexByte(zf.Name, 0) >= 0 {
			return nil, &FormatError{File: path, Key: fmt.Sprintf("%q", zf.Name), Err: errors.New("entry name holds a NUL byte")}
		}
		if !ok {
			return nil, &FormatError{File: path, Key: zf.Name, Err: fmt.Errorf("entry is not a .npy file: %w", ErrNotNPZ)}
		}
		if seen[key] {
			return nil, &FormatError{File: path, Key: key, Err: errors.New("duplicate entry")}
		}
		seen[key] = true
		a, err := readEntry(zf)
		if err != nil {
			return nil, &FormatError{File: path, Key: key, Err: err}
		}
		a.Name = key
		arrays = append(arrays, a)
	}
	if len(arrays) == 0 {
		return nil, &FormatError{File: path, Err: fmt.Errorf("no .npy entries: %w", ErrNotNPZ)}
	}
	slices.SortFunc(arrays, func(a, b *Array) int { return strings.Compare(a.Name, b.Name) })
	return arrays, nil
}

func readEntry(zf *zip.File) (*Array, error) {
	if zf.Method == zip.Deflate && zf.UncompressedSize64 > maxRatio*zf.CompressedSize64+1<<16 {
		return nil, fmt.Errorf("entry claims %d bytes from %d compressed: not a plausible .npy", zf.UncompressedSize64, zf.CompressedSize64)
	}
	if zf.Method == zip.Store && zf.UncompressedSize64 != zf.CompressedSize64 {
		return nil, fmt.Errorf("stored entry claims %d bytes but holds %d", zf.UncompressedSize64, zf.CompressedSize64)
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	// io.ReadAll grows its buffer as bytes arrive: a false size costs nothing.
	b, err := io.ReadAll(io.LimitReader(rc, int64(zf.UncompressedSize64)+1))
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("reading the zip entry: %w", err)
	}
	if uint64(len(b)) != zf.UncompressedSize64 {
		return nil, fmt.Errorf("zip entry holds %d bytes, its header says %d", len(b), zf.UncompressedSize64)
	}
	return decodeNPY(b)
}

// readFolder reads every *.npy file of a folder, sorted by name.
func readFolder(dir string) ([]*Array, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, &FormatError{File: dir, Err: osErr(err)}
	}
	var arrays []*Array
	for _, e := range ents {
		key, ok := strings.CutSuffix(e.Name(), ".npy")
		if !ok || e.IsDir() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		a, err := ReadNPY(p)
		if err != nil {
			var fe *FormatError
			if errors.As(err, &fe) {
				fe.Key = key
			}
			return nil, err
		}
		a.Name = key
		arrays = append(arrays, a)
	}
	if len(arrays) == 0 {
		return nil, &FormatError{File: dir, Err: errors.New("folder holds no .npy files")}
	}
	return arrays, nil
}

// ReadMatrix reads a 2-d numeric .npy file, such as an (I x N) array of
// initial states, into a matrix. A 1-d array of length N is read as one row.
func ReadMatrix(path string) (*mat.Dense, error) {
	a, err := ReadNPY(path)
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
	return writeAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// WriteNPZ writes the arrays to an uncompressed .npz archive (as
// numpy.savez does), in order of name, with a fixed time stamp so that the
// same arrays give the same bytes.
//
// The write is atomic: the archive goes to a temporary file in the target
// folder, which is renamed over path only when complete. On any error the
// temporary file is removed and an existing file at path is left untouched.
func WriteNPZ(path string, arrays []Array) error {
	sorted := make([]*Array, len(arrays))
	for i := range arrays {
		sorted[i] = &arrays[i]
	}
	slices.SortStableFunc(sorted, func(a, b *Array) int { return strings.Compare(a.Name, b.Name) })
	for i, a := range sorted {
		if a.Name == "" || strings.IndexByte(a.Name, 0) >= 0 {
			return fmt.Errorf("numpy: bad array name %q", a.Name)
		}
		if i > 0 && sorted[i-1].Name == a.Name {
			return fmt.Errorf("numpy: duplicate array name %q", a.Name)
		}
		if _, err := checkShape(a); err != nil {
			return err
		}
	}
	return writeAtomic(path, func(w io.Writer) error {
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
	})
}

// writeAtomic writes through fill into a temporary file next to path, then
// renames it to path.
func writeAtomic(path string, fill func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if st, e := os.Stat(path); e == nil && st.IsDir() {
		return fmt.Errorf("numpy: %s is a directory", path)
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("numpy: %w", err)
	}
	name := tmp.Name()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(name)
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<16)
	if err = fill(bw); err != nil {
		return fmt.Errorf("numpy: writing %s: %w", path, err)
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("numpy: writing %s: %w", path, err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("numpy: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("numpy: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("numpy: %w", err)
	}
	if err = os.Rename(name, path); err != nil {
		return fmt.Errorf("numpy: %w", err)
	}
	return nil
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
