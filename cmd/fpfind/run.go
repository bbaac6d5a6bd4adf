package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/pflag"
)

// Exit codes (see the package doc).
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130 // 128 + SIGINT; a run stopped by a signal exits 128 + its number
)

// signalError is the cause of a run cancelled by a signal.
type signalError struct{ sig os.Signal }

func (e *signalError) Error() string { return "interrupted by " + signalName(e.sig) }

// signalName returns the conventional name of the signals fpfind handles.
func signalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return s.String()
}

// signalCode returns the exit code of a run stopped by s: 128 + its number,
// as a shell reports a process killed by it.
func signalCode(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok && n > 0 && n < 128 {
		return 128 + int(n)
	}
	return exitInterrupted
}

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
	commandList = []*command{findCommand, simulateCommand, linearizeCommand, continueCommand, infoCommand, trainCommand, sweepCommand, collectCommand}
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
	args = commandFirst(args)
	if len(args) > 0 {
		switch c, ok := commands[args[0]]; {
		case ok:
			cmd, name, args = c, c.name, args[1:]
		case args[0] == "help":
			return help(e, args[1:])
		default:
			if err := unknownCommand(args); err != nil {
				return exitCode(e, err)
			}
		}
	}
	// Every command runs on the build's linear algebra (gonum's products
	// included: info's spectral radius, simulate's fields).
	setUpBackend()
	o := cmd.options()
	args, stop, err := cmd.parse(e, name, args, o)
	if !stop {
		err = o.run(ctx, e, name, args)
	}
	if se := (*signalError)(nil); err != nil && errors.As(context.Cause(ctx), &se) {
		// Whatever the command returned once cancelled, the signal stopped it
		// (keeping the message of a command that kept part of its work).
		if st := (*stoppedError)(nil); errors.As(err, &st) {
			st.err = se
		} else {
			err = se
		}
	}
	return exitCode(e, err)
}

// commandFirst moves a command name given after flags to the front, so that
// `fpfind -q find NETWORK` runs find with -q. The flags before it are
// skipped as the commands define them (a flag that takes a value skips
// the next argument too), so `fpfind -n 5 net.npz` is left as it is. As
// when it comes first, a command name is always the command, never a file.
func commandFirst(args []string) []string {
	i := firstPositional(args)
	if i <= 0 || commands[args[i]] == nil && args[i] != "help" {
		return args
	}
	moved := append([]string{args[i]}, args[:i]...)
	return append(moved, args[i+1:]...)
}

// firstPositional returns the index of the first argument that is neither
// a flag nor a flag's value, or -1 (none, or only after "--").
func firstPositional(args []string) int {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return -1
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			return i
		}
		if takesValue(a) {
			i++
		}
	}
	return -1
}

// takesValue reports whether the flag argument a ("--name", "-n", "-qn")
// takes the next argument as its value, in any command.
func takesValue(a string) bool {
	if strings.Contains(a, "=") {
		return false
	}
	var sets []*pflag.FlagSet
	for _, c := range commandList {
		sets = append(sets, c.flags())
	}
	needs := func(f *pflag.Flag) bool { return f != nil && f.NoOptDefVal == "" }
	if name, ok := strings.CutPrefix(a, "--"); ok {
		for _, fs := range sets {
			if needs(fs.Lookup(name)) {
				return true
			}
		}
		return false
	}
	// A run of shorthands: the first that takes a value takes the rest of
	// the argument, or the next argument if it is the last.
	short := a[1:]
	for i := range len(short) {
		for _, fs := range sets {
			if needs(fs.ShorthandLookup(short[i : i+1])) {
				return i == len(short)-1
			}
		}
	}
	return false
}

// exists reports whether a file or folder is at path.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// unknownCommand returns a usage error when the first argument (after any
// flags) of plain fpfind reads as a mistyped command rather than a network:
// a bare word (no folder or extension) naming no file, and either close to
// a command name (`fpfind simulat net.npz`) or followed by another argument
// that is a file. Otherwise it returns nil and the word is taken as the
// network.
func unknownCommand(args []string) error {
	i := firstPositional(args)
	if i < 0 {
		return nil
	}
	a := args[i]
	if strings.ContainsAny(a, `./\`) || exists(a) {
		return nil
	}
	names := []string{"help"}
	for _, c := range commandList {
		names = append(names, c.name)
	}
	best, dist := "", 3
	for _, n := range names {
		if d := editDistance(strings.ToLower(a), n); d < dist && d < len(a) {
			best, dist = n, d
		}
	}
	if best != "" {
		return usageErrorf("", "unknown command %q; did you mean %s?", a, best)
	}
	for _, b := range args[i+1:] {
		if !strings.HasPrefix(b, "-") && exists(b) {
			return usageErrorf("", "unknown command %q (commands: %s)", a, strings.Join(names[1:], ", ")+", help")
		}
	}
	return nil
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// help runs `fpfind help [COMMAND]`; flags given with it (`fpfind -q help
// find`) do not change help and are ignored.
func help(e *env, args []string) int {
	args = slices.DeleteFunc(slices.Clone(args), func(a string) bool { return strings.HasPrefix(a, "-") })
	switch {
	case len(args) == 0:
		fmt.Fprint(e.stdout, overview())
		return exitOK
	case len(args) == 1 && commands[args[0]] != nil:
		fmt.Fprint(e.stdout, commands[args[0]].help())
		return exitOK
	}
	names := make([]string, len(commandList))
	for i, c := range commandList {
		names[i] = c.name
	}
	return exitCode(e, usageErrorf("", "help: unknown command %q (commands: %s)", strings.Join(args, " "), strings.Join(names, ", ")))
}

// exitCode prints err, if any, and returns its exit code.
func exitCode(e *env, err error) int {
	if err == nil {
		return exitOK
	}
	if se := (*signalError)(nil); errors.As(err, &se) {
		if st := (*stoppedError)(nil); errors.As(err, &st) {
			fmt.Fprintf(e.stderr, "fpfind: %v: %s\n", se, st.msg)
		} else {
			fmt.Fprintf(e.stderr, "fpfind: %v; no output written\n", se)
		}
		return signalCode(se.sig)
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

// oneLine joins the lines of a message, and escapes the control
// characters left in it (a key or file name read from a file may hold
// terminal escape codes), so a message is always one plain line.
func oneLine(s string) string {
	return escapeControls(strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " "))
}

// escapeControls writes the control characters and invalid bytes of s as
// Go escapes (\x1b), leaving the rest as it is.
func escapeControls(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError }) {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				fmt.Fprintf(&b, `\x%02x`, s[i])
				continue
			}
			b.WriteRune(r)
		case unicode.IsControl(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// printable returns s as it is when every character of it prints plainly,
// and otherwise quoted with Go escapes ("a\x1b[31m"), so that a name read
// from a file cannot reach the terminal raw.
func printable(s string) string {
	for _, r := range s {
		if r == utf8.RuneError || !strconv.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return s
}

// parse parses args into o with the command's flag set (the command named
// name on the command line, "" for plain fpfind), prints the help or the
// version when they are asked for, validates o and returns the positional
// arguments. stop says that the command has nothing more to do: err is then
// the usage error, or nil after the help or the version.
func (c *command) parse(e *env, name string, args []string, o options) (positional []string, stop bool, err error) {
	fs := c.flagsFor(o)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			fmt.Fprint(e.stdout, c.helpFor(name))
			return nil, true, nil
		}
		return nil, true, usageErrorf(name, "%s", flagError(err))
	}
	if h, _ := fs.GetBool("help"); h {
		fmt.Fprint(e.stdout, c.helpFor(name))
		return nil, true, nil
	}
	if v, err := fs.GetBool("version"); err == nil && v {
		fmt.Fprintln(e.stdout, versionLine())
		return nil, true, nil
	}
	if err := o.Validate(fs.Changed); err != nil {
		return nil, true, usageErrorf(name, "%v", err)
	}
	return fs.Args(), false, nil
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
