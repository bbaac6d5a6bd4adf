package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/cmplx"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fpfind/fpfind/continuation"
	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/explore"
	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/io/report"
	"github.com/spf13/pflag"
)

type continueOptions struct {
	model       modelOptions
	output      outputOptions
	input       inputOption
	memory      memoryOption
	param       string
	from, to    float64
	start       float64
	at          string
	seed        uint64
	inits       int
	tol         float64
	stepMax     float64
	maxSteps    int
	maxBranches int
	noSwitch    bool
	eigs        int
	eps         float64
	workers     int
	plot        string
	project     string
	timing      bool
}

func (o *continueOptions) register(fs *pflag.FlagSet) {
	fs.StringVar(&o.param, "param", "", "the parameter `P`: u:K (the input on channel K), gain (W scaled by g), bias:FILE.npy (the bias b + p v along the N values of FILE) or tau (tau scaled by p, leaky convention: alpha becomes alpha/p) (required)")
	fs.Float64Var(&o.from, "from", math.NaN(), "start value `A` of the parameter: the branches start at the fixed points there (required)")
	fs.Float64Var(&o.to, "to", math.NaN(), "end value `B` of the parameter (required, not A)")
	fs.Float64Var(&o.start, "start", math.NaN(), "the parameter `P0` of the start points, in [A, B] (default A); strictly between A and B each branch is followed both ways, so a closed branch (an isola) is followed round")
	for _, f := range []string{"from", "to", "start"} {
		fs.Lookup(f).DefValue = "" // no default shown: required, or A
	}
	fs.Float64Var(&o.tol, "tol", continuation.DefaultTol, "a point of a branch has max|F_i| <= `TOL` (in 1/time)")
	fs.Float64Var(&o.stepMax, "step-max", 0, "largest arclength step (in the norm |dh|^2/N + dp^2, times max(1, |h|/sqrt(N)); 0: 0.05 |B - A|)")
	fs.IntVar(&o.maxSteps, "max-steps", 0, fmt.Sprintf("steps per branch at most (0: %d)", continuation.DefaultMaxSteps))
	fs.IntVar(&o.maxBranches, "max-branches", 0, fmt.Sprintf("branches at most, those switched onto at branch points included (0: %d)", continuation.DefaultMaxBranches))
	fs.BoolVar(&o.noSwitch, "no-switch", false, "do not follow the branches that cross at branch points")
	o.input.register(fs)
	fs.StringVar(&o.at, "at", "", "start points: an (I x N) or (N) .npy `FILE` of fixed points at P0 (default: those fpfind find finds at P0)")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed of the search for start points (as fpfind find's)")
	fs.IntVarP(&o.inits, "inits", "n", 256, "initial states of the search for start points (as fpfind find's)")
	fs.Float64Var(&o.eps, "eps", 0, "marginal tolerance of the classes (0: 1e-8 times the operator's norm)")
	fs.IntVar(&o.eigs, "eigs", 0, fmt.Sprintf("leading eigenvalues kept per point, and computed (Krylov-Schur) above N = %d (0: %d)", continuation.DefaultFullMax, continuation.DefaultEigs))
	o.output.registerOut(fs, "`PREFIX`.npz (every point of every branch, the special points) and PREFIX.json (settings, branches, special points)")
	fs.StringVar(&o.plot, "plot", "", "draw the bifurcation diagram into `FILE`.png, .svg or .pdf")
	fs.StringVar(&o.project, "project", "pc1", "the diagram's vertical axis: pc1 (the first principal component of the states), unit:I (h_I) or norm (|h| / sqrt(N))")
	o.output.registerStreams(fs, false)
	fs.BoolVar(&o.timing, "timing", false, "print the time of the search for start points and of the continuation, and the work counts, on stderr")
	fs.IntVarP(&o.workers, "workers", "j", 0, "goroutines (0: all CPUs), at most one per branch; the output does not depend on it")
	o.memory.register(fs)
	o.model.register(fs)
}

// paramSpec is --param parsed: its kind, the channel of u:K and the file
// of bias:FILE.npy.
type paramSpec struct {
	kind    continuation.Kind
	channel int
	file    string
}

// parseParam parses --param.
func parseParam(s string) (paramSpec, error) {
	switch {
	case s == "gain":
		return paramSpec{kind: continuation.Gain}, nil
	case s == "tau":
		return paramSpec{kind: continuation.TauScale}, nil
	case strings.HasPrefix(s, "u:"):
		k, err := strconv.Atoi(s[2:])
		if err != nil || k < 0 {
			return paramSpec{}, fmt.Errorf("--param %q: u:K wants an input channel K (0, 1, 2 and so on)", s)
		}
		return paramSpec{kind: continuation.Input, channel: k}, nil
	case strings.HasPrefix(s, "bias:"):
		f := s[5:]
		if !strings.HasSuffix(strings.ToLower(f), ".npy") {
			return paramSpec{}, fmt.Errorf("--param %q: bias:FILE wants an .npy file of N values", s)
		}
		return paramSpec{kind: continuation.Bias, file: f}, nil
	case s == "":
		return paramSpec{}, fmt.Errorf("--param P is required: u:K, gain, bias:FILE.npy or tau")
	}
	return paramSpec{}, fmt.Errorf("--param %q: want u:K (an input channel), gain, bias:FILE.npy or tau (leaky convention)", s)
}

func (o *continueOptions) Validate(given func(flag string) bool) error {
	if _, err := parseParam(o.param); err != nil {
		return err
	}
	if !given("from") || !given("to") {
		return fmt.Errorf("--from A and --to B are required")
	}
	for _, c := range []struct {
		name string
		v    float64
	}{{"from", o.from}, {"to", o.to}} {
		if math.IsNaN(c.v) || math.IsInf(c.v, 0) {
			return fmt.Errorf("--%s %v: want a finite number", c.name, c.v)
		}
	}
	if o.from == o.to {
		return fmt.Errorf("--from %v and --to %v are equal: give an interval", o.from, o.to)
	}
	if !given("start") {
		o.start = o.from
	}
	if !(o.start >= min(o.from, o.to) && o.start <= max(o.from, o.to)) {
		return fmt.Errorf("--start %v: want a value in [%v, %v], the interval of --from and --to", o.start, min(o.from, o.to), max(o.from, o.to))
	}
	if err := finite("tol", o.tol, true); err != nil {
		return err
	}
	for _, c := range []struct {
		name string
		v    float64
	}{{"step-max", o.stepMax}, {"eps", o.eps}} {
		if err := finite(c.name, c.v, false); err != nil {
			return err
		}
	}
	for _, c := range []struct {
		name string
		v    int
	}{{"max-steps", o.maxSteps}, {"max-branches", o.maxBranches}, {"eigs", o.eigs}} {
		if c.v < 0 {
			return fmt.Errorf("--%s %d: want 0 (the default) or more", c.name, c.v)
		}
	}
	if o.inits < 1 {
		return fmt.Errorf("--inits %d: want at least 1", o.inits)
	}
	if _, err := parseProjection(o.project); err != nil {
		return err
	}
	if o.at != "" && (given("seed") || given("inits")) {
		return fmt.Errorf("--at gives the start points: --seed and --inits would not be used")
	}
	return validateShared(o.workers, o.plot, &o.input, &o.output, &o.model)
}

var continueCommand = &command{
	name:     "continue",
	synopsis: "continue --param P --from A --to B [flags] NETWORK",
	summary:  "branches of fixed points along an input, a bias or the gain, with folds, Hopf and branch points",
	about: `Follow every fixed point as a parameter P changes from A to B, by
pseudo-arclength continuation (a Newton corrector on the bordered system, an
adaptive step, a tangent that cannot turn back at folds), and locate the
special points on the way: folds (a real eigenvalue through 0, or 1 for the
leaky and discrete conventions), Hopf points (a complex pair through the
imaginary axis; Neimark-Sacker, through the unit circle, for maps), branch
points (a real eigenvalue through 0 where the branch goes on, such as the
pitchfork of an odd network), and period doublings (an eigenvalue through -1,
maps). Each is located to about 1e-10 in P; at a branch point the crossing
branch is followed too.

P is u:K (the constant input on channel K, the other channels as the file
or --input says), gain (W scaled by g: g = 1 is the file's network),
bias:FILE.npy (the bias b + p v for the N values v of FILE: p = 0 is the
file's network) or, for the leaky convention, tau (every tau scaled by p
with the step dt kept, so alpha becomes alpha/p: the fixed points stay, their
stability changes; refused for the others, where tau's scale changes
neither). The branches start at the fixed points fpfind find finds
at P = A (with --seed and --inits), or at the states of --at; with --start
P0 strictly between A and B they start at P0 and are followed both ways
(a closed branch, an isola, is then followed round and ends as closed).

stdout shows the special points (type, branch, P, max|h_i|, the critical
eigenvalue, the Hopf frequency, and the fold's normal-form coefficient a
or the Hopf point's first Lyapunov coefficient l1) and the branches
(where each started and why it ended: boundary, diverged, closed, max-steps,
stalled). With --format json it shows the .json document instead. -o PREFIX
writes PREFIX.npz (param, states, branch, n_unstable, stability and the
special points special_type, special_param, special_state, special_branch,
with the rest listed in fpfind's package documentation) and PREFIX.json.
--plot draws the bifurcation diagram: P against a projection of the state,
solid where stable, dashed where not, special points labelled LP, H, BP, PD,
NS.`,
	examples: `  fpfind continue --param u:0 --from -1 --to 1 -o branches testdata/flipflop.npz
  fpfind continue --param gain --from 0.5 --to 2 --at origin.npy --plot diagram.png net.npz
  fpfind continue --param bias:dir.npy --from 0 --to 0.5 --format json net.npz
`,
	options: func() options { return &continueOptions{} },
}

func (o *continueOptions) run(ctx context.Context, e *env, name string, args []string) error {
	spec, _ := parseParam(o.param)
	o.model.maxBytes = o.memory.readLimit()
	o.model.check = func(n, m int) error {
		return o.memory.check(max(networkBytes(n, m), continueBytes(n, o)), fmt.Sprintf("continue on a network of N = %d units", n))
	}
	la := setUpBackend()
	in, err := openNetworkInput(e, name, args, &o.model, &o.input, o.output.quiet)
	if err != nil {
		return err
	}
	net := in.Network
	n := net.Dim()
	if err := checkTauScale(net.TauVec()); err != nil {
		return err
	}
	p := continuation.Param{Kind: spec.kind, Channel: spec.channel, Name: o.param}
	if spec.kind == continuation.Bias {
		v, err := readStates(spec.file, n, "the bias direction of --param", "N = %d values", o.memory.readLimit())
		if err != nil {
			return err
		}
		if r, _ := v.Dims(); r != 1 {
			return inputError(fmt.Errorf("--param %s: %s holds %d rows, want one direction of N = %d values", o.param, spec.file, r, n))
		}
		p.Dir = v.RawRowView(0)
	}
	fam, err := continuation.NewFamily(net, p)
	if err != nil {
		return inputError(err)
	}
	if proj, _ := parseProjection(o.project); proj.unit >= n {
		return usageErrorf(name, "--project %s: the network has N = %d units (0 to %d)", o.project, n, n-1)
	}
	outs, npzPath, jsonPath, err := o.output.create(in.path, o.plot)
	if err != nil {
		return err
	}
	defer outs.abort()

	t0 := time.Now()
	starts, err := o.startPoints(ctx, e, fam, la)
	if err != nil {
		return err
	}
	tStarts := time.Since(t0).Seconds()
	if len(starts) == 0 {
		return fmt.Errorf("no fixed point found at %s = %v to start from (give start points with --at)", o.param, o.from)
	}
	settings := &continuation.Settings{
		From: o.from, To: o.to, Start: &o.start, Tol: o.tol, StepMax: o.stepMax, MaxSteps: o.maxSteps, MaxBranches: o.maxBranches,
		NoSwitch: o.noSwitch, Eigs: o.eigs, Eps: o.eps, LU: la.lu, Solver: la.eig,
		Workers: effectiveWorkers(o.workers, len(starts)),
	}
	t0 = time.Now()
	res, err := continuation.Continue(ctx, fam, starts, settings)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return inputError(err)
	}
	if o.timing {
		st := res.Stats
		fmt.Fprintf(e.stderr, "fpfind: timing: start points %.3f s, continuation %.3f s (%d branches, %d workers)\n", tStarts, time.Since(t0).Seconds(), len(res.Branches), settings.Workers)
		fmt.Fprintf(e.stderr, "fpfind: work: %d Newton iterations, %d LU factorisations, %d GMRES products (%d solves fell back to LU), %d spectra\n",
			st.Newton, st.Factorizations, st.Products, st.Fallbacks, st.Spectra)
	}
	doc := continueReport(in, o, res, len(starts))
	doc.Outputs = report.Outputs{NPZ: npzPath, JSON: jsonPath, Plot: o.plot}
	arrays := func() []numpy.Array { return continueArrays(net.Convention().String(), o.param, n, res, starts) }
	if err := writeResults(outs, npzPath, arrays, jsonPath, doc); err != nil {
		return err
	}
	if o.plot != "" {
		proj, _ := parseProjection(o.project)
		if err := writeDiagram(outs, o.plot, res, proj, o.param, plotTitle(in, "continue")); err != nil {
			return err
		}
	}
	return finish(ctx, e, outs, o.output.format, doc, func(w io.Writer) error { return continueTable(w, doc) }, npzPath, jsonPath, o.plot)
}

// startPoints returns the states of --at, or the fixed points (not the
// slow ones) that find's exploration finds at P = A, ordered as find
// orders them: by class, then speed.
func (o *continueOptions) startPoints(ctx context.Context, e *env, fam *continuation.Family, la linearAlgebra) ([][]float64, error) {
	n := fam.Base().Dim()
	if o.at != "" {
		m, err := readStates(o.at, n, "start points", "N = %d units", o.memory.readLimit())
		if err != nil {
			return nil, err
		}
		r, _ := m.Dims()
		out := make([][]float64, r)
		for i := range out {
			out[i] = m.RawRowView(i)
		}
		return out, nil
	}
	netA, err := fam.At(o.start)
	if err != nil {
		return nil, inputError(fmt.Errorf("--start %v: %w", o.start, err))
	}
	if lo, hi := tauRange(netA.TauVec()); netA.Convention() == dynamics.Continuous {
		if err := checkStiff(hi, lo, "sampling start points from trajectories", "give the start points with --at"); err != nil {
			return nil, err
		}
	}
	fo := &findOptions{}
	fo.register(pflag.NewFlagSet("", pflag.ContinueOnError))
	fo.seed, fo.inits, fo.workers = o.seed, o.inits, o.workers
	fs := findSettings(n, fo)
	fs.LU = la.lu
	xs := exploreSettings(netA, fo, nil)
	xs.Solve, xs.Workers = &fs, findWorkers(n, fo, o.inits+1)
	r, err := explore.Find(ctx, netA, xs)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, explore.ErrSampling) {
			return nil, fmt.Errorf("%w (give the start points with --at)", err)
		}
		return nil, err
	}
	idx := make([]int, 0, len(r.Points))
	for i, p := range r.Points {
		if p.Kind == fixedpoint.Fixed {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return cmp.Or(cmp.Compare(r.Spectra[a].Class, r.Spectra[b].Class), cmp.Compare(r.Points[a].Q, r.Points[b].Q))
	})
	out := make([][]float64, len(idx))
	for i, k := range idx {
		out[i] = r.Points[k].X
	}
	e.log.Printf("%d fixed points at %s = %v to start from", len(out), o.param, o.start)
	return out, nil
}

// continueBytes estimates the memory of a continuation on N units: W and
// the family's copy (and the scaled copy along the gain), per worker the
// bordered (N+1)^2 matrix (matrix-free from KrylovMin, but kept in the
// estimate for the dense fallback near branch points), the two N x N
// matrices of the null vectors at special points, the eigen-solver's
// workspace (dense up to FullMax, a Krylov-Schur basis above) and GMRES's
// basis, and the points of the branches followed at once (MaxSteps each, N
// values).
func continueBytes(n int, o *continueOptions) float64 {
	N := float64(n)
	w := float64(effectiveWorkers(o.workers, math.MaxInt))
	steps := float64(cmp.Or(o.maxSteps, continuation.DefaultMaxSteps))
	b := runtimeBase + 3*N*N*f8
	work := (N+1)*(N+1)*f8 + 2*N*N*f8 + 62*N*f8
	if n > continuation.DefaultFullMax {
		work += float64(4*cmp.Or(o.eigs, continuation.DefaultEigs)+20) * N * f8
	} else {
		work += 4 * N * N * f8
	}
	return b + w*(work+steps*N*f8)
}

// continueReport builds the .json document of a continue run.
func continueReport(in *input, o *continueOptions, res *continuation.Result, starts int) report.Continue {
	s := res.Settings
	u, uFile := o.input.report()
	doc := report.Continue{
		Header: in.header("continue"),
		Model:  o.model.report(),
		Settings: report.ContinueSettings{
			Param: o.param, From: report.Float(s.From), To: report.Float(s.To), Start: report.Float(o.start), At: o.at, Seed: o.seed, Inits: o.inits,
			Input: u, InputFile: uFile, Starts: starts, Tol: report.Float(s.Tol), ParamTol: report.Float(s.ParamTol),
			StepMax: report.Float(s.StepMax), StepMin: report.Float(s.StepMin), MaxSteps: s.MaxSteps, MaxBranches: s.MaxBranches,
			Switch: !s.NoSwitch, FullMax: s.FullMax, Eigs: s.Eigs, Eps: report.Float(s.Eps),
		},
		Branches: []report.ContinueBranch{},
		Specials: []report.ContinueSpecial{},
	}
	doc.Summary = report.ContinueSummary{Branches: len(res.Branches), Specials: len(res.Specials), Duplicates: res.Duplicates, Unfollowed: res.Unfollowed}
	for i, b := range res.Branches {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, p := range b.Points {
			lo, hi = min(lo, p.P), max(hi, p.P)
		}
		doc.Summary.Points += len(b.Points)
		cb := report.ContinueBranch{Index: i, Start: b.Start, Parent: b.Parent, Sign: b.Sign,
			Points: len(b.Points), ParamMin: report.Float(lo), ParamMax: report.Float(hi), End: b.End.String()}
		for _, p := range b.Points {
			lead := cmplx.NaN()
			if len(p.Values) > 0 {
				lead = p.Values[0]
			}
			cb.Param = append(cb.Param, report.Float(p.P))
			cb.NUnstable = append(cb.NUnstable, p.NUnstable)
			cb.Stability = append(cb.Stability, p.Class.String())
			cb.Leading = append(cb.Leading, report.Complex(lead))
		}
		doc.Branches = append(doc.Branches, cb)
	}
	for i, sp := range res.Specials {
		sw := append([]int{}, sp.Switched...)
		doc.Specials = append(doc.Specials, report.ContinueSpecial{Index: i, Type: sp.Type.String(), Branch: sp.Branch,
			Param: report.Float(sp.P), ParamError: report.Float(sp.PError), NormInf: report.Float(maxAbs(sp.H)),
			Eigenvalue: report.Complex(sp.Eigenvalue), Frequency: report.Float(sp.Frequency), Coefficient: report.Float(sp.Coefficient), Switched: sw})
	}
	return doc
}

// continueArrays returns the arrays of the .npz of a continue run (P
// points of every branch in order, S special points, B branches, I start
// points, C leading eigenvalues per point).
func continueArrays(conv, param string, n int, res *continuation.Result, starts [][]float64) []numpy.Array {
	c := res.Settings.Eigs
	var (
		ps, states                []float64
		branch, nu, nm, lb, pspec []int64
		stab                      []string
		ev                        []complex128
	)
	for bi, b := range res.Branches {
		for _, p := range b.Points {
			ps = append(ps, p.P)
			states = append(states, p.H...)
			branch = append(branch, int64(bi))
			nu = append(nu, int64(p.NUnstable))
			nm = append(nm, int64(p.NMarginal))
			lb = append(lb, boolInt(p.MoreUnstable))
			pspec = append(pspec, int64(p.Special))
			stab = append(stab, p.Class.String())
			for j := range c {
				if j < len(p.Values) {
					ev = append(ev, p.Values[j])
				} else {
					ev = append(ev, cmplx.NaN())
				}
			}
		}
	}
	np, ns, nb := len(ps), len(res.Specials), len(res.Branches)
	var (
		styp                []string
		sp, serr, sfreq, sa []float64
		sstate              []float64
		sbranch             []int64
		seig                []complex128
	)
	for _, s := range res.Specials {
		styp = append(styp, s.Type.String())
		sp = append(sp, s.P)
		serr = append(serr, s.PError)
		sstate = append(sstate, s.H...)
		sbranch = append(sbranch, int64(s.Branch))
		seig = append(seig, s.Eigenvalue)
		sfreq = append(sfreq, s.Frequency)
		sa = append(sa, s.Coefficient)
	}
	bend := make([]string, nb)
	bstart, bparent := make([]int64, nb), make([]int64, nb)
	for i, b := range res.Branches {
		bend[i], bstart[i], bparent[i] = b.End.String(), int64(b.Start), int64(b.Parent)
	}
	return []numpy.Array{
		{Name: "param", Shape: []int{np}, Data: orEmpty(ps)},
		{Name: "states", Shape: []int{np, n}, Data: orEmpty(states)},
		{Name: "branch", Shape: []int{np}, Data: orEmpty(branch)},
		{Name: "n_unstable", Shape: []int{np}, Data: orEmpty(nu)},
		{Name: "n_marginal", Shape: []int{np}, Data: orEmpty(nm)},
		{Name: "n_unstable_lower_bound", Shape: []int{np}, Data: orEmpty(lb)},
		{Name: "stability", Shape: []int{np}, Data: orEmpty(stab)},
		{Name: "eigenvalues", Shape: []int{np, c}, Data: orEmpty(ev)},
		{Name: "point_special", Shape: []int{np}, Data: orEmpty(pspec)},
		{Name: "special_type", Shape: []int{ns}, Data: orEmpty(styp)},
		{Name: "special_param", Shape: []int{ns}, Data: orEmpty(sp)},
		{Name: "special_param_error", Shape: []int{ns}, Data: orEmpty(serr)},
		{Name: "special_state", Shape: []int{ns, n}, Data: orEmpty(sstate)},
		{Name: "special_branch", Shape: []int{ns}, Data: orEmpty(sbranch)},
		{Name: "special_eigenvalue", Shape: []int{ns}, Data: orEmpty(seig)},
		{Name: "special_frequency", Shape: []int{ns}, Data: orEmpty(sfreq)},
		{Name: "special_coefficient", Shape: []int{ns}, Data: orEmpty(sa)},
		{Name: "branch_end", Shape: []int{nb}, Data: orEmpty(bend)},
		{Name: "branch_start", Shape: []int{nb}, Data: orEmpty(bstart)},
		{Name: "branch_parent", Shape: []int{nb}, Data: orEmpty(bparent)},
		{Name: "start_points", Shape: []int{len(starts), n}, Data: flatten(starts, n)},
		{Name: "param_name", Data: []string{param}},
		{Name: "convention", Data: []string{conv}},
	}
}

// orEmpty returns x, or an empty non-nil slice for nil (an array of zero
// rows still has a type).
func orEmpty[T any](x []T) []T {
	if x == nil {
		return []T{}
	}
	return x
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// continueTable prints the table of `fpfind continue`: the special points,
// then the branches.
func continueTable(w io.Writer, doc report.Continue) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "#\ttype\tbranch\t%s\t|h|inf\teigenvalue\tfrequency\tcoefficient\t\n", doc.Settings.Param)
	for _, s := range doc.Specials {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%.10g\t%s\t%s\t%s\t%s\t\n", s.Index, s.Type, s.Branch, float64(s.Param), num(float64(s.NormInf)),
			cnum(complex128(s.Eigenvalue)), orDash(float64(s.Frequency)), orDash(float64(s.Coefficient)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%d branches, %d points, %d special points", doc.Summary.Branches, doc.Summary.Points, doc.Summary.Specials)
	if doc.Summary.Duplicates > 0 {
		fmt.Fprintf(w, " (%d start points lay on earlier branches)", doc.Summary.Duplicates)
	}
	if doc.Summary.Unfollowed > 0 {
		fmt.Fprintf(w, " (%d start points not followed: --max-branches reached)", doc.Summary.Unfollowed)
	}
	fmt.Fprintln(w)
	for _, b := range doc.Branches {
		from := fmt.Sprintf("start point %d", b.Start)
		if doc.Settings.Start != doc.Settings.From {
			from += map[bool]string{true: " towards B", false: " towards A"}[b.Sign > 0]
		}
		if b.Start < 0 {
			from = fmt.Sprintf("special point %d (side %+d)", b.Parent, b.Sign)
		}
		fmt.Fprintf(w, "branch %d: from %s, %d points, %s in [%s, %s], ends: %s\n", b.Index, from, b.Points, doc.Settings.Param,
			num(float64(b.ParamMin)), num(float64(b.ParamMax)), b.End)
	}
	return nil
}

// orDash formats v, or "-" for NaN (a quantity that does not apply).
func orDash(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return num(v)
}
