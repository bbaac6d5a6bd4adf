package sweep

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/fpfind/fpfind/io/report"
)

func TestSplitFlags(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  --seed 3  -n\t64 ", []string{"--seed", "3", "-n", "64"}},
		{`--input '0.5, 0'`, []string{"--input", "0.5, 0"}},
		{`--key-prefix "a \"b\" \\c"`, []string{"--key-prefix", `a "b" \c`}},
		{`a\ b c''d ""`, []string{"a b", "cd", ""}},
	} {
		got, err := SplitFlags(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("SplitFlags(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{`'open`, `"open`} {
		if _, err := SplitFlags(bad); err == nil {
			t.Errorf("SplitFlags(%q): no error", bad)
		}
	}
	// Quote is SplitFlags' inverse, word by word.
	for _, s := range []string{"plain", "", "a b", `it's`, `"q"`, `$HOME`, "x\ty", `back\slash`} {
		got, err := SplitFlags(Quote(s) + " " + Quote(s))
		if err != nil || !reflect.DeepEqual(got, []string{s, s}) {
			t.Errorf("SplitFlags(Quote(%q)) = %q, %v", s, got, err)
		}
	}
}

func write(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadManifest(t *testing.T) {
	dir := t.TempDir()
	csv := write(t, filepath.Join(dir, "m.csv"), "# runs of May\nnetwork,seed,flags,gain\na.npz,1,--seed 3,0.9\n\n\"b c.npz\",2,,\n")
	got, err := ReadManifest(csv)
	if err != nil {
		t.Fatal(err)
	}
	want := []Network{
		{Path: "a.npz", Flags: []string{"--seed", "3"}, Labels: []report.Label{{Name: "seed", Value: "1"}, {Name: "gain", Value: "0.9"}}, From: csv + " line 3"},
		{Path: "b c.npz", Labels: []report.Label{{Name: "seed", Value: "2"}}, From: csv + " line 5"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadManifest:\n got %+v\nwant %+v", got, want)
	}
	tsv := write(t, filepath.Join(dir, "m.tsv"), "step\tnetwork\n100\tx.npz\n")
	if got, err := ReadManifest(tsv); err != nil || len(got) != 1 || got[0].Path != "x.npz" || got[0].Labels[0] != (report.Label{Name: "step", Value: "100"}) {
		t.Errorf("tsv: %+v, %v", got, err)
	}
	txt := write(t, filepath.Join(dir, "m.txt"), "# list\nx.npz\n\n  y.npz \n")
	if got, err := ReadManifest(txt); err != nil || len(got) != 2 || got[1].Path != "y.npz" || got[1].From != txt+" line 4" {
		t.Errorf("txt: %+v, %v", got, err)
	}
	for name, content := range map[string]string{
		"nonet.csv":  "path,seed\na.npz,1\n",
		"status.csv": "network,status\na.npz,1\n",
		"twice.csv":  "network,seed,seed\na.npz,1,2\n",
		"empty.csv":  "",
		"blank.csv":  "network,seed\n,1\n",
		"ragged.csv": "network,seed\na.npz\n",
		"quote.csv":  "network,flags\na.npz,--key-prefix 'x\n",
		"noname.csv": "network,,x\na.npz,1,2\n",
	} {
		if _, err := ReadManifest(write(t, filepath.Join(dir, name), content)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v, want one naming the file", name, err)
		}
	}
}

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	old, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(old)
	write(t, "ckpt/r.step000100.npz", "")
	write(t, "ckpt/r.step000020.npz", "")
	write(t, "ckpt/notes.txt", "")
	write(t, "ckpt/.hidden.npz", "")
	write(t, "ckpt/npyfolder/W.npy", "")
	write(t, "single/W.npy", "")
	write(t, "m.csv", "network,seed\nsingle,4\n")
	os.Mkdir("emptyfolder", 0o755)
	got, err := Expand([]string{"ckpt", "ckpt/*.step0001*.npz", "m.csv"})
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, n := range got {
		paths = append(paths, n.Path)
	}
	// The glob's match repeats one of the folder's networks and is dropped.
	want := []string{"ckpt/npyfolder", "ckpt/r.step000020.npz", "ckpt/r.step000100.npz", "single"}
	if !slices.Equal(paths, want) {
		t.Fatalf("Expand: %q, want %q", paths, want)
	}
	if got[1].Labels[0] != (report.Label{Name: "step", Value: "20"}) || got[0].Labels != nil || got[3].Labels[0].Value != "4" {
		t.Errorf("labels: %+v", got)
	}
	if _, err := Expand([]string{"single", "m.csv"}); err == nil || !strings.Contains(err.Error(), "other labels") {
		t.Errorf("a network listed with other labels: %v", err)
	}
	for _, args := range [][]string{{"nothing*.npz"}, {"emptyfolder"}, nil} {
		if _, err := Expand(args); err == nil {
			t.Errorf("Expand(%q): no error", args)
		}
	}
	// A path that is not there is a network, whose analysis will fail.
	if got, err := Expand([]string{"gone.npz"}); err != nil || len(got) != 1 {
		t.Errorf("Expand(gone.npz) = %v, %v", got, err)
	}
}

func TestName(t *testing.T) {
	a := Name("runs/a b/net.npz", nil)
	if !strings.HasPrefix(a, "net-") || len(a) != len("net-")+10 {
		t.Errorf("Name = %q", a)
	}
	if Name("runs/a b/../a b/net.npz", nil) != a || Name("runs/other/net.npz", nil) == a || Name("runs/a b/net.npz", []string{"--seed=2"}) == a {
		t.Error("Name depends on the cleaned path and the flags")
	}
	for in, prefix := range map[string]string{"x/.npz": "n-", "dir/weird name;$.npz": "weird_name__-", "x/" + strings.Repeat("a", 80) + ".npz": strings.Repeat("a", 48) + "-"} {
		if got := Name(in, nil); !strings.HasPrefix(got, prefix) {
			t.Errorf("Name(%q) = %q, want the prefix %q", in, got, prefix)
		}
	}
}

func TestShard(t *testing.T) {
	for n := range 12 {
		for k := 1; k <= 5; k++ {
			var all []int
			for i := range k {
				all = append(all, Shard(n, i, k)...)
			}
			slices.Sort(all)
			if len(all) != n || (n > 0 && (all[0] != 0 || all[n-1] != n-1 || len(slices.Compact(all)) != n)) {
				t.Errorf("n = %d, k = %d: shards cover %v", n, k, all)
			}
		}
	}
	for _, bad := range []string{"3/3", "-1/2", "1", "a/b", "0/0"} {
		if _, _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q): no error", bad)
		}
	}
	if i, k, err := ParseShard("2/7"); i != 2 || k != 7 || err != nil {
		t.Errorf("ParseShard(2/7) = %d, %d, %v", i, k, err)
	}
}

// writeResult writes what a sweep's analysis writes for e: NAME.npz (empty
// here) and NAME.json, with the points given.
func writeResult(t *testing.T, dir string, e report.SweepEntry, version, hash, conv string, points []report.Point) {
	t.Helper()
	npz, js, _ := Files(dir, e.Name)
	write(t, npz, "")
	doc := report.Find{Header: report.Header{Version: version, Command: "find", Input: report.Input{Path: e.Network, SHA256: hash}, Network: report.Network{Convention: conv}},
		Points: points, Sweep: &e}
	var b bytes.Buffer
	if err := report.Write(&b, doc); err != nil {
		t.Fatal(err)
	}
	write(t, js, b.String())
}

func TestCheckAndCollect(t *testing.T) {
	dir := t.TempDir()
	entry := func(name string, labels ...report.Label) report.SweepEntry {
		return report.SweepEntry{Network: name + ".npz", Name: Name(name+".npz", nil), Labels: labels, Settings: []string{"--seed=1"}}
	}
	done, failed, stale, gone := entry("done", report.Label{Name: "step", Value: "10"}), entry("failed", report.Label{Name: "step", Value: "20"}), entry("stale"), entry("gone")
	plan := &report.SweepPlan{Command: "sweep", Version: "v1", Networks: []report.SweepEntry{done, failed, stale, gone}}
	if err := WritePlan(dir, plan); err != nil {
		t.Fatal(err)
	}
	d := done
	d.Seconds = 1.5
	writeResult(t, dir, d, "v1", "h1", "continuous", []report.Point{
		{Kind: "fixed", Stability: "stable", SlowestTau: 2, Leading: report.Complex(complex(-0.5, 0))},
		{Kind: "fixed", Stability: "stable", SlowestTau: 3, Leading: report.Complex(complex(-0.3, 0))},
		{Kind: "fixed", Stability: "saddle", SlowestTau: -1, Leading: report.Complex(complex(0.2, 0.1))},
		{Kind: "slow", Stability: "saddle", SlowestTau: 9, Leading: report.Complex(complex(5, 0))},
	})
	st := stale
	st.Settings = []string{"--seed=2"}
	writeResult(t, dir, st, "v1", "h1", "continuous", nil)
	_, _, fpath := Files(dir, failed.Name)
	var b bytes.Buffer
	report.Write(&b, report.SweepFailure{Version: "v1", Command: "sweep", Input: report.Input{Path: failed.Network, SHA256: "h1"}, Sweep: failed, Error: "bad file", ExitCode: 2})
	write(t, fpath, b.String())

	hash := func(string) (string, error) { return "h1", nil }
	want := Want{Version: "v1", Hash: hash}
	for _, c := range []struct {
		e    report.SweepEntry
		want Want
		st   State
	}{
		{done, want, Done}, {failed, want, Failed}, {stale, want, Stale}, {gone, want, Missing},
		{done, Want{Version: "v2"}, Stale},
		{done, Want{Hash: func(string) (string, error) { return "h2", nil }}, Stale},
		{failed, Want{Version: "v2"}, Stale},
	} {
		if got := Check(dir, c.e, c.want); got.State != c.st {
			t.Errorf("Check(%s, %+v) = %v (%s), want %v", c.e.Network, c.want.Version, got.State, got.Reason, c.st)
		}
	}
	// The .npz is part of a result: without it the result is stale.
	npz, _, _ := Files(dir, done.Name)
	os.Rename(npz, npz+".away")
	if got := Check(dir, done, want); got.State != Stale {
		t.Errorf("without its .npz: %v", got.State)
	}
	os.Rename(npz+".away", npz)

	tab, err := Collect(dir, want)
	if err != nil {
		t.Fatal(err)
	}
	var csv bytes.Buffer
	if err := tab.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	wantCSV := "network,step,status,convention,n_points,n_fixed,n_slow,n_stable,n_saddle,n_unstable,n_marginal,slowest_tau,leading_re,leading_im,seconds,result,error\n" +
		"done.npz,10,done,continuous,4,3,1,2,1,0,0,3,0.2,0.1,1.5," + done.Name + ",\n" +
		"failed.npz,20,failed,,,,,,,,,,,,0," + failed.Name + ",bad file\n" +
		"stale.npz,,stale,,,,,,,,,,,,," + stale.Name + ",made with other settings\n" +
		"gone.npz,,missing,,,,,,,,,,,,," + gone.Name + ",\n"
	if csv.String() != wantCSV {
		t.Errorf("CSV:\n%s\nwant\n%s", csv.String(), wantCSV)
	}
	arrays := tab.Arrays()
	byName := map[string]any{}
	for _, a := range arrays {
		byName[a.Name] = a.Data
	}
	if got := byName["n_stable"].([]int64); !slices.Equal(got, []int64{2, -1, -1, -1}) {
		t.Errorf("n_stable = %v", got)
	}
	if got := byName["step"].([]float64); got[0] != 10 || got[1] != 20 || got[2] == got[2] {
		t.Errorf("step = %v (a numeric label, NaN where absent)", got)
	}
	if got := byName["status"].([]string); !slices.Equal(got, []string{"done", "failed", "stale", "missing"}) {
		t.Errorf("status = %v", got)
	}
	// For a map the leading eigenvalue is the one of largest modulus.
	writeResult(t, dir, d, "v1", "h1", "leaky", []report.Point{
		{Kind: "fixed", Stability: "stable", Leading: report.Complex(complex(-0.9, 0))},
		{Kind: "fixed", Stability: "stable", Leading: report.Complex(complex(0.5, 0.1))},
	})
	if f, ok := (&Row{Status: Check(dir, done, want)}).Facts(); !ok || f.Leading != complex(-0.9, 0) {
		t.Errorf("leaky: leading %v, %v", f.Leading, ok)
	}
}

// WritePlan replaces a plan with another, and leaves the same one alone.
func TestWritePlan(t *testing.T) {
	dir := t.TempDir()
	p := &report.SweepPlan{Command: "sweep", Version: "v1", Networks: []report.SweepEntry{{Network: "a.npz", Name: "a"}}}
	if err := WritePlan(dir, p); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, PlanFile)
	st, _ := os.Stat(path)
	if err := WritePlan(dir, p); err != nil {
		t.Fatal(err)
	}
	if st2, _ := os.Stat(path); !os.SameFile(st, st2) {
		t.Error("the same plan was written again")
	}
	p.Networks[0].Labels = []report.Label{{Name: "seed", Value: "1"}}
	if err := WritePlan(dir, p); err != nil {
		t.Fatal(err)
	}
	got, err := ReadPlan(dir)
	if err != nil || len(got.Networks[0].Labels) != 1 {
		t.Errorf("ReadPlan after a change: %+v, %v", got, err)
	}
	if _, err := ReadPlan(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no sweep") {
		t.Errorf("ReadPlan of an empty folder: %v", err)
	}
}
