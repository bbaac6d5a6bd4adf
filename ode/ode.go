package ode

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/enum"
)

// Func is the right-hand side of dy/dt = f(t, y). It writes f(t, y) into
// dst; dst and y have the length of the state, and f must not modify y nor
// keep either slice. dst never aliases y. When it is passed to
// [SolveBatch] with more than one worker, f must be safe for concurrent use.
type Func func(dst []float64, t float64, y []float64)

// BatchFunc is the right-hand side of a batch of B independent systems that
// share f: row k of dst (B x N) receives f(t, row k of y). It must not
// modify y; dst never aliases y. Row k of dst must depend on row k of y only,
// so that a trajectory's result does not depend on the rest of the batch.
// (*dynamics.Evaluator).FieldRows satisfies it through a closure, with one
// matrix-matrix product for the batch.
type BatchFunc func(dst *mat.Dense, t float64, y *mat.Dense)

// Method is an integration scheme.
type Method int

// The methods. The zero value, Default, is DormandPrince, or EulerMaruyama
// when [Settings].Noise is set.
const (
	Default       Method = iota // DormandPrince without noise, EulerMaruyama with noise
	DormandPrince               // adaptive explicit Runge-Kutta 5(4) with dense output of order 4
	Euler                       // fixed-step explicit Euler, order 1
	RK4                         // fixed-step classic Runge-Kutta, order 4
	EulerMaruyama               // fixed-step Euler-Maruyama; without noise it is Euler
	Heun                        // fixed-step (stochastic) Heun: order 2 without noise; strong order 1, weak order 2 with additive noise
)

var methodNames = enum.Names[Method]{
	Default:       "default",
	DormandPrince: "dormand-prince",
	Euler:         "euler",
	RK4:           "rk4",
	EulerMaruyama: "euler-maruyama",
	Heun:          "heun",
}

// String returns the method's name, e.g. "dormand-prince".
func (m Method) String() string { return methodNames.String(m) }

// ParseMethod returns the method with the given name ("dormand-prince"
// (or "dopri5", "rk45"), "euler", "rk4", "euler-maruyama" (or "em"), "heun").
func ParseMethod(s string) (Method, error) {
	switch s {
	case "dopri5", "rk45", "dp":
		return DormandPrince, nil
	case "em":
		return EulerMaruyama, nil
	}
	if m, ok := methodNames.Lookup(s); ok {
		return m, nil
	}
	return 0, fmt.Errorf("ode: unknown method %q", s)
}

// fixedStep reports whether m takes a fixed step.
func (m Method) fixedStep() bool { return m == Euler || m == RK4 || m == EulerMaruyama || m == Heun }

// Noise is additive white noise: dy = f(t, y) dt + g dW, with W a standard
// Wiener process of the state's dimension. For the network of docs/DESIGN.md
// section 1, g = sigma / tau.
type Noise struct {
	// Diffusion holds g: one value for every component (length 1) or one per
	// component (length N). Values must be finite and >= 0.
	Diffusion []float64
	// Seed seeds the noise. Trajectory i of a batch draws from
	// rand.New(rand.NewPCG(Seed, uint64(i))); [Solve] uses stream 0, so it
	// reproduces row 0 of a batch. The result does not depend on the number
	// of workers.
	Seed uint64
}

// Settings control a solve. A nil *Settings means the zero value, and every
// zero field means its documented default.
type Settings struct {
	// Method is the scheme; see [Method]. Default: DormandPrince, or
	// EulerMaruyama when Noise is set.
	Method Method
	// Step is the step size of the fixed-step methods (required > 0 for them)
	// and the first trial step of DormandPrince (0: chosen automatically,
	// Hairer's algorithm).
	Step float64
	// MaxStep bounds DormandPrince's step. 0 means no bound.
	MaxStep float64
	// RelTol and AbsTol are DormandPrince's tolerances: a step is accepted
	// when the root mean square of err_i / (AbsTol + RelTol max(|y_i|,
	// |ynew_i|)) is at most 1. Defaults: RelTol 1e-6, AbsTol 1e-9.
	RelTol, AbsTol float64
	// MaxSteps bounds the number of steps (accepted and rejected). 0 means
	// 1e6 for DormandPrince and no bound for the fixed-step methods. When it
	// is exhausted the run stops with status MaxStepsReached, keeping what
	// was computed.
	MaxSteps int
	// Times are the sample times, nondecreasing, within [t0, t1]. Nil means
	// t0 and the end of every step, as solve_ivp does. DormandPrince
	// samples with its dense output, so samples cost no extra steps; the
	// fixed-step methods shorten the step that would pass a sample time and
	// then return to their grid t0 + k Step (a sample time within 1e-9 Step
	// of a grid point is taken at that point).
	Times []float64
	// Noise, if not nil, adds white noise; it needs EulerMaruyama or Heun.
	Noise *Noise
	// Workers is the number of goroutines of [SolveBatch] and
	// [SolveLockstep]. 0 means runtime.GOMAXPROCS(0); 1 uses no goroutines.
	// Solve ignores it. Results never depend on it.
	Workers int
	// Group is the number of rows that [SolveLockstep] integrates together,
	// with one BatchFunc call per stage (and, for DormandPrince, one shared
	// step). 0 means 64. Results depend on it, not on Workers.
	Group int
}

const (
	defaultRelTol   = 1e-6
	defaultAbsTol   = 1e-9
	defaultMaxSteps = 1000000
	defaultGroup    = 64
)

// Stats counts the work of a run.
type Stats struct {
	FuncEvals int // evaluations of f (for a lockstep batch: per row, i.e. calls of the BatchFunc)
	Accepted  int // accepted steps
	Rejected  int // rejected steps (DormandPrince)
}

// Status says how a run ended.
type Status int

// The statuses. Every status but Success means the run stopped early; the
// result then holds the samples up to the last good time.
const (
	Success         Status = iota // reached t1
	NonFinite                     // the state or f became NaN or Inf
	StepUnderflow                 // DormandPrince's step fell below 10 ulp of t
	MaxStepsReached               // Settings.MaxSteps exhausted
	Canceled                      // the context was canceled
)

var statusNames = enum.Names[Status]{
	Success:         "success",
	NonFinite:       "non-finite",
	StepUnderflow:   "step-underflow",
	MaxStepsReached: "max-steps",
	Canceled:        "canceled",
}

// String returns the status's name, e.g. "non-finite".
func (s Status) String() string { return statusNames.String(s) }

// MarshalText implements encoding.TextMarshaler with String.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Sentinel errors, one per early status; errors.Is matches a [*RunError]
// against them. A RunError for Canceled also matches the context's error
// (context.Canceled or context.DeadlineExceeded).
var (
	ErrNonFinite     = errors.New("ode: non-finite state")
	ErrStepUnderflow = errors.New("ode: step size underflow")
	ErrMaxSteps      = errors.New("ode: step budget exhausted")
	ErrCanceled      = errors.New("ode: canceled")
)

// Err returns the sentinel error of s, or nil for Success.
func (s Status) Err() error {
	switch s {
	case NonFinite:
		return ErrNonFinite
	case StepUnderflow:
		return ErrStepUnderflow
	case MaxStepsReached:
		return ErrMaxSteps
	case Canceled:
		return ErrCanceled
	}
	return nil
}

// RunError says why and when a run stopped before t1.
type RunError struct {
	Status Status  // why
	T      float64 // the time reached: the last good state's time
	Cause  error   // the context's error for Canceled, else nil
}

func (e *RunError) Error() string {
	msg := fmt.Sprintf("%v at t = %.17g", e.Status.Err(), e.T)
	switch e.Status {
	case NonFinite:
		msg = fmt.Sprintf("ode: state or derivative became NaN or Inf after t = %.17g", e.T)
	case Canceled:
		if e.Cause != nil {
			msg += ": " + e.Cause.Error()
		}
	}
	return msg
}

// Unwrap returns the status's sentinel and the cause.
func (e *RunError) Unwrap() []error {
	errs := []error{e.Status.Err()}
	if e.Cause != nil {
		errs = append(errs, e.Cause)
	}
	return errs
}

// Result is a computed trajectory.
type Result struct {
	// T holds the sample times; Y holds the states, one row per time
	// (len(T) x N), or is nil when there are no samples. When the run
	// stopped early, T ends at the last sample reached.
	T []float64
	Y *mat.Dense
	// Stats counts the work done.
	Stats Stats
	// Status says how the run ended, and End is the time reached (t1 on
	// success, else the time of the last good state).
	Status Status
	End    float64
	cause  error
}

// Err returns nil for a successful run and a [*RunError] otherwise.
func (r *Result) Err() error {
	if r.Status == Success {
		return nil
	}
	return &RunError{Status: r.Status, T: r.End, Cause: r.cause}
}

// SettingsError reports an invalid argument or setting.
type SettingsError struct {
	Field   string // e.g. "Step", "Times", "y0"
	Problem string
}

func (e *SettingsError) Error() string { return "ode: " + e.Field + ": " + e.Problem }

func bad(field, format string, args ...any) error {
	return &SettingsError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// config is the validated form of Settings.
type config struct {
	method        Method
	step, maxStep float64
	rtol, atol    float64
	maxSteps      int
	times         []float64
	diff          []float64 // nil without noise; length N
	seed          uint64
	noise         bool
	workers       int
	group         int
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// validate checks the settings for a state of dimension n on [t0, t1].
func validate(s *Settings, n int, t0, t1 float64) (*config, error) {
	if s == nil {
		s = &Settings{}
	}
	if n == 0 {
		return nil, bad("y0", "empty state")
	}
	if !isFinite(t0) || !isFinite(t1) {
		return nil, bad("t0, t1", "not finite (%v, %v)", t0, t1)
	}
	if !(t1 > t0) {
		return nil, bad("t1", "%v is not after t0 = %v", t1, t0)
	}
	c := &config{method: s.Method, step: s.Step, maxStep: s.MaxStep, rtol: s.RelTol, atol: s.AbsTol,
		maxSteps: s.MaxSteps, times: s.Times, workers: s.Workers}
	if !methodNames.Valid(c.method) {
		return nil, bad("Method", "unknown method %d", int(c.method))
	}
	if c.method == Default {
		c.method = DormandPrince
		if s.Noise != nil {
			c.method = EulerMaruyama
		}
	}
	if !(c.step >= 0) || math.IsInf(c.step, 0) {
		return nil, bad("Step", "%v is not a finite number >= 0", c.step)
	}
	if c.method.fixedStep() && c.step == 0 {
		return nil, bad("Step", "method %v needs a step > 0", c.method)
	}
	if !(c.maxStep >= 0) {
		return nil, bad("MaxStep", "%v is not >= 0", c.maxStep)
	}
	if c.maxStep == 0 {
		c.maxStep = math.Inf(1)
	}
	if c.rtol == 0 {
		c.rtol = defaultRelTol
	}
	if c.atol == 0 {
		c.atol = defaultAbsTol
	}
	if !(c.rtol > 0) || !(c.atol > 0) || !isFinite(c.rtol) || !isFinite(c.atol) {
		return nil, bad("RelTol, AbsTol", "(%v, %v) must be finite and >= 0", s.RelTol, s.AbsTol)
	}
	if c.maxSteps < 0 {
		return nil, bad("MaxSteps", "%d is negative", c.maxSteps)
	}
	if c.maxSteps == 0 {
		c.maxSteps = math.MaxInt
		if c.method == DormandPrince {
			c.maxSteps = defaultMaxSteps
		}
	}
	for i, t := range c.times {
		if !isFinite(t) || t < t0 || t > t1 {
			return nil, bad("Times", "Times[%d] = %v is outside [t0, t1] = [%v, %v]", i, t, t0, t1)
		}
		if i > 0 && t < c.times[i-1] {
			return nil, bad("Times", "not sorted: Times[%d] = %v < Times[%d] = %v", i, t, i-1, c.times[i-1])
		}
	}
	if s.Noise != nil {
		if c.method != EulerMaruyama && c.method != Heun {
			return nil, bad("Noise", "method %v is deterministic; use euler-maruyama or heun", c.method)
		}
		d := s.Noise.Diffusion
		switch len(d) {
		case 1:
			c.diff = make([]float64, n)
			for i := range c.diff {
				c.diff[i] = d[0]
			}
		case n:
			c.diff = append([]float64(nil), d...)
		default:
			return nil, bad("Noise.Diffusion", "has length %d, want 1 or N = %d", len(d), n)
		}
		for i, g := range c.diff {
			if !(g >= 0) || math.IsInf(g, 0) {
				return nil, bad("Noise.Diffusion", "value %v at [%d] is not a finite number >= 0", g, i)
			}
		}
		c.noise = true
		c.seed = s.Noise.Seed
	}
	if c.workers < 0 {
		return nil, bad("Workers", "%d is negative", c.workers)
	}
	c.group = s.Group
	if c.group < 0 {
		return nil, bad("Group", "%d is negative", c.group)
	}
	if c.group == 0 {
		c.group = defaultGroup
	}
	return c, nil
}
