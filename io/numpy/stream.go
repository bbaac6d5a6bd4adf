package numpy

import (
	"bufio"
	"io"
	"os"
	"strings"
)

// ReadNPYFrom reads one .npy array from r, with the checks of [ReadNPYLimit]
// except those that need the file's size: the header is read and checked
// first, the array charged to maxBytes (0 means the machine's memory, a
// negative value no limit; a refusal wraps [ErrTooLarge]), and the data then
// streamed into the array. Without a size to check the header against,
// the limit is what bounds a header's claim. r must end where the array
// does: any byte after it is trailing garbage. Errors are *[FormatError] values without a file
// name.
func ReadNPYFrom(r io.Reader, maxBytes int64) (*Array, error) {
	a, err := readNPY(bufio.NewReaderSize(r, chunkBytes), -1, newBudget(maxBytes))
	if err != nil {
		return nil, &FormatError{Err: err}
	}
	return a, nil
}

// ReadNPZFrom reads every array of an .npz archive of size bytes from r,
// sorted by name, as [ReadArrays] reads a file: every member's header is
// read and checked (against the member's size), opts.Check called and every
// array charged to opts.MaxBytes before any data is decoded. opts may be
// nil. Errors are *[FormatError] values naming the key but no file.
func ReadNPZFrom(r io.ReaderAt, size int64, opts *ReadOptions) ([]*Array, error) {
	if opts == nil {
		opts = &ReadOptions{}
	}
	return readNPZ(r, size, "", newBudget(opts.MaxBytes), opts.Check)
}

// Complex128s returns the elements of a complex array, or false.
func (a *Array) Complex128s() ([]complex128, bool) {
	c, ok := a.Data.([]complex128)
	return c, ok
}

// ReadOptions adjust how [ReadArrays] reads the arrays of a file.
type ReadOptions struct {
	// MaxBytes bounds the memory all the decoded arrays may take together,
	// as the maxBytes of [ReadNPZLimit]: 0 means the machine's memory, a
	// negative value no limit. A refusal wraps [ErrTooLarge].
	MaxBytes int64
	// Check, when not nil, is called once every header is read and checked,
	// before any array is charged to MaxBytes or decoded, with arrays that
	// have a Name, Shape, Dtype and Fortran but no Data. An error from it
	// stops the read and is returned as is. A file layout uses it to refuse
	// a wrong-shaped file without reading its data.
	Check func(heads []*Array) error
}

// ReadArrays reads every array of an .npz file, or of a folder of .npy
// files (folder is then true), sorted by name, header first: every header
// is read and checked, opts.Check called and every array charged to
// opts.MaxBytes before any data is decoded. opts may be nil.
func ReadArrays(path string, opts *ReadOptions) (arrays []*Array, folder bool, err error) {
	if opts == nil {
		opts = &ReadOptions{}
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, false, &FormatError{File: path, Err: osErr(err)}
	}
	b := newBudget(opts.MaxBytes)
	if st.IsDir() {
		arrays, err = readFolder(path, b, opts.Check)
		return arrays, true, err
	}
	arrays, err = readNPZFile(path, b, opts.Check)
	return arrays, false, err
}

// IsReal reports whether a holds real numbers (a float, integer or bool
// dtype, read as float64): from its Data, or from its Dtype when it is a
// header without data (see [ReadOptions].Check).
func (a *Array) IsReal() bool {
	if a.Data != nil {
		_, ok := a.Float64s()
		return ok
	}
	d, err := parseDtype(a.Dtype)
	return err == nil && strings.ContainsRune("fiub", rune(d.kind))
}

// IsString reports whether a holds strings, from its Data or, for a header
// without data, its Dtype.
func (a *Array) IsString() bool {
	if a.Data != nil {
		_, ok := a.Strings()
		return ok
	}
	d, err := parseDtype(a.Dtype)
	return err == nil && (d.kind == 'U' || d.kind == 'S')
}
