package numpy

import (
	"errors"
	"strconv"
	"strings"
	"unicode"
)

// FormatError reports bad data in a NumPy file: a malformed .npy header, a
// truncated array, an unsupported dtype, an array too large for the memory
// limit, or an array that does not fit the network it describes. Its message
// names the file, the key and the problem.
//
// The file and key are printed as they are when every character is
// printable, and quoted with Go escapes (as strconv.Quote does) otherwise, so
// that a key holding terminal escape codes cannot reach a terminal through
// an error message.
type FormatError struct {
	File string // the path given to the reader (or the .npy inside a folder)
	Key  string // the array's key (the .npz entry without ".npy"); empty when the whole file is at fault
	Err  error  // what is wrong
}

func (e *FormatError) Error() string {
	s := "numpy: "
	if e.File != "" {
		s += QuoteKey(e.File) + ": "
	}
	if e.Key != "" {
		s += "key " + QuoteKey(e.Key) + ": "
	}
	if e.Err == nil {
		return s + "bad format"
	}
	return s + e.Err.Error()
}

// Unwrap returns the underlying error, so that errors.Is(err,
// io.ErrUnexpectedEOF), errors.Is(err, fs.ErrNotExist) or errors.Is(err,
// ErrTooLarge) work.
func (e *FormatError) Unwrap() error { return e.Err }

// ErrNotNPZ is wrapped by the error for a file that is not an .npz archive.
var ErrNotNPZ = errors.New("not an .npz archive (a zip of .npy files)")

// ErrTooLarge is wrapped by the error for an array, or the arrays of a file
// together, whose decoded size is over the memory limit (see
// [LoadOptions].MaxBytes). The refusal comes from the .npy headers, before
// the data is read.
var ErrTooLarge = errors.New("arrays too large for the memory limit")

// tooLargeError is the message of a refusal for size; it matches
// ErrTooLarge with errors.Is.
type tooLargeError struct{ msg string }

func (e *tooLargeError) Error() string        { return e.msg }
func (e *tooLargeError) Is(target error) bool { return target == ErrTooLarge }

// QuoteKey returns s as it is when it is non-empty and every character is
// printable (spaces included) and neither a quote nor a backslash, and
// strconv.Quote(s) otherwise. Names read from a file (keys, file names in a
// folder) go through it before they are printed.
func QuoteKey(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return r == '"' || r == '\\' || r == unicode.ReplacementChar || !strconv.IsPrint(r)
	}) {
		return s
	}
	return strconv.Quote(s)
}
