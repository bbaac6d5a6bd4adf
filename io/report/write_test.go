package report

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Write errors name the file asked for, once, with the system's reason, and
// never the temporary file: a failing fill as a full disk reports it, a
// rename onto a folder, a temporary file in a missing folder.
func TestWriteErrorsNameThePathOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	err := AtomicWrite(path, false, func(w io.Writer) error {
		return &fs.PathError{Op: "write", Path: w.(*os.File).Name(), Err: syscall.ENOSPC}
	})
	if want := "could not write " + path + ": no space left on device"; err == nil || err.Error() != want || !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("full disk: %v, want %q wrapping ENOSPC", err, want)
	}
	assertOnly(t, dir)

	// With force, a rename onto a non-empty folder fails.
	target := filepath.Join(dir, "taken")
	os.MkdirAll(filepath.Join(target, "inside"), 0o755)
	err = AtomicWrite(target, true, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err })
	if err == nil || strings.Contains(err.Error(), ".tmp-") || strings.Count(err.Error(), target) != 1 {
		t.Errorf("rename onto a folder: %v, want the target named once and no temporary name", err)
	}
	assertOnly(t, dir, "taken")

	missing := filepath.Join(dir, "missing", "x.json")
	_, err = CreateTemp(missing)
	if want := "could not create " + missing + ": no such file or directory"; err == nil || err.Error() != want || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("CreateTemp in a missing folder: %v, want %q", err, want)
	}
}
