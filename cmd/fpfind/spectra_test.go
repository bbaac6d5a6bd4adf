package main

import (
	"encoding/json"
	"os"
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

// With partial spectra (--eigs), a count of unstable modes that is only a
// lower bound (every computed eigenvalue unstable) is flagged in the .npz
// (n_unstable_lower_bound, 0/1 per point, written for full spectra too) and
// in the .json (a boolean per point), for find and linearize alike, as the
// table's ">=" marks it.
func TestUnstableLowerBound(t *testing.T) {
	dir := t.TempDir()
	// J = W - I at h = 0 with a linear phi: eigenvalues 2, 1.5, 1.2, -0.5,
	// -0.8, -0.9. Two computed: both unstable, a bound; four: exact.
	network := writeNet(t, dir, "diag.npz", map[string]numpy.Array{
		"W": {Shape: []int{6, 6}, Data: diag(3, 2.5, 2.2, 0.5, 0.2, 0.1)},
	}, map[string]string{"activation": "linear"})
	at := filepath.Join(dir, "at.npy")
	if err := numpy.WriteNPY(at, numpy.Array{Shape: []int{6}, Data: make([]float64, 6)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		eigs  string
		bound bool
		table string
	}{{"2", true, ">=2"}, {"4", false, " 3 "}, {"0", false, " 3 "}} {
		for _, cmd := range []string{"find", "linearize"} {
			prefix := filepath.Join(dir, cmd+tc.eigs)
			args := []string{cmd, "-q", "--eigs", tc.eigs, "-o", prefix}
			if cmd == "find" {
				args = append(args, "--inits-from", "random", "-n", "4")
			} else {
				args = append(args, "--at", at)
			}
			r := runArgs(t, append(args, network)...)
			if r.code != 0 {
				t.Fatalf("%s --eigs %s: exit %d: %s", cmd, tc.eigs, r.code, r.stderr)
			}
			if !strings.Contains(r.stdout, tc.table) {
				t.Errorf("%s --eigs %s: the table does not show %q:\n%s", cmd, tc.eigs, tc.table, r.stdout)
			}
			a := readArrays(t, prefix+".npz")
			lb := a["n_unstable_lower_bound"]
			if lb == nil {
				t.Fatalf("%s --eigs %s: no n_unstable_lower_bound in the .npz", cmd, tc.eigs)
			}
			want := 0.0
			if tc.bound {
				want = 1
			}
			if d := lb.Data.([]float64); len(d) != 1 || d[0] != want {
				t.Errorf("%s --eigs %s: n_unstable_lower_bound %v, want [%v]", cmd, tc.eigs, d, want)
			}
			var doc struct {
				Points []map[string]any `json:"points"`
				States []map[string]any `json:"states"`
			}
			raw, err := os.ReadFile(prefix + ".json")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			rows := append(doc.Points, doc.States...)
			if len(rows) != 1 {
				t.Fatalf("%s: %d points in the .json, want 1", cmd, len(rows))
			}
			if got, ok := rows[0]["n_unstable_lower_bound"].(bool); !ok || got != tc.bound {
				t.Errorf("%s --eigs %s: .json n_unstable_lower_bound %v, want %v", cmd, tc.eigs, rows[0]["n_unstable_lower_bound"], tc.bound)
			}
		}
	}
}

// diag returns the row-major n x n matrix with the diagonal d.
func diag(d ...float64) []float64 {
	n := len(d)
	m := make([]float64, n*n)
	for i, v := range d {
		m[i*n+i] = v
	}
	return m
}
