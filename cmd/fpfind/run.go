package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/pflag"
)

// Exit codes (see the package doc).
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// exitError is an error with the exit code it maps to.
type exitError struct {
	code int
	// help, when not empty, is the command whose --help the message points to.
	help string
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErrorf reports a bad flag, value or argument of the command cmd
// ("" for plain fpfind): exit 2 with a pointer to --help.
func usageErrorf(cmd, format string, args ...any) error {
	return &exitError{code: exitUsage, help: "fpfind " + cmd, err: fmt.Errorf(format, args...)}
}

// inputError reports an unreadable or invalid input file: exit 2.
func inputError(err error) error {
	return &exitError{code: exitUsage, err: err}
}

// internalError is a panic caught in a goroutine of fpfind's own.
type internalError struct {
	msg   string
	stack []byte
}

func (e *internalError) Error() string { return e.msg }

// testHook, when set by a test, runs at the start of every command, so that
// the panic recovery can be tested.
var testHook func()

// env is what a command needs from its caller.
type env struct {
	stdout, stderr io.Writer
	// log receives warnings and notes (nothing when --quiet).
	log *log.Logger
	// tty reports whether stderr is a terminal.
	tty bool
}

// commands by name, and in the order of the overview; "find" (the first)
// is also what plain `fpfind NETWORK` runs. They are filled in init, as the
// commands refer to them.
var (
	commands    = map[string]*command{}
	commandList []*command
)

func init() {
	commandList = []*command{findCommand, simulateCommand, linearizeCommand, infoCommand}
	for _, c := range commandList {
		commands[c.name] = c
	}
}

// run is the whole program: it parses args (without the program name),
// runs the command, writes data to stdout and messages to stderr, and
// returns the exit code. It never panics.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	e := &env{stdout: stdout, stderr: stderr, log: log.New(stderr, "fpfind: ", 0), tty: isTerminal(stderr)}
	defer func() {
		if p := recover(); p != nil {
			code = internal(e, fmt.Sprint(p), debug.Stack())
		}
	}()
	if testHook != nil {
		testHook()
	}
	cmd := commandList[0]
	name := ""
	if len(args) > 0 {
		switch c, ok := commands[args[0]]; {
		case ok:
			cmd, name, args = c, c.name, args[1:]
		case args[0] == "help":
			return help(e, args[1:])
		}
	}
	err := cmd.run(ctx, e, cmd, name, args)
	return exitCode(e, err)
}

// help runs `fpfind help [COMMAND]`.
func help(e *env, args []string) int {
	switch {
	case len(args) == 0:
		fmt.Fprint(e.stdout, overview())
		return exitOK
	case len(args) == 1 && commands[args[0]] != nil:
		fmt.Fprint(e.stdout, commands[args[0]].help())
		return exitOK
	}
	return exitCode(e, usageErrorf("", "help: unknown command %q (commands: find, simulate, linearize, info)", strings.Join(args, " ")))
}

// exitCode prints err, if any, and returns its exit code.
func exitCode(e *env, err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintln(e.stderr, "fpfind: interrupted; no output written")
		return exitInterrupted
	}
	if ie := (*internalError)(nil); errors.As(err, &ie) {
		return internal(e, ie.msg, ie.stack)
	}
	var ee *exitError
	if !errors.As(err, &ee) {
		ee = &exitError{code: exitFailure, err: err}
	}
	fmt.Fprintf(e.stderr, "fpfind: %v\n", oneLine(ee.err.Error()))
	if ee.help != "" {
		fmt.Fprintf(e.stderr, "Run '%s --help' for usage.\n", strings.TrimSpace(ee.help))
	}
	return ee.code
}

// internal reports a bug: exit 1.
func internal(e *env, msg string, stack []byte) int {
	fmt.Fprintf(e.stderr, "fpfind: internal error: %s\n", msg)
	fmt.Fprintf(e.stderr, "This is a bug in fpfind; please report it with the command line and this trace:\n%s", stack)
	return exitFailure
}

// oneLine joins the lines of a message.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// parse parses args with fs for the command cmd (named name on the command
// line, "" for plain fpfind). It returns done when the help or the version
// was printed.
func parse(e *env, cmd *command, name string, fs *pflag.FlagSet, args []string) (done bool, err error) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			fmt.Fprint(e.stdout, cmd.helpFor(name))
			return true, nil
		}
		return false, usageErrorf(name, "%s", flagError(err))
	}
	if h, _ := fs.GetBool("help"); h {
		fmt.Fprint(e.stdout, cmd.helpFor(name))
		return true, nil
	}
	if v, err := fs.GetBool("version"); err == nil && v {
		fmt.Fprintln(e.stdout, versionLine())
		return true, nil
	}
	return false, nil
}

// flagError returns pflag's message, e.g. `invalid argument "x" for
// "-n, --inits" flag: must be an integer`.
func flagError(err error) string { return err.Error() }

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
