package main

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/io/netfile"
	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/io/report"
	"github.com/spf13/pflag"
)

// initsFileExcludes refuses, when the initial states come from initsFile,
// the flags that make them otherwise (given reports which were given).
func initsFileExcludes(initsFile string, given func(flag string) bool, flags ...string) error {
	if initsFile == "" {
		return nil
	}
	for _, f := range flags {
		if given(f) {
			return fmt.Errorf("--%s and --inits-file exclude each other", f)
		}
	}
	return nil
}

// modelOptions override what the network file says.
type modelOptions struct {
	convention string
	alpha      float64
	activation string
	tau        []float64
	transpose  bool
	keyPrefix  string
	// maxBytes bounds the memory of the arrays read from the network file
	// (netfile.LoadOptions.MaxBytes: 0 the machine's memory, < 0 none); the
	// commands that compute set it from --max-memory.
	maxBytes int64
	// check, when set, refuses a network from its N and M before its data
	// is read (netfile.LoadOptions.Check); the commands that compute set it
	// from --max-memory.
	check func(n, m int) error
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

func (m *modelOptions) loadOptions() *netfile.LoadOptions {
	return &netfile.LoadOptions{
		KeyPrefix:  m.keyPrefix,
		Transpose:  m.transpose,
		Activation: m.activation,
		Convention: m.convention,
		Alpha:      m.alpha,
		Tau:        m.tau,
		MaxBytes:   m.maxBytes,
		Check:      m.check,
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

// create reserves the files of --out PREFIX, PREFIX.npz and PREFIX.json
// (none without --out), and the others given (the --plot file), under
// --force and checked against the input at inPath (see newOutputs); it
// returns them with the two names of --out, empty without it.
func (o *outputOptions) create(inPath string, others ...string) (outs *outputs, npzPath, jsonPath string, err error) {
	if o.out != "" {
		npzPath, jsonPath = o.out+".npz", o.out+".json"
	}
	outs, err = newOutputs(inPath, o.force, append([]string{npzPath, jsonPath}, others...)...)
	return outs, npzPath, jsonPath, err
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

// validateShared checks the flags that find and linearize share: --workers,
// --plot, --input, the output flags and the model's.
func validateShared(workers int, plot string, in *inputOption, out *outputOptions, m *modelOptions) error {
	if workers < 0 {
		return fmt.Errorf("--workers %d: want 0 (all CPUs) or more", workers)
	}
	if err := checkPlot(plot); err != nil {
		return err
	}
	if err := in.validate(); err != nil {
		return err
	}
	if err := out.validate(); err != nil {
		return err
	}
	return m.validate()
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

// inputOption is --input of find and linearize: the constant input u, as M
// comma-separated values or an .npy file of length M (1-d, or one row), in
// place of the file's u.
type inputOption struct {
	arg    string
	file   string    // the .npy file, when the argument names one
	values []float64 // the values, once resolved
}

func (in *inputOption) register(fs *pflag.FlagSet) {
	fs.StringVar(&in.arg, "input", "", "constant input u: M comma-separated `VALUES`, or an .npy FILE of length M (default: the file's u)")
}

// validate parses comma-separated values; a file is read by apply, once the
// network's M is known.
func (in *inputOption) validate() error {
	if in.arg == "" {
		return nil
	}
	if strings.HasSuffix(strings.ToLower(in.arg), ".npy") {
		in.file = in.arg
		return nil
	}
	in.values = in.values[:0]
	for s := range strings.SplitSeq(in.arg, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return fmt.Errorf("--input %q: want M comma-separated numbers, or an .npy file", in.arg)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("--input: %v is not finite", v)
		}
		in.values = append(in.values, v)
	}
	return nil
}

// apply returns net with the constant input set by --input, or net itself
// without it. A wrong length, a non-finite value or a network without
// inputs is an input error naming M.
func (in *inputOption) apply(net *dynamics.Network) (*dynamics.Network, error) {
	if in.arg == "" {
		return net, nil
	}
	m := net.Inputs()
	if m == 0 {
		return nil, inputError(fmt.Errorf("--input %s: the network has no inputs (M = 0: no W_in)", in.arg))
	}
	if in.file != "" {
		u, err := numpy.ReadMatrixLimit(in.file, 0)
		if err != nil {
			return nil, tooLarge(fmt.Errorf("--input: %w", err))
		}
		r, c := u.Dims()
		if r != 1 || c != m {
			return nil, inputError(fmt.Errorf("--input %s: shape (%d, %d), want M = %d values (a 1-d array, or one row)", in.file, r, c, m))
		}
		in.values = append([]float64(nil), u.RawRowView(0)...)
		for j, v := range in.values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, inputError(fmt.Errorf("--input %s: value %d is %v", in.file, j, v))
			}
		}
	}
	if len(in.values) != m {
		return nil, inputError(fmt.Errorf("--input has %d values, the network has M = %d inputs", len(in.values), m))
	}
	out, err := net.WithInput(in.values)
	if err != nil {
		return nil, inputError(fmt.Errorf("--input: %w", err))
	}
	return out, nil
}

// report returns the input and its file for the .json settings (nil and ""
// without --input).
func (in *inputOption) report() ([]report.Float, string) {
	if in.arg == "" {
		return nil, ""
	}
	return report.Floats(in.values), in.file
}

// minTau is the smallest time constant find and simulate accept. The field
// F = (-h + phi(x))/tau grows as 1/tau, the speed q = |F|^2/2 and its
// gradient as 1/tau^2: below 1e-100 they overflow for states of moderate
// size (|F|^2 > 1e308 once |F| > 1e154), the tolerances (--tol, in
// 1/time) become unreachable, and the adaptive integrator's first step
// underflows to zero. Fixed points do not depend on a common scale of tau,
// so rescaling time loses nothing.
const minTau = 1e-100

// maxStiffRatio bounds time span / tau_min for the adaptive integrators:
// an explicit method's step is at most a few times the fastest time
// constant (its stability limit), so a larger ratio cannot finish within
// ode's default budget of 1e6 steps and would fail after minutes.
const maxStiffRatio = 1e6

// maxFixedSteps bounds the steps of a fixed-step integration (or of a
// map), beyond which a run would take hours.
const maxFixedSteps = 1e10

// tauRange returns the smallest and largest time constants.
func tauRange(tau []float64) (lo, hi float64) {
	lo, hi = tau[0], tau[0]
	for _, t := range tau {
		lo, hi = min(lo, t), max(hi, t)
	}
	return lo, hi
}

// checkTauScale refuses time constants below minTau (an input error).
func checkTauScale(tau []float64) error {
	lo, _ := tauRange(tau)
	if lo >= minTau {
		return nil
	}
	return inputError(fmt.Errorf("tau = %g: time constants below %g overflow the field F = (-h + phi(x))/tau and the speed |F|^2/2 (and --tol is in 1/time); "+
		"express time in a larger unit: multiply every tau by the same factor (--tau), which leaves the fixed points unchanged and divides the eigenvalues by it", lo, minTau))
}

// checkStiff refuses an adaptive integration over span whose fastest time
// constant tauMin makes it hopelessly stiff for an explicit method; what
// names the integration and remedy says what to do instead.
func checkStiff(span, tauMin float64, what, remedy string) error {
	if !(span/tauMin > maxStiffRatio) {
		return nil
	}
	return inputError(fmt.Errorf("%s: tau_min = %g against a time span of %g is too stiff for the explicit integrator: "+
		"its steps are at most a few tau_min long, so it would need about %.2g steps, more than its budget of %.0g; %s",
		what, tauMin, span, span/tauMin, float64(maxStiffRatio), remedy))
}
