package numpy

import (
	"bytes"

	"github.com/fpfind/fpfind/internal/npytest"
)

var w2 = npytest.NpyF8("(2, 2)", 1, 2, 3, 4)

// badHeaders are .npy files with malformed headers, each with a word its
// error must hold.
func badHeaders() []struct {
	name string
	b    []byte
	want string
} {
	d := npytest.F8(1, 2)
	v := func(dict string) []byte { return npytest.RawNPY(dict, d) }
	long := []byte("\x93NUMPY\x02\x00\xff\xff\xff\x7f{")
	return []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "unexpected EOF"},
		{"short magic", []byte("\x93NUM"), "unexpected EOF"},
		{"bad magic", []byte("\x93NUMPZ\x01\x00\x00\x00"), "bad magic"},
		{"version 4", []byte("\x93NUMPY\x04\x00\x00\x00"), "version 4.0"},
		{"minor version", []byte("\x93NUMPY\x01\x05\x00\x00"), "version 1.5"},
		{"header too long", long, "exceeds the limit"},
		{"header past end", []byte("\x93NUMPY\x01\x00\xff\x00{'descr'"), "unexpected EOF"},
		{"no newline", append([]byte("\x93NUMPY\x01\x00\x03\x00{} "), d...), "newline"},
		{"not a dict", v("['descr', '<f8']"), "want '{'"},
		{"missing shape", v("{'descr': '<f8', 'fortran_order': False}"), "missing key \"shape\""},
		{"extra key", v("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'x': 1}"), "unexpected key"},
		{"duplicate key", v("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2,)}"), "duplicate key"},
		{"negative dim", v("{'descr': '<f8', 'fortran_order': False, 'shape': (-2,)}"), "negative dimension"},
		{"1-d without comma", v("{'descr': '<f8', 'fortran_order': False, 'shape': (2)}"), "trailing comma"},
		{"bad order", v("{'descr': '<f8', 'fortran_order': maybe, 'shape': (2,)}"), "True or False"},
		{"float16", v("{'descr': '<f2', 'fortran_order': False, 'shape': (8,)}"), "f4 or f8"},
		{"object", v("{'descr': '|O', 'fortran_order': False, 'shape': (2,)}"), "unsupported dtype \"|O\": object arrays (pickled Python objects) are not supported"},
		{"object, no byte order", v("{'descr': 'O', 'fortran_order': False, 'shape': (2,)}"), "object arrays"},
		{"object, item size", v("{'descr': '<O8', 'fortran_order': False, 'shape': (2,)}"), "np.asarray(x, dtype=float)"},
		{"structured", v("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,)}"), "structured"},
		{"text after dict", v("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)} x"), "after the closing"},
		{"huge shape", v("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,)}"), "more than the 16 bytes"},
		{"overflowing shape", v("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296)}"), "unexpected EOF"},
		{"too few bytes", v("{'descr': '<f8', 'fortran_order': False, 'shape': (3,)}"), "unexpected EOF"},
		{"too many bytes", v("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)}"), "trailing garbage"},
		{"zero-size items", v("{'descr': '<U0', 'fortran_order': False, 'shape': (1000000000000,)}"), "bad item size"},
		{"bad bool", npytest.RawNPY("{'descr': '|b1', 'fortran_order': False, 'shape': (1,)}", []byte{7}), "bool element"},
		{"bad code point", npytest.RawNPY("{'descr': '<U1', 'fortran_order': False, 'shape': (1,)}", []byte{0, 0, 0x20, 0}), "invalid code point"},
		{"non-ASCII header", v("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), '\xff': 1}"), "non-ASCII"},
	}
}

// decodeNPY decodes a whole .npy file held in b, with no memory limit.
func decodeNPY(b []byte) (*Array, error) {
	return readNPY(bytes.NewReader(b), int64(len(b)), nil)
}
