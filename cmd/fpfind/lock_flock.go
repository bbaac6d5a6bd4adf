//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"os"
	"syscall"
)

// lockFolder takes an exclusive advisory lock (flock) on the folder dir
// itself, so that no lock file is created or left behind, and returns the
// function that releases it. Runs of fpfind committing outputs into the
// same folder take turns; other programs are not held back. Where the file
// system has no locks (some network file systems), it returns at once
// without a lock: the commit is then as safe as the renames alone.
func lockFolder(dir string) (unlock func()) {
	f, err := os.Open(dir)
	if err != nil {
		return func() {}
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return func() {}
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}
}
