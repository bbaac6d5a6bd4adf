package netfile

import (
	"archive/zip"
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/npytest"
	"github.com/fpfind/fpfind/io/numpy"
	"gonum.org/v1/gonum/mat"
)

var w2 = npytest.NpyF8("(2, 2)", 1, 2, 3, 4)

func containsAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// npzBytes is WriteNPZ into memory.
func npzBytes(t *testing.T, arrays []numpy.Array) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := numpy.WriteNPZTo(&b, arrays); err != nil {
		t.Fatalf("WriteNPZ: %v", err)
	}
	return b.Bytes()
}

// sameArray compares name, shape, dtype and data bit for bit, through
// their encodings.
func sameArray(t *testing.T, a, b *numpy.Array) bool {
	var x, y bytes.Buffer
	if err := numpy.WriteNPYTo(&x, *a); err != nil {
		t.Fatal(err)
	}
	if err := numpy.WriteNPYTo(&y, *b); err != nil {
		t.Fatal(err)
	}
	return a.Name == b.Name && bytes.Equal(x.Bytes(), y.Bytes())
}

// sameNetwork compares every parameter bit for bit, through the arrays of
// their files.
func sameNetwork(t *testing.T, a, b *dynamics.Network) bool {
	return bytes.Equal(npzBytes(t, NetworkArrays(a)), npzBytes(t, NetworkArrays(b))) && a.Alpha() == b.Alpha()
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

// badCases lists every bad input of the issue, each with the error it must
// produce.
func badCases() []badCase {
	huge := npytest.RawNPY("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }", make([]byte, 1000))
	truncated := w2[:len(w2)-5]
	garbage := append(append([]byte(nil), w2...), "garbage"...)
	return []badCase{
		{name: "missing W", npz: npytest.ZipOf("b.npy", npytest.NpyF8("(2,)", 1, 2)), key: "W", want: []string{"missing"}},
		{name: "non-square W", npz: npytest.ZipOf("W.npy", npytest.NpyF8("(2, 3)", 1, 2, 3, 4, 5, 6)), key: "W", want: []string{"not square", "(2, 3)"}},
		{name: "1-d W", npz: npytest.ZipOf("W.npy", npytest.NpyF8("(4,)", 1, 2, 3, 4)), key: "W", want: []string{"not 2-d"}},
		{name: "b too short", npz: npytest.ZipOf("W.npy", w2, "b.npy", npytest.NpyF8("(3,)", 1, 2, 3)), key: "b", want: []string{"(3,)", "N = 2"}},
		{name: "W_in rows", npz: npytest.ZipOf("W.npy", w2, "W_in.npy", npytest.NpyF8("(3, 1)", 1, 2, 3)), key: "W_in", want: []string{"(3, 1)", "N = 2"}},
		{name: "u without W_in", npz: npytest.ZipOf("W.npy", w2, "u.npy", npytest.NpyF8("(1,)", 1)), key: "u", want: []string{"without input weights"}},
		{name: "u length", npz: npytest.ZipOf("W.npy", w2, "W_in.npy", npytest.NpyF8("(2, 1)", 1, 2), "u.npy", npytest.NpyF8("(2,)", 1, 2)), key: "u", want: []string{"M = 1"}},
		{name: "tau shape", npz: npytest.ZipOf("W.npy", w2, "tau.npy", npytest.NpyF8("(3,)", 1, 2, 3)), key: "tau", want: []string{"(3,)", "N = 2"}},
		{name: "NaN in W", npz: npytest.ZipOf("W.npy", npytest.NpyF8("(2, 2)", 1, math.NaN(), 3, 4)), key: "W", want: []string{"NaN", "[0, 1]"}},
		{name: "Inf in b", npz: npytest.ZipOf("W.npy", w2, "b.npy", npytest.NpyF8("(2,)", 1, math.Inf(-1))), key: "b", want: []string{"-Inf", "[1]"}},
		{name: "tau zero", npz: npytest.ZipOf("W.npy", w2, "tau.npy", npytest.NpyF8("()", 0)), key: "tau", want: []string{"> 0"}},
		{name: "tau negative", npz: npytest.ZipOf("W.npy", w2, "tau.npy", npytest.NpyF8("(2,)", 1, -2)), key: "tau", want: []string{"-2", "> 0"}},
		{name: "unknown activation", npz: npytest.ZipOf("W.npy", w2, "activation.npy", npytest.NpyStr("tahn")), key: "activation", want: []string{"unknown activation", "tahn"}},
		{name: "unknown convention", npz: npytest.ZipOf("W.npy", w2, "convention.npy", npytest.NpyStr("euler")), key: "convention", want: []string{"unknown convention", "euler"}},
		{name: "activation not a string", npz: npytest.ZipOf("W.npy", w2, "activation.npy", npytest.NpyF8("()", 1)), key: "activation", want: []string{"not a string"}},
		{name: "leaky without alpha", npz: npytest.ZipOf("W.npy", w2, "convention.npy", npytest.NpyStr("leaky")), key: "alpha", want: []string{"missing", "leaky"}},
		{name: "alpha out of range", npz: npytest.ZipOf("W.npy", w2, "convention.npy", npytest.NpyStr("leaky"), "alpha.npy", npytest.NpyF8("()", 1.5)), key: "alpha", want: []string{"1.5", "(0, 1]"}},
		{name: "alpha without leaky", npz: npytest.ZipOf("W.npy", w2, "alpha.npy", npytest.NpyF8("()", 0.1)), key: "alpha", want: []string{"leaky only"}},
		{name: "truncated", npz: npytest.ZipOf("W.npy", truncated), key: "W", want: []string{"unexpected EOF"}},
		{name: "huge claimed shape", npz: npytest.ZipOf("W.npy", huge), key: "W", want: []string{"(1000000, 1000000)", "unexpected EOF"}},
		{name: "trailing garbage", npz: npytest.ZipOf("W.npy", garbage), key: "W", want: []string{"7 bytes of trailing garbage"}},
		{name: "zip bomb claim", npz: npytest.RawZip(zip.Deflate, npytest.Deflate(w2), 1e12), key: "W", want: []string{"not a plausible .npy"}},
		{name: "zip entry longer than claimed", npz: npytest.RawZip(zip.Deflate, npytest.Deflate(w2), 20), key: "W", want: []string{"reading the zip entry"}},
		{name: "zip entry shorter than claimed", npz: npytest.RawZip(zip.Deflate, npytest.Deflate(w2), 2000), key: "W", want: []string{"unexpected EOF"}},
		{name: "stored entry size mismatch", npz: npytest.RawZip(zip.Store, w2, 1e9), key: "W", want: []string{"stored entry claims"}},
		{name: "zip that is not an npz", npz: npytest.ZipOf("readme.txt", []byte("hello")), key: "readme.txt", want: []string{"not a .npy file", "not an .npz"}},
		{name: "empty zip", npz: npytest.ZipOf(), want: []string{"no .npy entries"}},
		{name: "plain text named npz", npz: []byte("W = [[1, 2], [3, 4]]\n"), want: []string{"not an .npz"}},
		{name: "npy named npz", npz: w2, want: []string{"single .npy", "not an .npz"}},
		{name: "string W", npz: npytest.ZipOf("W.npy", npytest.NpyStr("ab")), key: "W", want: []string{"<U2", "not a real number"}},
		{name: "torch two layers", npz: npytest.ZipOf("rnn.weight_hh_l0.npy", w2, "rnn.weight_hh_l1.npy", w2), key: "rnn.weight_hh_l1", want: []string{"stacked"}},
		{name: "torch bias shape", npz: npytest.ZipOf("rnn.weight_hh_l0.npy", w2, "rnn.bias_hh_l0.npy", npytest.NpyF8("(3,)", 1, 2, 3)), key: "rnn.bias_hh_l0", want: []string{"hidden size N = 2"}},
		{name: "alpha zero", npz: npytest.ZipOf("W.npy", w2, "convention.npy", npytest.NpyStr("leaky"), "alpha.npy", npytest.NpyF8("()", 0)), key: "alpha", want: []string{"alpha = 0 is not in (0, 1]"}},
		{name: "object dtype", npz: npytest.ZipOf("W.npy", npytest.RawNPY("{'descr': '|O', 'fortran_order': False, 'shape': (2, 2), }", []byte("\x80\x04pickle"))), key: "W", want: []string{"object arrays (pickled Python objects) are not supported", "np.asarray(x, dtype=float)"}},
		{name: "torch GRU", npz: npytest.ZipOf("rnn.weight_hh_l0.npy", npytest.NpyF8("(6, 2)", make([]float64, 12)...), "rnn.weight_ih_l0.npy", npytest.NpyF8("(6, 1)", make([]float64, 6)...)), key: "rnn.weight_hh_l0", want: []string{"(6, 2)", "GRU cell of hidden size 2", "nn.RNN (Elman)", "GRU and LSTM cells are not supported"}},
		{name: "torch LSTM", npz: npytest.ZipOf("lstm.weight_hh_l0.npy", npytest.NpyF8("(8, 2)", make([]float64, 16)...)), key: "lstm.weight_hh_l0", want: []string{"(8, 2)", "LSTM cell of hidden size 2", "not supported"}},
		{name: "torch LSTM with projections", npz: npytest.ZipOf("weight_hh_l0.npy", npytest.NpyF8("(4, 1)", 1, 2, 3, 4), "weight_hr_l0.npy", npytest.NpyF8("(1, 1)", 1)), key: "weight_hr_l0", want: []string{"LSTM with projections", "not supported"}},
		{name: "torch GRU, two layers", npz: npytest.ZipOf("weight_hh_l0.npy", npytest.NpyF8("(3, 1)", 1, 2, 3), "weight_hh_l1.npy", npytest.NpyF8("(3, 1)", 1, 2, 3)), key: "weight_hh_l0", want: []string{"GRU"}},
		{name: "folder: bad header", files: map[string][]byte{"W.npy": []byte("\x93NUMPY\x01\x00\x05\x00{'d'\n")}, key: "W", want: []string{"bad header"}},
		{name: "folder: no npy", files: map[string][]byte{"notes.txt": []byte("x")}, want: []string{"no .npy files"}},
	}
}

func w2mat() *mat.Dense { return mat.NewDense(2, 2, []float64{1, 2, 3, 4}) }
