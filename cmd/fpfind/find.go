package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/io/report"
	"github.com/spf13/pflag"
	"gonum.org/v1/gonum/mat"
)

type findOptions struct {
	model     modelOptions
	output    outputOptions
	spectrum  spectrumOptions
	input     inputOption
	seed      uint64
	inits     int
	initsFrom string
	initsFile string
	initNoise float64
	method    string
	linear    string
	maxSpeed  int
	timing    bool
	tol       float64
	uniqueTol float64
	maxIter   int
	deflation int
	workers   int
	memory    memoryOption
	plot      string
}

func (o *findOptions) register(fs *pflag.FlagSet) {
	fs.IntVarP(&o.inits, "inits", "n", 256, "number of initial states")
	fs.StringVar(&o.initsFrom, "inits-from", "trajectories", "`SOURCE` of initial states: trajectories (of the network, plus noise) or random (uniform over the range of phi, cut at -3 and 3)")
	fs.StringVar(&o.initsFile, "inits-file", "", "read the initial states from an (I x N) .npy `FILE` instead")
	fs.Float64Var(&o.initNoise, "init-noise", 0.1, "std of the Gaussian noise added to states sampled from trajectories")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed: the same seed gives the same output, whatever --workers")
	fs.StringVar(&o.method, "method", "auto", "solver `NAME`: auto (Newton, then speed minimisation where Newton stalls), newton or speed")
	fs.StringVar(&o.linear, "linear", "auto", "how Newton steps are solved: `NAME` lu (dense factorisations), matrix-free (on products J v, no N x N matrix; gmres is its old name) or auto (matrix-free from N = 2048)")
	fs.IntVar(&o.maxSpeed, "max-speed-iter", 0, "L-BFGS iterations of speed minimisation per initial state (0: the solver's default, 2000)")
	fs.BoolVar(&o.timing, "timing", false, "print the time of each stage and the solver's work counts on stderr")
	fs.Float64Var(&o.tol, "tol", fixedpoint.DefaultTol, "a fixed point has max|F_i| <= `TOL` (in 1/time)")
	fs.Float64Var(&o.uniqueTol, "unique-tol", fixedpoint.DefaultUniqueTol, "points closer than `TOL` * max(1, |h|inf) in max-norm are the same")
	fs.IntVar(&o.maxIter, "max-iter", 0, "Newton iterations per initial state (0: the solver's default)")
	fs.IntVar(&o.deflation, "deflation", 0, "deflated restarts that look for missed fixed points (0: the solver's default; -1: none)")
	fs.IntVarP(&o.workers, "workers", "j", 0, "goroutines (0: all CPUs), at most GOMAXPROCS and one per group of runs advanced in lockstep; the output does not depend on it")
	o.memory.register(fs)
	o.spectrum.register(fs, "K")
	o.input.register(fs)
	o.output.registerOut(fs, "`PREFIX`.npz (all arrays) and PREFIX.json (summary); without it nothing is written")
	fs.StringVar(&o.plot, "plot", "", "draw the eigenvalues of every point into `FILE`.png, .svg or .pdf")
	o.output.registerStreams(fs, true)
	o.model.register(fs)
	fs.Bool("version", false, "print the version and exit")
}

// Validate checks the flags that need no file.
func (o *findOptions) Validate(given func(flag string) bool) error {
	if o.inits < 1 && o.initsFile == "" {
		return fmt.Errorf("--inits %d: want at least 1", o.inits)
	}
	switch o.initsFrom {
	case "trajectories", "random":
	default:
		return fmt.Errorf("--inits-from %q: want trajectories or random", o.initsFrom)
	}
	if _, err := fixedpoint.ParseMethod(o.method); err != nil {
		return fmt.Errorf("--method %q: want auto, newton or speed", o.method)
	}
	if _, err := fixedpoint.ParseLinear(o.linear); err != nil {
		return fmt.Errorf("--linear %q: want auto, lu or matrix-free", o.linear)
	}
	if o.maxSpeed < 0 {
		return fmt.Errorf("--max-speed-iter %d: want 1 or more (0: the default)", o.maxSpeed)
	}
	for _, c := range []struct {
		name     string
		v        float64
		positive bool
	}{{"init-noise", o.initNoise, false}, {"tol", o.tol, true}, {"unique-tol", o.uniqueTol, true}, {"eps", o.spectrum.eps, false}} {
		if err := finite(c.name, c.v, c.positive); err != nil {
			return err
		}
	}
	if err := o.spectrum.validateEigs(); err != nil {
		return err
	}
	if o.maxIter < 0 {
		return fmt.Errorf("--max-iter %d: want 1 or more (0: the default)", o.maxIter)
	}
	if o.deflation < -1 {
		return fmt.Errorf("--deflation %d: want 0 (the default), -1 (none) or more", o.deflation)
	}
	if err := validateShared(o.workers, o.plot, &o.input, &o.output, &o.model); err != nil {
		return err
	}
	return initsFileExcludes(o.initsFile, given, "inits", "inits-from", "init-noise")
}

var findCommand = &command{
	name:     "find",
	synopsis: "[find] [flags] NETWORK",
	summary:  "fixed and slow points, and their stability",
	about: `Find the fixed points and slow points of a network, and the stability of
each. From every initial state (sampled from trajectories of the network plus
noise, by default) a solver drives the speed q = |F(h)|^2/2 to zero; the
points reached are deduplicated, and at each the convention's linear operator
is decomposed. A point is fixed when max_i |F_i| <= --tol, slow when it is a
local minimum of q that is not a zero. Runs that do not converge are counted,
never dropped.

stdout shows one row per unique point, ordered by class (stable, saddle,
unstable, marginal) then q: its kind, class, number of unstable modes, q,
max|F_i|, multiplicity (initial states that reached it), the slowest time
constant (negative: growing) and the leading eigenvalue; then how the
initial states ended. With --format json it shows the .json document
instead. -o PREFIX writes PREFIX.npz (fixed_points, q, residual_inf, kind,
stability, n_unstable, n_unstable_lower_bound, n_marginal, multiplicity,
source, n_eigenvalues, eigenvalues, eigvecs_right and eigvecs_left on
request, inits, finals, status, point_index, convention) and PREFIX.json.

--input sets the constant input u (M values, or an .npy file of length M)
in place of the file's, so the points can be found at any input without
rewriting the file; the .json settings echo it.

Above N = 1024 (or with --eigs COUNT) only the leading eigenvalues of each
point are computed, by a Krylov method that never forms an N x N matrix; a
count shown as >=COUNT is a lower bound, and saddle? means saddle or
unstable (see fpfind's package documentation).`,
	examples: `  fpfind testdata/flipflop.npz
  fpfind -n 1024 --seed 7 -o results --plot results.png net.npz
  fpfind net.npz --format json | jq '.points[] | {stability, q}'
`,
	options: func() options { return &findOptions{} },
}

func (o *findOptions) run(ctx context.Context, e *env, name string, args []string) error {
	o.model.maxBytes = o.memory.readLimit()
	o.model.check = func(n, m int) error {
		// Before W is read: what reading it takes, and what a find from the
		// flags' initial states (one, when they come from a file) holds.
		inits := o.inits
		if o.initsFile != "" {
			inits = 1
		}
		return o.memory.check(max(networkBytes(n, m), findBytes(n, o, inits)), fmt.Sprintf("find with %d initial states of N = %d units", inits, n))
	}
	if o.linear == fixedpoint.LinearOldName {
		e.log.Printf("note: --linear %s is the old name of --linear %s", fixedpoint.LinearOldName, fixedpoint.LinearMatrixFree)
	}
	o.spectrum.memory = &o.memory
	la := setUpBackend()
	o.spectrum.solver = la.eig
	in, err := openNetworkInput(e, name, args, &o.model, &o.input, o.output.quiet)
	if err != nil {
		return err
	}
	net := in.Network
	n := net.Dim()
	if err := checkTauScale(net.TauVec()); err != nil {
		return err
	}
	if o.initsFile == "" && o.initsFrom == "trajectories" {
		lo, hi := tauRange(net.TauVec())
		if err := checkStiff(hi, lo, "sampling initial states from trajectories (--inits-from trajectories, over the largest tau)",
			"use --inits-from random or --inits-file (Newton does not integrate), or give the units closer time constants"); err != nil {
			return err
		}
	}
	if err := o.spectrum.checkPartial(n); err != nil {
		return usageErrorf(name, "%v", err)
	}
	outs, npzPath, jsonPath, err := o.output.create(in.path, o.plot)
	if err != nil {
		return err
	}
	defer outs.abort()

	if o.initsFile == "" {
		if err := o.memory.check(findBytes(n, o, o.inits), fmt.Sprintf("find with %d initial states of N = %d units", o.inits, n)); err != nil {
			return err
		}
	}
	prog := newProgress(e, o.output.showProgress(e))
	defer prog.finish()
	t0 := time.Now()
	inits, from, err := initialStates(ctx, in, o, prog)
	if err != nil {
		return err
	}
	ni, _ := inits.Dims()
	if o.initsFile != "" {
		if err := o.memory.check(findBytes(n, o, ni), fmt.Sprintf("find with %d initial states of N = %d units", ni, n)); err != nil {
			return err
		}
	}
	nw := findWorkers(n, o, ni)
	t1 := time.Now()
	settings := findSettings(n, o)
	settings.Workers, settings.LU, settings.Recorder = nw, la.lu, prog.recorder()
	res, err := fixedpoint.Find(ctx, net, inits, &settings)
	if err != nil {
		return err
	}
	t2 := time.Now()
	states := make([][]float64, len(res.Points))
	for i, p := range res.Points {
		states[i] = p.X
	}
	prog.stage("linearising", len(states))
	sps, err := spectra(ctx, net, states, &o.spectrum, effectiveWorkers(o.workers, len(states)), prog)
	if err != nil {
		return err
	}
	prog.finish()
	if o.timing {
		st := res.Stats
		fmt.Fprintf(e.stderr, "fpfind: timing: initial states %.3f s, solving %.3f s, linearising %.3f s (%d points, %d workers)\n",
			t1.Sub(t0).Seconds(), t2.Sub(t1).Seconds(), time.Since(t2).Seconds(), len(states), nw)
		fmt.Fprintf(e.stderr, "fpfind: work: %d Newton steps (%s), %d LU factorisations, %d J v products, %d Broyden steps, %d speed evaluations, %d Hessians, %d chord steps, %d early exits\n",
			st.NewtonIter, res.Settings.Linear, st.Factorizations, st.KrylovProducts, st.BroydenSteps, st.SpeedEvals, st.Hessians, st.ChordSteps, st.EarlyExits)
	}

	// Order the points by class, then q (then the finder's order).
	perm := make([]int, len(res.Points))
	for i := range perm {
		perm[i] = i
	}
	slices.SortStableFunc(perm, func(a, b int) int {
		return cmp.Or(cmp.Compare(sps[a].Class, sps[b].Class), cmp.Compare(res.Points[a].Q, res.Points[b].Q))
	})
	res.Permute(perm)
	sorted := make([]pointSpectrum, len(sps))
	for i, p := range perm {
		sorted[i] = sps[p]
	}
	sps = sorted

	doc := findReport(in, o, from, inits, res, sps)
	doc.Outputs = report.Outputs{NPZ: npzPath, JSON: jsonPath, Plot: o.plot}
	for i, sp := range sps {
		if sp.warning != "" {
			e.log.Printf("point %d: %s", i, sp.warning)
		}
	}
	arrays := func() []numpy.Array { return findArrays(net.Convention().String(), n, res, sps, o.spectrum) }
	if err := writeResults(outs, npzPath, arrays, jsonPath, doc); err != nil {
		return err
	}
	if o.plot != "" {
		pts := make([]plotPoint, len(sps))
		for i, sp := range sps {
			pts[i] = plotPoint{values: sp.Values, class: sp.Class, kind: res.Points[i].Kind.String()}
		}
		if err := writePlot(outs, o.plot, pts, net.Convention(), plotTitle(in, "find")); err != nil {
			return err
		}
	}
	return finish(ctx, e, outs, o.output.format, doc, func(w io.Writer) error { return findTable(w, doc, newPartialNote(sps, n, o.spectrum.count(n))) }, npzPath, jsonPath, o.plot)
}

// initialStates returns the initial states and where they came from.
func initialStates(ctx context.Context, in *input, o *findOptions, prog *progress) (*mat.Dense, string, error) {
	if o.initsFile != "" {
		m, err := readStates(o.initsFile, in.Network.Dim(), "initial states", "N = %d units", o.memory.readLimit())
		if err != nil {
			return nil, "", err
		}
		return m, "file", nil
	}
	net := in.Network
	if o.initsFrom == "random" {
		lo, hi := net.Activation().Range()
		lo, hi = max(lo, -randomBound), min(hi, randomBound)
		m, err := fixedpoint.RandomInits(o.inits, net.Dim(), lo, hi, o.seed)
		if err != nil {
			return nil, "", err
		}
		return m, "random", nil
	}
	prog.stage("sampling trajectories", 0)
	m, err := fixedpoint.TrajectoryInits(ctx, net, sampleSettings(net, o))
	if err != nil {
		if ctx.Err() != nil {
			return nil, "", ctx.Err()
		}
		return nil, "", fmt.Errorf("sampling initial states from trajectories: %w (--inits-from random or --inits-file avoid it)", err)
	}
	return m, "trajectories", nil
}

// sampleSettings are those of the trajectories that initial states are
// drawn from: one trajectory per initial state, from a Gaussian state (std
// 1), sampled once after one (largest) time constant, in its transient,
// where the saddles between the attractors are still felt. (Fewer, longer
// trajectories sampled later mostly see the attractors: on the trained
// flip-flop they found 17 to 26 of its 27 points, these all 27, for seeds 1
// to 6.)
func sampleSettings(net *dynamics.Network, o *findOptions) *fixedpoint.SampleSettings {
	tmax := slices.Max(net.TauVec())
	return &fixedpoint.SampleSettings{
		Count:        o.inits,
		Trajectories: o.inits,
		Start:        1,
		Burn:         tmax,
		Span:         tmax, // unused: one sample per trajectory
		Noise:        o.initNoise,
		Seed:         o.seed,
		Workers:      effectiveWorkers(o.workers, (o.inits+sampleGroup-1)/sampleGroup),
	}
}

// sampleGroup is the number of trajectories the sampling of initial states
// integrates together (fixedpoint's lockstep group): one work item.
const sampleGroup = 16

// findSettings resolves the solver settings the flags give for a network of
// n units (fixedpoint.Resolve: the linear solver, the lockstep batch, the
// budgets), without the backend and the worker count, which find's run fills
// in. Validate has checked every flag Resolve checks.
func findSettings(n int, o *findOptions) fixedpoint.Settings {
	method, _ := fixedpoint.ParseMethod(o.method)
	linear, _ := fixedpoint.ParseLinear(o.linear)
	s, _ := fixedpoint.Resolve(&fixedpoint.Settings{
		Method:       method,
		Linear:       linear,
		MaxSpeedIter: o.maxSpeed,
		Tol:          o.tol,
		UniqueTol:    o.uniqueTol,
		MaxIter:      o.maxIter,
		Deflation:    o.deflation,
	}, n)
	return s
}

// findWorkers is the number of workers of a find from inits initial
// states: at most one per lockstep group of runs (counting the deflated
// restarts), and GOMAXPROCS.
func findWorkers(n int, o *findOptions, inits int) int {
	s := findSettings(n, o)
	return effectiveWorkers(o.workers, (inits+max(s.Deflation, 0)+s.Batch-1)/s.Batch)
}

// findBytes estimates the memory a find from inits initial states holds:
// W (and its two packed copies when Newton steps are matrix-free), the
// initial and final states (in the initial-state matrix, the runs and the
// output arrays: 6 I x N), the trajectories they are sampled from, each
// worker's solver workspace (per run in lockstep an N x N Jacobian and its
// LU factors, or a Krylov basis of 100 vectors, plus the N x N speed
// Hessian and its Cholesky factor, and the dense polish's matrix) and the
// linearisation workspace. The points are not known yet: their spectra
// are checked again once they are (spectra).
func findBytes(n int, o *findOptions, inits int) float64 {
	N, I := float64(n), float64(inits)
	s := findSettings(n, o)
	batch, mf := s.Batch, s.Linear == fixedpoint.LinearMatrixFree
	w := findWorkers(n, o, inits)
	b := runtimeBase + N*N*f8 + 6*I*N*f8
	if o.initsFile == "" && o.initsFrom == "trajectories" {
		b += float64(min(inits, sampleGroup*w)) * 12 * N * f8
	}
	var worker float64
	if mf {
		worker = 2*N*N*f8/float64(w) + float64(batch)*100*N*f8 + N*N*f8
	} else {
		worker = float64(batch)*2*N*N*f8 + 2*N*N*f8
	}
	b += float64(w) * worker
	return b + spectrumBytes(0, n, o.spectrum.count(n), w, o.spectrum.sets())
}

// randomBound cuts the unbounded ends of an activation's range for
// --inits-from random.
const randomBound = 3

// findReport builds the .json document of a find run.
func findReport(in *input, o *findOptions, from string, inits *mat.Dense, res *fixedpoint.Result, sps []pointSpectrum) report.Find {
	ni, _ := inits.Dims()
	u, uFile := o.input.report()
	var sampling *report.Sampling
	if from == "trajectories" {
		ss := sampleSettings(in.Network, o)
		sampling = &report.Sampling{Trajectories: ss.Trajectories, Start: report.Float(ss.Start), Burn: report.Float(ss.Burn), Span: report.Float(ss.Span)}
	}
	doc := report.Find{
		Header: in.header("find"),
		Model:  o.model.report(),
		Settings: report.FindSettings{
			Seed:        o.seed,
			Inits:       ni,
			InitsFrom:   from,
			InitsFile:   o.initsFile,
			InitNoise:   report.Float(o.initNoise),
			Input:       u,
			InputFile:   uFile,
			Sampling:    sampling,
			Method:      res.Settings.Method.String(),
			Linear:      res.Settings.Linear.String(),
			MaxSpeed:    res.Settings.MaxSpeedIter,
			Tol:         report.Float(o.tol),
			UniqueTol:   report.Float(o.uniqueTol),
			MaxIter:     res.Settings.MaxIter,
			Deflation:   res.Settings.Deflation,
			Eps:         report.Float(o.spectrum.eps),
			Eigs:        o.spectrum.partialCount(in.Network.Dim()),
			RightVector: o.spectrum.vectors || o.spectrum.leftVectors,
			LeftVectors: o.spectrum.leftVectors,
		},
		Points: []report.Point{},
	}
	s := &doc.Summary
	s.Inits = ni
	for _, r := range res.Runs {
		switch r.Status {
		case fixedpoint.Fixed:
			s.Status.Fixed++
		case fixedpoint.Slow:
			s.Status.Slow++
		case fixedpoint.NotConverged:
			s.Status.NotConverged++
		case fixedpoint.Diverged:
			s.Status.Diverged++
		}
	}
	s.Points = len(res.Points)
	for i, p := range res.Points {
		sp := sps[i]
		if p.Kind == fixedpoint.Fixed {
			s.FixedPoints++
		} else {
			s.SlowPoints++
		}
		countClass(&s.Stability, sp.Class)
		doc.Points = append(doc.Points, report.Point{
			Index:               i,
			Kind:                p.Kind.String(),
			Stability:           sp.Class.String(),
			NUnstable:           sp.NUnstable,
			NMarginal:           sp.NMarginal,
			Q:                   report.Float(p.Q),
			ResidualInf:         report.Float(p.Residual),
			Multiplicity:        p.Multiplicity,
			Source:              p.Source.String(),
			NormInf:             report.Float(maxAbs(p.X)),
			Leading:             report.Complex(sp.leading()),
			SlowestTau:          report.Float(sp.slowestTau),
			Eps:                 report.Float(sp.Eps),
			NEigenvalues:        len(sp.Values),
			NUnstableLowerBound: sp.MoreUnstable,
			Undecided:           sp.Undecided,
		})
	}
	return doc
}

// findArrays returns the arrays of the results .npz (docs/DESIGN.md section 4).
func findArrays(conv string, n int, res *fixedpoint.Result, sps []pointSpectrum, opts spectrumOptions) []numpy.Array {
	k, ni := len(res.Points), len(res.Runs)
	xs := make([]float64, 0, k*n)
	q := make([]float64, k)
	resid := make([]float64, k)
	kind := make([]string, k)
	mult := make([]int64, k)
	src := make([]string, k)
	for i, p := range res.Points {
		xs = append(xs, p.X...)
		q[i], resid[i] = p.Q, p.Residual
		kind[i] = p.Kind.String()
		mult[i] = int64(p.Multiplicity)
		src[i] = p.Source.String()
	}
	inits := make([]float64, 0, ni*n)
	finals := make([]float64, 0, ni*n)
	status := make([]string, ni)
	pidx := make([]int64, ni)
	for i, r := range res.Runs {
		inits = append(inits, r.Init...)
		finals = append(finals, padNaN(r.Final, n)...)
		status[i] = r.Status.String()
		pidx[i] = int64(r.Point)
	}
	arrays := []numpy.Array{
		{Name: "fixed_points", Shape: []int{k, n}, Data: xs},
		{Name: "q", Shape: []int{k}, Data: q},
		{Name: "residual_inf", Shape: []int{k}, Data: resid},
		{Name: "kind", Shape: []int{k}, Data: kind},
		{Name: "multiplicity", Shape: []int{k}, Data: mult},
		{Name: "source", Shape: []int{k}, Data: src},
		{Name: "inits", Shape: []int{ni, n}, Data: inits},
		{Name: "finals", Shape: []int{ni, n}, Data: finals},
		{Name: "status", Shape: []int{ni}, Data: status},
		{Name: "point_index", Shape: []int{ni}, Data: pidx},
		{Name: "convention", Data: []string{conv}},
	}
	return append(arrays, spectrumArrays(sps, n, opts)...)
}

// padNaN returns x, or N NaNs when x is shorter than n (a run that ended
// before it had a state).
func padNaN(x []float64, n int) []float64 {
	if len(x) == n {
		return x
	}
	out := make([]float64, n)
	copy(out, x)
	for i := len(x); i < n; i++ {
		out[i] = math.NaN()
	}
	return out
}
