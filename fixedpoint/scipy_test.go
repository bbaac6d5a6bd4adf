package fixedpoint_test

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"codeberg.org/sbinet/npyio/npy"
	"codeberg.org/sbinet/npyio/npz"
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/internal/nettest"
	"github.com/fpfind/fpfind/internal/pythontest"
)

func writeNpy(t *testing.T, path string, m *mat.Dense) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := npy.Write(f, m); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func readNpy(t *testing.T, path string) *mat.Dense {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var m mat.Dense
	if err := npy.Read(f, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

const scipyRoots = `
import sys, numpy as np, scipy.optimize
d = sys.argv[1]
W = np.load(d + "/W.npy"); X0 = np.load(d + "/inits.npy")
def fun(h):
    t = np.tanh(W @ h)
    return -h + t, (1 - t * t)[:, None] * W - np.eye(len(h))
xs = np.array([scipy.optimize.root(fun, x0, jac=True, method="hybr").x for x0 in X0])
res = np.abs(-xs + np.tanh(xs @ W.T)).max(axis=1)
np.save(d + "/xs.npy", xs); np.save(d + "/res.npy", res[:, None])
`

// Every fixed point that scipy.optimize.root (MINPACK hybr, analytic
// Jacobian) reaches from the same initial states, Find finds too, with a
// residual at least as small. scipy's success is judged by its residual
// (its relative xtol misreports roots at 0).
func TestAgainstScipyRoot(t *testing.T) {
	py := pythontest.Need(t, "numpy", "scipy")
	// The chaotic tanh network g = 1.5, N = 200 of testdata (seed 15).
	z, err := npz.Open("../testdata/random_g1.5_n200.npz")
	if err != nil {
		t.Fatal(err)
	}
	var w mat.Dense
	if err := z.Read("W.npy", &w); err != nil {
		t.Fatal(err)
	}
	z.Close()
	net := nettest.Must(t, dynamics.Config{W: &w})
	n := net.Dim()
	inits, err := fixedpoint.TrajectoryInits(context.Background(), net, &fixedpoint.SampleSettings{Count: 48, Noise: 0.1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if d := os.Getenv("FPFIND_SCIPY_CACHE"); d != "" {
		dir = d // a debugging aid: reuse scipy's answers from a previous run
	}
	writeNpy(t, filepath.Join(dir, "W.npy"), net.W())
	writeNpy(t, filepath.Join(dir, "inits.npy"), inits)
	if _, err := os.Stat(filepath.Join(dir, "res.npy")); err != nil || os.Getenv("FPFIND_SCIPY_CACHE") == "" {
		cmd := exec.Command(py, "-c", scipyRoots, dir)
		cmd.Env = append(os.Environ(), "OPENBLAS_NUM_THREADS=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("scipy: %v\n%s", err, out)
		}
	}
	xs := readNpy(t, filepath.Join(dir, "xs.npy"))
	sres := readNpy(t, filepath.Join(dir, "res.npy"))

	var st *fixedpoint.Settings
	if m := os.Getenv("FPFIND_METHOD"); m != "" {
		mm, _ := fixedpoint.ParseMethod(m)
		st = &fixedpoint.Settings{Method: mm}
	}
	res := find(t, net, inits, st)
	fps := fixedPoints(res)
	f := make([]float64, n)
	ok, matched := 0, 0
	for i := 0; i < xs.RawMatrix().Rows; i++ {
		r := sres.At(i, 0)
		if !(r <= 1e-8) {
			continue
		}
		ok++
		x := xs.RawRowView(i)
		// Within 1e-8 when scipy converged to 1e-10 (its position error is
		// about |J^-1| times its residual), else within the unique tol.
		tol := 1e-6
		if r <= 1e-10 {
			tol = 1e-8
		}
		best, bd := -1, math.Inf(1)
		for k, p := range fps {
			if d := maxDist(p, x); d < bd {
				best, bd = k, d
			}
		}
		if bd > tol {
			t.Errorf("scipy root from init %d (max|F| %.1e) not found: nearest of ours at %.1e", i, r, bd)
			continue
		}
		matched++
		net.Field(f, fps[best])
		if ours := maxAbs(f); ours > math.Max(r, 1e-10) {
			t.Errorf("scipy root from init %d: our max|F| %.1e > scipy's %.1e", i, ours, r)
		}
	}
	if ok == 0 {
		t.Fatal("scipy found no root; the test compares nothing")
	}
	t.Logf("scipy: %d of %d runs reached a root; all %d matched; we have %d fixed points, %d slow", ok, xs.RawMatrix().Rows, matched, len(fps), res.Count(fixedpoint.Slow))
}
