package notebooks_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The modules the notebooks need, beyond the standard library.
var notebookModules = []string{"numpy", "matplotlib", "torch", "jupyter_core", "nbconvert", "nbformat", "nbclient", "ipykernel"}

// checkResultPy reads an fpfind result with numpy and the fpfind_io helper,
// and checks it against numpy's own linear algebra: the residual of every
// point from the weights, every eigenvalue (as a multiset, to 1e-8) and the
// classes, the dtypes of docs/DESIGN.md section 4, and the .json's convention.
const checkResultPy = `
import json, sys
import numpy as np
sys.path.insert(0, ".")
import fpfind_io as fio
prefix, netpath = sys.argv[1], sys.argv[2]
z = np.load(prefix + ".npz")
for k in fio.RESULT_KEYS:
    assert k in z.files, ("missing key", k)
assert z["eigenvalues"].dtype == np.complex128, z["eigenvalues"].dtype
for k in ("kind", "stability", "status"):
    assert z[k].dtype.kind == "U", (k, z[k].dtype)
res = fio.load_result(prefix + ".npz")
meta = json.load(open(prefix + ".json"))
assert res.convention == "leaky" and abs(res.alpha - 0.1) < 1e-15, (res.convention, res.alpha)
net = fio.load_network(netpath)
tab = fio.point_table(res)
assert len(tab) == res.n_points > 0
for k in range(res.n_points):
    h = res.fixed_points[k]
    r = np.max(np.abs(fio.field(net, h)))
    assert r <= 1e-10 or res.kind[k] == "slow", (k, r)
    assert abs(res.residual_inf[k] - r) <= 1e-12, (k, res.residual_inf[k], r)
    ev = np.linalg.eigvals(fio.operator(net, h))
    got = res.eigenvalues[k]
    miss = max(np.min(np.abs(ev - g)) for g in got)
    assert miss < 1e-8, (k, miss)
    nu = int(np.sum(np.abs(ev) > 1 + 1e-8))
    assert nu == res.n_unstable[k], (k, nu, res.n_unstable[k])
    want = "stable" if nu == 0 else ("unstable" if nu == len(h) else "saddle")
    assert res.stability[k] == want, (k, res.stability[k], want)
    tc = fio.time_constants(got, "leaky", 0.1)
    assert np.isclose(tab["slowest_tau"][k], tc[tc > 0].max()), k
print(f"ok: {res.n_points} points checked against numpy")
`

// TestFlipFlopNumpy checks fpfind's result on the flip-flop network with
// numpy, through the notebooks' helper module.
func TestFlipFlopNumpy(t *testing.T) {
	py := python(t, "numpy")
	out := filepath.Join(t.TempDir(), "ff")
	runFpfind(t, "find", flipflopNPZ, "-o", out, "--seed", "2", "-n", "256", "--quiet")
	cmd := exec.Command(py, "-c", checkResultPy, out, flipflopNPZ)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("numpy check: %v\n%s", err, b)
	} else {
		t.Log(strings.TrimSpace(string(b)))
	}
}

// TestNotebooks executes the notebooks headless as on a fresh clone: no
// FPFIND_* settings but the folders (an output folder and a figure folder
// that do not exist yet) and, for from_pytorch.ipynb, the built fpfind. So
// spectrum.ipynb finds the repository from its own folder, finds no result
// and makes it with `go run ./cmd/fpfind` (which must be printed), and
// from_pytorch.ipynb makes its output folder. A cell that raises, a missing
// output or a missing figure fails the test.
func TestNotebooks(t *testing.T) {
	py := python(t, notebookModules...)
	bin := fpfind(t)
	dir := t.TempDir()
	cases := []struct {
		notebook string
		env      []string
		outputs  []string // files the notebook must write, relative to its output folder
		printed  []string // what its cells must print
		figures  []string
	}{
		{
			notebook: "spectrum.ipynb",
			outputs:  []string{"flipflop.npz", "flipflop.json"},
			printed:  []string{"go run ./cmd/fpfind find testdata/flipflop.npz -o ", "unique points"},
			figures:  []string{"eigenvalues.png", "pca2d.png", "pca3d.png", "time_constants.png"},
		},
		{
			notebook: "from_pytorch.ipynb",
			env:      []string{"FPFIND_BIN=" + bin},
			outputs:  []string{"vanilla.npz", "ff_torch.npz", "ff_ours.npz", "ff_ours.json"},
			printed:  []string{bin + " find ", "8 stable points, 8 sign patterns"},
			figures:  []string{"flipflop_trial.png"},
		},
		{
			notebook: "sweep.ipynb",
			env:      []string{"FPFIND_BIN=" + bin},
			outputs:  []string{"gain_sweep.csv", "gain_sweep/sweep.json"},
			printed:  []string{bin + " sweep ", "7 networks in", "matches numpy's where it is the only fixed point", "first past the boundary at gain = "},
			figures:  []string{"sweep.png"},
		},
		{
			notebook: "bifurcation.ipynb",
			env:      []string{"FPFIND_BIN=" + bin},
			outputs:  []string{"flipflop_continue.npz", "flipflop_continue.json"},
			printed:  []string{bin + " continue --param u:0", "3 branches", "fold on branch 0"},
			figures:  []string{"bifurcation.png", "leading.png"},
		},
	}
	for _, c := range cases {
		t.Run(c.notebook, func(t *testing.T) {
			t.Parallel()
			work := filepath.Join(dir, strings.TrimSuffix(c.notebook, ".ipynb"))
			if err := os.Mkdir(work, 0o755); err != nil {
				t.Fatal(err)
			}
			figdir := filepath.Join(work, "figures")
			outdir := filepath.Join(work, "out", "sub")
			cmd := exec.Command(py, "-m", "jupyter", "nbconvert", "--execute", "--to", "notebook",
				"--ExecutePreprocessor.kernel_name=python3", "--ExecutePreprocessor.timeout=-1",
				"--output-dir", work, "--output", "executed.ipynb", c.notebook)
			cmd.Env = append(freshEnv(), c.env...)
			cmd.Env = append(cmd.Env, "FPFIND_OUTDIR="+outdir, "FPFIND_FIGDIR="+figdir,
				"PYDEVD_DISABLE_FILE_VALIDATION=1", "JUPYTER_RUNTIME_DIR="+filepath.Join(work, "runtime"))
			var outb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &outb, &outb
			if err := cmd.Run(); err != nil {
				t.Fatalf("nbconvert --execute %s: %v\n%s", c.notebook, err, tail(outb.String(), 6000))
			}
			for _, f := range c.outputs {
				if st, err := os.Stat(filepath.Join(outdir, f)); err != nil || st.Size() == 0 {
					t.Errorf("%s: output %s not written in FPFIND_OUTDIR: %v", c.notebook, f, err)
				}
			}
			text := notebookText(t, filepath.Join(work, "executed.ipynb"))
			for _, p := range c.printed {
				if !strings.Contains(text, p) {
					t.Errorf("%s: the executed notebook does not print %q; it prints:\n%s", c.notebook, p, tail(text, 3000))
				}
			}
			for _, f := range c.figures {
				b, err := os.ReadFile(filepath.Join(figdir, f))
				if err != nil {
					t.Errorf("%s: figure %s not written: %v", c.notebook, f, err)
					continue
				}
				if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) || len(b) < 10000 {
					t.Errorf("%s: %s is not a plausible PNG (%d bytes)", c.notebook, f, len(b))
				}
			}
		})
	}
}

// freshEnv returns this process's environment without the FPFIND_*
// settings the notebooks read, and with the go command of this test first
// on PATH, for `go run ./cmd/fpfind` in a notebook.
func freshEnv() []string {
	var env []string
	path := filepath.Dir(goTool())
	for _, kv := range os.Environ() {
		switch {
		case strings.HasPrefix(kv, "FPFIND_") && !strings.HasPrefix(kv, "FPFIND_PYTHON=") && !strings.HasPrefix(kv, "FPFIND_REQUIRE_PYTHON="):
		case strings.HasPrefix(kv, "PATH="):
			path += string(os.PathListSeparator) + strings.TrimPrefix(kv, "PATH=")
		default:
			env = append(env, kv)
		}
	}
	return append(env, "PATH="+path)
}

// notebookText returns the text outputs (streams and plain-text results) of
// an executed notebook, joined.
func notebookText(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		Cells []struct {
			Outputs []struct {
				Text json.RawMessage            `json:"text"`
				Data map[string]json.RawMessage `json:"data"`
			} `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(b, &nb); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var sb strings.Builder
	add := func(raw json.RawMessage) {
		var s string
		var lines []string
		if json.Unmarshal(raw, &s) == nil {
			sb.WriteString(s)
		} else if json.Unmarshal(raw, &lines) == nil {
			sb.WriteString(strings.Join(lines, ""))
		}
		sb.WriteString("\n")
	}
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			if o.Text != nil {
				add(o.Text)
			}
			if raw, ok := o.Data["text/plain"]; ok {
				add(raw)
			}
		}
	}
	return sb.String()
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// exportPy checks fpfind_io's exports against torch itself: an nn.RNN
// exported with export_rnn and saved as a raw state dict, and a CTRNN
// exported with export_ctrnn, must step exactly as the torch modules do when
// simulated by fpfind_io from the written files.
const exportPy = `
import os, sys
import numpy as np
import torch
sys.path.insert(0, ".")
import fpfind_io as fio
out = sys.argv[1]
torch.manual_seed(5)
rnn = torch.nn.RNN(3, 10, nonlinearity="tanh", batch_first=True).double()
h0 = torch.randn(10, dtype=torch.float64)
u = torch.randn(3, dtype=torch.float64)
with torch.no_grad():
    want, _ = rnn(u.repeat(1, 20, 1), h0.reshape(1, 1, -1))
want = want[0].numpy()
for path in (fio.export_rnn(rnn, os.path.join(out, "rnn.npz")),
             fio.save_state_dict(rnn, os.path.join(out, "rnn_sd.npz"))):
    net = fio.load_network(path)
    assert net["convention"] == "discrete", net["convention"]
    got = fio.simulate(net, h0.numpy(), 20, u=u.numpy())[1:, 0]
    err = np.max(np.abs(got - want))
    assert err < 1e-12, (path, err)
z = np.load(os.path.join(out, "rnn.npz"))
assert str(z["convention"]) == "discrete" and str(z["activation"]) == "tanh"
assert np.array_equal(z["b"], (rnn.bias_hh_l0 + rnn.bias_ih_l0).detach().numpy())

class CT(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.RNN(3, 10)
        self.readout = torch.nn.Linear(10, 2)
ct = CT().double()
path = fio.export_ctrnn(ct, os.path.join(out, "ct.npz"), alpha=0.25, tau=2.0)
net = fio.load_network(path)
assert net["convention"] == "leaky" and net["alpha"] == 0.25 and float(net["tau"]) == 2.0
assert net["W_out"].shape == (2, 10) and net["b_out"].shape == (2,)
r = ct.rnn
h = h0.clone()
with torch.no_grad():
    for _ in range(20):
        h = h + 0.25 * (-h + torch.tanh(r.weight_hh_l0 @ h + r.weight_ih_l0 @ u + r.bias_hh_l0 + r.bias_ih_l0))
got = fio.simulate(net, h0.numpy(), 20, u=u.numpy())[-1, 0]
err = np.max(np.abs(got - h.numpy()))
assert err < 1e-12, err
print("ok: exports step as torch does")
`

// TestFpfindIOExport checks the notebooks' helper module against torch.
func TestFpfindIOExport(t *testing.T) {
	py := python(t, "numpy", "torch")
	cmd := exec.Command(py, "-c", exportPy, t.TempDir())
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("fpfind_io export check: %v\n%s", err, b)
	} else {
		t.Log(strings.TrimSpace(string(b)))
	}
}

// TestReadmeFirstCommand runs the first command of notebooks/README.md
// (with the built fpfind for `go run ./cmd/fpfind`) from a folder laid out
// as a fresh clone's root, with testdata/flipflop.npz and no out/: it must
// succeed and write out/flipflop.npz and out/flipflop.json, which is what
// spectrum.ipynb reads by default.
func TestReadmeFirstCommand(t *testing.T) {
	bin := fpfind(t)
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	// The first indented block: its lines start with four spaces.
	var block []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "    ") {
			block = append(block, strings.TrimSpace(line))
		} else if len(block) > 0 {
			break
		}
	}
	script := strings.Join(block, "\n")
	if !strings.Contains(script, "go run ./cmd/fpfind find testdata/flipflop.npz -o out/flipflop") {
		t.Fatalf("README's first command block does not make out/flipflop:\n%s", script)
	}
	root := t.TempDir()
	net, err := os.ReadFile(flipflopNPZ)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "testdata"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "testdata", "flipflop.npz"), net, 0o644); err != nil {
		t.Fatal(err)
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Fatalf("no sh to run the README's commands: %v", err)
	}
	cmd := exec.Command(sh, "-e", "-c", strings.ReplaceAll(script, "go run ./cmd/fpfind", "'"+bin+"'"))
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("README's first commands, from a root without out/:\n%s\n%v\n%s", script, err, tail(string(out), 3000))
	}
	for _, f := range []string{"flipflop.npz", "flipflop.json"} {
		if st, err := os.Stat(filepath.Join(root, "out", f)); err != nil || st.Size() == 0 {
			t.Errorf("out/%s not written by the README's first command: %v", f, err)
		}
	}
}
