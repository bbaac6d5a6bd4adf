package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/fpfind/fpfind/io/numpy"
)

// writeNet writes a network .npz with the float arrays and string keys
// given, and returns its path.
func writeNet(t *testing.T, dir, name string, floats map[string]numpy.Array, strs map[string]string) string {
	t.Helper()
	var arrays []numpy.Array
	for k, a := range floats {
		a.Name = k
		arrays = append(arrays, a)
	}
	for k, v := range strs {
		arrays = append(arrays, numpy.Array{Name: k, Data: []string{v}})
	}
	p := filepath.Join(dir, name)
	if err := numpy.WriteNPZ(p, arrays); err != nil {
		t.Fatal(err)
	}
	return p
}

// tauSlow returns the tau_slow column of the first row of a linearize
// table.
func tauSlow(t *testing.T, table string) string {
	t.Helper()
	lines := strings.Split(table, "\n")
	head := strings.Fields(lines[0])
	col := -1
	for j, h := range head {
		if h == "tau_slow" {
			col = j
		}
	}
	if col < 0 || len(lines) < 2 {
		t.Fatalf("no tau_slow column in\n%s", table)
	}
	row := strings.Fields(lines[1])
	if len(row) != len(head) {
		t.Fatalf("row %q does not match the header %q", lines[1], lines[0])
	}
	return row[col]
}

// A marginal point (a zero eigenvalue, |lambda| = 1 for the maps, or one
// within eps of the boundary) has the slowest time constant +Inf, shown as
// "inf": never "-inf" or a huge negative number, which the table's legend
// describes as a growing mode.
func TestMarginalTimeConstant(t *testing.T) {
	dir := t.TempDir()
	at := filepath.Join(dir, "at.npy")
	if err := numpy.WriteNPY(at, numpy.Array{Shape: []int{1, 2}, Data: []float64{0.3, -0.2}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		w    float64 // W = w I with a linear phi: J = (w - 1) I
		args []string
	}{
		{"zero", 1, nil},
		{"within-eps", 1 + 1e-12, []string{"--eps", "1e-9"}},
		{"leaky-unit-circle", 1, []string{"--convention", "leaky", "--alpha", "0.5"}},
		{"discrete-unit-circle", 1, []string{"--convention", "discrete"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			network := writeNet(t, dir, tc.name+".npz", map[string]numpy.Array{
				"W": {Shape: []int{2, 2}, Data: []float64{tc.w, 0, 0, tc.w}},
			}, map[string]string{"activation": "linear"})
			r := runArgs(t, append(append([]string{"linearize", "-q", "--at", at}, tc.args...), network)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if !strings.Contains(r.stdout, " marginal ") {
				t.Fatalf("the point is not marginal:\n%s", r.stdout)
			}
			if got := tauSlow(t, r.stdout); got != "inf" {
				t.Errorf("tau_slow %s, want inf:\n%s", got, r.stdout)
			}
			if !strings.Contains(r.stdout, "inf if marginal") {
				t.Errorf("the legend does not say how a marginal mode reads:\n%s", r.stdout)
			}
		})
	}
}
