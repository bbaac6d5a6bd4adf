package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fpfind/fpfind/internal/pythontest"
	"github.com/fpfind/fpfind/sweep"
)

// sweepNets are small networks of testdata with known answers (testdata/
// README.md): fixed points, stable ones, and the leading eigenvalue.
var sweepNets = []struct {
	file           string
	fixed, stable  int
	leadRe, leadIm float64 // the leading eigenvalue over the fixed points
}{
	{"tanh1.npz", 3, 2, 1, 0},       // the unstable origin, J = +1
	{"two_units.npz", 3, 2, 0.5, 0}, // the saddle at the origin
	{"rotation.npz", 1, 1, (-1 + 0.9*math.Sqrt2/2) / 2, 0.9 * math.Sqrt2 / 4}, // (-1 + 0.9 e^{i pi/4})/2
	{"zero_weights.npz", 1, 1, -0.5, 0},                                       // J = -diag(1/tau), tau = (0.5, 1, 2)
	{"leaky.npz", 3, 2, 1.1, 0},                                               // the unstable origin of the map, M = 1.1
}

// sweepManifest writes a manifest of sweepNets (label gain = its row, and
// --seed 2 for the second) with a corrupt network third, and returns its
// path.
func sweepManifest(t *testing.T, dir string) string {
	t.Helper()
	bad := filepath.Join(dir, "corrupt.npz")
	if err := os.WriteFile(bad, []byte("not a zip file"), 0o644); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("network,gain,flags\n")
	for i, n := range sweepNets {
		flags := ""
		if i == 1 {
			flags = "--seed 2"
		}
		fmt.Fprintf(&b, "%s,%d,%s\n", net(n.file), i, flags)
		if i == 1 {
			fmt.Fprintf(&b, "%s,%d,\n", bad, 99)
		}
	}
	m := filepath.Join(dir, "nets.csv")
	if err := os.WriteFile(m, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return m
}

// readCSV reads a table written by collect.
func readCSV(t *testing.T, s string) (header []string, rows [][]string) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("the table is not CSV: %v\n%s", err, s)
	}
	return recs[0], recs[1:]
}

// secondsRE matches the runtime in a .json, the one value a rerun changes.
var secondsRE = regexp.MustCompile(`"seconds": [0-9.e+-]+`)

// sameResults checks that the folders a and b hold the same result files:
// byte-identical .npz and .failed.json, and .json identical but for the
// seconds and the output paths.
func sameResults(t *testing.T, a, b string) {
	t.Helper()
	names := func(dir string) []string {
		var out []string
		for _, f := range files(t, dir) {
			if strings.HasSuffix(f, ".npz") || strings.HasSuffix(f, ".json") {
				out = append(out, f)
			}
		}
		return out
	}
	fa, fb := names(a), names(b)
	if !slices.Equal(fa, fb) {
		t.Fatalf("%s holds %q, %s holds %q", a, fa, b, fb)
	}
	for _, f := range fa {
		x, _ := os.ReadFile(filepath.Join(a, f))
		y, _ := os.ReadFile(filepath.Join(b, f))
		if strings.HasSuffix(f, ".json") {
			x = secondsRE.ReplaceAll(bytes.ReplaceAll(x, []byte(a), []byte("DIR")), []byte("SECONDS"))
			y = secondsRE.ReplaceAll(bytes.ReplaceAll(y, []byte(b), []byte("DIR")), []byte("SECONDS"))
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between %s and %s", f, a, b)
		}
	}
}

// A sweep over networks with known answers, a corrupt one among them: each
// network's results are find's own (the same bytes), the corrupt one fails
// alone, the exit status says so, the table holds the known counts and
// leading eigenvalues, and the results do not depend on -j.
func TestSweep(t *testing.T) {
	dir := t.TempDir()
	m := sweepManifest(t, dir)
	out := filepath.Join(dir, "out")
	r := runArgs(t, "sweep", "-o", out, "-j", "2", "-n", "24", m)
	if r.code != exitFailure || !strings.Contains(r.stderr, "corrupt.npz") || !strings.Contains(r.stderr, "1 of 6 networks failed") {
		t.Fatalf("sweep: exit %d, want 1 naming the corrupt network\n%s", r.code, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("sweep wrote on stdout: %q", r.stdout)
	}
	// Each network's results are those of fpfind find with the same flags.
	for i, n := range sweepNets {
		args := []string{"find", "-n", "24", "-q"}
		var flags []string
		if i == 1 {
			flags = []string{"--seed", "2"}
		}
		prefix := filepath.Join(dir, "find"+strconv.Itoa(i))
		if r := runArgs(t, append(append(args, flags...), "-o", prefix, net(n.file))...); r.code != 0 {
			t.Fatalf("find %s: %s", n.file, r.stderr)
		}
		want, _ := os.ReadFile(prefix + ".npz")
		npz, _, _ := sweep.Files(out, sweep.Name(net(n.file), flags))
		got, err := os.ReadFile(npz)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: the sweep's .npz differs from find's (%v)", n.file, err)
		}
	}
	r = runArgs(t, "collect", out)
	if r.code != 0 {
		t.Fatalf("collect: %s", r.stderr)
	}
	header, rows := readCSV(t, r.stdout)
	col := func(name string) int {
		j := slices.Index(header, name)
		if j < 0 {
			t.Fatalf("no column %s in %q", name, header)
		}
		return j
	}
	if len(rows) != 6 {
		t.Fatalf("%d rows, want 6", len(rows))
	}
	k := 0
	for _, row := range rows {
		if strings.HasSuffix(row[col("network")], "corrupt.npz") {
			if row[col("status")] != "failed" || !strings.Contains(row[col("error")], "not an .npz archive") || row[col("gain")] != "99" {
				t.Errorf("the corrupt network's row: %q", row)
			}
			continue
		}
		n := sweepNets[k]
		k++
		atoi := func(c string) int { v, _ := strconv.Atoi(row[col(c)]); return v }
		atof := func(c string) float64 { v, _ := strconv.ParseFloat(row[col(c)], 64); return v }
		if row[col("network")] != net(n.file) || row[col("status")] != "done" || atoi("n_fixed") != n.fixed || atoi("n_stable") != n.stable ||
			math.Abs(atof("leading_re")-n.leadRe) > 1e-9 || math.Abs(math.Abs(atof("leading_im"))-n.leadIm) > 1e-9 || row[col("gain")] != strconv.Itoa(k-1) {
			t.Errorf("%s: row %q, want %d fixed, %d stable, leading %v", n.file, row, n.fixed, n.stable, complex(n.leadRe, n.leadIm))
		}
		if s := atof("seconds"); !(s > 0) {
			t.Errorf("%s: seconds %v", n.file, s)
		}
	}
	// zero_weights: tau = (0.5, 1, 2), so its slowest time constant is 2.
	if row := rows[4]; math.Abs(mustFloat(t, row[col("slowest_tau")])-2) > 1e-9 {
		t.Errorf("zero_weights: slowest_tau %s, want 2", row[col("slowest_tau")])
	}

	// -j 1 gives the same files.
	out1 := filepath.Join(dir, "out1")
	if r := runArgs(t, "sweep", "-o", out1, "-j", "1", "--workers", "2", "-n", "24", "-q", m); r.code != exitFailure {
		t.Fatalf("sweep -j 1: exit %d\n%s", r.code, r.stderr)
	}
	sameResults(t, out, out1)

	// A rerun analyses nothing and changes no file; --status agrees.
	before := modTimes(t, out)
	r = runArgs(t, "sweep", "-o", out, "-n", "24", m)
	if r.code != exitFailure || !strings.Contains(r.stderr, "0 analysed, 5 already done, 1 failed") || !strings.Contains(r.stderr, "--retry-failed") {
		t.Errorf("rerun: exit %d\n%s", r.code, r.stderr)
	}
	if after := modTimes(t, out); !maps(before, after) {
		t.Errorf("a rerun changed files: %v -> %v", before, after)
	}
	r = runArgs(t, "sweep", "--status", out)
	if r.code != exitFailure || !strings.HasPrefix(r.stdout, out+": 6 networks: 5 done, 1 failed, 0 stale, 0 missing\n") || !strings.Contains(r.stdout, "failed\t"+filepath.Join(dir, "corrupt.npz")) {
		t.Errorf("--status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Other settings make every result stale: all are analysed again.
	r = runArgs(t, "sweep", "-o", out, "-n", "25", "--retry-failed", m)
	if r.code != exitFailure || !strings.Contains(r.stderr, "5 analysed, 0 already done, 1 failed") {
		t.Errorf("new settings: exit %d\n%s", r.code, r.stderr)
	}
	// The sweep's folder given as a folder of networks adds none: its
	// results are not networks.
	r = runArgs(t, "sweep", "-o", out, "-n", "25", "--retry-failed", m, out)
	if r.code != exitFailure || !strings.Contains(r.stderr, "0 analysed, 5 already done, 1 failed") {
		t.Errorf("with the sweep's folder among the networks: exit %d\n%s", r.code, r.stderr)
	}
	if r := runArgs(t, "sweep", "-o", out, out); r.code != exitUsage || !strings.Contains(r.stderr, "no network to analyse outside") {
		t.Errorf("only the sweep's folder: exit %d\n%s", r.code, r.stderr)
	}
	// A mended network is analysed again, and its failure forgotten.
	if err := copyFile(net("tanh1.npz"), filepath.Join(dir, "corrupt.npz")); err != nil {
		t.Fatal(err)
	}
	r = runArgs(t, "sweep", "-o", out, "-n", "25", m)
	if r.code != 0 || !strings.Contains(r.stderr, "1 analysed, 5 already done, 0 failed") {
		t.Errorf("mended: exit %d\n%s", r.code, r.stderr)
	}
	if fs := files(t, out); slices.ContainsFunc(fs, func(f string) bool { return strings.HasSuffix(f, ".failed.json") }) {
		t.Errorf("a failure record stayed: %q", fs)
	}
	if r := runArgs(t, "sweep", "--status", out); r.code != 0 {
		t.Errorf("--status once every network is done: exit %d\n%s", r.code, r.stdout)
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return v
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}

// modTimes returns the modification time of every file in dir.
func modTimes(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, f := range files(t, dir) {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		out[f] = st.ModTime().UnixNano()
	}
	return out
}

func maps(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// collect's .npz and CSV, read with numpy, against each network's own
// .npz: the counts of fixed points by class, the slowest time constant of
// the stable ones and the leading eigenvalue, recomputed from the arrays.
func TestCollectNumpy(t *testing.T) {
	pythontest.Need(t, "numpy")
	dir := t.TempDir()
	m := sweepManifest(t, dir)
	out := filepath.Join(dir, "out")
	if r := runArgs(t, "sweep", "-o", out, "-n", "24", "-q", m); r.code != exitFailure {
		t.Fatalf("sweep: exit %d\n%s", r.code, r.stderr)
	}
	tab := filepath.Join(dir, "t.npz")
	if r := runArgs(t, "collect", "-o", tab, out); r.code != 0 {
		t.Fatalf("collect: %s", r.stderr)
	}
	if r := runArgs(t, "collect", "-o", filepath.Join(dir, "t.csv"), "--plot", filepath.Join(dir, "t.png"), out); r.code != 0 {
		t.Fatalf("collect --plot: %s", r.stderr)
	}
	got := pythontest.Run(t, `
import csv, sys
import numpy as np
tab, table_csv, out = sys.argv[1], sys.argv[2], sys.argv[3]
z = np.load(tab)
rows = list(csv.DictReader(open(table_csv)))
assert len(rows) == len(z["network"]) == 6
checked = 0
for i, row in enumerate(rows):
    assert row["network"] == z["network"][i] and row["status"] == z["status"][i]
    if row["status"] != "done":
        assert z["n_fixed"][i] == -1 and np.isnan(z["leading_re"][i]) and row["n_fixed"] == ""
        continue
    r = np.load(out + "/" + z["result"][i] + ".npz")
    conv = str(r["convention"])
    fixed = r["kind"] == "fixed"
    stable = fixed & (r["stability"] == "stable")
    assert z["n_fixed"][i] == fixed.sum() == int(row["n_fixed"]), (i, z["n_fixed"][i], fixed.sum())
    assert z["n_stable"][i] == stable.sum() == int(row["n_stable"])
    assert z["n_saddle"][i] == (fixed & (r["stability"] == "saddle")).sum()
    ev = r["eigenvalues"][fixed]
    size = np.abs(ev) if conv in ("leaky", "discrete") else ev.real
    k = np.unravel_index(np.nanargmax(size), size.shape)
    lead = ev[k]
    assert abs(z["leading_re"][i] - lead.real) <= 1e-12 and abs(abs(z["leading_im"][i]) - abs(lead.imag)) <= 1e-12, (i, lead, z["leading_re"][i])
    assert float(row["leading_re"]) == z["leading_re"][i]
    # The slowest time constant of the stable points, from their eigenvalues.
    if conv == "continuous":
        taus = -1 / ev[stable[fixed]].real
    else:
        taus = -1.0 / np.log(np.abs(ev[stable[fixed]]))
        if conv == "leaky":
            taus = taus * 0.1
    assert abs(z["slowest_tau"][i] - taus.max()) <= 1e-9 * taus.max(), (i, z["slowest_tau"][i], taus.max())
    assert z["gain"].dtype == np.float64 and z["gain"][i] == float(row["gain"])
    checked += 1
print("ok", checked)
`, "", tab, filepath.Join(dir, "t.csv"), out)
	if strings.TrimSpace(got) != "ok 5" {
		t.Errorf("python: %s", got)
	}
	if st, err := os.Stat(filepath.Join(dir, "t.png")); err != nil || st.Size() < 1000 {
		t.Errorf("the plot: %v", err)
	}
}

// Usage and input errors of sweep and collect: exit 2 with a message
// naming the flag, file or line.
func TestSweepErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("network,flags\n"+net("tanh1.npz")+",--frobnicate 3\n"), 0o644)
	noCol := filepath.Join(dir, "nocol.csv")
	os.WriteFile(noCol, []byte("path\nx.npz\n"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep", net("tanh1.npz")}, "missing -o DIR"},
		{[]string{"sweep", "-o", dir}, "missing the NETWORKS"},
		{[]string{"sweep", "-o", dir, "--shard", "2/2", net("tanh1.npz")}, "--shard \"2/2\""},
		{[]string{"sweep", "-o", dir, "--wait", net("tanh1.npz")}, "--wait is a flag of --slurm"},
		{[]string{"sweep", "-o", dir, bad}, "bad.csv line 2: flags \"--frobnicate 3\": unknown flag: --frobnicate"},
		{[]string{"sweep", "-o", dir, noCol}, "has no column network"},
		{[]string{"sweep", "-o", dir, filepath.Join(dir, "none*.npz")}, "no file matches"},
		{[]string{"sweep", "-o", dir, "-n", "0", net("tanh1.npz")}, "--inits 0"},
		{[]string{"sweep", "--status", dir}, "no sweep in this folder"},
		{[]string{"collect", dir}, "no sweep in this folder"},
		{[]string{"collect", "-o", "t.txt", dir}, "must end in .csv or .npz"},
		{[]string{"collect", "--along", "step", dir}, "--along is a flag of --plot"},
	} {
		r := runArgs(t, c.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%q: exit %d, want 2 with %q\n%s", c.args, r.code, c.want, r.stderr)
		}
	}
}

// --slurm --dry-run prints the job array's script (--array, one task per
// shard) and writes its manifest; running the tasks' command line for each
// shard in turn, as Slurm would, gives the results of a local sweep.
func TestSweepDryRun(t *testing.T) {
	dir := t.TempDir()
	m := sweepManifest(t, dir)
	out := filepath.Join(dir, "out")
	r := runArgs(t, "sweep", "-o", out, "--slurm", "--dry-run", "--array-max", "4", "--cpus", "2", "--time", "10", "--partition", "short", "-n", "24", m)
	if r.code != 0 {
		t.Fatalf("--dry-run: exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"#SBATCH --array=0-3\n", "#SBATCH --cpus-per-task=2\n", "#SBATCH --time=10\n", "#SBATCH --partition=short\n",
		`sweep --shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT" -o ` + out + " -j 2 --progress never --inits=24 " + filepath.Join(out, "slurm", "networks.csv") + "\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the script lacks %q:\n%s", want, r.stdout)
		}
	}
	script, err := os.ReadFile(filepath.Join(out, "slurm", "sweep.sbatch"))
	if err != nil || string(script) != r.stdout {
		t.Errorf("the script written differs from the one printed (%v)", err)
	}
	exec := r.stdout[strings.Index(r.stdout, "exec ")+5:]
	words, err := sweep.SplitFlags(strings.ReplaceAll(exec, `"$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT"`, "SHARD"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		args := slices.Clone(words[1:])
		args[slices.Index(args, "SHARD")] = fmt.Sprintf("%d/4", i)
		r := runArgs(t, args...)
		wantCode := 0
		if i == 2 { // the corrupt network, third in the list
			wantCode = exitFailure
		}
		if r.code != wantCode {
			t.Errorf("task %d: exit %d\n%s", i, r.code, r.stderr)
		}
	}
	local := filepath.Join(dir, "local")
	runArgs(t, "sweep", "-o", local, "-n", "24", "-q", m)
	os.RemoveAll(filepath.Join(out, "slurm"))
	sameResults(t, local, out)
}
