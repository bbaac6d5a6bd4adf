// Package atomicfile writes files all or nothing. The content goes to a
// temporary file in the target's folder (named ".NAME.tmp-*", so that it is
// hidden and on the same file system), is flushed and synced, and only then
// is moved to the target: renamed over it when replacing is allowed, else
// hard-linked, which fails if the target exists. On any error the temporary
// file is removed, so a failed write never leaves a partial file behind nor
// touches an existing one.
//
// [Write] does the whole thing for one file. A caller committing several
// files together (all or nothing) calls [Fill] for each, then [Commit] for
// each under its own lock, taking back what was moved if one fails.
//
// Errors are *[Error] values naming the target once, with the system's
// reason, and never the temporary file, which the user never sees.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Error is a failure to create or write a target file. Err is the system's
// reason (as "no space left on device") or the error of the fill function,
// without the file names that the layers below added; Unwrap keeps
// errors.Is(err, syscall.ENOSPC) and errors.Is(err, fs.ErrExist) working.
type Error struct {
	Op   string // "create" or "write"
	Path string // the target
	Err  error
}

func (e *Error) Error() string {
	if errors.Is(e.Err, fs.ErrExist) {
		return e.Path + ": " + e.Err.Error()
	}
	return "could not " + e.Op + " " + e.Path + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// bufBytes is the size of the buffer between the fill function and the
// temporary file.
const bufBytes = 1 << 16

// Temp creates an empty temporary file in the folder of path, named after
// it. The file's mode is 0600 until [Fill] or the caller changes it.
func Temp(path string) (*os.File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, &Error{Op: "create", Path: path, Err: sysErr(err)}
	}
	return f, nil
}

// Fill writes a complete temporary file for path: fill writes the content
// through a buffer, which is then flushed; the file is made 0644, synced
// and closed. Fill returns the temporary file's name, for [Commit]. On any
// error the temporary file is removed. A folder at path is refused before
// anything is created.
func Fill(path string, fill func(w io.Writer) error) (tmp string, err error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return "", &Error{Op: "write", Path: path, Err: errors.New("is a directory")}
	}
	f, err := Temp(path)
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, bufBytes)
	if err = fill(bw); err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		return "", &Error{Op: "write", Path: path, Err: sysErr(err)}
	}
	return f.Name(), nil
}

// Commit moves the finished temporary file tmp to path. With replace it
// renames, replacing any existing file. Without replace it links tmp to
// path, which fails if path exists (even a file created while the content
// was being written), and then removes tmp; on a file system without hard
// links it renames after checking that path does not exist. tmp is removed
// on failure too. A refusal because path exists wraps fs.ErrExist.
func Commit(tmp, path string, replace bool) error {
	if replace {
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			return &Error{Op: "write", Path: path, Err: sysErr(err)}
		}
		return nil
	}
	err := os.Link(tmp, path)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		// No hard links here: fall back to a checked rename.
		if _, serr := os.Lstat(path); errors.Is(serr, fs.ErrNotExist) {
			if err = os.Rename(tmp, path); err == nil {
				return nil
			}
		} else if serr == nil {
			err = fs.ErrExist
		}
	}
	os.Remove(tmp)
	if err != nil {
		return &Error{Op: "write", Path: path, Err: sysErr(err)}
	}
	return nil
}

// Write creates the file at path with the content written by fill,
// atomically: [Fill], then [Commit]. Without replace, an existing file is
// never replaced and the error wraps fs.ErrExist.
func Write(path string, replace bool, fill func(w io.Writer) error) error {
	tmp, err := Fill(path, fill)
	if err != nil {
		return err
	}
	return Commit(tmp, path, replace)
}

// sysErr returns the system error inside an *fs.PathError, *os.LinkError or
// *os.SyscallError, without the temporary file names they carry; any other
// error is returned as is.
func sysErr(err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	var se *os.SyscallError
	switch {
	case errors.As(err, &pe):
		return pe.Err
	case errors.As(err, &le):
		return le.Err
	case errors.As(err, &se):
		return se.Err
	}
	return err
}

// Cause returns the message of the system error inside err (as "no space
// left on device"), without the file names that the layers above it added,
// or err's own message if it holds none.
func Cause(err error) string {
	var ae *Error
	if errors.As(err, &ae) {
		err = ae.Err
	}
	return fmt.Sprint(sysErr(err))
}
