package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fpfind/fpfind/internal/atomicfile"
)

// outputs is a set of files written all or nothing. newOutputs checks the
// targets before any work is done (the folder exists and a file can be
// created in it, the target is not the input, nor an existing file without
// --force), so a bad output fails at once, but creates nothing: the
// temporary file of each output is created only when its content is ready
// (write), so a run killed while computing leaves no file.
// commit renames them all into place at the end, under a lock on their
// folders so that two runs writing the same files never leave a mix of
// both, and abort (always deferred) removes whatever is left, so a failed
// or interrupted run leaves no file behind, new or half-written.
type outputs struct {
	force bool
	files []*outFile
	// notes, filled by commit, say which files another run wrote while
	// this one ran (replaced with --force); the caller prints them.
	notes []string
}

type outFile struct {
	path string
	tmp  string      // the temporary file, from write until committed
	was  fs.FileInfo // what was at path when the run started (nil: nothing)
}

// newOutputs prepares the files at paths (empty paths are skipped). It
// refuses to write over the input, or over existing files without force,
// and into a folder that is missing or where no file can be created (exit
// 2 for all of these, before the run).
func newOutputs(inputPath string, force bool, paths ...string) (*outputs, error) {
	o := &outputs{force: force}
	seen := map[string]bool{}
	probed := map[string]bool{}
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
		f := &outFile{path: p}
		if st, err := os.Lstat(p); err == nil {
			if st.IsDir() {
				return nil, inputError(fmt.Errorf("%s is a folder", p))
			}
			if !force {
				return nil, inputError(fmt.Errorf("%s exists (use --force to replace it)", p))
			}
			f.was = st
		}
		if !probed[dir] {
			if err := probeFolder(dir); err != nil {
				return nil, inputError(fmt.Errorf("%s: cannot create files in the folder %s: %v", p, dir, atomicfile.Cause(err)))
			}
			probed[dir] = true
		}
		o.files = append(o.files, f)
	}
	return o, nil
}

// probeFolder checks that a file can be created in dir by creating an empty
// one and removing it at once (permission bits alone do not tell: root
// ignores them, and a read-only mount or a quota refuses what they allow).
func probeFolder(dir string) error {
	f, err := os.CreateTemp(dir, ".fpfind-probe-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// file returns the output at path; asking for a path that was not declared
// is a bug in the command.
func (o *outputs) file(path string) *outFile {
	for _, f := range o.files {
		if f.path == path {
			return f
		}
	}
	panic("fpfind: no output " + path)
}

// write fills a new temporary file standing for path with fill, now that
// its content is ready, replacing any earlier one.
func (o *outputs) write(path string, fill func(w io.Writer) error) error {
	f := o.file(path)
	if f.tmp != "" {
		os.Remove(f.tmp)
		f.tmp = ""
	}
	tmp, err := atomicfile.Fill(f.path, fill)
	if err != nil {
		return writeError(path, err)
	}
	f.tmp = tmp
	return nil
}

// outputError is a failure to write an output: its message names the
// output once, with the cause, and never the temporary file (which the
// user never sees); Unwrap keeps errors.Is(err, syscall.ENOSPC) working.
type outputError struct {
	path string
	msg  string
	err  error
}

func (e *outputError) Error() string { return "could not write " + e.path + ": " + e.msg }
func (e *outputError) Unwrap() error { return e.err }

// writeError reports that writing path failed with err.
func writeError(path string, err error) error {
	return &outputError{path: path, msg: atomicfile.Cause(err), err: err}
}

// commit moves every temporary file into place, holding a lock on the
// output folders, so that of two runs writing the same files with --force
// the last one's files are all that remain. If one move fails, those
// already moved are taken back (an old file replaced with force is
// restored). Without force, a file that another run created while this one
// ran is not replaced and the commit fails; with force it is replaced and a
// note says so.
func (o *outputs) commit() error {
	var dirs []string
	for _, f := range o.files {
		if f.tmp == "" {
			return fmt.Errorf("could not write %s: nothing was written to it", f.path)
		}
		dirs = append(dirs, filepath.Dir(f.path))
	}
	slices.Sort(dirs)
	for _, d := range slices.Compact(dirs) {
		unlock := lockFolder(d)
		defer unlock()
	}

	var theirs []string
	for _, f := range o.files {
		now, err := os.Lstat(f.path)
		if err != nil {
			now = nil
		}
		if !sameState(f.was, now) {
			if !o.force {
				return fmt.Errorf("%s was written by another run while this one ran; not replaced", f.path)
			}
			theirs = append(theirs, f.path)
		}
	}

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
		backup := ""
		if o.force {
			if _, err := os.Lstat(f.path); err == nil {
				b, err := atomicfile.Temp(f.path)
				if err != nil {
					undo()
					return writeError(f.path, err)
				}
				b.Close()
				backup = b.Name()
				if err := os.Rename(f.path, backup); err != nil {
					os.Remove(backup)
					undo()
					return fmt.Errorf("could not replace %s: %s", f.path, atomicfile.Cause(err))
				}
			}
		}
		if err := atomicfile.Commit(f.tmp, f.path, o.force); err != nil {
			if backup != "" {
				os.Rename(backup, f.path)
			}
			undo()
			f.tmp = ""
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("%s was written by another program while this run ran; not replaced", f.path)
			}
			return writeError(f.path, err)
		}
		f.tmp = ""
		moved = append(moved, done{f.path, backup})
	}
	for _, d := range moved {
		if d.backup != "" {
			os.Remove(d.backup)
		}
	}
	if len(theirs) > 0 {
		o.notes = append(o.notes, fmt.Sprintf("replaced %s, written by another run while this one ran (--force)", strings.Join(theirs, ", ")))
	}
	return nil
}

// sameState reports whether the file now at a path is the one that was
// there (both nil: still nothing).
func sameState(was, now fs.FileInfo) bool {
	if was == nil || now == nil {
		return was == nil && now == nil
	}
	return os.SameFile(was, now) && was.Size() == now.Size() && was.ModTime().Equal(now.ModTime())
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
