package attractor

import (
	"context"
	"math"
	"math/cmplx"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/enum"
	"github.com/fpfind/fpfind/linearize"
)

// Kind is the shape of a continuous attractor.
type Kind int

// The kinds.
const (
	Line     Kind = iota // an open curve
	Ring                 // a closed curve
	Manifold             // of dimension 2 or more
)

var kindNames = enum.Names[Kind]{Line: "line", Ring: "ring", Manifold: "manifold"}

// String returns the kind's name, as the .npz and the .json write it.
func (k Kind) String() string { return kindNames.String(k) }

// MarshalText returns the kind's name.
func (k Kind) MarshalText() ([]byte, error) { return kindNames.Text(k) }

// Defaults of Settings.
const (
	DefaultSlowFactor = 20
	DefaultMaxSamples = 400
	DefaultMinSamples = 8
	DefaultStepFactor = 0.05
)

// Settings configure Find. The zero value is usable.
type Settings struct {
	// SlowTime: a mode is slow when its continuous-time rate (lambda for
	// the continuous convention, ln(lambda)/dt for the maps) has modulus
	// at most 1/SlowTime, i.e. its time constant is at least SlowTime and
	// it does not oscillate faster. 0: DefaultSlowFactor times the
	// largest tau.
	SlowTime float64
	// Step is the first distance (Euclidean) between samples; it adapts to
	// the curvature, between Step/16 and 4 Step. 0: DefaultStepFactor
	// times the largest Euclidean norm of the points (at least
	// DefaultStepFactor).
	Step float64
	// MaxSamples bounds the samples of one attractor (0:
	// DefaultMaxSamples); MinSamples is the fewest that make one (0:
	// DefaultMinSamples).
	MaxSamples, MinSamples int
	// Bound: tracing stops where max_i |h_i| exceeds it (the attractor is
	// then Truncated). 0: the range of phi plus 0.5 for a bounded
	// activation, else 10 max(1, max_k |h_k|inf).
	Bound float64
	// Solver is the eigen-solver of the spectra at the samples (nil:
	// linearize's default).
	Solver linearize.Eigensolver
	// Workers is the number of goroutines tracing from the candidates
	// (0: GOMAXPROCS). The result is the same for any number.
	Workers int
	// NoMirrors traces the attractor through a point of an odd-symmetric
	// network whose exact mirror (dynamics.Network.Mirrors) was traced
	// from, instead of taking the mirror image of that one's samples: the
	// same attractors, bit for bit (a test asserts it), at up to twice the
	// cost.
	NoMirrors bool
}

// Attractor is one continuous attractor.
type Attractor struct {
	Kind Kind
	// Dim is its dimension: the number of slow modes at its points.
	Dim int
	// Points are the indices of the given points that lie on it (within
	// one step of a sample), ordered along it.
	Points []int
	// Samples are states on it: for a line or a ring in order along it,
	// for a manifold along Dim curves through its first point, one per
	// orthonormal slow direction. Speeds holds max_i |F_i| at each, and
	// Slow the eigenvalues of the convention's operator at each: its Dim
	// slow ones, then the next two by time constant (fewer when N is
	// smaller).
	Samples [][]float64
	Speeds  []float64
	Slow    [][]complex128
	// Length is the length of a line or a ring along its samples (a
	// ring's includes the step that closes it); NaN for a manifold.
	Length float64
	// Closed: a ring. Truncated: the tracing stopped at MaxSamples or at
	// Bound, not where the attractor ends.
	Closed, Truncated bool
}

// Find names the continuous attractors through the given points (fixed or
// slow points of net, with their spectra, one per point, as linearize
// gives them). A point is a candidate when its operator has a slow mode
// (see Settings.SlowTime). From each candidate not yet on a known
// attractor, the attractor is traced (see the package doc): reported when
// it has at least MinSamples samples, as a ring when the trace returns to
// its start, a line otherwise, a manifold when the candidate has two or
// more slow modes. Points without slow modes are never on one. The result
// is deterministic.
func Find(ctx context.Context, net *dynamics.Network, points [][]float64, spectra []*linearize.Spectrum, s *Settings) ([]Attractor, error) {
	if len(points) != len(spectra) {
		panic("attractor: one spectrum per point")
	}
	t := newTracer(net, points, s)
	var cands []int
	for k := range points {
		if spectra[k] != nil && t.slowCount(spectra[k].Values) > 0 {
			cands = append(cands, k)
		}
	}
	var workers int
	mirror := net.Mirrors(points)
	if s != nil {
		workers = s.Workers
		if s.NoMirrors {
			mirror = nil
		}
	}
	p := t.traceAhead(ctx, cands, spectra, mirror, workers)
	defer p.stop()
	var out []Attractor
	on := make([]bool, len(points))
	mark := func(k int) { on[k] = true; p.covered[k].Store(true) }
	for i, k := range cands {
		r, err := p.result(ctx, i)
		if err != nil {
			return nil, err
		}
		if on[k] {
			continue // on an attractor found from an earlier candidate
		}
		if r.deferred {
			p.takeMirror(t, i, k, spectra)
		}
		t.maxSteps = math.Max(t.maxSteps, r.maxSteps)
		if !r.ok {
			continue
		}
		a := r.a
		a.Points = t.pointsOn(a, spectra, on)
		if a.Kind == Manifold {
			a.Points = t.grow(a.Points, k, spectra, on)
		}
		if !slices.Contains(a.Points, k) {
			// The trace left the candidate behind (its step was too
			// coarse to come back near it): keep it with the attractor.
			a.Points = append([]int{k}, a.Points...)
			on[k] = true
		}
		for _, q := range a.Points {
			mark(q)
		}
		out = append(out, *a)
	}
	return out, nil
}

// traced is the trace from one candidate: the attractor (ok false when
// it has too few samples), the largest step its curves took, and whether
// it was traced (or taken from its mirror's) at all.
type traced struct {
	trace
	ok       bool
	maxSteps float64
	made     bool
	// deferred: the candidate's mirror, an earlier candidate, was still
	// being traced when a worker came to it; Find takes its trace from
	// the mirror's when its turn comes (pipeline.takeMirror).
	deferred bool
	panicked any
	done     chan struct{}
}

// pipeline traces the candidates ahead of Find's loop on several
// goroutines, each with its own tracer (workspaces), in candidate order.
// Find takes the traces in that order and drops those of candidates that
// an earlier attractor covered: it gets what the sequential loop gets,
// whatever the number of workers, because a trace depends only on its
// candidate (the largest step, which later traces' points depend on, is
// accumulated by Find in order). A worker skips a candidate already
// covered when it comes to it.
type pipeline struct {
	covered []atomic.Bool // by point: on an accepted attractor
	res     []traced
	of      []int // by candidate: the candidate index of its exact mirror, or -1
	quit    chan struct{}
	wg      sync.WaitGroup
}

// traceAhead starts the pipeline on workers goroutines (<= 0:
// GOMAXPROCS). A candidate whose exact mirror (mirror, from
// dynamics.Network.Mirrors; nil for none) is an earlier candidate takes
// that one's trace mirrored (trace.mirrored), what tracing it would give
// bit for bit, where there is one: at once when the mirror's trace is
// done, else later, in Find's loop (traced.deferred), so that no worker
// waits for another (the two members of a pair are adjacent candidates).
func (t *tracer) traceAhead(ctx context.Context, cands []int, spectra []*linearize.Spectrum, mirror []int, workers int) *pipeline {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	p := &pipeline{covered: make([]atomic.Bool, len(t.points)), res: make([]traced, len(cands)), of: make([]int, len(cands)), quit: make(chan struct{})}
	at := map[int]int{} // candidate index by point
	of := p.of
	for i, k := range cands {
		p.res[i].done = make(chan struct{})
		at[k], of[i] = i, -1
		if mirror != nil {
			if j, ok := at[mirror[k]]; ok {
				of[i] = j
			}
		}
	}
	// mirrored takes candidate i's trace from its mirror's when that one
	// is done and has one, and reports whether it did; it defers the
	// candidate to Find's loop while the mirror is being traced.
	mirrored := func(i int) bool {
		if of[i] < 0 {
			return false
		}
		q := &p.res[of[i]]
		select {
		case <-q.done:
		default:
			p.res[i].deferred = true
			return true
		}
		return p.fromMirror(i)
	}
	var next atomic.Int64
	for range min(workers, len(cands)) {
		w := t.clone()
		p.wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(cands) {
					return
				}
				select {
				case <-p.quit:
					return
				default:
				}
				k, r := cands[i], &p.res[i]
				if !p.covered[k].Load() && ctx.Err() == nil {
					func() {
						defer func() { r.panicked = recover() }()
						if mirrored(i) {
							return
						}
						w.maxSteps = 0
						r.trace = w.traceFrom(t.points[k], spectra[k])
						r.ok, r.maxSteps, r.made = r.a != nil, w.maxSteps, true
					}()
				}
				close(r.done)
			}
		})
	}
	return p
}

// fromMirror sets candidate i's trace from its mirror's, which is done,
// and reports whether it could (the mirror was traced and its trace has
// a mirror image).
func (p *pipeline) fromMirror(i int) bool {
	q := &p.res[p.of[i]]
	if !q.made || q.panicked != nil {
		return false
	}
	tr, ok := q.mirrored()
	if ok {
		r := &p.res[i]
		r.trace, r.ok, r.maxSteps, r.made = tr, tr.a != nil, q.maxSteps, true
	}
	return ok
}

// takeMirror gives candidate i (point k), deferred by the workers, its
// trace: its mirror's mirrored, or else (the mirror was covered, or its
// trace has no mirror image) its own, traced here by a fresh tracer as a
// worker would have.
func (p *pipeline) takeMirror(t *tracer, i, k int, spectra []*linearize.Spectrum) {
	if p.fromMirror(i) {
		return
	}
	w := t.clone()
	r := &p.res[i]
	r.trace = w.traceFrom(t.points[k], spectra[k])
	r.ok, r.maxSteps, r.made = r.a != nil, w.maxSteps, true
}

// result waits for candidate i's trace; a panic in the worker that
// traced it is raised again here, on the caller's goroutine.
func (p *pipeline) result(ctx context.Context, i int) (*traced, error) {
	r := &p.res[i]
	<-r.done
	if r.panicked != nil {
		panic(r.panicked)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return r, nil
}

// stop makes the workers take no further candidate and waits for them.
func (p *pipeline) stop() {
	close(p.quit)
	p.wg.Wait()
}

// tracer holds what tracing needs: the network, the scales and the
// settings resolved.
type tracer struct {
	net      *dynamics.Network
	n        int
	tau      []float64
	rateMax  float64 // 1/SlowTime
	dt       float64 // the time a map's step stands for; 0 for Continuous
	step     float64
	maxS     int
	minS     int
	bound    float64
	linear   linearize.Settings
	maxSteps float64 // the largest step taken, for pointsOn
	points   [][]float64
	scale    float64 // the largest Euclidean norm of the points, at least 1
	proj     projector
	vec      inverseIteration
}

func newTracer(net *dynamics.Network, points [][]float64, s *Settings) *tracer {
	if s == nil {
		s = &Settings{}
	}
	t := &tracer{net: net, n: net.Dim(), tau: net.TauVec(), dt: net.TimeStep(), points: points,
		maxS: s.MaxSamples, minS: s.MinSamples, bound: s.Bound, step: s.Step,
		linear: linearize.Settings{Vectors: linearize.ValuesOnly, Solver: s.Solver}}
	slow := s.SlowTime
	if slow <= 0 {
		slow = DefaultSlowFactor * slices.Max(t.tau)
	}
	t.rateMax = 1 / slow
	if t.maxS <= 0 {
		t.maxS = DefaultMaxSamples
	}
	if t.minS <= 0 {
		t.minS = DefaultMinSamples
	}
	var norm2, inf float64
	for _, x := range points {
		norm2 = max(norm2, mat.Norm(mat.NewVecDense(len(x), x), 2))
		inf = max(inf, mat.Norm(mat.NewVecDense(len(x), x), math.Inf(1)))
	}
	t.scale = max(1, norm2)
	if t.step <= 0 {
		t.step = DefaultStepFactor * t.scale
	}
	if t.bound <= 0 {
		lo, hi := net.Activation().Range()
		if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
			t.bound = 10 * max(1, inf)
		} else {
			t.bound = max(-lo, hi) + 0.5
		}
	}
	return t
}

// clone returns a tracer with the same network, points and settings and
// workspaces of its own, for another goroutine.
func (t *tracer) clone() *tracer {
	c := *t
	c.proj, c.vec, c.maxSteps = projector{}, inverseIteration{}, 0
	return &c
}

// rate returns the continuous-time rate of an eigenvalue of the
// convention's operator: lambda itself (Continuous) or ln(lambda)/dt
// (the maps).
func (t *tracer) rate(l complex128) complex128 {
	if t.dt == 0 {
		return l
	}
	return cmplx.Log(l) / complex(t.dt, 0)
}

// slowCount counts the slow modes among values.
func (t *tracer) slowCount(values []complex128) int {
	c := 0
	for _, l := range values {
		if cmplx.Abs(t.rate(l)) <= t.rateMax {
			c++
		}
	}
	return c
}

// slowBasis returns eigenvalues at x, every slow one and at least the
// next two by the modulus of their rates (all N when they come from the
// dense decomposition), and an orthonormal basis (rows) of its slow
// subspace: the real and imaginary parts of the slow right eigenvectors,
// one per real eigenvalue or conjugate pair (see modes.go). known, if not
// nil, is the spectrum at x that the caller gave with the point: its
// values are used when it holds all N.
func (t *tracer) slowBasis(x []float64, known *linearize.Spectrum) ([]complex128, [][]float64, error) {
	t.net.Operator(&t.vec.op, x)
	var values []complex128
	ok := false
	switch {
	case known != nil && !known.Partial && len(known.Values) == t.n:
		values, ok = known.Values, true
	case t.dt == 0 && t.n >= nearZeroMin:
		values, ok = t.vec.nearZero(t.rateMax)
	}
	if !ok {
		sp, err := linearize.At(t.net, x, &t.linear)
		if err != nil {
			return nil, nil, err
		}
		values = sp.Values
	}
	var basis [][]float64
	for _, l := range values {
		if cmplx.Abs(t.rate(l)) > t.rateMax || imag(l) < 0 {
			continue
		}
		re, im, ok := t.vec.eigenvector(l)
		if !ok {
			return t.slowBasisDense(x)
		}
		for _, v := range [][]float64{re, im} {
			if v != nil && orthonormalise(v, basis) {
				basis = append(basis, v)
			}
		}
	}
	return values, basis, nil
}

// slowBasisDense is slowBasis from the dense decomposition with right
// eigenvectors: where inverse iteration does not converge (a defective
// slow eigenvalue).
func (t *tracer) slowBasisDense(x []float64) ([]complex128, [][]float64, error) {
	sp, err := linearize.At(t.net, x, &linearize.Settings{Vectors: linearize.RightVectors, Solver: t.linear.Solver})
	if err != nil {
		return nil, nil, err
	}
	var basis [][]float64
	for k, l := range sp.Values {
		if cmplx.Abs(t.rate(l)) > t.rateMax {
			continue
		}
		re, im := make([]float64, t.n), make([]float64, t.n)
		for i := range t.n {
			v := sp.Right.At(i, k)
			re[i], im[i] = real(v), imag(v)
		}
		for _, v := range [][]float64{re, im} {
			if orthonormalise(v, basis) {
				basis = append(basis, v)
			}
		}
	}
	return sp.Values, basis, nil
}

// orthonormalise removes from v its components along the rows of basis
// (twice, for stability) and scales it to unit length; it returns false
// when nothing is left.
func orthonormalise(v []float64, basis [][]float64) bool {
	n0 := norm(v)
	if n0 == 0 {
		return false
	}
	for range 2 {
		for _, b := range basis {
			d := dot(v, b)
			for i := range v {
				v[i] -= d * b[i]
			}
		}
	}
	nv := norm(v)
	if nv <= 1e-8*n0 {
		return false
	}
	for i := range v {
		v[i] /= nv
	}
	return true
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func norm(a []float64) float64 { return math.Sqrt(dot(a, a)) }

func dist(a, b []float64) float64 {
	var s float64
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return math.Sqrt(s)
}
