package main

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/fpfind/fpfind/internal/pythontest"
	"github.com/fpfind/fpfind/io/netfile"
	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/io/report"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// binary builds cmd/fpfind once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fpfind-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "fpfind")
		if runtime.GOOS == "windows" {
			binPath += ".exe"
		}
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// End to end: the built binary on networks with known fixed points, its
// .npz read back with numpy and checked against the .json and against
// eigenvalues that numpy computes itself.
func TestEndToEnd(t *testing.T) {
	py := pythontest.Need(t, "numpy")
	bin := binary(t)
	for _, tc := range []struct {
		network string
		args    []string
		// want: class -> number of unique fixed points; atLeast relaxes
		// the saddle count to a lower bound (the solver may miss a few).
		want    map[string]int
		atLeast bool
	}{
		{"tanh1.npz", nil, map[string]int{"stable": 2, "unstable": 1}, false},
		{"two_units.npz", []string{"--vectors"}, map[string]int{"stable": 2, "saddle": 1}, false},
		{"leaky.npz", []string{"--left-vectors"}, map[string]int{"stable": 2, "unstable": 1}, false},
		{"zero_weights.npz", nil, map[string]int{"stable": 1}, false},
		{"rotation.npz", []string{"--left-vectors"}, map[string]int{"stable": 1}, false},
		// The trained 3-bit flip-flop: 8 attractors and 19 saddles.
		{"flipflop.npz", []string{"-n", "256"}, map[string]int{"stable": 8, "saddle": 17}, true},
		// The same weights as a PyTorch state dict (float32, discrete
		// convention unless told): same points, leaky stability.
		{"flipflop_torch.npz", []string{"-n", "256", "--convention", "leaky", "--alpha", "0.1"}, map[string]int{"stable": 8, "saddle": 17}, true},
		// Partial spectra (--eigs): the leading eigenvalues and right
		// vectors, checked against numpy's full decomposition.
		{"flipflop.npz", []string{"-n", "256", "--eigs", "6", "--vectors"}, map[string]int{"stable": 8, "saddle": 17}, true},
		{"flipflop_torch.npz", []string{"-n", "256", "--convention", "leaky", "--alpha", "0.1", "--eigs", "4"}, map[string]int{"stable": 8, "saddle": 17}, true},
	} {
		t.Run(tc.network, func(t *testing.T) {
			dir := t.TempDir()
			prefix := filepath.Join(dir, "res")
			// The default initial states: from trajectories, plus noise.
			args := append([]string{"-n", "64", "-o", prefix, "--plot", prefix + ".png", net(tc.network)}, tc.args...)
			cmd := exec.Command(bin, args...)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("fpfind %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
			}
			var doc report.Find
			b, err := os.ReadFile(prefix + ".json")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, p := range doc.Points {
				if p.Kind == "fixed" {
					got[p.Stability]++
				}
			}
			for k, v := range tc.want {
				if tc.atLeast && k == "saddle" {
					if got[k] < v || got[k] > 19 {
						t.Errorf("%s: %d saddles, want %d to 19 (all: %v)", tc.network, got[k], v, got)
					}
				} else if got[k] != v {
					t.Errorf("%s: %d %s fixed points, want %d (all: %v)", tc.network, got[k], k, v, got)
				}
			}
			out, err := exec.Command(py, filepath.Join("testdata", "check_results.py"), prefix+".npz", prefix+".json", net(tc.network)).CombinedOutput()
			if err != nil {
				t.Errorf("numpy check failed: %v\n%s", err, out)
			}
			if _, err := os.Stat(prefix + ".png"); err != nil {
				t.Error(err)
			}
			if !strings.Contains(stdout.String(), "unique points") {
				t.Errorf("stdout lacks the summary:\n%s", stdout.String())
			}
		})
	}
}

// randomInits writes n seeded Gaussian states (std 1.5) for the network
// into dir and returns the file name.
func randomInits(t *testing.T, dir, network string, n int) string {
	t.Helper()
	l, err := netfile.LoadNetwork(net(network), nil)
	if err != nil {
		t.Fatal(err)
	}
	dim := l.Network.Dim()
	data := make([]float64, n*dim)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = 1.5 * rng.NormFloat64()
	}
	p := filepath.Join(dir, "inits.npy")
	if err := numpy.WriteNPY(p, numpy.Array{Shape: []int{n, dim}, Data: data}); err != nil {
		t.Fatal(err)
	}
	return p
}

// simulate, end to end: keys, shapes and dtypes of the .npz read with
// numpy, against the .json; the flip-flop's trajectories settle (|F| small
// at the end) and every sample time is a whole number of map steps.
func TestEndToEndSimulate(t *testing.T) {
	py := pythontest.Need(t, "numpy")
	bin := binary(t)
	dir := t.TempDir()
	prefix := filepath.Join(dir, "traj")
	out, err := exec.Command(bin, "simulate", "-q", "-n", "5", "--t-end", "30", "--samples", "61", "--noise", "0.01", "-o", prefix, net("flipflop.npz")).CombinedOutput()
	if err != nil {
		t.Fatalf("fpfind simulate: %v\n%s", err, out)
	}
	script := `
import json, sys
import numpy as np
r = np.load(sys.argv[1] + ".npz")
d = json.load(open(sys.argv[1] + ".json"))
I, T, N = d["summary"]["trajectories"], d["summary"]["samples"], d["network"]["n"]
assert sorted(r.files) == ["convention", "h", "inits", "status", "t"], r.files
assert r["t"].shape == (T,) and r["t"].dtype == np.float64
assert r["h"].shape == (I, T, N) and r["h"].dtype == np.float64
assert r["inits"].shape == (I, N) and r["inits"].dtype == np.float64
assert r["status"].shape == (I,) and r["status"].dtype.kind == "U"
assert str(r["convention"]) == "leaky" and d["settings"]["method"] == "map"
assert np.array_equal(r["h"][:, 0, :], r["inits"])
dt = d["settings"]["step"]
k = r["t"] / dt
assert np.allclose(k, np.round(k), atol=1e-9), k
assert r["t"][-1] == d["settings"]["t_end"] == 30
assert list(r["status"]) == [tr["status"] for tr in d["trajectories"]] == ["success"] * I
for i, tr in enumerate(d["trajectories"]):
    assert tr["norm_inf"] == np.abs(r["h"][i, -1]).max()
print("OK")
`
	if out, err := exec.Command(py, "-c", script, prefix).CombinedOutput(); err != nil {
		t.Errorf("numpy check: %v\n%s", err, out)
	}
}
