// Package notebooks holds the Jupyter notebooks of fpfind and the tests that
// run them; it has no Go API.
//
// The notebooks and their helper module, fpfind_io.py, need Debian's python3
// with numpy, matplotlib, torch, nbconvert, nbclient and ipykernel:
//
//   - spectrum.ipynb reads a result of `fpfind find` (PREFIX.npz and
//     PREFIX.json) and draws the eigenvalues of every unique point with the
//     stability boundary, the fixed points and trajectories in the first
//     principal components, and the slowest time constants.
//   - from_pytorch.ipynb takes a PyTorch model to fpfind and back: a vanilla
//     torch.nn.RNN, and the 3-bit flip-flop CTRNN of testdata/flipflop.npz
//     (trained by scripts/train_flipflop.py), exported both as a state dict
//     and in fpfind's own layout.
//
// The tests build cmd/fpfind, run it on testdata/flipflop.npz, check the 8
// stable points that hold the flip-flop's memories and the saddles between
// them, check that the torch state dict and our layout of the same network
// give the same fixed points, and execute both notebooks headless with
// `python3 -m jupyter nbconvert --execute`. The tests that need Python skip
// when /usr/bin/python3 (or FPFIND_PYTHON) or one of its modules is missing,
// unless FPFIND_REQUIRE_PYTHON=1, when they fail instead.
package notebooks
