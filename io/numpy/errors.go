package numpy

import "errors"

// FormatError reports bad data in a NumPy file: a malformed .npy header, a
// truncated array, an unsupported dtype, or an array that does not fit the
// network it describes. Its message names the file, the key and the problem.
type FormatError struct {
	File string // the path given to the reader (or the .npy inside a folder)
	Key  string // the array's key (the .npz entry without ".npy"); empty when the whole file is at fault
	Err  error  // what is wrong
}

func (e *FormatError) Error() string {
	s := "numpy: "
	if e.File != "" {
		s += e.File + ": "
	}
	if e.Key != "" {
		s += "key " + e.Key + ": "
	}
	if e.Err == nil {
		return s + "bad format"
	}
	return s + e.Err.Error()
}

// Unwrap returns the underlying error, so that errors.Is(err,
// io.ErrUnexpectedEOF) or errors.Is(err, fs.ErrNotExist) work.
func (e *FormatError) Unwrap() error { return e.Err }

// ErrNotNPZ is wrapped by the error for a file that is not an .npz archive.
var ErrNotNPZ = errors.New("not an .npz archive (a zip of .npy files)")
