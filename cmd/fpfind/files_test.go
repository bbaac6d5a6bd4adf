package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// mountTmpfs mounts a tmpfs with the options opts (as "size=64k" or "ro")
// on a new folder and returns it, unmounted at the end of the test; "" if
// mounting is not possible here (not root, no mount(8), no permission).
func mountTmpfs(t *testing.T, opts string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		return ""
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Logf("cannot mount a tmpfs: %v %s", err, out)
		return ""
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// unwritableFolder returns an existing folder in which no file can be
// created: a read-only tmpfs as root (permission bits do not stop root),
// /proc/self where mounting is not allowed, a mode 0555 folder otherwise.
func unwritableFolder(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		dir := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		return dir
	}
	if dir := mountTmpfs(t, "ro"); dir != "" {
		return dir
	}
	if f, err := os.Create("/proc/self/probe"); err == nil {
		f.Close()
		t.Fatal("/proc/self accepts new files: no unwritable folder to test with")
	}
	return "/proc/self"
}

// A missing output folder and one where nothing can be created are both
// found before the run: exit 2, one line naming the output and the
// folder, nothing created.
func TestOutputFolderChecks(t *testing.T) {
	dir := t.TempDir()
	ro := unwritableFolder(t)
	before := files(t, ro)
	for _, tc := range []struct {
		name, out, want string
	}{
		{"missing", filepath.Join(dir, "nope", "x"), "fpfind: " + filepath.Join(dir, "nope", "x.npz") + ": the folder " + filepath.Join(dir, "nope") + " does not exist\n"},
		{"unwritable", filepath.Join(ro, "x"), "fpfind: " + filepath.Join(ro, "x.npz") + ": cannot create files in the folder " + ro + ": "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runArgs(t, "linearize", "--at", filepath.Join("testdata", "tanh1_at.npy"), "-o", tc.out, net("tanh1.npz"))
			if r.code != 2 || r.stdout != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing", r.code, r.stdout)
			}
			if !strings.HasPrefix(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("stderr %q, want one line starting %q", r.stderr, tc.want)
			}
		})
	}
	if after := files(t, ro); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Errorf("the unwritable folder held %v, now %v", before, after)
	}
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("the output folder holds %v", got)
	}
}

// Preparing the outputs creates nothing (the folder probe is removed at
// once); the temporary file appears only when the content is written.
func TestNoTemporaryBeforeWrite(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.json")
	outs, err := newOutputs(net("tanh1.npz"), false, a)
	if err != nil {
		t.Fatal(err)
	}
	defer outs.abort()
	if got := files(t, dir); len(got) != 0 {
		t.Fatalf("after newOutputs the folder holds %v, want nothing", got)
	}
	if err := outs.write(a, func(w io.Writer) error { _, err := io.WriteString(w, "{}"); return err }); err != nil {
		t.Fatal(err)
	}
	if got := files(t, dir); len(got) != 1 || !strings.HasPrefix(got[0], ".a.json.tmp-") {
		t.Fatalf("after write the folder holds %v, want one temporary file", got)
	}
	outs.abort()
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("after abort the folder holds %v", got)
	}
}

// A write error names the output once, with the system's reason, and never
// a temporary file: injected errors as the .json and .npz writers report
// them.
func TestWriteErrorNamesOutputOnce(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.npz")
	outs, err := newOutputs(net("tanh1.npz"), false, a, b)
	if err != nil {
		t.Fatal(err)
	}
	defer outs.abort()
	err = outs.write(a, func(w io.Writer) error {
		return &fs.PathError{Op: "write", Path: filepath.Join(dir, ".r.json.tmp-1"), Err: syscall.ENOSPC}
	})
	if want := "could not write " + a + ": no space left on device"; err == nil || err.Error() != want || !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("write: %v, want %q wrapping ENOSPC", err, want)
	}
	// An error without a system cause keeps its words.
	err = outs.write(b, func(io.Writer) error { return errors.New("zip: too many files") })
	if want := "could not write " + b + ": zip: too many files"; err == nil || err.Error() != want {
		t.Errorf("write: %v, want %q", err, want)
	}
	outs.abort()
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("the folder holds %v", got)
	}
}

// A full disk (a 64 KiB tmpfs): exit 1, the .npz named once, no temporary
// name in the message, nothing left.
func TestFullDisk(t *testing.T) {
	mnt := mountTmpfs(t, "size=64k")
	if mnt == "" {
		t.Skip("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN); TestWriteErrorNamesOutputOnce covers the message")
	}
	out := filepath.Join(mnt, "x")
	r := runArgs(t, "-q", "-n", "100", "--seed", "1", "-o", out, net("random_g1.5_n200.npz"))
	if r.code != 1 || r.stdout != "" {
		t.Errorf("exit %d, stdout %q; want 1 and nothing", r.code, r.stdout)
	}
	if want := "fpfind: could not write " + out + ".npz: no space left on device\n"; r.stderr != want {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}
	if got := files(t, mnt); len(got) != 0 {
		t.Errorf("the full folder holds %v", got)
	}
}

// If the last file cannot be moved into place, the ones moved before are
// taken back: the run leaves no partial output.
func TestCommitRollback(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.npz"), filepath.Join(dir, "a.json")
	write := func(outs *outputs) {
		t.Helper()
		for _, p := range []string{a, b} {
			if err := outs.write(p, func(w io.Writer) error { _, err := w.Write([]byte("new")); return err }); err != nil {
				t.Fatal(err)
			}
		}
	}
	outs, err := newOutputs(net("tanh1.npz"), false, a, b)
	if err != nil {
		t.Fatal(err)
	}
	defer outs.abort()
	write(outs)
	// Someone creates a.json during the run.
	os.WriteFile(b, []byte("theirs"), 0o644)
	err = outs.commit()
	if want := b + " was written by another run while this one ran; not replaced"; err == nil || err.Error() != want {
		t.Fatalf("commit over a file created meanwhile without force: %v, want %q", err, want)
	}
	outs.abort()
	if got := files(t, dir); strings.Join(got, ",") != "a.json" {
		t.Errorf("after a failed commit the folder holds %v", got)
	}
	if c, _ := os.ReadFile(b); string(c) != "theirs" {
		t.Errorf("their file now holds %q", c)
	}

	// With force, a replaced file is restored when a later one fails.
	os.WriteFile(a, []byte("old-a"), 0o644)
	os.Remove(b)
	outs, err = newOutputs(net("tanh1.npz"), true, a, b)
	if err != nil {
		t.Fatal(err)
	}
	defer outs.abort()
	write(outs)
	os.Remove(outs.file(b).tmp) // the second temporary file vanishes: its commit fails
	if err := outs.commit(); err == nil {
		t.Fatal("commit with a missing temporary file succeeded")
	}
	outs.abort()
	if c, _ := os.ReadFile(a); string(c) != "old-a" {
		t.Errorf("the replaced file holds %q after the rollback, want the old content", c)
	}
	if got := files(t, dir); strings.Join(got, ",") != "a.npz" {
		t.Errorf("after the rollback the folder holds %v", got)
	}
}

// With --force, files another run wrote while this one ran are replaced,
// all of them, and a note says so; files that were there from the start
// are replaced without a note.
func TestForceNotesOtherRun(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.npz"), filepath.Join(dir, "a.json")
	os.WriteFile(b, []byte("old"), 0o644)
	outs, err := newOutputs(net("tanh1.npz"), true, a, b)
	if err != nil {
		t.Fatal(err)
	}
	defer outs.abort()
	for _, p := range []string{a, b} {
		if err := outs.write(p, func(w io.Writer) error { _, err := w.Write([]byte("ours")); return err }); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(a, []byte("theirs"), 0o644)
	if err := outs.commit(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{a, b} {
		if c, _ := os.ReadFile(p); string(c) != "ours" {
			t.Errorf("%s holds %q, want ours", p, c)
		}
	}
	if want := "replaced " + a + ", written by another run while this one ran (--force)"; len(outs.notes) != 1 || outs.notes[0] != want {
		t.Errorf("notes %q, want [%q]", outs.notes, want)
	}
}

// Runs writing the same prefix with --force at the same time: every time,
// the .npz and the .json that remain come from the same run (the .npz is
// byte for byte the one that run's seed gives alone), and no run fails.
func TestConcurrentForce(t *testing.T) {
	ref := t.TempDir()
	network := net("two_units.npz")
	const seeds = 4
	want := map[uint64][]byte{}
	for s := uint64(1); s <= seeds; s++ {
		p := filepath.Join(ref, fmt.Sprint(s))
		if r := runArgs(t, "-q", "-n", "3", "--seed", fmt.Sprint(s), "-o", p, network); r.code != 0 {
			t.Fatalf("seed %d: exit %d: %s", s, r.code, r.stderr)
		}
		b, err := os.ReadFile(p + ".npz")
		if err != nil {
			t.Fatal(err)
		}
		want[s] = b
	}
	for s := uint64(2); s <= seeds; s++ {
		if bytes.Equal(want[s], want[1]) {
			t.Fatalf("seeds 1 and %d give the same .npz: the test cannot tell runs apart", s)
		}
	}

	dir := t.TempDir()
	prefix := filepath.Join(dir, "s")
	mixed := 0
	for round := range 60 {
		var wg sync.WaitGroup
		results := make([]result, seeds)
		for i := range seeds {
			wg.Go(func() {
				results[i] = runArgs(t, "-q", "--force", "-n", "3", "--seed", fmt.Sprint(i+1), "-o", prefix, network)
			})
		}
		wg.Wait()
		for i, r := range results {
			if r.code != 0 || strings.Contains(r.stderr, "could not") {
				t.Errorf("round %d, seed %d: exit %d: %s", round, i+1, r.code, r.stderr)
			}
		}
		var doc struct {
			Settings struct {
				Seed uint64 `json:"seed"`
			} `json:"settings"`
		}
		j, err := os.ReadFile(prefix + ".json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(j, &doc); err != nil || want[doc.Settings.Seed] == nil {
			t.Fatalf("round %d: the .json (seed %d) does not parse: %v", round, doc.Settings.Seed, err)
		}
		n, err := os.ReadFile(prefix + ".npz")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(n, want[doc.Settings.Seed]) {
			mixed++
		}
		if got := files(t, dir); strings.Join(got, ",") != "s.json,s.npz" {
			t.Errorf("round %d: the folder holds %v", round, got)
		}
	}
	if mixed > 0 {
		t.Errorf("in %d of 60 rounds the .npz and the .json came from different runs", mixed)
	}
}
