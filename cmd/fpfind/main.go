package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// main runs fpfind with SIGINT, SIGTERM and SIGHUP handled alike: the first
// cancels the run, whose cleanup removes any temporary file and which then
// exits 128 + the signal's number (130, 143, 129); a second one, while the
// first is being handled, exits at once with the same code.
func main() {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	// Ctrl-C; what kill, timeout and batch schedulers send; a closed terminal.
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		s := <-sigs
		cancel(&signalError{s})
		s = <-sigs
		fmt.Fprintf(os.Stderr, "fpfind: %s again; stopping at once\n", signalName(s))
		os.Exit(signalCode(s))
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	signal.Stop(sigs)
	os.Exit(code)
}
