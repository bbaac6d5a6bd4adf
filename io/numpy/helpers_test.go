package numpy

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// rawNPY builds a version 1.0 .npy file by hand from a header dict and data,
// independently of encodeNPY.
func rawNPY(dict string, data []byte) []byte {
	h := dict + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(h)))
	b.WriteString(h)
	b.Write(data)
	return b.Bytes()
}

// f8 encodes little-endian float64s.
func f8(v ...float64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return b
}

// npyF8 is a C-order '<f8' array of the given shape.
func npyF8(shape string, v ...float64) []byte {
	return rawNPY(fmt.Sprintf("{'descr': '<f8', 'fortran_order': False, 'shape': %s, }", shape), f8(v...))
}

// npyStr is a 0-d '<U' string array.
func npyStr(s string) []byte {
	var d []byte
	for _, r := range s {
		d = binary.LittleEndian.AppendUint32(d, uint32(r))
	}
	return rawNPY(fmt.Sprintf("{'descr': '<U%d', 'fortran_order': False, 'shape': (), }", len([]rune(s))), d)
}

// zipOf builds a zip archive of the named entries, in the given order.
func zipOf(entries ...any) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i < len(entries); i += 2 {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: entries[i].(string), Method: zip.Store})
		if err != nil {
			panic(err)
		}
		w.Write(entries[i+1].([]byte))
	}
	zw.Close()
	return b.Bytes()
}

// rawZip builds a zip whose one entry W.npy has the given method, bytes (as
// stored) and a claimed uncompressed size, which may lie.
func rawZip(method uint16, stored []byte, claim uint64) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "W.npy", Method: method,
		CompressedSize64: uint64(len(stored)), UncompressedSize64: claim, CRC32: crc32.ChecksumIEEE(stored)})
	if err != nil {
		panic(err)
	}
	w.Write(stored)
	zw.Close()
	return b.Bytes()
}

// deflate compresses b.
func deflate(b []byte) []byte {
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.BestCompression)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

// badCase is a hand-made bad input: the file's bytes (an .npz unless dir is
// set, in which case files are the .npy files of a folder), the key the
// error must name and words it must hold.
type badCase struct {
	name  string
	npz   []byte
	files map[string][]byte
	key   string
	want  []string
}

var w2 = npyF8("(2, 2)", 1, 2, 3, 4)

// badCases lists every bad input of the issue, each with the error it must
// produce.
func badCases() []badCase {
	huge := rawNPY("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }", make([]byte, 1000))
	truncated := w2[:len(w2)-5]
	garbage := append(append([]byte(nil), w2...), "garbage"...)
	return []badCase{
		{name: "missing W", npz: zipOf("b.npy", npyF8("(2,)", 1, 2)), key: "W", want: []string{"missing"}},
		{name: "non-square W", npz: zipOf("W.npy", npyF8("(2, 3)", 1, 2, 3, 4, 5, 6)), key: "W", want: []string{"not square", "(2, 3)"}},
		{name: "1-d W", npz: zipOf("W.npy", npyF8("(4,)", 1, 2, 3, 4)), key: "W", want: []string{"not 2-d"}},
		{name: "b too short", npz: zipOf("W.npy", w2, "b.npy", npyF8("(3,)", 1, 2, 3)), key: "b", want: []string{"(3,)", "N = 2"}},
		{name: "W_in rows", npz: zipOf("W.npy", w2, "W_in.npy", npyF8("(3, 1)", 1, 2, 3)), key: "W_in", want: []string{"(3, 1)", "N = 2"}},
		{name: "u without W_in", npz: zipOf("W.npy", w2, "u.npy", npyF8("(1,)", 1)), key: "u", want: []string{"without input weights"}},
		{name: "u length", npz: zipOf("W.npy", w2, "W_in.npy", npyF8("(2, 1)", 1, 2), "u.npy", npyF8("(2,)", 1, 2)), key: "u", want: []string{"M = 1"}},
		{name: "tau shape", npz: zipOf("W.npy", w2, "tau.npy", npyF8("(3,)", 1, 2, 3)), key: "tau", want: []string{"(3,)", "N = 2"}},
		{name: "NaN in W", npz: zipOf("W.npy", npyF8("(2, 2)", 1, math.NaN(), 3, 4)), key: "W", want: []string{"NaN", "[0, 1]"}},
		{name: "Inf in b", npz: zipOf("W.npy", w2, "b.npy", npyF8("(2,)", 1, math.Inf(-1))), key: "b", want: []string{"-Inf", "[1]"}},
		{name: "tau zero", npz: zipOf("W.npy", w2, "tau.npy", npyF8("()", 0)), key: "tau", want: []string{"> 0"}},
		{name: "tau negative", npz: zipOf("W.npy", w2, "tau.npy", npyF8("(2,)", 1, -2)), key: "tau", want: []string{"-2", "> 0"}},
		{name: "unknown activation", npz: zipOf("W.npy", w2, "activation.npy", npyStr("tahn")), key: "activation", want: []string{"unknown activation", "tahn"}},
		{name: "unknown convention", npz: zipOf("W.npy", w2, "convention.npy", npyStr("euler")), key: "convention", want: []string{"unknown convention", "euler"}},
		{name: "activation not a string", npz: zipOf("W.npy", w2, "activation.npy", npyF8("()", 1)), key: "activation", want: []string{"not a string"}},
		{name: "leaky without alpha", npz: zipOf("W.npy", w2, "convention.npy", npyStr("leaky")), key: "alpha", want: []string{"missing", "leaky"}},
		{name: "alpha out of range", npz: zipOf("W.npy", w2, "convention.npy", npyStr("leaky"), "alpha.npy", npyF8("()", 1.5)), key: "alpha", want: []string{"1.5", "(0, 1]"}},
		{name: "alpha without leaky", npz: zipOf("W.npy", w2, "alpha.npy", npyF8("()", 0.1)), key: "alpha", want: []string{"leaky only"}},
		{name: "truncated", npz: zipOf("W.npy", truncated), key: "W", want: []string{"unexpected EOF"}},
		{name: "huge claimed shape", npz: zipOf("W.npy", huge), key: "W", want: []string{"(1000000, 1000000)", "unexpected EOF"}},
		{name: "trailing garbage", npz: zipOf("W.npy", garbage), key: "W", want: []string{"7 bytes of trailing garbage"}},
		{name: "zip bomb claim", npz: rawZip(zip.Deflate, deflate(w2), 1e12), key: "W", want: []string{"not a plausible .npy"}},
		{name: "zip entry longer than claimed", npz: rawZip(zip.Deflate, deflate(w2), 20), key: "W", want: []string{"reading the zip entry"}},
		{name: "zip entry shorter than claimed", npz: rawZip(zip.Deflate, deflate(w2), 2000), key: "W", want: []string{"unexpected EOF"}},
		{name: "stored entry size mismatch", npz: rawZip(zip.Store, w2, 1e9), key: "W", want: []string{"stored entry claims"}},
		{name: "zip that is not an npz", npz: zipOf("readme.txt", []byte("hello")), key: "readme.txt", want: []string{"not a .npy file", "not an .npz"}},
		{name: "empty zip", npz: zipOf(), want: []string{"no .npy entries"}},
		{name: "plain text named npz", npz: []byte("W = [[1, 2], [3, 4]]\n"), want: []string{"not an .npz"}},
		{name: "npy named npz", npz: w2, want: []string{"single .npy", "not an .npz"}},
		{name: "string W", npz: zipOf("W.npy", npyStr("ab")), key: "W", want: []string{"<U2", "not a real number"}},
		{name: "torch two layers", npz: zipOf("rnn.weight_hh_l0.npy", w2, "rnn.weight_hh_l1.npy", w2), key: "rnn.weight_hh_l1", want: []string{"stacked"}},
		{name: "torch bias shape", npz: zipOf("rnn.weight_hh_l0.npy", w2, "rnn.bias_hh_l0.npy", npyF8("(3,)", 1, 2, 3)), key: "rnn.bias_hh_l0", want: []string{"hidden size N = 2"}},
		{name: "alpha zero", npz: zipOf("W.npy", w2, "convention.npy", npyStr("leaky"), "alpha.npy", npyF8("()", 0)), key: "alpha", want: []string{"alpha = 0 is not in (0, 1]"}},
		{name: "object dtype", npz: zipOf("W.npy", rawNPY("{'descr': '|O', 'fortran_order': False, 'shape': (2, 2), }", []byte("\x80\x04pickle"))), key: "W", want: []string{"object arrays (pickled Python objects) are not supported", "np.asarray(x, dtype=float)"}},
		{name: "torch GRU", npz: zipOf("rnn.weight_hh_l0.npy", npyF8("(6, 2)", make([]float64, 12)...), "rnn.weight_ih_l0.npy", npyF8("(6, 1)", make([]float64, 6)...)), key: "rnn.weight_hh_l0", want: []string{"(6, 2)", "GRU cell of hidden size 2", "nn.RNN (Elman)", "GRU and LSTM cells are not supported"}},
		{name: "torch LSTM", npz: zipOf("lstm.weight_hh_l0.npy", npyF8("(8, 2)", make([]float64, 16)...)), key: "lstm.weight_hh_l0", want: []string{"(8, 2)", "LSTM cell of hidden size 2", "not supported"}},
		{name: "torch LSTM with projections", npz: zipOf("weight_hh_l0.npy", npyF8("(4, 1)", 1, 2, 3, 4), "weight_hr_l0.npy", npyF8("(1, 1)", 1)), key: "weight_hr_l0", want: []string{"LSTM with projections", "not supported"}},
		{name: "torch GRU, two layers", npz: zipOf("weight_hh_l0.npy", npyF8("(3, 1)", 1, 2, 3), "weight_hh_l1.npy", npyF8("(3, 1)", 1, 2, 3)), key: "weight_hh_l0", want: []string{"GRU"}},
		{name: "folder: bad header", files: map[string][]byte{"W.npy": []byte("\x93NUMPY\x01\x00\x05\x00{'d'\n")}, key: "W", want: []string{"bad header"}},
		{name: "folder: no npy", files: map[string][]byte{"notes.txt": []byte("x")}, want: []string{"no .npy files"}},
	}
}

// badHeaders are .npy files with malformed headers, each with a word its
// error must hold.
func badHeaders() []struct {
	name string
	b    []byte
	want string
} {
	d := f8(1, 2)
	v := func(dict string) []byte { return rawNPY(dict, d) }
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
		{"bad bool", rawNPY("{'descr': '|b1', 'fortran_order': False, 'shape': (1,)}", []byte{7}), "bool element"},
		{"bad code point", rawNPY("{'descr': '<U1', 'fortran_order': False, 'shape': (1,)}", []byte{0, 0, 0x20, 0}), "invalid code point"},
		{"non-ASCII header", v("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), '\xff': 1}"), "non-ASCII"},
	}
}

func containsAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

func w2mat() *mat.Dense { return mat.NewDense(2, 2, []float64{1, 2, 3, 4}) }

// decodeNPY decodes a whole .npy file held in b, with no memory limit.
func decodeNPY(b []byte) (*Array, error) {
	return readNPY(bytes.NewReader(b), int64(len(b)), nil)
}
