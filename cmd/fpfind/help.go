package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/fpfind/fpfind/internal/backend"
	"github.com/fpfind/fpfind/io/report"
	"github.com/spf13/pflag"
)

// command is one subcommand of fpfind.
type command struct {
	name     string
	synopsis string // after "fpfind "
	summary  string // one line, for the overview
	about    string // what it does, for its help
	examples string // indented sample command lines
	// options returns the command's options at their defaults.
	options func() options
	// exits, when set, replaces exitCodes in the command's help.
	exits string
}

// options are the values of a command's flags, and the command's run on
// them.
type options interface {
	// register defines the command's flags on fs, bound to the options.
	register(fs *pflag.FlagSet)
	// Validate checks the values, and their combinations, that need no
	// file; given reports whether a flag was given.
	Validate(given func(flag string) bool) error
	// run runs the command (named name on the command line, "" for plain
	// fpfind) on the positional arguments args.
	run(ctx context.Context, e *env, name string, args []string) error
}

// flagsFor returns the command's flag set bound to o: an unsorted, silent
// set of o's flags, then --help.
func (c *command) flagsFor(o options) *pflag.FlagSet {
	fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	o.register(fs)
	fs.BoolP("help", "h", false, "print this help")
	return fs
}

// flags returns the command's flag set at its defaults (for its help).
func (c *command) flags() *pflag.FlagSet { return c.flagsFor(c.options()) }

// help returns the text of `fpfind CMD --help`.
func (c *command) help() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\nUsage:\n  fpfind %s\n\n", strings.TrimSpace(c.about), c.synopsis)
	fmt.Fprintf(&b, "Examples:\n%s\n", c.examples)
	fmt.Fprintf(&b, "%s\n", flagUsages(c.flags(), flagSections))
	b.WriteString(cmp.Or(c.exits, exitCodes))
	return b.String()
}

// helpFor returns the help for the command as it was called: plain
// `fpfind --help` gives the overview.
func (c *command) helpFor(name string) string {
	if name == "" {
		return overview()
	}
	return c.help()
}

const exitCodes = `Exit codes:
  0    success, even if some runs did not converge (they are reported)
  1    failure while running (write error, numerical breakdown, internal error)
  2    usage or input error (bad flag, unreadable or invalid network file)
  130  interrupted by SIGINT (Ctrl-C), 143 by SIGTERM, 129 by SIGHUP: 128 + the
       signal's number; the run stops and writes nothing
`

// overview is the text of `fpfind --help`.
func overview() string {
	var b strings.Builder
	b.WriteString(`fpfind finds the fixed points and slow points of a recurrent network saved
with numpy or PyTorch, and the eigenvalues and stability of each point:
    tau dh/dt = -h + phi(W h + W_in u + b)
(or its leaky/discrete-time versions; see --convention).

NETWORK is an .npz file, or a folder of .npy files, with the keys W, b, W_in,
u, tau, activation, convention and alpha (only W is required), or a PyTorch
nn.RNN state dict saved with numpy (weight_hh_l0, ...).

Usage:
`)
	find := commandList[0]
	for _, c := range commandList {
		fmt.Fprintf(&b, "  fpfind %-44s %s\n", c.synopsis, c.summary)
	}
	fmt.Fprintf(&b, "  fpfind %-44s %s\n", "help [COMMAND]", "help on a command (or: fpfind COMMAND --help)")
	fmt.Fprintf(&b, "\nExamples:\n%s\n", find.examples)
	fmt.Fprintf(&b, "Flags of fpfind [find]:\n\n%s\n", flagUsages(find.flags(), flagSections))
	b.WriteString(exitCodes)
	return b.String()
}

// versionLine is printed by --version.
func versionLine() string {
	v, gov := report.Version()
	return fmt.Sprintf("fpfind %s (%s, %s linear algebra)", v, gov, backend.Name())
}

// flagSections names the groups of flags in the help, by their first flag.
var flagSections = map[string]string{
	"inits":      "Initial states",
	"method":     "Solver",
	"explore":    "Exploration (the fixed-point graph)",
	"eps":        "Spectra",
	"out":        "Output",
	"convention": "Model (overrides what the file says)",
	"version":    "Other",
	"at":         "States",
	"t-end":      "Integration",
	"task":       "Task (train)",
	"n":          "Network and its initial weights (train)",
	"rule":       "Learning (train)",
	"steps":      "Run (train)",
	"jobs":       "Sweep",
	"slurm":      "Slurm job array",
}

// flagUsages formats the flags of fs in sections, one flag per line with
// its description wrapped at 80 columns (a long flag gets its description
// on the next line).
func flagUsages(fs *pflag.FlagSet, sections map[string]string) string {
	const col, width = 30, 80
	var b strings.Builder
	first := true
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		if s, ok := sections[f.Name]; ok {
			if !first {
				b.WriteByte('\n')
			}
			fmt.Fprintf(&b, "%s:\n", s)
		}
		first = false
		line := "      --" + f.Name
		if f.Shorthand != "" {
			line = "  -" + f.Shorthand + ", --" + f.Name
		}
		name, usage := pflag.UnquoteUsage(f)
		if f.Value.Type() == "bool" {
			name = ""
		}
		if name != "" {
			line += " " + name
		}
		if d := f.DefValue; d != "" && d != "0" && d != "false" && d != "[]" {
			if f.Value.Type() == "string" {
				d = fmt.Sprintf("%q", d)
			}
			usage += fmt.Sprintf(" (default %s)", d)
		}
		b.WriteString(line)
		pos := len(line)
		if pos+2 > col {
			b.WriteByte('\n')
			pos = 0
		}
		b.WriteString(strings.Repeat(" ", col-pos))
		pos = col
		for i, word := range strings.Fields(usage) {
			if i > 0 && pos+1+len(word) > width {
				b.WriteString("\n" + strings.Repeat(" ", col))
				pos = col
			} else if i > 0 {
				b.WriteByte(' ')
				pos++
			}
			b.WriteString(word)
			pos += len(word)
		}
		b.WriteByte('\n')
	})
	return b.String()
}
