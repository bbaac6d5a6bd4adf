package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestWriteReplace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	put := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	if err := Write(path, false, put("first")); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("stat: %v, mode %v, want 0644", err, st.Mode())
	}
	// Without replace, an existing file is kept and the error wraps
	// fs.ErrExist.
	err := Write(path, false, put("second"))
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second Write without replace: %v, want fs.ErrExist", err)
	}
	if now, _ := os.ReadFile(path); string(now) != "first" {
		t.Errorf("the existing file holds %q, want it kept", now)
	}
	// With replace it is replaced.
	if err := Write(path, true, put("third")); err != nil {
		t.Fatal(err)
	}
	if now, _ := os.ReadFile(path); string(now) != "third" {
		t.Errorf("the file holds %q, want it replaced", now)
	}
	assertOnly(t, dir, "out.json")
}

// A failing fill leaves nothing behind and its error is wrapped; a missing
// or read-only folder is an error too.
func TestWriteFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	os.WriteFile(path, []byte("precious"), 0o644)
	boom := errors.New("boom")
	err := Write(path, true, func(w io.Writer) error {
		w.Write(bytes.Repeat([]byte("x"), 3*bufBytes))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v does not wrap the fill error", err)
	}
	if now, _ := os.ReadFile(path); string(now) != "precious" {
		t.Errorf("a failed write changed the file to %d bytes", len(now))
	}
	assertOnly(t, dir, "out.json")

	if err := Write(filepath.Join(dir, "missing", "x.json"), false, func(io.Writer) error { return nil }); err == nil {
		t.Error("Write into a missing folder gave no error")
	}
	if err := Write(dir, true, func(io.Writer) error { return nil }); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("Write onto a folder: %v, want an error saying it is a directory", err)
	}
	assertOnly(t, dir, "out.json")
}

func TestUnwritableFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores folder permissions")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o755)
	if err := Write(filepath.Join(dir, "x.json"), false, func(io.Writer) error { return nil }); err == nil {
		t.Error("Write into a read-only folder gave no error")
	}
	assertOnly(t, dir)
}

// Errors name the file asked for, once, with the system's reason, and never
// the temporary file: a failing fill as a full disk reports it, a rename
// onto a folder, a temporary file in a missing folder.
func TestErrorsNameThePathOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	err := Write(path, false, func(w io.Writer) error {
		return &fs.PathError{Op: "write", Path: filepath.Join(dir, ".out.json.tmp-1"), Err: syscall.ENOSPC}
	})
	if want := "could not write " + path + ": no space left on device"; err == nil || err.Error() != want || !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("full disk: %v, want %q wrapping ENOSPC", err, want)
	}
	if got, want := Cause(err), "no space left on device"; got != want {
		t.Errorf("Cause = %q, want %q", got, want)
	}
	assertOnly(t, dir)

	// With replace, a rename onto a non-empty folder fails (Fill refuses a
	// folder at path, so commit a temporary file directly).
	target := filepath.Join(dir, "taken")
	os.MkdirAll(filepath.Join(target, "inside"), 0o755)
	tmp, err := Fill(path, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err })
	if err != nil {
		t.Fatal(err)
	}
	err = Commit(tmp, target, true)
	if err == nil || strings.Contains(err.Error(), ".tmp-") || strings.Count(err.Error(), target) != 1 {
		t.Errorf("rename onto a folder: %v, want the target named once and no temporary name", err)
	}
	assertOnly(t, dir, "taken")

	missing := filepath.Join(dir, "missing", "x.json")
	_, err = Temp(missing)
	if want := "could not create " + missing + ": no such file or directory"; err == nil || err.Error() != want || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Temp in a missing folder: %v, want %q", err, want)
	}
}

// assertOnly fails unless dir holds exactly the named files.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	slices.Sort(names)
	if !slices.Equal(got, names) {
		t.Errorf("%s holds %v, want %v", dir, got, names)
	}
}
