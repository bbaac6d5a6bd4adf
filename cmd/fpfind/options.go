package main

import (
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/io/report"
	"github.com/spf13/pflag"
)

// newFlagSet returns an empty, unsorted, silent flag set for a command.
func newFlagSet(name string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SortFlags = false
	return fs
}

// modelOptions override what the network file says.
type modelOptions struct {
	convention string
	alpha      float64
	activation string
	tau        []float64
	transpose  bool
	keyPrefix  string
}

func (m *modelOptions) register(fs *pflag.FlagSet) {
	fs.StringVar(&m.convention, "convention", "", "time convention `NAME`: continuous, leaky or discrete (default: the file's, else continuous)")
	fs.Float64Var(&m.alpha, "alpha", 0, "dt/tau of the leaky convention, in (0, 1] (default: the file's)")
	fs.StringVar(&m.activation, "activation", "", "activation `NAME`: tanh, relu, softplus, sigmoid, linear or rectified-tanh (default: the file's, else tanh)")
	fs.Float64SliceVar(&m.tau, "tau", nil, "time constants: one value, or N comma-separated `VALUES` (default: the file's, else 1)")
	fs.BoolVar(&m.transpose, "transpose", false, "weights are stored in row-vector layout (x^T W): transpose W and W_in")
	fs.StringVar(&m.keyPrefix, "key-prefix", "", "`PREFIX` of the network's keys in the file, e.g. model.")
}

func (m *modelOptions) validate() error {
	if m.convention != "" {
		if _, err := dynamics.ParseConvention(m.convention); err != nil {
			return fmt.Errorf("--convention %q: want continuous, leaky or discrete", m.convention)
		}
	}
	if m.activation != "" {
		if _, err := dynamics.ParseActivation(m.activation); err != nil {
			names := make([]string, 0, 6)
			for _, a := range dynamics.Activations() {
				names = append(names, a.String())
			}
			return fmt.Errorf("--activation %q: want one of %s", m.activation, strings.Join(names, ", "))
		}
	}
	if m.alpha != 0 && !(m.alpha > 0 && m.alpha <= 1) {
		return fmt.Errorf("--alpha %v: want a value in (0, 1]", m.alpha)
	}
	for _, t := range m.tau {
		if !(t > 0) || math.IsInf(t, 0) {
			return fmt.Errorf("--tau %v: time constants must be finite and > 0", t)
		}
	}
	return nil
}

func (m *modelOptions) loadOptions() *numpy.LoadOptions {
	return &numpy.LoadOptions{
		KeyPrefix:  m.keyPrefix,
		Transpose:  m.transpose,
		Activation: m.activation,
		Convention: m.convention,
		Alpha:      m.alpha,
		Tau:        m.tau,
	}
}

func (m *modelOptions) report() report.Model {
	return report.Model{
		Convention: m.convention,
		Alpha:      report.Float(m.alpha),
		Activation: m.activation,
		Tau:        report.Floats(m.tau),
		Transpose:  m.transpose,
		KeyPrefix:  m.keyPrefix,
	}
}

// outputOptions are the output flags shared by the commands that compute.
type outputOptions struct {
	out      string
	force    bool
	format   string
	progress string
	quiet    bool
}

func (o *outputOptions) registerOut(fs *pflag.FlagSet, what string) {
	fs.StringVarP(&o.out, "out", "o", "", "write "+what)
	fs.BoolVar(&o.force, "force", false, "replace existing output files")
}

func (o *outputOptions) registerStreams(fs *pflag.FlagSet, progress bool) {
	fs.StringVar(&o.format, "format", "text", "`FORMAT` of stdout: text, or json (the .json document)")
	if progress {
		fs.StringVar(&o.progress, "progress", "auto", "`WHEN` to show progress on stderr: auto (when stderr is a terminal), always or never")
	}
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing on stderr but errors")
}

func (o *outputOptions) validate() error {
	switch o.format {
	case "text", "json":
	default:
		return fmt.Errorf("--format %q: want text or json", o.format)
	}
	switch o.progress {
	case "", "auto", "always", "never":
	default:
		return fmt.Errorf("--progress %q: want auto, always or never", o.progress)
	}
	if o.out != "" {
		if strings.HasSuffix(o.out, "/") || strings.HasSuffix(o.out, string(filepath.Separator)) {
			return fmt.Errorf("--out %q: give a file prefix such as results or out/run1, not a folder", o.out)
		}
		switch filepath.Ext(o.out) {
		case ".npz", ".json":
			return fmt.Errorf("--out %q: give the prefix without extension (%s.npz and %s.json are written)",
				o.out, strings.TrimSuffix(o.out, filepath.Ext(o.out)), strings.TrimSuffix(o.out, filepath.Ext(o.out)))
		}
	}
	return nil
}

// showProgress decides whether progress is drawn on stderr.
func (o *outputOptions) showProgress(e *env) bool {
	if o.quiet {
		return false
	}
	switch o.progress {
	case "always":
		return true
	case "never":
		return false
	}
	return e.tty
}

// workers returns the number of workers for -j n (0: all CPUs).
func workers(n int) int {
	if n <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}

// checkPlot validates a --plot file name.
func checkPlot(p string) error {
	if p == "" {
		return nil
	}
	switch strings.ToLower(filepath.Ext(p)) {
	case ".png", ".svg", ".pdf":
		return nil
	}
	return fmt.Errorf("--plot %q: the file name must end in .png, .svg or .pdf", p)
}

// finite checks that a float flag holds a finite value, > 0 when positive.
func finite(name string, v float64, positive bool) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("--%s %v: want a finite number", name, v)
	}
	if positive && !(v > 0) {
		return fmt.Errorf("--%s %v: want a number > 0", name, v)
	}
	if v < 0 {
		return fmt.Errorf("--%s %v: want a number >= 0", name, v)
	}
	return nil
}
