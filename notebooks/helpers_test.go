package notebooks_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"codeberg.org/sbinet/npyio/npz"
)

// The flip-flop network and its torch state dict, relative to this folder.
const (
	flipflopNPZ   = "../testdata/flipflop.npz"
	flipflopTorch = "../testdata/flipflop_torch.npz"
)

var (
	binDir      string // temporary folder of the fpfind binary, removed by TestMain
	buildOnce   sync.Once
	fpfindBin   string
	buildErr    error
	consultOnce sync.Once
	consultErr  error
)

// consultSources stats, from this process, every file the subprocesses of
// these tests read: the sources of cmd/fpfind and the module (go build), the
// Python module and the notebooks, the test networks. go test caches a
// passing run until the files the test process itself opened or stated
// change, and it does not see what a subprocess reads; without this, an
// edit of fpfind_io.py, a notebook or the CLI would leave a stale pass.
func consultSources(t *testing.T) {
	t.Helper()
	consultOnce.Do(func() {
		consultErr = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() {
				if path != ".." && (strings.HasPrefix(name, ".") || name == "out" || name == "figures" || name == "__pycache__") {
					return filepath.SkipDir
				}
				return nil
			}
			switch filepath.Ext(name) {
			case ".go", ".s", ".c", ".h", ".py", ".ipynb", ".npz", ".npy", ".md":
			default:
				if name != "go.mod" && name != "go.sum" {
					return nil
				}
			}
			_, err = os.Stat(path)
			return err
		})
	})
	if consultErr != nil {
		t.Fatalf("listing the sources the tests depend on: %v", consultErr)
	}
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fpfind-notebooks-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// goTool returns the go command: the GOROOT's that go test names in the
// environment, else the first on PATH.
func goTool() string {
	if root := os.Getenv("GOROOT"); root != "" {
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "go"
}

// fpfind builds ./cmd/fpfind once and returns the binary's absolute path.
func fpfind(t *testing.T) string {
	t.Helper()
	consultSources(t)
	buildOnce.Do(func() {
		fpfindBin = filepath.Join(binDir, "fpfind")
		if runtime.GOOS == "windows" {
			fpfindBin += ".exe"
		}
		cmd := exec.Command(goTool(), "build", "-o", fpfindBin, "../cmd/fpfind")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ../cmd/fpfind: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return fpfindBin
}

// runFpfind runs the fpfind binary in this folder and fails the test when
// it exits non-zero.
func runFpfind(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command(fpfind(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("fpfind %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
}

// python returns the Python interpreter that has the given modules, or
// skips the test when it or a module is missing, unless
// FPFIND_REQUIRE_PYTHON=1, when the test fails instead.
func python(t *testing.T, modules ...string) string {
	t.Helper()
	consultSources(t)
	py := os.Getenv("FPFIND_PYTHON")
	if py == "" {
		py = "/usr/bin/python3"
	}
	fail := t.Skipf
	if os.Getenv("FPFIND_REQUIRE_PYTHON") == "1" {
		fail = t.Fatalf
	}
	if _, err := os.Stat(py); err != nil {
		fail("no Python at %s (set FPFIND_PYTHON): %v", py, err)
		return ""
	}
	code := "import " + strings.Join(modules, ", ")
	if out, err := exec.Command(py, "-c", code).CombinedOutput(); err != nil {
		fail("%s -c %q: %v\n%s", py, code, err, out)
		return ""
	}
	return py
}

// result is what the tests read back from an fpfind result .npz.
type result struct {
	K, N      int
	points    [][]float64 // K x N
	kind      []string
	stability []string
	nUnstable []int
	eigRe     [][]float64 // K x N real parts of the eigenvalues
	eigIm     [][]float64
}

// openNPZ opens the archive at path for the rest of the test.
func openNPZ(t *testing.T, path string) *npz.Reader {
	t.Helper()
	r, err := npz.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func readResult(t *testing.T, path string) *result {
	t.Helper()
	r := openNPZ(t, path)
	hdr := r.Header("fixed_points.npy")
	if hdr == nil {
		t.Fatalf("%s: no fixed_points", path)
	}
	shape := hdr.Descr.Shape
	if len(shape) != 2 {
		t.Fatalf("%s: fixed_points has shape %v, want K x N", path, shape)
	}
	res := &result{K: shape[0], N: shape[1]}
	var flat []float64
	read(t, r, path, "fixed_points", &flat)
	res.points = rows(flat, res.K, res.N)
	read(t, r, path, "kind", &res.kind)
	read(t, r, path, "stability", &res.stability)
	res.nUnstable = readInts(t, r, path, "n_unstable")
	var eig []complex128
	read(t, r, path, "eigenvalues", &eig)
	if len(eig) != res.K*res.N {
		t.Fatalf("%s: %d eigenvalues, want K*N = %d", path, len(eig), res.K*res.N)
	}
	for k := range res.K {
		re, im := make([]float64, res.N), make([]float64, res.N)
		for i, z := range eig[k*res.N : (k+1)*res.N] {
			re[i], im[i] = real(z), imag(z)
		}
		res.eigRe = append(res.eigRe, re)
		res.eigIm = append(res.eigIm, im)
	}
	for name, n := range map[string]int{"kind": len(res.kind), "stability": len(res.stability), "n_unstable": len(res.nUnstable)} {
		if n != res.K {
			t.Fatalf("%s: %s has %d entries, want %d", path, name, n, res.K)
		}
	}
	return res
}

func read(t *testing.T, r *npz.Reader, path, key string, ptr any) {
	t.Helper()
	if err := r.Read(key+".npy", ptr); err != nil {
		t.Fatalf("%s: key %s: %v", path, key, err)
	}
}

// readInts reads an integer array of any of numpy's usual integer dtypes.
func readInts(t *testing.T, r *npz.Reader, path, key string) []int {
	t.Helper()
	var i64 []int64
	if err := r.Read(key+".npy", &i64); err == nil {
		out := make([]int, len(i64))
		for i, v := range i64 {
			out[i] = int(v)
		}
		return out
	}
	var i32 []int32
	read(t, r, path, key, &i32)
	out := make([]int, len(i32))
	for i, v := range i32 {
		out[i] = int(v)
	}
	return out
}

func rows(flat []float64, k, n int) [][]float64 {
	out := make([][]float64, k)
	for i := range out {
		out[i] = flat[i*n : (i+1)*n]
	}
	return out
}

// network is the flip-flop network as stored in our layout.
type network struct {
	N       int
	W, Wout [][]float64 // N x N, 3 x N
	b, bout []float64
	alpha   float64
}

func readNetwork(t *testing.T, path string) *network {
	t.Helper()
	r := openNPZ(t, path)
	var w, wout, b, bout []float64
	read(t, r, path, "W", &w)
	read(t, r, path, "W_out", &wout)
	read(t, r, path, "b", &b)
	read(t, r, path, "b_out", &bout)
	var alpha float64
	read(t, r, path, "alpha", &alpha)
	n := len(b)
	if len(w) != n*n || len(wout)%n != 0 {
		t.Fatalf("%s: W has %d entries, W_out %d, b %d", path, len(w), len(wout), n)
	}
	return &network{N: n, W: rows(w, n, n), Wout: rows(wout, len(wout)/n, n), b: b, bout: bout, alpha: alpha}
}

// maxAbsF returns max_i |-h_i + tanh((W h + b)_i)|, the residual of the
// network with its input off (u = 0, tau = 1).
func (net *network) maxAbsF(h []float64) float64 {
	m := 0.0
	for i, row := range net.W {
		x := net.b[i]
		for j, w := range row {
			x += w * h[j]
		}
		m = max(m, math.Abs(-h[i]+math.Tanh(x)))
	}
	return m
}

// readout returns W_out h + b_out.
func (net *network) readout(h []float64) []float64 {
	y := make([]float64, len(net.Wout))
	for i, row := range net.Wout {
		y[i] = net.bout[i]
		for j, w := range row {
			y[i] += w * h[j]
		}
	}
	return y
}
