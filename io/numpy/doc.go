// Package numpy reads and writes NumPy's .npy and .npz files: the codec,
// on files, folders of .npy files, io.Reader and io.Writer. It is pure Go:
// no Python is needed. The name follows the format, as encoding/json does;
// the package never shadows the standard io. The network file layouts (our
// keys, PyTorch state dicts) are io/netfile's, on top of this package.
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
// Python objects) are refused with a hint to save numeric arrays. Errors are *[FormatError] values naming the file, the
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
// [ReadOptions].MaxBytes, or the maxBytes of [ReadNPYLimit],
// [ReadNPZLimit], [ReadMatrixLimit], [ReadNPYFrom] and [ReadNPZFrom]. The default (0) is the machine's
// physical memory as bounded by a cgroup limit; a negative value means no
// limit. An array over it is refused with an error wrapping [ErrTooLarge]
// that gives its shape, dtype, size and the limit, e.g.
//
//	numpy: net.npz: key W: shape (200000, 200000) of <f8 needs 320 GB, more than the 25.3 GB memory limit (the memory of this machine)
//
// [ReadOptions].Check sees every header before any data is read, so that a
// file layout (io/netfile) refuses a wrong-shaped array before its data is
// read. Only then is each array decoded: its data is streamed,
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
// name, little-endian and C order, readable by numpy.load. Writes to a
// path are atomic: a temporary file in the target folder is renamed over
// the target only when complete, and removed on any error, so a failed
// write never touches an existing file. [WriteNPZTo] and [WriteNPYTo] write
// to any io.Writer.
//
// The format is that of NEP 1, "A simple file format for NumPy arrays"
// (https://numpy.org/neps/nep-0001-npy-format.html). The decoder is this
// package's own, because codeberg.org/sbinet/npyio trusts the header (it
// panics on some bad headers, sizes its buffer from the header's claim and
// returns a plain EOF on truncated data) and refuses float32 into float64.
// The tests check this package against npyio's reader and against NumPy.
package numpy
