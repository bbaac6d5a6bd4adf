package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/fpfind/fpfind/io/numpy"
)

// Time constants that make the run hopeless are refused up front (exit 2,
// naming tau, the time span and why), instead of integrating for minutes
// and failing with "step budget exhausted at t = 0": tau below 1e-100,
// whose field overflows, for find and simulate; and a stiff integration
// (time span / tau_min beyond the step budget) for find's trajectory
// sampling and simulate's adaptive integrator. find with initial states
// that need no integration works at any stiffness.
func TestTinyTau(t *testing.T) {
	dir := t.TempDir()
	w := numpy.Array{Shape: []int{2, 2}, Data: []float64{2, 0.3, -0.2, 1.8}} // 9 fixed points
	tiny := writeNet(t, dir, "tiny.npz", map[string]numpy.Array{"W": w, "tau": {Data: []float64{1e-300}}}, nil)
	stiff := writeNet(t, dir, "stiff.npz", map[string]numpy.Array{"W": w, "tau": {Shape: []int{2}, Data: []float64{1e-3, 1e4}}}, nil)
	plain := writeNet(t, dir, "plain.npz", map[string]numpy.Array{"W": w}, nil)
	out := filepath.Join(dir, "o")
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"find tiny", []string{"-n", "4", tiny}, []string{"tau = 1e-300", "overflow", "larger unit"}},
		{"find tiny random", []string{"-n", "4", "--inits-from", "random", tiny}, []string{"tau = 1e-300", "overflow"}},
		{"find --tau tiny", []string{"-n", "4", "--tau", "1e-300", plain}, []string{"tau = 1e-300"}},
		{"simulate tiny", []string{"simulate", "-o", out, tiny}, []string{"tau = 1e-300"}},
		{"find stiff", []string{"-n", "4", stiff}, []string{"tau_min = 0.001", "time span of 10000", "stiff", "--inits-from random"}},
		{"simulate stiff", []string{"simulate", "--t-end", "1e4", "-o", out, stiff}, []string{"tau_min = 0.001", "time span of 10000", "stiff"}},
		{"simulate fixed-step", []string{"simulate", "--method", "rk4", "--t-end", "1e6", "-o", out, stiff}, []string{"1e+11 steps", "--step"}},
	} {
		r := runArgs(t, append([]string{"-q"}, tc.args...)...)
		if tc.args[0] == "simulate" {
			r = runArgs(t, append([]string{"simulate", "-q"}, tc.args[1:]...)...)
		}
		if r.code != 2 {
			t.Errorf("%s: exit %d, want 2: %s", tc.name, r.code, r.stderr)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: the message does not say %q: %s", tc.name, w, r.stderr)
			}
		}
		if strings.Contains(r.stderr, "budget exhausted") {
			t.Errorf("%s: integrated before refusing: %s", tc.name, r.stderr)
		}
	}
	if got := files(t, dir); len(got) != 3 {
		t.Errorf("files %v: a refused run wrote something", got)
	}
	// Newton needs no integration: the stiff network's fixed points are
	// found from random or given initial states, and are those of the
	// network with one tau (fixed points do not depend on tau).
	r := runArgs(t, "-q", "-n", "8", "--inits-from", "random", "-o", filepath.Join(dir, "out-stiff"), stiff)
	p := runArgs(t, "-q", "-n", "8", "--inits-from", "random", "-o", filepath.Join(dir, "out-plain"), plain)
	if r.code != 0 || p.code != 0 {
		t.Fatalf("--inits-from random: exit %d, %d: %s %s", r.code, p.code, r.stderr, p.stderr)
	}
	a, b := readArrays(t, filepath.Join(dir, "out-stiff.npz"))["fixed_points"], readArrays(t, filepath.Join(dir, "out-plain.npz"))["fixed_points"]
	x, y := a.Data.([]float64), b.Data.([]float64)
	if len(x) != 18 || len(y) != 18 {
		t.Fatalf("fixed points: %d and %d coordinates, want 9 points each", len(x), len(y))
	}
	// --tol bounds F, so (-h + phi(x))/tau: the unit with tau = 1e4 is
	// resolved to 1e-6 only.
	for _, v := range x {
		found := false
		for _, u := range y {
			if d := v - u; d < 1e-5 && d > -1e-5 {
				found = true
			}
		}
		if !found {
			t.Errorf("coordinate %v of the stiff network's points is not among the plain network's %v", v, y)
		}
	}
}
