package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fpfind/fpfind/io/numpy"
	"github.com/spf13/pflag"
)

// A first argument that reads as a mistyped command is reported as one,
// with the nearest command; one that may be a network is left to the
// command, which says the file is missing.
func TestUnknownCommand(t *testing.T) {
	const hint = "Run 'fpfind --help' for usage.\n"
	for _, tc := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"simulat", net("tanh1.npz")}, "fpfind: unknown command \"simulat\"; did you mean simulate?\n" + hint},
		{[]string{"lineariz", "--at", "x.npy", net("tanh1.npz")}, "fpfind: unknown command \"lineariz\"; did you mean linearize?\n" + hint},
		{[]string{"inf", net("tanh1.npz")}, "fpfind: unknown command \"inf\"; did you mean info?\n" + hint},
		{[]string{"fnid", net("tanh1.npz")}, "fpfind: unknown command \"fnid\"; did you mean find?\n" + hint},
		{[]string{"hlep"}, "fpfind: unknown command \"hlep\"; did you mean help?\n" + hint},
		{[]string{"Simulate", net("tanh1.npz")}, "fpfind: unknown command \"Simulate\"; did you mean simulate?\n" + hint},
		{[]string{"frobnicate", net("tanh1.npz")}, "fpfind: unknown command \"frobnicate\" (commands: find, simulate, linearize, continue, info, train, sweep, collect, help)\n" + hint},
		{[]string{"-q", "simulat", net("tanh1.npz")}, "fpfind: unknown command \"simulat\"; did you mean simulate?\n" + hint},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := runArgs(t, tc.args...)
			if r.code != 2 || r.stdout != "" || r.stderr != tc.stderr {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing, %q", r.code, r.stdout, r.stderr, tc.stderr)
			}
		})
	}
	// A lone word naming no file, far from every command, is a missing
	// network; so is a missing path.
	for _, arg := range []string{"frobnicate", "simulat.npz", filepath.Join(t.TempDir(), "simulat")} {
		r := runArgs(t, arg)
		if r.code != 2 || strings.Contains(r.stderr, "unknown command") || !strings.Contains(r.stderr, arg) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and a missing network", arg, r.code, r.stderr)
		}
	}
}

// A network file whose name is close to a command is still the network.
func TestNetworkNamedLikeCommand(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile(net("two_units.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "simulat"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	r := runArgs(t, "-q", "-n", "3", "simulat")
	if r.code != 0 || !strings.Contains(r.stdout, "stable") {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// Flags given before the command go to it; flags of plain fpfind (find)
// keep working, including those that take a value.
func TestFlagsBeforeCommand(t *testing.T) {
	two := net("two_units.npz")
	want := runArgs(t, "find", "-q", "-n", "3", two)
	if want.code != 0 || want.stdout == "" {
		t.Fatalf("find: exit %d, stderr %q", want.code, want.stderr)
	}
	for _, args := range [][]string{
		{"-q", "find", "-n", "3", two},
		{"-n", "3", "-q", "find", two},
		{"-q", "-n", "3", two},
		{"-n", "3", "find", "-q", two},
		{"-qn", "3", "find", two},
		{"--inits=3", "-q", two},
	} {
		r := runArgs(t, args...)
		if r.code != 0 || r.stdout != want.stdout || r.stderr != "" {
			t.Errorf("%q: exit %d, stderr %q, stdout differs: %v", args, r.code, r.stderr, r.stdout != want.stdout)
		}
	}
	r := runArgs(t, "--format", "json", "info", net("tanh1.npz"))
	var doc struct{ Command string }
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil || doc.Command != "info" {
		t.Errorf("--format json info: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runArgs(t, "-q", "help", "info")
	if r.code != 0 || !strings.HasPrefix(r.stdout, strings.TrimSpace(infoCommand.about)[:20]) {
		t.Errorf("-q help info: exit %d, stdout %q", r.code, r.stdout)
	}
	// A flag the command does not have is its usage error.
	r = runArgs(t, "--t-end", "5", "info", net("tanh1.npz"))
	if r.code != 2 || !strings.Contains(r.stderr, "t-end") || !strings.Contains(r.stderr, "fpfind info --help") {
		t.Errorf("--t-end 5 info: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestCommandFirst(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"net.npz", "net.npz"},
		{"find -q net.npz", "find -q net.npz"},
		{"-q find net.npz", "find -q net.npz"},
		{"-n 5 net.npz", "-n 5 net.npz"},
		{"-n 5 simulate net.npz", "simulate -n 5 net.npz"},
		{"-n find net.npz", "-n find net.npz"}, // find is -n's value
		{"-n5 info net.npz", "info -n5 net.npz"},
		{"-qn 5 linearize net.npz", "linearize -qn 5 net.npz"},
		{"--out=x simulate net.npz", "simulate --out=x net.npz"},
		{"--out x simulate net.npz", "simulate --out x net.npz"},
		{"--force simulate net.npz", "simulate --force net.npz"},
		{"-- find", "-- find"},
		{"-q help find", "help -q find"},
	} {
		got := strings.Join(commandFirst(strings.Fields(tc.in)), " ")
		if got != tc.want {
			t.Errorf("commandFirst(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// commandFirst skips a flag's value by what the commands declare: a flag
// name must take a value in every command that has it, or in none.
func TestFlagKindsAgree(t *testing.T) {
	kind := map[string]bool{}
	owner := map[string]string{}
	for _, c := range commandList {
		c.flags().VisitAll(func(f *pflag.Flag) {
			for _, name := range []string{"--" + f.Name, "-" + f.Shorthand} {
				if name == "-" {
					continue
				}
				v := f.NoOptDefVal == ""
				if k, ok := kind[name]; ok && k != v {
					t.Errorf("%s takes a value in %s but not in %s, or the reverse", name, owner[name], c.name)
				}
				kind[name], owner[name] = v, c.name
			}
		})
	}
	if !kind["--inits"] || kind["--quiet"] {
		t.Errorf("flag kinds %v", kind)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"simulat", "simulate", 1}, {"fnid", "find", 2}, {"info", "find", 3}, {"", "help", 4}, {"kitten", "sitting", 3},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.d)
		}
	}
}

// fpfind info prints the names read from the file escaped when they hold
// control characters (a key with terminal escape codes), and plain
// otherwise.
func TestInfoEscapesNames(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "net.npz")
	bad := "\x1b[31mred\x1b[0m"
	err := numpy.WriteNPZ(p, []numpy.Array{
		{Name: "W", Shape: []int{2, 2}, Data: []float64{0.5, 0, 0, 0.5}},
		{Name: bad, Shape: []int{1}, Data: []float64{1}},
		{Name: "readout", Shape: []int{1}, Data: []float64{1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := runArgs(t, "info", p)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if strings.ContainsRune(r.stdout, 0x1b) {
		t.Errorf("a raw escape reached stdout:\n%q", r.stdout)
	}
	var lines []string
	for _, l := range strings.Split(r.stdout, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			lines = append(lines, f[0])
		}
	}
	for _, key := range []string{`"\x1b[31mred\x1b[0m"`, "readout", "W"} {
		if !slices.Contains(lines, key) {
			t.Errorf("no row for key %s in\n%s", key, r.stdout)
		}
	}
}

func TestEscaping(t *testing.T) {
	for _, tc := range []struct{ in, printable, oneLine string }{
		{"W", "W", "W"},
		{"model.weight_hh_l0", "model.weight_hh_l0", "model.weight_hh_l0"},
		{"poids_écrits", "poids_écrits", "poids_écrits"},
		{"a b", "a b", "a b"},
		{"\x1b[31mred", `"\x1b[31mred"`, `\x1b[31mred`},
		{"tab\there\nnext", `"tab\there\nnext"`, "tab here next"},
		{"bad\xffbyte", `"bad\xffbyte"`, `bad\xffbyte`},
		{"bell\a", `"bell\a"`, `bell\a`},
	} {
		if got := printable(tc.in); got != tc.printable {
			t.Errorf("printable(%q) = %s, want %s", tc.in, got, tc.printable)
		}
		if got := oneLine(tc.in); got != tc.oneLine {
			t.Errorf("oneLine(%q) = %s, want %s", tc.in, got, tc.oneLine)
		}
	}
}
