package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/fpfind/fpfind/io/report"
)

// outputs is a set of files written all or nothing. newOutputs checks the
// targets and creates a temporary file next to each before any work is done,
// so an unwritable folder fails at once; commit renames them all into place
// at the end, and abort (always deferred) removes whatever is left, so a
// failed or interrupted run leaves no file behind, new or half-written.
type outputs struct {
	force bool
	files []*outFile
}

type outFile struct {
	path string
	tmp  string // the temporary file, until committed
}

// newOutputs prepares the files at paths (empty paths are skipped). It
// refuses to write over the input, or over existing files without force.
func newOutputs(inputPath string, force bool, paths ...string) (*outputs, error) {
	o := &outputs{force: force}
	seen := map[string]bool{}
	for _, p := range paths {
		if p == "" {
			continue
		}
		if seen[p] {
			return nil, usageErrorf("", "%s is given twice as an output", p)
		}
		seen[p] = true
		if sameFile(p, inputPath) || underFolder(p, inputPath) && filepath.Ext(p) == ".npy" {
			return nil, inputError(fmt.Errorf("%s: refusing to write over the input", p))
		}
		dir := filepath.Dir(p)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, inputError(fmt.Errorf("%s: the folder %s does not exist", p, dir))
		}
		if st, err := os.Lstat(p); err == nil {
			if st.IsDir() {
				return nil, inputError(fmt.Errorf("%s is a folder", p))
			}
			if !force {
				return nil, inputError(fmt.Errorf("%s exists (use --force to replace it)", p))
			}
		}
		o.files = append(o.files, &outFile{path: p})
	}
	for _, f := range o.files {
		tmp, err := report.CreateTemp(f.path)
		if err != nil {
			o.abort()
			return nil, err
		}
		tmp.Close()
		f.tmp = tmp.Name()
	}
	return o, nil
}

// tmp returns the temporary file standing for path.
func (o *outputs) tmp(path string) string {
	for _, f := range o.files {
		if f.path == path {
			return f.tmp
		}
	}
	panic("fpfind: no output " + path)
}

// write fills the temporary file of path with fill.
func (o *outputs) write(path string, fill func(w io.Writer) error) error {
	f, err := os.OpenFile(o.tmp(path), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("could not write %s: %w", path, err)
	}
	if err := fill(f); err != nil {
		f.Close()
		return fmt.Errorf("could not write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("could not write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("could not write %s: %w", path, err)
	}
	return nil
}

// commit moves every temporary file into place. If one fails, those already
// moved are taken back (an old file replaced with force is restored).
func (o *outputs) commit() error {
	type done struct{ path, backup string }
	var moved []done
	undo := func() {
		for _, d := range moved {
			os.Remove(d.path)
			if d.backup != "" {
				os.Rename(d.backup, d.path)
			}
		}
	}
	for _, f := range o.files {
		os.Chmod(f.tmp, 0o644) // CreateTemp makes 0600 files
		backup := ""
		if o.force {
			if _, err := os.Lstat(f.path); err == nil {
				b, err := report.CreateTemp(f.path)
				if err != nil {
					undo()
					return err
				}
				b.Close()
				backup = b.Name()
				if err := os.Rename(f.path, backup); err != nil {
					os.Remove(backup)
					undo()
					return fmt.Errorf("could not replace %s: %w", f.path, err)
				}
			}
		}
		if err := report.Commit(f.tmp, f.path, o.force); err != nil {
			if backup != "" {
				os.Rename(backup, f.path)
			}
			undo()
			if errors.Is(err, fs.ErrExist) {
				err = fmt.Errorf("%s was created by someone else during the run; not replaced", f.path)
			}
			f.tmp = ""
			return err
		}
		f.tmp = ""
		moved = append(moved, done{f.path, backup})
	}
	for _, d := range moved {
		if d.backup != "" {
			os.Remove(d.backup)
		}
	}
	return nil
}

// abort removes the temporary files that were not committed.
func (o *outputs) abort() {
	if o == nil {
		return
	}
	for _, f := range o.files {
		if f.tmp != "" {
			os.Remove(f.tmp)
			f.tmp = ""
		}
	}
}
