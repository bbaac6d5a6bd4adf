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
// Both notebooks find the repository root from their own folder and run on a
// fresh clone: spectrum.ipynb makes its default result (out/flipflop.npz)
// with `go run ./cmd/fpfind` when it is absent, and from_pytorch.ipynb makes
// its output folder. fpfind_io.load_result reads every output of fpfind
// find, linearize and simulate.
//
// The tests build cmd/fpfind, run it on testdata/flipflop.npz, check the 8
// stable points that hold the flip-flop's memories and the saddles between
// them, check that the torch state dict and our layout of the same network
// give the same fixed points, load every kind of output with load_result
// and compare it with the files read by numpy, run the first command of
// the notebooks' README in a folder without out/, and execute both
// notebooks headless with `python3 -m jupyter nbconvert --execute` as on a
// fresh clone (no FPFIND_* settings but empty output and figure folders).
// The tests that need Python skip when /usr/bin/python3 (or FPFIND_PYTHON)
// or one of its modules is missing, unless FPFIND_REQUIRE_PYTHON=1, when
// they fail instead.
package notebooks
