// Package numpy reads networks from, and writes networks and results to,
// NumPy's .npy and .npz files. It is pure Go: no Python is needed. The name
// follows the format, as encoding/json does; the package never shadows the
// standard io.
//
// # Networks in
//
// [LoadNetwork] reads an .npz archive, or a folder of .npy files, with the
// keys of DESIGN.md section 4:
//
//	W           N x N   required; row i holds the weights into unit i (W h)
//	b           N       zeros
//	W_in        N x M   none
//	u           M       zeros
//	tau         () or N 1
//	activation  0-d string, e.g. np.array('tanh')        tanh
//	convention  0-d string: continuous, leaky, discrete   continuous
//	alpha       (), leaky only (alpha = dt/tau)           required for leaky
//
// A PyTorch nn.RNN state dict saved through numpy is read too:
// weight_hh_l0 is W, weight_ih_l0 is W_in and bias_hh_l0 + bias_ih_l0 is b,
// after any module prefix such as "rnn."; its convention is discrete and its
// activation tanh (nn.RNN's default; a state dict does not record
// nonlinearity='relu') unless [LoadOptions] says otherwise. Row-vector layouts (x^T W) need
// LoadOptions.Transpose: a transpose is never guessed from a square shape.
// Other keys (a readout W_out, b_out, metadata) are kept aside in
// [Loaded].Other and never change the dynamics.
//
// # What is checked
//
// The reader validates each .npy header before it decodes anything: the
// magic string, the format version (1.0, 2.0 or 3.0), a bounded header
// length ending in a newline, a dict with exactly descr, fortran_order and
// shape, non-negative dimensions, and a data size (product of the shape
// times the item size) equal to the bytes that follow, so that a truncated
// file, trailing garbage or a header claiming 10^12 elements in a 1 kB file
// gets an error without a large allocation. Zip entries with an implausible
// compression ratio are refused for the same reason. Accepted dtypes are
// float32 and float64 ('<f4', '>f4', '<f8', '>f8'), integers and bools
// (converted to float64), complex64 and complex128, and strings ('U', 'S');
// C and Fortran order are both read into row-major order. Every network
// array is then checked for shape, finite values and tau > 0. Errors are
// *[FormatError] values naming the file, the key and the problem.
//
// # Files out
//
// [WriteNPZ] writes named arrays ([]float64, []complex128, []int64, []int,
// []string, each with a shape) as an uncompressed .npz, entries sorted by
// name, little-endian and C order, readable by numpy.load. [SaveNetwork]
// writes a network in the layout above. Writes are atomic: a temporary file
// in the target folder is renamed over the target only when complete, and
// removed on any error, so a failed write never touches an existing file.
//
// The format is that of NEP 1, "A simple file format for NumPy arrays"
// (https://numpy.org/neps/nep-0001-npy-format.html). The decoder is this
// package's own, because codeberg.org/sbinet/npyio trusts the header (it
// panics on some bad headers, sizes its buffer from the header's claim and
// returns a plain EOF on truncated data) and refuses float32 into float64.
// The tests check this package against npyio's reader and against NumPy.
package numpy
