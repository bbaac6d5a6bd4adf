package fixedpoint

import (
	"fmt"
	"math"
	"runtime"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/dense"
	"github.com/fpfind/fpfind/internal/enum"
)

// System is what Find needs of a network: its dimension, vector field,
// analytic Jacobian, speed with gradient, and whether it is odd-symmetric.
// Implementations must be safe for concurrent use by several goroutines
// and must not modify h.
//
// *dynamics.Network satisfies it, and is the system Find is built for:
// given one, Find evaluates the runs' speeds, fields and products J v
// through the network's dynamics.Evaluator, Settings.Batch runs per
// worker in lockstep sharing each pass over W (Stats.Batched says so).
// Any other System is evaluated one state at a time by the methods below.
type System interface {
	// Dim returns N, the length of a state.
	Dim() int
	// Field writes F(h) into dst (length N).
	Field(dst, h []float64)
	// Jacobian writes J(h) (N x N, J[i][j] = dF_i/dh_j) into dst; an
	// empty dst is resized.
	Jacobian(dst *mat.Dense, h []float64)
	// SpeedGrad writes F(h) into f and J(h)^T F(h) into grad and returns
	// q(h) = |F(h)|^2 / 2.
	SpeedGrad(grad, f, h []float64) float64
	// SpeedHessian writes the Hessian of q at h, J^T J + Σ_i F_i ∇²F_i,
	// into dst (N x N; an empty dst is resized) and returns q(h).
	SpeedHessian(dst *mat.Dense, h []float64) float64
	// PhiPrime writes the diagonal phi'(x(h)) that JacVecAt and JacTVecAt
	// take into dst.
	PhiPrime(dst, h []float64)
	// JacVecAt writes J v into dst, and JacTVecAt J^T v, for the state
	// whose phi' is d: the products of matrix-free Newton steps.
	JacVecAt(dst, d, v []float64)
	JacTVecAt(dst, d, v []float64)
	// Symmetric reports whether -h* is a fixed point whenever h* is one
	// (an odd activation, no bias and no input).
	Symmetric() bool
}

// Method chooses the solver of each run.
type Method int

const (
	// Auto runs globalised Newton from the initial state and, when Newton
	// stalls or its line search fails, minimises the speed q with L-BFGS to a local minimum (a slow
	// point unless it polishes into a fixed point). It is the default.
	Auto Method = iota
	// Newton runs globalised Newton (backtracking on q, Broyden steps,
	// Levenberg-Marquardt fallback) only; a run that stalls ends slow if
	// stationary for q, else not converged.
	Newton
	// Speed minimises q with L-BFGS to a local minimum (Sussillo and Barak
	// 2013), then tries to polish it into a fixed point with Newton.
	Speed
)

var methodNames = enum.Names[Method]{Auto: "auto", Newton: "newton", Speed: "speed"}

// String returns "auto", "newton" or "speed".
func (m Method) String() string { return methodNames.String(m) }

// ParseMethod returns the method named s ("auto", "newton" or "speed").
func ParseMethod(s string) (Method, error) {
	if m, ok := methodNames.Lookup(s); ok {
		return m, nil
	}
	return 0, fmt.Errorf("fixedpoint: unknown method %q (want auto, newton or speed)", s)
}

// Linear chooses how Newton steps are solved.
type Linear int

const (
	// LinearAuto uses LinearLU below DefaultMatrixFreeN units and
	// LinearMatrixFree from there on.
	LinearAuto Linear = iota
	// LinearLU factorises the Jacobian (N^3/3 flops, N x N memory per
	// worker and per known fixed point), with Broyden updates between
	// factorisations and early exit by a chord iteration on the factors.
	LinearLU
	// LinearMatrixFree solves Newton steps matrix-free on products J v
	// (O(N^2) each, no N x N matrix anywhere): hooksteps in a Krylov space
	// for runs, GMRES without restarts for deflated restarts.
	LinearMatrixFree
)

var linearNames = enum.Names[Linear]{LinearAuto: "auto", LinearLU: "lu", LinearMatrixFree: "matrix-free"}

// LinearOldName is the former name of LinearMatrixFree, which ParseLinear
// still accepts.
const LinearOldName = "gmres"

// String returns "auto", "lu" or "matrix-free".
func (l Linear) String() string { return linearNames.String(l) }

// ParseLinear returns the linear solver named s ("auto", "lu" or
// "matrix-free"; LinearOldName, "gmres", is taken as "matrix-free").
func ParseLinear(s string) (Linear, error) {
	if s == LinearOldName {
		return LinearMatrixFree, nil
	}
	if l, ok := linearNames.Lookup(s); ok {
		return l, nil
	}
	return 0, fmt.Errorf("fixedpoint: unknown linear solver %q (want auto, lu or matrix-free)", s)
}

// DefaultMatrixFreeN is the number of units from which LinearAuto solves
// Newton steps matrix-free instead of with LU. On a chaotic g = 1.5 tanh
// network of 1024 units (64 trajectory starts, default budgets, 2 cores)
// both took 37 s of solving and found the same 4 fixed points, the
// matrix-free mode 6 slow points and LU 3. LU keeps what the matrix-free mode cannot: Broyden steps between
// factorisations, the chord test of early exit, which on many runs towards
// few points save most of the work (the trained flip-flop network: 1505
// factorisations against 85959 products), and the Hessian refinement of
// slow points; the matrix-free mode keeps no N x N matrix (an LU at N =
// 4096 is 134 MB per worker and per known fixed point), except that a run
// ending near a root its Krylov steps cannot resolve borrows one for a few
// dense Newton steps (polishDense), one per worker at a time.
const DefaultMatrixFreeN = 2048

// Defaults used for zero fields of Settings.
const (
	DefaultTol          = 1e-10 // max|F| of a fixed point, in units of 1/time
	DefaultUniqueTol    = 1e-6  // relative max-norm distance of equal points
	DefaultMaxIter      = 100   // Jacobian factorisations (Newton iterations) per run
	DefaultMaxSpeedIter = 2000  // L-BFGS iterations per run
	DefaultSlowTol      = 1e-6  // |J^T F| / |F| of a stationary point of q
	DefaultSpeedStall   = 300   // L-BFGS iterations to halve q or |J^T F|/|F| (matrix-free)
	DefaultDeflation    = 16    // deflated restarts after the first pass
	DefaultDeflationPow = 2     // p in 1/|h-h*|^p + shift
	DefaultShift        = 1     // shift in 1/|h-h*|^p + shift
	DefaultBatch        = 8     // runs per worker in lockstep (a *dynamics.Network)
	DefaultBatchMF      = 32    // the same when Newton steps are matrix-free
)

// Settings configure Find. The zero value (and a nil *Settings) gives the
// docs/DESIGN.md defaults; every field says what its zero value means.
type Settings struct {
	// Method is the solver of each run; the zero value is Auto.
	Method Method
	// Linear is how Newton steps are solved; the zero value is
	// LinearAuto.
	Linear Linear
	// Tol is the largest max_i |F_i(h)| of a fixed point; 0 means
	// DefaultTol (1e-10).
	Tol float64
	// UniqueTol makes two points equal when max_i |h1_i - h2_i| <=
	// UniqueTol * max(1, |h1|_inf, |h2|_inf); 0 means DefaultUniqueTol (1e-6).
	UniqueTol float64
	// MaxIter bounds the Jacobian factorisations (Newton iterations) of a
	// run; Broyden steps are bounded by 4 MaxIter. 0 means DefaultMaxIter.
	MaxIter int
	// MaxSpeedIter bounds the L-BFGS iterations of a run; 0 means
	// DefaultMaxSpeedIter.
	MaxSpeedIter int
	// SpeedStall ends the speed phase of a run as not converged when,
	// over its last SpeedStall L-BFGS iterations, neither q nor the
	// stationarity |J^T F|_2 / |F|_2 has halved (checked every
	// stallCheck iterations from the iteration stallStart on). 0 means
	// DefaultSpeedStall with matrix-free Newton steps and no such limit
	// with LU steps; a negative value none.
	SpeedStall int
	// SlowTol declares a state a stationary point of q (a slow point when
	// F is not zero there) when |J^T F|_2 <= SlowTol |F|_2; 0 means
	// DefaultSlowTol.
	SlowTol float64
	// MaxSlowQ is the largest q of a slow point: a stationary point of q
	// above it is reported as not converged. 0 means no bound.
	MaxSlowQ float64
	// Deflation is the number of deflated Newton restarts after the first
	// pass (Farrell, Birkisson and Funke 2015); 0 means DefaultDeflation,
	// a negative value none.
	Deflation int
	// DeflationPower and DeflationShift are p and s of the deflation
	// operator prod_k (1/|h - h_k|_2^p + s); 0 means 2 and 1.
	DeflationPower, DeflationShift float64
	// NoEarlyExit disables stopping a run once it is in the convergence
	// ball of an already known fixed point (certified by a converging chord
	// iteration) or close to a known slow point; this normally changes only
	// the work, not the points.
	NoEarlyExit bool
	// NoSymmetry disables the use of odd symmetry (adding -h* for h*).
	NoSymmetry bool
	// Workers is the number of goroutines working on initial states; 0
	// means runtime.GOMAXPROCS(0). Workers == 1 uses no goroutines. The
	// result does not depend on it.
	Workers int
	// Batch is the number of runs each worker advances in lockstep when
	// the system is a *dynamics.Network: a worker runs each of them until it
	// needs an evaluation of the speed (or ends), then evaluates all of
	// them in one call, so that their products with W share the passes
	// over it. 0 means DefaultBatch, or DefaultBatchMF when Newton steps
	// are matrix-free (where W does not fit in cache and a pass over it
	// costs the same for 1 row as for 16); 1 runs one at a time. The
	// result does not depend on it.
	Batch int
	// LU factorises the Jacobians of dense Newton steps (LinearLU, and the
	// dense polish of matrix-free runs); nil means the package's own
	// blocked LU, the fastest in pure Go. A program built with a LAPACK
	// backend passes LAPACK's dgetrf here (cmd/fpfind does with -tags
	// openblas).
	LU Factorizer
	// Recorder, when not nil, receives progress reports. It must be safe
	// for concurrent use.
	Recorder Recorder
}

// Recorder receives progress reports from Find. Record is called from the
// worker goroutines and must be safe for concurrent use; it must not block
// for long.
type Recorder interface {
	Record(p Progress)
}

// RecorderFunc adapts a function to a Recorder.
type RecorderFunc func(Progress)

// Record calls f(p).
func (f RecorderFunc) Record(p Progress) { f(p) }

// Progress is one progress report.
type Progress struct {
	Stage string // "runs" or "deflation"
	Done  int    // runs (or restarts) finished in this stage
	Total int    // runs (or restarts) in this stage
	// Found is the number of distinct fixed points known when the current
	// round started (it grows between rounds, never within one).
	Found int
}

// Resolve returns s (nil for the zero Settings) with every default
// applied for a system of n units: Linear is LinearLU or LinearMatrixFree
// (LinearAuto decided by n), Batch the default of that strategy, Workers,
// LU and the tolerances and budgets filled in, MaxSlowQ +Inf when it was 0;
// a negative Deflation (none) stays negative. Find runs on exactly these
// settings and returns them in Result.Settings; resolving them again gives
// them back unchanged. It errs on an invalid field.
func Resolve(s *Settings, n int) (Settings, error) {
	var r Settings
	if s != nil {
		r = *s
	}
	bad := func(field string, v any) (Settings, error) {
		return Settings{}, fmt.Errorf("fixedpoint: Settings.%s = %v is invalid", field, v)
	}
	pos := func(v *float64, def float64, name string) error {
		if *v == 0 {
			*v = def
		}
		if !(*v > 0) || math.IsInf(*v, 0) {
			_, err := bad(name, *v)
			return err
		}
		return nil
	}
	if !methodNames.Valid(r.Method) {
		return bad("Method", r.Method)
	}
	switch r.Linear {
	case LinearAuto:
		r.Linear = LinearLU
		if n >= DefaultMatrixFreeN {
			r.Linear = LinearMatrixFree
		}
	case LinearLU, LinearMatrixFree:
	default:
		return bad("Linear", r.Linear)
	}
	for _, p := range []struct {
		v    *float64
		def  float64
		name string
	}{
		{&r.Tol, DefaultTol, "Tol"},
		{&r.UniqueTol, DefaultUniqueTol, "UniqueTol"},
		{&r.SlowTol, DefaultSlowTol, "SlowTol"},
		{&r.DeflationPower, DefaultDeflationPow, "DeflationPower"},
		{&r.DeflationShift, DefaultShift, "DeflationShift"},
	} {
		if err := pos(p.v, p.def, p.name); err != nil {
			return Settings{}, err
		}
	}
	if r.MaxSlowQ < 0 || math.IsNaN(r.MaxSlowQ) {
		return bad("MaxSlowQ", r.MaxSlowQ)
	}
	if r.MaxSlowQ == 0 {
		r.MaxSlowQ = math.Inf(1)
	}
	if r.MaxIter < 0 {
		return bad("MaxIter", r.MaxIter)
	}
	if r.MaxIter == 0 {
		r.MaxIter = DefaultMaxIter
	}
	if r.MaxSpeedIter < 0 {
		return bad("MaxSpeedIter", r.MaxSpeedIter)
	}
	if r.MaxSpeedIter == 0 {
		r.MaxSpeedIter = DefaultMaxSpeedIter
	}
	if r.SpeedStall == 0 && r.Linear == LinearMatrixFree {
		r.SpeedStall = DefaultSpeedStall
	}
	if r.Deflation == 0 {
		r.Deflation = DefaultDeflation
	}
	if r.Workers < 0 {
		return bad("Workers", r.Workers)
	}
	if r.Workers == 0 {
		r.Workers = runtime.GOMAXPROCS(0)
	}
	if r.Batch < 0 {
		return bad("Batch", r.Batch)
	}
	if r.Batch == 0 {
		r.Batch = DefaultBatch
		if r.Linear == LinearMatrixFree {
			r.Batch = DefaultBatchMF
		}
	}
	if r.LU == nil {
		r.LU = dense.Factorize
	}
	return r, nil
}

// resolved is what the solver reads: the resolved Settings, the network
// whose evaluator serves the runs, and the pool of N x N matrices that the
// dense polishes of matrix-free runs share.
type resolved struct {
	Settings
	mf   bool              // Newton steps are matrix-free (Linear == LinearMatrixFree)
	net  *dynamics.Network // the system when it is a network (batched evaluations), else nil
	jacs *jacPool          // the N x N workspaces of dense polishes (matrix-free)
	// precondFrom is the L-BFGS iteration of a run from which its steps
	// are preconditioned (precond.go): precondStart with LU steps, never
	// (math.MaxInt) with matrix-free ones, which form no N x N matrix.
	precondFrom int
}

// resolve resolves s for sys (Resolve), and whether sys's evaluations go
// through a network's evaluator.
func resolve(s *Settings, sys System) (resolved, error) {
	r, err := Resolve(s, sys.Dim())
	if err != nil {
		return resolved{}, err
	}
	net, _ := sys.(*dynamics.Network)
	rs := resolved{Settings: r, mf: r.Linear == LinearMatrixFree, net: net, jacs: new(jacPool), precondFrom: precondStart}
	if rs.mf {
		rs.precondFrom = math.MaxInt
	}
	return rs, nil
}
