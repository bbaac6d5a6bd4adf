//go:build unix

package main

import (
	"bufio"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// longRun starts the built binary on a job that runs for minutes (find
// from 20000 random initial states of a 200-unit network, writing -o
// dir/x), and returns once its progress line shows that it is solving.
// wait waits for the process to end and returns all it wrote on stderr.
func longRun(t *testing.T, dir string) (cmd *exec.Cmd, wait func() string) {
	t.Helper()
	cmd = exec.Command(binary(t), "find", "--progress", "always", "-n", "20000", "--inits-from", "random",
		"-j", "2", "-o", filepath.Join(dir, "x"), net("random_g1.5_n200.npz"))
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	var buf strings.Builder
	computing := make(chan bool, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r := bufio.NewReader(pipe)
		seen := false
		for {
			b, err := r.ReadByte()
			if err != nil {
				if !seen {
					computing <- false
				}
				return
			}
			buf.WriteByte(b)
			if !seen && strings.HasSuffix(buf.String(), "fpfind: initial states ") {
				seen = true
				computing <- true
			}
		}
	}()
	wait = func() string {
		<-done // the pipe is read to its end before Wait closes it
		cmd.Wait()
		return buf.String()
	}
	if !<-computing {
		t.Fatalf("the run ended before solving: %s", wait())
	}
	return cmd, wait
}

// SIGINT, SIGTERM and SIGHUP stop a run alike: exit 128 + the signal's
// number, a message naming the signal, and no file at all in the output
// folder (no temporary file either).
func TestSignals(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		name string
		code int
	}{
		{syscall.SIGINT, "SIGINT", 130},
		{syscall.SIGTERM, "SIGTERM", 143},
		{syscall.SIGHUP, "SIGHUP", 129},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cmd, wait := longRun(t, dir)
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			stderr := wait()
			if got := cmd.ProcessState.ExitCode(); got != tc.code {
				t.Errorf("exit %d (%v), want %d", got, cmd.ProcessState, tc.code)
			}
			if want := "\nfpfind: interrupted by " + tc.name + "; no output written\n"; !strings.HasSuffix(stderr, want) {
				t.Errorf("stderr ends %q, want %q", tail(stderr), want)
			}
			if got := files(t, dir); len(got) != 0 {
				t.Errorf("the output folder holds %v after %s", got, tc.name)
			}
		})
	}
}

// SIGKILL cannot be handled, but as no temporary file exists while the run
// computes, it leaves nothing either.
func TestSIGKILLLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	cmd, wait := longRun(t, dir)
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("while computing the output folder holds %v", got)
	}
	cmd.Process.Kill()
	wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Errorf("the run ended with %v, not by SIGKILL", cmd.ProcessState)
	}
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("after SIGKILL the output folder holds %v", got)
	}
}

// In process, a run cancelled with a signal as the cause reports it and
// exits with its code; a plain cancellation still exits 130.
func TestSignalCause(t *testing.T) {
	dir := t.TempDir()
	args := []string{"linearize", "--at", filepath.Join("testdata", "tanh1_at.npy"), "-o", filepath.Join(dir, "x"), net("tanh1.npz")}
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(&signalError{syscall.SIGTERM})
	r := runCtx(t, ctx, args...)
	if r.code != 143 || r.stdout != "" || r.stderr != "fpfind: interrupted by SIGTERM; no output written\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("the output folder holds %v", got)
	}
}

// tail returns the end of a long text, for messages.
func tail(s string) string {
	if len(s) > 200 {
		return "..." + s[len(s)-200:]
	}
	return s
}
