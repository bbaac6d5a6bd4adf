//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

// lockFolder has no advisory lock to take on this system: outputs are
// committed by the renames alone (see lock_flock.go).
func lockFolder(dir string) (unlock func()) { return func() {} }
