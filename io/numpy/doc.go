// Package numpy reads networks from, and writes networks and results to,
// NumPy's .npy and .npz files. It is pure Go: no Python is needed. The name
// follows the format, as encoding/json does; the package never shadows the
// standard io.
//
// # Networks in
//
// [LoadNetwork] reads an .npz archive, or a folder of .npy files, with the
// keys of docs/DESIGN.md section 4:
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
// gets an error without a large allocation. Accepted dtypes are float32 and
// float64 ('<f4', '>f4', '<f8', '>f8'), integers and bools (converted to
// float64), complex64 and complex128, and strings ('U', 'S'); C and Fortran
// order are both read into row-major order. Object arrays ('|O', pickled
// Python objects) are refused with a hint to save numeric arrays. Every
// network array is then checked for shape, finite values and tau > 0; a
// leaky network needs alpha in (0, 1]. A PyTorch GRU or LSTM state dict
// (weight_hh_l0 of 3N or 4N rows), a stacked or a bidirectional RNN is
// refused by name. Errors are *[FormatError] values naming the file, the
// key and the problem; names taken from a file are printed escaped when
// they hold control or non-printable characters ([QuoteKey]).
//
// # Header first, and a memory limit
//
// No file or zip member is read whole into memory. The reader reads every
// .npy header of a file first (an .npz member through its decompressor,
// only as far as the header), checks it against the size its file or zip
// header gives, and charges the array's decoded size (8 bytes per real
// element, 16 per complex one, for strings a 16-byte header plus their
// UTF-8 bytes) to a budget shared by all the arrays of the file:
// [LoadOptions].MaxBytes, or the maxBytes of [ReadNPYLimit],
// [ReadNPZLimit] and [ReadMatrixLimit]. The default (0) is the machine's
// physical memory as bounded by a cgroup limit; a negative value means no
// limit. An array over it is refused with an error wrapping [ErrTooLarge]
// that gives its shape, dtype, size and the limit, e.g.
//
//	numpy: net.npz: key W: shape (200000, 200000) of <f8 needs 320 GB, more than the 25.3 GB memory limit (the memory of this machine)
//
// [LoadNetwork] also checks the network's layout (W 2-d and square; b,
// W_in, u, tau, alpha of shapes that fit N and M; string and numeric
// dtypes) from the headers, so that a wrong-shaped array is refused before
// its data is read. Only then is each array decoded: its data is streamed,
// exactly the bytes its header declares, through a small buffer straight
// into the decoded slice (in C order), and one more byte is read to tell
// trailing data. So a zip bomb, an .npz member whose header declares a
// 2 x 2 array but which inflates to a gigabyte, is refused after about 33
// bytes of its data; a member longer than its zip header says is stopped
// by the zip reader at the declared size; and a sparse file of honest size
// larger than the machine is refused from its header. Zip entries claiming
// a compression ratio DEFLATE cannot reach are refused from the zip header.
//
// # Files out
//
// [WriteNPZ] writes named arrays ([]float64, []complex128, []int64, []int,
// []string, each with a shape) as an uncompressed .npz, entries sorted by
// name, little-endian and C order, readable by numpy.load. [SaveNetwork]
// writes a network in the layout above. Writes to a path are atomic: a
// temporary file in the target folder is renamed over the target only when
// complete, and removed on any error, so a failed write never touches an
// existing file. [WriteNPZTo] and [WriteNPYTo] write to any io.Writer.
//
// The format is that of NEP 1, "A simple file format for NumPy arrays"
// (https://numpy.org/neps/nep-0001-npy-format.html). The decoder is this
// package's own, because codeberg.org/sbinet/npyio trusts the header (it
// panics on some bad headers, sizes its buffer from the header's claim and
// returns a plain EOF on truncated data) and refuses float32 into float64.
// The tests check this package against npyio's reader and against NumPy.
package numpy
