//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fpfind/fpfind/sweep"
)

// needSlurm skips t unless a Slurm cluster answers (sbatch on PATH, sinfo
// lists an idle or mixed node), or fails it when FPFIND_REQUIRE_SLURM=1
// (CI, which starts one with .ci/slurm/local.sh).
func needSlurm(t *testing.T) {
	t.Helper()
	fail := t.Skipf
	if os.Getenv("FPFIND_REQUIRE_SLURM") == "1" {
		fail = t.Fatalf
	}
	if _, err := exec.LookPath("sbatch"); err != nil {
		fail("no Slurm (FPFIND_REQUIRE_SLURM=1 makes this fail): %v", err)
		return
	}
	out, err := exec.Command("sinfo", "-h", "-o", "%t").CombinedOutput()
	if err != nil || !regexp.MustCompile(`(?m)^(idle|mix|alloc)`).Match(out) {
		fail("no Slurm node up (FPFIND_REQUIRE_SLURM=1 makes this fail; .ci/slurm/local.sh start starts one): %v %s", err, out)
	}
}

// runBinary runs the built fpfind and returns its exit code, stdout and
// stderr.
func runBinary(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil && cmd.ProcessState == nil {
		t.Fatal(err)
	}
	return result{cmd.ProcessState.ExitCode(), out.String(), errb.String()}
}

// tableWithoutSeconds returns collect's CSV of dir without its seconds
// column, the one value that differs between two runs.
func tableWithoutSeconds(t *testing.T, dir string) string {
	t.Helper()
	r := runBinary(t, "collect", "-q", dir)
	if r.code != 0 {
		t.Fatalf("collect %s: %s", dir, r.stderr)
	}
	header, rows := readCSV(t, r.stdout)
	j := slices.Index(header, "seconds")
	var b strings.Builder
	for _, row := range append([][]string{header}, rows...) {
		b.WriteString(strings.Join(slices.Delete(slices.Clone(row), j, j+1), ",") + "\n")
	}
	return b.String()
}

// A dozen small networks (one corrupt) swept as a real Slurm job array
// through sweep --slurm --wait give the table of a local sweep, row for
// row but the runtimes, and the same result files.
func TestSweepSlurm(t *testing.T) {
	needSlurm(t)
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("network,seed,flags\n")
	nets := []string{"tanh1.npz", "two_units.npz", "rotation.npz", "zero_weights.npz", "leaky.npz", "hopfield.npz", "random_g0.8.npz", "flipflop.npz"}
	for i, n := range nets {
		fmt.Fprintf(&b, "%s,%d,\n", net(n), i)
	}
	for i, n := range []string{"two_units.npz", "tanh1.npz", "flipflop.npz"} {
		fmt.Fprintf(&b, "%s,%d,--seed %d\n", net(n), 10+i, 10+i)
	}
	bad := filepath.Join(dir, "corrupt.npz")
	os.WriteFile(bad, []byte("PK but not a zip"), 0o644)
	fmt.Fprintf(&b, "%s,99,\n", bad)
	m := filepath.Join(dir, "nets.csv")
	os.WriteFile(m, []byte(b.String()), 0o644)

	local, cluster := filepath.Join(dir, "local"), filepath.Join(dir, "slurm")
	if r := runBinary(t, "sweep", "-o", local, "-q", "-n", "64", m); r.code != exitFailure {
		t.Fatalf("local sweep: exit %d\n%s", r.code, r.stderr)
	}
	r := runBinary(t, "sweep", "-o", cluster, "--slurm", "--wait", "--array-max", "4", "--progress", "never", "-n", "64", m)
	if r.code != exitFailure || !regexp.MustCompile(`^[0-9]+\n12 networks: 11 done, 1 failed, 0 stale, 0 missing\n`).MatchString(strings.ReplaceAll(r.stdout, cluster+": ", "")) {
		t.Fatalf("sweep --slurm --wait: exit %d, want 1 (the corrupt network)\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	logs, _ := filepath.Glob(filepath.Join(cluster, "slurm", "*.out"))
	if len(logs) != 4 {
		t.Errorf("%d task logs, want 4: %q", len(logs), logs)
	}
	if a, b := tableWithoutSeconds(t, local), tableWithoutSeconds(t, cluster); a != b {
		t.Errorf("the tables differ:\nlocal\n%s\nslurm\n%s", a, b)
	}
	os.RemoveAll(filepath.Join(cluster, "slurm"))
	sameResults(t, local, cluster)
}

// squeueStates returns the state of each task of the job array id.
func squeueStates(t *testing.T, id string) map[string]string {
	t.Helper()
	out, err := exec.Command("squeue", "-h", "-r", "-j", id, "-o", "%i %T").Output()
	if err != nil {
		return nil
	}
	states := map[string]string{}
	for _, l := range lines(string(out)) {
		if f := strings.Fields(l); len(f) == 2 {
			states[f[0]] = f[1]
		}
	}
	return states
}

// One task of a job array cancelled mid-run (scancel) loses only the
// networks it had not finished, leaves nothing half-written, and the same
// sweep --slurm --wait then analyses only those.
func TestSweepSlurmCancelTask(t *testing.T) {
	needSlurm(t)
	dir := t.TempDir()
	// Three tasks; task 1 gets networks 1, 4, 7 and 10: a quick one, then
	// three flip-flop analyses of about a second each.
	var b strings.Builder
	b.WriteString("network,seed,flags\n")
	for i := range 12 {
		n, flags := "tanh1.npz", fmt.Sprintf("--seed %d", i+1)
		if i%3 == 1 && i > 1 {
			n, flags = "flipflop.npz", fmt.Sprintf("--seed %d --inits 256", i)
		}
		fmt.Fprintf(&b, "%s,%d,%s\n", net(n), i, flags)
	}
	m := filepath.Join(dir, "nets.csv")
	os.WriteFile(m, []byte(b.String()), 0o644)
	out := filepath.Join(dir, "out")
	r := runBinary(t, "sweep", "-o", out, "--slurm", "--array-max", "3", "-q", m)
	if r.code != 0 {
		t.Fatalf("sweep --slurm: exit %d\n%s", r.code, r.stderr)
	}
	id := strings.TrimSpace(r.stdout)
	t.Cleanup(func() { exec.Command("scancel", id).Run() })
	// Cancel task 1 once its first network (row 1, the quick one) is done.
	_, first, _ := sweep.Files(out, nameOf(t, 1, m))
	task := id + "_1"
	for {
		if _, err := os.Stat(first); err == nil {
			break
		}
		if st := squeueStates(t, id); st != nil && len(st) == 0 {
			t.Fatal("the job array ended before task 1 finished its first network")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := exec.Command("scancel", task).Run(); err != nil {
		t.Fatalf("scancel %s: %v", task, err)
	}
	for {
		if st := squeueStates(t, id); st != nil && len(st) == 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	r = runBinary(t, "sweep", "--status", out)
	missing := strings.Count(r.stdout, "\nmissing\t")
	if r.code != exitFailure || missing < 1 || missing > 3 || strings.Contains(r.stdout, "failed\t") {
		t.Fatalf("--status after scancel: exit %d, %d missing (want 1 to 3 of task 1's, none failed)\n%s", r.code, missing, r.stdout)
	}
	done := results(t, out)
	before := modTimes(t, out)
	r = runBinary(t, "sweep", "-o", out, "--slurm", "--wait", "--array-max", "3", "--progress", "never", m)
	if r.code != 0 || !strings.Contains(r.stdout, "12 networks: 12 done, 0 failed") {
		t.Fatalf("the second sweep --slurm --wait: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	after := modTimes(t, out)
	for _, s := range done {
		if before[s+".json"] != after[s+".json"] || before[s+".npz"] != after[s+".npz"] {
			t.Errorf("%s, done before the second job, was written again", s)
		}
	}
	if got := results(t, out); len(got) != 12 {
		t.Errorf("%d results, want 12", len(got))
	}
	// The second job's tasks analysed exactly the missing networks.
	logs, _ := filepath.Glob(filepath.Join(out, "slurm", "*.out"))
	analysed := 0
	re := regexp.MustCompile(`: ([0-9]+) analysed`)
	second := strings.TrimSpace(lastLine(r.stdout[:strings.Index(r.stdout, "\n")+1]))
	for _, l := range logs {
		if !strings.HasPrefix(filepath.Base(l), second+"_") {
			continue
		}
		b, _ := os.ReadFile(l)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			var k int
			fmt.Sscan(m[1], &k)
			analysed += k
		}
	}
	if analysed != missing {
		t.Errorf("the second job analysed %d networks, want the %d missing", analysed, missing)
	}
}

// nameOf returns the result stem of row i of the manifest m.
func nameOf(t *testing.T, i int, m string) string {
	t.Helper()
	b, _ := os.ReadFile(m)
	rows := lines(string(b))[1:]
	f := strings.SplitN(rows[i], ",", 3)
	flags, err := sweep.SplitFlags(f[2])
	if err != nil {
		t.Fatal(err)
	}
	return sweep.Name(f[0], flags)
}
