//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// slowManifest writes a manifest of n analyses of the flip-flop network
// (seeds 1..n; with --inits 256 about a second each) and returns its path.
func slowManifest(t *testing.T, dir string, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("network,seed,flags\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%s,%d,--seed %d\n", net("flipflop.npz"), i, i)
	}
	m := filepath.Join(dir, "slow.csv")
	if err := os.WriteFile(m, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return m
}

// results returns the stems of the complete results in dir (a .json with
// its .npz), and fails t on a .json without its .npz or a failure record.
func results(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, f := range files(t, dir) {
		stem, ok := strings.CutSuffix(f, ".json")
		if !ok || f == "sweep.json" {
			continue
		}
		if strings.HasSuffix(stem, ".failed") {
			t.Errorf("%s: a failure recorded", f)
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, stem+".npz")); err != nil {
			t.Errorf("%s without its .npz", f)
		}
		out = append(out, stem)
	}
	return out
}

// startSweep starts the built binary's sweep and returns once its first
// result is in dir.
func startSweep(t *testing.T, out string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"sweep", "-o", out, "-j", "1", "--progress", "never"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	for {
		if _, err := os.Stat(out); err == nil && len(results(t, out)) > 0 {
			return cmd, &stderr
		}
		if cmd.ProcessState != nil {
			t.Fatalf("the sweep ended before its first result: %s", stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A sweep stopped by SIGTERM, or killed outright, keeps the networks it
// finished, leaves nothing half-written, and the same command then
// analyses only the others: nothing is lost or analysed twice.
func TestSweepStopAndResume(t *testing.T) {
	const n = 4
	dir := t.TempDir()
	m := slowManifest(t, dir, n)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		out := filepath.Join(dir, "out-"+sig.String())
		cmd, stderr := startSweep(t, out, "-n", "256", m)
		cmd.Process.Signal(sig)
		err := cmd.Wait()
		code := cmd.ProcessState.ExitCode()
		if sig == syscall.SIGTERM {
			if code != 143 || !strings.Contains(stderr.String(), "SIGTERM: sweep stopped") || !strings.Contains(stderr.String(), "running the same command again") {
				t.Errorf("SIGTERM: exit %d (%v), want 143\n%s", code, err, stderr.String())
			}
			for _, f := range files(t, out) {
				if strings.Contains(f, ".tmp") {
					t.Errorf("SIGTERM left a temporary file %s", f)
				}
			}
		}
		done := results(t, out)
		if len(done) == 0 || len(done) == n {
			t.Fatalf("%v: %d of %d networks done when stopped; want some, not all", sig, len(done), n)
		}
		before := modTimes(t, out)
		var rerun bytes.Buffer
		again := exec.Command(binary(t), "sweep", "-o", out, "-n", "256", m)
		again.Stderr = &rerun
		if err := again.Run(); err != nil {
			t.Fatalf("%v: the rerun: %v\n%s", sig, err, rerun.String())
		}
		want := fmt.Sprintf("%d analysed, %d already done, 0 failed", n-len(done), len(done))
		if !strings.Contains(rerun.String(), want) {
			t.Errorf("%v: the rerun says %q, want %q", sig, rerun.String(), want)
		}
		after := modTimes(t, out)
		for _, s := range done {
			if before[s+".json"] != after[s+".json"] || before[s+".npz"] != after[s+".npz"] {
				t.Errorf("%v: %s, done before the rerun, was written again", sig, s)
			}
		}
		if got := results(t, out); len(got) != n {
			t.Errorf("%v: %d results after the rerun, want %d", sig, len(got), n)
		}
	}
}
