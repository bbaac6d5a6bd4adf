package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/fpfind/fpfind/certify"
	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/explore"
	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/io/report"
	"github.com/fpfind/fpfind/linearize"
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
	stall     int
	timing    bool
	tol       float64
	uniqueTol float64
	maxIter   int
	deflation int
	explore   bool
	modes     int
	pairs     int
	rounds    int
	budget    int
	workers   int
	memory    memoryOption
	plot      string
	// certify and certifyMaxN: --certify (certify.Points on every point);
	// complete and maxBoxes: --complete (certify.Complete).
	certify     bool
	certifyMaxN int
	complete    bool
	maxBoxes    int
	// sweep, when set, makes the run one network of `fpfind sweep`, which
	// its .json records (sweepOptions.analyse).
	sweep *sweepRecord
	// attractors: trace continuous attractors (package attractor);
	// attractorsGiven: --attractors was given (it lifts attractorMaxN).
	attractors      bool
	attractorsGiven bool
}

func (o *findOptions) register(fs *pflag.FlagSet) {
	fs.IntVarP(&o.inits, "inits", "n", 256, "number of initial states (sampled: trajectories; the exploration adds the centre of their states and where the first 32 slow down and settle)")
	fs.StringVar(&o.initsFrom, "inits-from", "trajectories", "`SOURCE` of initial states: trajectories (of the network, plus noise) or random (uniform over the range of phi, cut at -3 and 3)")
	fs.StringVar(&o.initsFile, "inits-file", "", "read the initial states from an (I x N) .npy `FILE` instead")
	fs.Float64Var(&o.initNoise, "init-noise", 0.1, "std of the Gaussian noise added to states sampled from trajectories")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed: the same seed gives the same output, whatever --workers")
	fs.StringVar(&o.method, "method", "auto", "solver `NAME`: auto (Newton, then speed minimisation where Newton stalls), newton or speed")
	fs.StringVar(&o.linear, "linear", "auto", "how Newton steps are solved: `NAME` lu (dense factorisations), matrix-free (on products J v, no N x N matrix; gmres is its old name) or auto (matrix-free from N = 2048)")
	fs.IntVar(&o.maxSpeed, "max-speed-iter", 0, "L-BFGS iterations of speed minimisation per initial state (0: the solver's default, 2000)")
	fs.IntVar(&o.stall, "speed-stall", 0, fmt.Sprintf("end a run's speed minimisation as not converged when neither q nor |J^T F|/|F| halved in its last N iterations (0: %d with matrix-free Newton steps, none with LU; -1: none)", fixedpoint.DefaultSpeedStall))
	fs.BoolVar(&o.timing, "timing", false, "print the time of each stage and the solver's work counts on stderr")
	fs.Float64Var(&o.tol, "tol", fixedpoint.DefaultTol, "a fixed point has max|F_i| <= `TOL` (in 1/time)")
	fs.Float64Var(&o.uniqueTol, "unique-tol", fixedpoint.DefaultUniqueTol, "points closer than `TOL` * max(1, |h|inf) in max-norm are the same")
	fs.IntVar(&o.maxIter, "max-iter", 0, "Newton iterations per initial state (0: the solver's default)")
	fs.IntVar(&o.deflation, "deflation", 0, "deflated restarts that look for missed fixed points (0: the solver's default; -1: none)")
	fs.IntVarP(&o.workers, "workers", "j", 0, "goroutines (0: all CPUs), at most GOMAXPROCS and one per group of runs advanced in lockstep; the output does not depend on it")
	o.memory.register(fs)
	fs.BoolVar(&o.explore, "explore", true, "from the points found, follow unstable manifolds and search the basin boundaries between attractors, and report the fixed-point graph (--explore=false: solve from the initial states only)")
	fs.IntVar(&o.modes, "modes", 0, fmt.Sprintf("unstable directions followed from each point (0: %d; -1: none)", explore.DefaultModes))
	fs.IntVar(&o.pairs, "pairs", 0, fmt.Sprintf("pairs of attractors whose basin boundary is searched per round (0: %d; -1: none)", explore.DefaultPairs))
	fs.IntVar(&o.rounds, "rounds", 0, fmt.Sprintf("rounds of exploration at most (0: %d)", explore.DefaultRounds))
	fs.IntVar(&o.budget, "budget", 0, fmt.Sprintf("trajectories of the exploration in all (0: %d); directions left when it is spent are edges to -3", explore.DefaultBudget))
	o.spectrum.register(fs, "K")
	o.input.register(fs)
	o.output.registerOut(fs, "`PREFIX`.npz (all arrays) and PREFIX.json (summary); without it nothing is written")
	fs.StringVar(&o.plot, "plot", "", "draw the eigenvalues of every point into `FILE`.png, .svg or .pdf")
	fs.BoolVar(&o.certify, "certify", false, "prove each point with Krawczyk's test under outward rounding: certified, cert_radius (a box of that radius holds exactly one fixed point), cert_error and cert_reason per point")
	fs.IntVar(&o.certifyMaxN, "certify-max-n", certify.DefaultMaxN, "largest `N` that --certify tests (dense: about 4.7 N^3 flops and 7 N^2 float64 per point)")
	fs.BoolVar(&o.complete, "complete", false, "prove the set of all fixed points (branch and prune over the box that holds them; bounded activations, small N): complete and undecided_boxes; implies --certify")
	fs.IntVar(&o.maxBoxes, "max-boxes", certify.DefaultMaxBoxes, "boxes --complete examines at most; those left are reported undecided")
	fs.BoolVar(&o.attractors, "attractors", true, fmt.Sprintf("name the continuous attractors (lines, rings, manifolds) through the points with slow modes, tracing each (up to N = %d unless given)", attractorMaxN))
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
	for _, c := range []struct {
		name string
		v    int
	}{{"modes", o.modes}, {"pairs", o.pairs}} {
		if c.v < -1 {
			return fmt.Errorf("--%s %d: want 0 (the default), -1 (none) or more", c.name, c.v)
		}
	}
	if o.certifyMaxN < 1 {
		return fmt.Errorf("--certify-max-n %d: want 1 or more", o.certifyMaxN)
	}
	if o.maxBoxes < 1 {
		return fmt.Errorf("--max-boxes %d: want 1 or more", o.maxBoxes)
	}
	o.certify = o.certify || o.complete
	o.attractorsGiven = given("attractors")
	if o.rounds < 0 || o.budget < 0 {
		return fmt.Errorf("--rounds %d, --budget %d: want 0 (the default) or more", o.rounds, o.budget)
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

--certify proves each point with Krawczyk's interval test under explicit
outward rounding: a box of radius cert_radius (max norm) around the point
holds exactly one true fixed point, within cert_error of it; the table's
cert column shows the radius or why the point was not certified, and the
.npz and .json gain certified, cert_radius, cert_error and cert_reason.
--complete (tanh, sigmoid or rectified-tanh; small N) proves the whole set:
a branch and prune over the box that holds every fixed point excludes
boxes and certifies those that hold exactly one, adds the points the
solver missed (source interval), and writes complete (true when these are
all the fixed points) and undecided_boxes (those it could not decide).

Continuous attractors are named (--attractors, on by default up to N = 256):
from every point with a slow mode (time constant of at least 20 tau), the
set of slow points through it is traced along the slow mode; a set of at
least 8 samples is reported as a line, a ring (closed) or a manifold (two
or more slow modes), with its length, its samples and the spectrum across
it, in the table, the .json (attractors), the .npz (attractor_* keys) and
the --plot's graph panel.

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
		return o.memory.check(max(networkBytes(n, m), findBytes(n, o, inits)), findWhat(n, o, inits))
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
	if err := checkComplete(name, net, o); err != nil {
		return err
	}
	outs, npzPath, jsonPath, err := o.output.create(in.path, o.plot)
	if err != nil {
		return err
	}
	defer outs.abort()

	if o.initsFile == "" {
		if err := o.memory.check(findBytes(n, o, o.inits), findWhat(n, o, o.inits)); err != nil {
			return err
		}
	}
	prog := newProgress(e, o.output.showProgress(e))
	defer prog.finish()
	inits, from, err := initialStates(in, o)
	if err != nil {
		return err
	}
	ni := o.inits + 1 // the sampled states and their centre (the long trajectories add a few)
	if inits != nil {
		ni, _ = inits.Dims()
	}
	if o.initsFile != "" {
		if err := o.memory.check(findBytes(n, o, ni), findWhat(n, o, ni)); err != nil {
			return err
		}
	}
	nw := findWorkers(n, o, ni)
	settings := findSettings(n, o)
	settings.LU, settings.Recorder = la.lu, prog.recorder()
	// got holds the facts shown of each spectrum computed; the members of
	// an exact mirror pair share theirs (explore.Settings.Spectra).
	got := map[*linearize.Spectrum]pointSpectrum{}
	xs := exploreSettings(in.Network, o, inits)
	xs.Solve, xs.Workers = &settings, nw
	xs.Stage = func(name string, items int) { prog.stage(name, items) }
	// The exploration takes each point's unstable directions from the
	// right vectors of its leading eigenvalues (explore.DirectionEigs);
	// when the table's count is that one, the linearisation computes them
	// too, while they fit the memory limit, so that each point's Krylov run
	// is made once, not twice, and the exploration drops them once used.
	shared := o.spectrum
	if c := o.spectrum.count(n); o.explore && o.modes >= 0 && o.spectrum.sets() == 0 && c < n && c == explore.DirectionEigs(n, o.modes) {
		shared.vectors, xs.DropVectors = true, true
	}
	xs.Spectra = func(ctx context.Context, states [][]float64) ([]*linearize.Spectrum, error) {
		w, opts := effectiveWorkers(o.workers, math.MaxInt), &o.spectrum
		if xs.DropVectors && shared.checkMemory(len(states), n, w) == nil {
			opts = &shared
		}
		ps, err := spectra(ctx, net, states, opts, w, prog)
		if err != nil {
			return nil, err
		}
		out := make([]*linearize.Spectrum, len(ps))
		for i := range ps {
			out[i] = ps[i].Spectrum
			got[out[i]] = ps[i]
		}
		return out, nil
	}
	res, err := explore.Find(ctx, net, xs)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, explore.ErrSampling) {
			return fmt.Errorf("%w (--inits-from random or --inits-file avoid it)", err)
		}
		return err
	}
	prog.finish()
	if res.Stats.NoFlow != "" && o.explore {
		e.log.Printf("note: no exploration beyond the initial states: %s", res.Stats.NoFlow)
	}
	if o.timing {
		timingLines(e.stderr, res, nw)
	}
	cert, err := certifyPoints(ctx, e, net, res, o)
	if err != nil {
		return err
	}
	comp, err := completeSet(ctx, e, net, res, cert, o, xs.Spectra)
	if err != nil {
		return err
	}
	if o.timing {
		cert.timing(e.stderr)
		comp.timing(e.stderr)
	}

	sps := make([]pointSpectrum, len(res.Spectra))
	for i, sp := range res.Spectra {
		sps[i] = got[sp]
	}
	// Order the points by class, then q (then the order found).
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
	if cert != nil {
		rs := make([]certify.Result, len(perm))
		for i, p := range perm {
			rs[i] = cert.results[p]
		}
		cert.results = rs
	}

	cont, err := findAttractors(ctx, e, net, res, o, la.eig)
	if err != nil {
		return err
	}
	if o.timing {
		cont.timing(e.stderr)
	}

	doc := findReport(in, o, from, res, sps)
	cert.report(&doc, o.certifyMaxN)
	comp.report(&doc)
	cont.report(&doc, net.TimeStep())
	doc.Outputs = report.Outputs{NPZ: npzPath, JSON: jsonPath, Plot: o.plot}
	doc.Sweep = o.sweep.entry()
	for i, sp := range sps {
		if sp.warning != "" {
			e.log.Printf("point %d: %s", i, sp.warning)
		}
	}
	arrays := func() []numpy.Array {
		a := append(findArrays(net.Convention().String(), n, res, sps, o.spectrum), cert.arrays()...)
		return append(append(a, comp.arrays(n)...), cont.arrays(n)...)
	}
	if err := writeResults(outs, npzPath, arrays, jsonPath, doc); err != nil {
		return err
	}
	if o.plot != "" {
		pts := make([]plotPoint, len(sps))
		for i, sp := range sps {
			pts[i] = plotPoint{values: sp.Values, class: sp.Class, kind: res.Points[i].Kind.String()}
		}
		g := &graphData{edges: res.Edges, attractors: cont.curves()}
		for i, p := range res.Points {
			g.states = append(g.states, p.X)
			g.classes = append(g.classes, sps[i].Class)
		}
		if err := writePlot(outs, o.plot, pts, net.Convention(), plotTitle(in, "find"), g); err != nil {
			return err
		}
	}
	return finish(ctx, e, outs, o.output.format, doc, func(w io.Writer) error { return findTable(w, doc, newPartialNote(sps, n, o.spectrum.count(n))) }, npzPath, jsonPath, o.plot)
}

// timingLines prints --timing's lines: the stages' seconds (initial
// states, solving, linearising, in the form scripts parse, then the
// exploration's own stages) and the work counts.
func timingLines(w io.Writer, res *explore.Result, workers int) {
	var sample, solve, lin, total float64
	var other []string
	for _, t := range res.Stats.Stages {
		total += t.Seconds
		switch t.Name {
		case explore.StageSampling:
			sample += t.Seconds
		case explore.StageSolving:
			solve += t.Seconds
		case explore.StageLinearising:
			lin += t.Seconds
		default:
			other = append(other, fmt.Sprintf("%s %.3f s", t.Name, t.Seconds))
		}
	}
	xt, st := res.Stats, res.Stats.Solve
	fmt.Fprintf(w, "fpfind: timing: initial states %.3f s, solving %.3f s, linearising %.3f s (%d points, %d workers)\n", sample, solve, lin, len(res.Points), workers)
	if len(other) > 0 {
		fmt.Fprintf(w, "fpfind: timing: exploring: %s\n", strings.Join(other, ", "))
	}
	fmt.Fprintf(w, "fpfind: work: %d Newton steps (%s), %d LU factorisations, %d J v products, %d Broyden steps, %d speed evaluations, %d Hessians, %d chord steps, %d early exits\n",
		st.NewtonIter, res.Settings.Linear, st.Factorizations, st.KrylovProducts, st.BroydenSteps, st.SpeedEvals, st.Hessians, st.ChordSteps, st.EarlyExits)
	if xt.Rounds > 0 {
		fmt.Fprintf(w, "fpfind: work: exploring: %d solves from %d states, %d trajectories in %d rounds\n", xt.Solves, xt.Starts, xt.Trajectories, xt.Rounds)
	}
}

// initialStates returns the initial states of a file or of --inits-from
// random, and where they came from; for --inits-from trajectories it
// returns nil (explore.Find samples them).
func initialStates(in *input, o *findOptions) (*mat.Dense, string, error) {
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
	return nil, "trajectories", nil
}

// exploreSettings are the exploration's settings from the flags, without
// the solver settings, the workers and the hooks, which runFind fills in.
// Initial states sampled from trajectories (inits nil) come from one
// trajectory per initial state, from a Gaussian state (std 1), each taken
// after one (largest) time constant, in its transient, where the saddles
// between the attractors are still felt (fewer, longer trajectories
// sampled later mostly see the attractors: on the trained flip-flop they
// found 17 to 26 of its 27 points, these all 27, for seeds 1 to 6); the
// first explore.DefaultLong of them run on until they settle, and add
// the states where they slow down and come to rest.
func exploreSettings(net *dynamics.Network, o *findOptions, inits *mat.Dense) *explore.Settings {
	s := &explore.Settings{
		Inits:  inits,
		Sample: explore.Sample{Count: o.inits, Start: 1, Noise: o.initNoise, Seed: o.seed},
		Modes:  o.modes,
		Pairs:  o.pairs,
		Rounds: o.rounds,
		Budget: o.budget,
	}
	if o.initNoise == 0 {
		s.Sample.Noise = -1 // none
	}
	if !o.explore {
		s.Modes, s.Pairs, s.Sample.Long, s.Sample.NoCentre = -1, -1, -1, true
	}
	return s
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
		SpeedStall:   o.stall,
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

// findWhat names a find from inits initial states in a refusal by
// --max-memory, with the continuous attractors when --attractors asked
// for them above attractorMaxN, where their workspace (attractorBytes)
// weighs.
func findWhat(n int, o *findOptions, inits int) string {
	what := fmt.Sprintf("find with %d initial states of N = %d units", inits, n)
	if o.attractors && o.attractorsGiven && n > attractorMaxN {
		what += " tracing its continuous attractors (--attractors=false does not)"
	}
	return what
}

// findBytes estimates the memory a find from inits initial states holds:
// W (and its two packed copies when Newton steps are matrix-free), the
// initial and final states (in the initial-state matrix, the runs and the
// output arrays: 6 I x N), the trajectories they are sampled from, each
// worker's solver workspace (per run in lockstep an N x N Jacobian and its
// LU factors, or a Krylov basis of 100 vectors, plus the N x N speed
// Hessian and its Cholesky factor, and the dense polish's matrix) and the
// linearisation workspace, and, when continuous attractors are traced,
// each of their workers' (attractorBytes). The points are not known yet:
// their spectra are checked again once they are (spectra).
func findBytes(n int, o *findOptions, inits int) float64 {
	N, I := float64(n), float64(inits)
	s := findSettings(n, o)
	batch, mf := s.Batch, s.Linear == fixedpoint.LinearMatrixFree
	w := findWorkers(n, o, inits)
	b := runtimeBase + N*N*f8 + 6*I*N*f8
	if o.initsFile == "" && o.initsFrom == "trajectories" {
		b += float64(min(inits, sampleGroup*w)) * 12 * N * f8
	}
	if o.explore {
		// The sampled trajectories' states, the long ones' minima of the
		// speed, and the exploration's trajectories in flight with their
		// Dormand-Prince stages (a group of 16 per worker).
		b += float64(inits+4*explore.DefaultLong)*2*N*f8 + float64(w*16)*12*N*f8
	}
	var worker float64
	if mf {
		worker = 2*N*N*f8/float64(w) + float64(batch)*100*N*f8 + N*N*f8
	} else {
		worker = float64(batch)*2*N*N*f8 + 2*N*N*f8
	}
	b += float64(w) * worker
	if o.certify && n <= o.certifyMaxN {
		b += float64(w) * certifyBytes(n)
	}
	if o.complete {
		b += completeBytes(n, o.maxBoxes)
	}
	if o.attractors && (n <= attractorMaxN || o.attractorsGiven) {
		b += float64(effectiveWorkers(o.workers, math.MaxInt)) * attractorBytes(n)
	}
	return b + spectrumBytes(0, n, o.spectrum.count(n), w, o.spectrum.sets())
}

// randomBound cuts the unbounded ends of an activation's range for
// --inits-from random.
const randomBound = 3

// findReport builds the .json document of a find run.
func findReport(in *input, o *findOptions, from string, res *explore.Result, sps []pointSpectrum) report.Find {
	ni, _ := res.Inits.Dims()
	u, uFile := o.input.report()
	var sampling *report.Sampling
	xs := res.Explore
	if from == "trajectories" {
		tmax := slices.Max(in.Network.TauVec())
		sampling = &report.Sampling{Trajectories: xs.Sample.Count, Start: report.Float(xs.Sample.Start), Burn: report.Float(tmax), Span: report.Float(tmax),
			Long: max(xs.Sample.Long, 0), LongTime: report.Float(xs.Sample.LongTime)}
	}
	var exp *report.ExploreSettings
	if o.explore {
		exp = &report.ExploreSettings{Modes: xs.Modes, Pairs: xs.Pairs, Rounds: xs.Rounds, Budget: xs.Budget,
			RoundsRun: res.Stats.Rounds, Trajectories: res.Stats.Trajectories, BudgetSpent: res.Stats.BudgetSpent}
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
			SpeedStall:  res.Settings.SpeedStall,
			Tol:         report.Float(o.tol),
			UniqueTol:   report.Float(o.uniqueTol),
			MaxIter:     res.Settings.MaxIter,
			Deflation:   res.Settings.Deflation,
			Explore:     exp,
			Eps:         report.Float(o.spectrum.eps),
			Eigs:        o.spectrum.partialCount(in.Network.Dim()),
			RightVector: o.spectrum.vectors || o.spectrum.leftVectors,
			LeftVectors: o.spectrum.leftVectors,
		},
		Points:   []report.Point{},
		EdgeFrom: []int{}, EdgeMode: []int{}, EdgeSign: []int{}, EdgeTo: []int{},
	}
	for _, e := range res.Edges {
		doc.EdgeFrom = append(doc.EdgeFrom, e.From)
		doc.EdgeMode = append(doc.EdgeMode, e.Mode)
		doc.EdgeSign = append(doc.EdgeSign, e.Sign)
		doc.EdgeTo = append(doc.EdgeTo, e.To)
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
func findArrays(conv string, n int, res *explore.Result, sps []pointSpectrum, opts spectrumOptions) []numpy.Array {
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
	ne := len(res.Edges)
	from, mode, sign, to := make([]int64, ne), make([]int64, ne), make([]int64, ne), make([]int64, ne)
	for i, e := range res.Edges {
		from[i], mode[i], sign[i], to[i] = int64(e.From), int64(e.Mode), int64(e.Sign), int64(e.To)
	}
	arrays = append(arrays,
		numpy.Array{Name: "edge_from", Shape: []int{ne}, Data: from},
		numpy.Array{Name: "edge_mode", Shape: []int{ne}, Data: mode},
		numpy.Array{Name: "edge_sign", Shape: []int{ne}, Data: sign},
		numpy.Array{Name: "edge_to", Shape: []int{ne}, Data: to})
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
