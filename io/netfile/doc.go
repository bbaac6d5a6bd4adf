// Package netfile reads and writes networks in their .npz files: the file
// layouts, on top of the .npy/.npz codec of io/numpy.
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
// after any module prefix such as "rnn."; its convention is discrete and
// its activation tanh (nn.RNN's default; a state dict does not record
// nonlinearity='relu') unless [LoadOptions] says otherwise. Row-vector
// layouts (x^T W) need LoadOptions.Transpose: a transpose is never guessed
// from a square shape. Other keys (a readout W_out, b_out, metadata) are
// kept aside in [Loaded].Other and never change the dynamics.
//
// # What is checked
//
// The file is read by io/numpy, header first and under the memory limit
// [LoadOptions].MaxBytes (see that package for the checks of each .npy).
// The network's layout (W 2-d and square; b, W_in, u, tau, alpha of shapes
// that fit N and M; string and numeric dtypes) is checked from the headers
// alone, so that a wrong-shaped array is refused before its data is read,
// and [LoadOptions].Check can refuse a network too large for its caller
// from N and M. Every network array is then checked for finite values and
// tau > 0; a leaky network needs alpha in (0, 1]. A PyTorch GRU or LSTM
// state dict (weight_hh_l0 of 3N or 4N rows), a stacked or a bidirectional
// RNN is refused by name. Errors are *numpy.FormatError values naming the
// file, the key and the problem.
//
// # Networks out
//
// [SaveNetwork] writes a network in the layout above, atomically, with any
// extra arrays alongside; [NetworkArrays] gives its arrays for a caller
// that writes them itself.
package netfile
