package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"text/tabwriter"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/io/report"
	"github.com/fpfind/fpfind/ode"
	"github.com/spf13/pflag"
	"gonum.org/v1/gonum/mat"
)

type simulateOptions struct {
	model     modelOptions
	output    outputOptions
	seed      uint64
	inits     int
	initsFile string
	initScale float64
	tEnd      float64
	samples   int
	method    string
	step      float64
	rtol      float64
	atol      float64
	noise     float64
	input     []float64
	inputFile string
	workers   int
	memory    memoryOption
}

func (o *simulateOptions) register(fs *pflag.FlagSet) {
	fs.IntVarP(&o.inits, "inits", "n", 16, "number of random initial states")
	fs.StringVar(&o.initsFile, "inits-file", "", "read the initial states from an (I x N) .npy `FILE` instead")
	fs.Float64Var(&o.initScale, "init-scale", 1, "random initial states are Gaussian with this std per unit")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed of the initial states and the noise")
	fs.Float64Var(&o.tEnd, "t-end", 20, "simulate from t = 0 to `T` (in the time unit of tau)")
	fs.IntVar(&o.samples, "samples", 201, "number of evenly spaced sample times from 0 to t-end")
	fs.StringVar(&o.method, "method", "", "integrator `NAME`: dormand-prince, rk4, euler, euler-maruyama or heun (default: dormand-prince, or euler-maruyama with noise; leaky and discrete networks step their map)")
	fs.Float64Var(&o.step, "step", 0, "step of the fixed-step methods (0: tau_min/100)")
	fs.Float64Var(&o.rtol, "rtol", 1e-6, "relative tolerance of dormand-prince")
	fs.Float64Var(&o.atol, "atol", 1e-9, "absolute tolerance of dormand-prince")
	fs.Float64Var(&o.noise, "noise", 0, "`sigma` of the white noise eta in tau dh/dt = -h + phi(x) + eta")
	fs.Float64SliceVar(&o.input, "input", nil, "constant input u: M comma-separated `values` (default: the file's u)")
	fs.StringVar(&o.inputFile, "input-file", "", "time-varying input: a (K x M) .npy `FILE`, row k held for t in [k, k+1) * t-end/K")
	fs.IntVarP(&o.workers, "workers", "j", 0, "goroutines (0: all CPUs), at most GOMAXPROCS and one per trajectory (but for one large trajectory); the output does not depend on it")
	o.memory.register(fs)
	o.output.registerOut(fs, "`PREFIX`.npz (t, h, inits, status) and PREFIX.json (required)")
	o.output.registerStreams(fs, false)
	o.model.register(fs)
}

// Validate checks the flags that need no file.
func (o *simulateOptions) Validate(given func(flag string) bool) error {
	if o.output.out == "" {
		return fmt.Errorf("-o PREFIX is required: the trajectories go to PREFIX.npz")
	}
	if o.inits < 1 && o.initsFile == "" {
		return fmt.Errorf("--inits %d: want at least 1", o.inits)
	}
	if o.samples < 2 {
		return fmt.Errorf("--samples %d: want at least 2", o.samples)
	}
	if o.method != "" {
		if _, err := ode.ParseMethod(o.method); err != nil {
			return fmt.Errorf("--method %q: want dormand-prince, rk4, euler, euler-maruyama or heun", o.method)
		}
	}
	for _, c := range []struct {
		name     string
		v        float64
		positive bool
	}{{"t-end", o.tEnd, true}, {"rtol", o.rtol, true}, {"atol", o.atol, true}, {"noise", o.noise, false}, {"step", o.step, false}, {"init-scale", o.initScale, false}} {
		if err := finite(c.name, c.v, c.positive); err != nil {
			return err
		}
	}
	for _, v := range o.input {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("--input: %v is not finite", v)
		}
	}
	if o.input != nil && o.inputFile != "" {
		return fmt.Errorf("--input and --input-file exclude each other")
	}
	if o.workers < 0 {
		return fmt.Errorf("--workers %d: want 0 (all CPUs) or more", o.workers)
	}
	if err := o.output.validate(); err != nil {
		return err
	}
	if err := o.model.validate(); err != nil {
		return err
	}
	return initsFileExcludes(o.initsFile, given, "inits", "init-scale")
}

var simulateCommand = &command{
	name:     "simulate",
	synopsis: "simulate -o PREFIX [flags] NETWORK",
	summary:  "trajectories from given or random initial states",
	about: `Simulate the network from initial states (random, or from a file), with
optional white noise of intensity sigma and a constant or time-varying input,
and write the trajectories sampled at --samples evenly spaced times from 0 to
--t-end into PREFIX.npz: t (T), h (I x T x N), inits (I x N), status (I),
plus PREFIX.json with the settings and the seed.

A continuous network is integrated with dormand-prince (adaptive, with
--rtol/--atol), or with euler-maruyama when --noise is set. A leaky or
discrete network steps its own map (h <- h + alpha (-h + phi(x)), or
h <- phi(x)), one step per alpha tau or per time unit; the sample times are
rounded to whole steps. --method makes it integrate the continuous-time
equation instead. A trajectory that blows up stops, with status non-finite
and NaN after the last good sample.

stdout shows, per trajectory, how it ended, the time reached, max|h_i| and
the speed max|F_i| at the end (near 0: it settled on a fixed point).`,
	examples: `  fpfind simulate -o traj testdata/flipflop.npz
  fpfind simulate -n 100 --noise 0.05 --t-end 50 --samples 501 -o traj net.npz
  fpfind simulate --inits-file starts.npy --input-file pulses.npy -o traj net.npz
`,
	options: func() options { return &simulateOptions{} },
}

func (o *simulateOptions) run(ctx context.Context, e *env, name string, args []string) error {
	o.model.maxBytes = o.memory.readLimit()
	o.model.check = o.memory.checkNetwork
	in, err := openNetwork(e, name, args, &o.model, o.output.quiet)
	if err != nil {
		return err
	}
	net := in.Network
	n := net.Dim()
	if o.input != nil {
		if len(o.input) != net.Inputs() {
			return usageErrorf(name, "--input has %d values, the network has M = %d inputs", len(o.input), net.Inputs())
		}
		if net, err = net.WithInput(o.input); err != nil {
			return usageErrorf(name, "--input: %v", err)
		}
	}
	var uFile *mat.Dense
	if o.inputFile != "" {
		if uFile, err = readStates(o.inputFile, net.Inputs(), "inputs", "M = %d inputs", o.memory.readLimit()); err != nil {
			return err
		}
	}
	outs, npzPath, jsonPath, err := o.output.create(in.path)
	if err != nil {
		return err
	}
	defer outs.abort()

	ni := o.inits
	if o.initsFile == "" {
		if err := o.memory.check(simulateBytes(ni, o.samples, n), fmt.Sprintf("simulate with %d trajectories of %d samples of N = %d units", ni, o.samples, n)); err != nil {
			return err
		}
	}
	inits, from, err := simulateInits(in, o)
	if err != nil {
		return err
	}
	ni, _ = inits.Dims()
	if o.initsFile != "" {
		if err := o.memory.check(simulateBytes(ni, o.samples, n), fmt.Sprintf("simulate with %d trajectories of %d samples of N = %d units", ni, o.samples, n)); err != nil {
			return err
		}
	}

	if err := checkTauScale(net.TauVec()); err != nil {
		return err
	}

	// The method, step and sample times.
	tau := net.TauVec()
	tauMin := tau[0]
	for _, t := range tau {
		tauMin = min(tauMin, t)
	}
	s := &ode.Settings{RelTol: o.rtol, AbsTol: o.atol, Workers: effectiveWorkers(o.workers, ni)}
	method := o.method
	mapStep := 0.0
	if method == "" && net.Convention().IsMap() {
		mapStep = net.TimeStep()
		if net.Convention() == dynamics.Discrete {
			// h <- phi(x) is an Euler step of length tau of the field.
			if !net.UniformTau() {
				return usageErrorf(name, "a discrete network steps its map, which needs one tau for all units (or give --method)")
			}
			mapStep = tau[0]
		}
		s.Method, s.Step = ode.Euler, mapStep
		method = "map"
		if o.noise > 0 {
			s.Method = ode.EulerMaruyama
		}
	} else if method != "" {
		s.Method, _ = ode.ParseMethod(method)
	} else if o.noise > 0 {
		s.Method = ode.EulerMaruyama
	}
	if s.Method != ode.DormandPrince && s.Method != ode.Default || o.noise > 0 {
		if s.Step == 0 {
			s.Step = o.step
			if s.Step == 0 {
				s.Step = tauMin / 100
			}
		}
	}
	if method == "" {
		method = s.Method.String()
		if s.Method == ode.Default {
			method = ode.DormandPrince.String()
		}
	}
	tEnd := o.tEnd
	times := make([]float64, o.samples)
	for k := range times {
		times[k] = tEnd * float64(k) / float64(o.samples-1)
	}
	if mapStep > 0 {
		steps := math.Round(tEnd / mapStep)
		if steps < 1 {
			return usageErrorf(name, "--t-end %v is shorter than one step of the map (%v)", tEnd, mapStep)
		}
		for k := range times {
			times[k] = math.Round(times[k]/mapStep) * mapStep
		}
		tEnd = steps * mapStep
		times[len(times)-1] = tEnd
	}
	s.Times = times
	if s.Step == 0 { // dormand-prince, adaptive
		if err := checkStiff(tEnd, tauMin, "simulate", "shorten --t-end, give the units closer time constants, or use a fixed-step --method with --step"); err != nil {
			return err
		}
	} else if steps := tEnd / s.Step; steps > maxFixedSteps {
		return inputError(fmt.Errorf("simulate: --t-end %g in steps of %g (%s) is %.2g steps, more than %.0g; shorten --t-end or lengthen --step",
			tEnd, s.Step, method, steps, float64(maxFixedSteps)))
	}
	if o.noise > 0 {
		g := make([]float64, n)
		for i := range g {
			g[i] = o.noise / tau[i]
		}
		s.Noise = &ode.Noise{Diffusion: g, Seed: o.seed}
	}
	f := func(dst []float64, _ float64, h []float64) { net.Field(dst, h) }
	if rows, _ := inits.Dims(); rows == 1 && effectiveWorkers(o.workers, n) != 1 && uFile == nil && net.Dim() >= 256 {
		// One large trajectory: split each product's rows over the cores
		// (bit-identical to Field, so the output does not depend on -j).
		pf := net.NewEvaluator(effectiveWorkers(o.workers, n)).ParallelField()
		defer pf.Close()
		f = func(dst []float64, _ float64, h []float64) { pf.Field(dst, h) }
	}
	if uFile != nil {
		k, _ := uFile.Dims()
		f = func(dst []float64, t float64, h []float64) {
			row := min(max(int(math.Floor(t/tEnd*float64(k))), 0), k-1)
			net.FieldInput(dst, h, uFile.RawRowView(row))
		}
	}
	runs, err := ode.SolveBatch(ctx, f, inits, 0, tEnd, s)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return usageErrorf(name, "%v", err)
	}

	// Arrays: h is I x T x N, NaN after a run's last good sample.
	nt := len(times)
	h := make([]float64, ni*nt*n)
	for i := range h {
		h[i] = math.NaN()
	}
	status := make([]string, ni)
	doc := report.Simulate{
		Header: in.header("simulate"),
		Model:  o.model.report(),
		Settings: report.SimulateSettings{
			Seed: o.seed, Inits: ni, InitsFrom: from, InitsFile: o.initsFile,
			InitScale: report.Float(o.initScale),
			TEnd:      report.Float(tEnd), Samples: nt, Method: method, Step: report.Float(s.Step),
			RTol: report.Float(o.rtol), ATol: report.Float(o.atol), Noise: report.Float(o.noise),
			Input: report.Floats(o.input), InputFile: o.inputFile,
		},
		Outputs: report.Outputs{NPZ: npzPath, JSON: jsonPath},
	}
	sum := &doc.Summary
	sum.Trajectories, sum.Samples = ni, nt
	fv := make([]float64, n)
	for i, r := range runs {
		status[i] = r.Status.String()
		rows, _ := r.Y.Dims()
		for k := range rows {
			copy(h[(i*nt+k)*n:(i*nt+k+1)*n], r.Y.RawRowView(k))
		}
		if r.Status == ode.Success {
			sum.Finished++
		}
		sum.Steps += r.Stats.Accepted
		tr := report.Trajectory{Index: i, Status: r.Status.String(), TReached: report.Float(r.End)}
		if rows > 0 {
			last := r.Y.RawRowView(rows - 1)
			tr.NormInf = report.Float(maxAbs(last))
			if uFile != nil {
				k, _ := uFile.Dims()
				net.FieldInput(fv, last, uFile.RawRowView(k-1))
			} else {
				net.Field(fv, last)
			}
			tr.SpeedInf = report.Float(maxAbs(fv))
		} else {
			tr.NormInf, tr.SpeedInf = report.Float(math.NaN()), report.Float(math.NaN())
		}
		doc.Trajectories = append(doc.Trajectories, tr)
	}
	arrays := []numpy.Array{
		{Name: "t", Shape: []int{nt}, Data: times},
		{Name: "h", Shape: []int{ni, nt, n}, Data: h},
		{Name: "inits", Shape: []int{ni, n}, Data: append([]float64(nil), inits.RawMatrix().Data...)},
		{Name: "status", Shape: []int{ni}, Data: status},
		{Name: "convention", Data: []string{net.Convention().String()}},
	}
	if err := writeResults(outs, npzPath, func() []numpy.Array { return arrays }, jsonPath, doc); err != nil {
		return err
	}
	return finish(ctx, e, outs, o.output.format, doc, func(w io.Writer) error { return simulateTable(w, doc) }, npzPath, jsonPath)
}

// simulateBytes estimates the memory of a simulation of I trajectories of
// T samples of N units: the samples are held three times at the end (each
// trajectory's, the h array of the .npz, and its encoded bytes) and a
// fourth counts the growth of the trajectories' storage and the garbage
// collector's headroom (measured: 3.9 copies at peak for 100 trajectories
// of 1001 or 5001 samples, N = 64 and 200); then the sample times, the
// initial states and W.
func simulateBytes(trajectories, samples, n int) float64 {
	I, T, N := float64(trajectories), float64(samples), float64(n)
	return runtimeBase + 4*I*T*N*f8 + 2*T*f8 + 3*I*N*f8 + N*N*f8
}

// simulateTable prints the table of `fpfind simulate`.
func simulateTable(w io.Writer, doc report.Simulate) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "#\tstatus\tt_reached\t|h|inf\t|F|inf\t\n")
	for _, t := range doc.Trajectories {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t\n", t.Index, t.Status, num(float64(t.TReached)), num(float64(t.NormInf)), sci(float64(t.SpeedInf)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	s := doc.Summary
	st := doc.Settings
	var how strings.Builder
	if st.Method == "map" {
		fmt.Fprintf(&how, "steps of the map, dt = %s", num(float64(st.Step)))
	} else {
		fmt.Fprintf(&how, "%s", st.Method)
	}
	if st.Noise > 0 {
		fmt.Fprintf(&how, ", noise sigma %s", num(float64(st.Noise)))
	}
	_, err := fmt.Fprintf(w, "\n%d trajectories (%s), %d samples from t = 0 to %s: %d reached the end, %d stopped early\n",
		s.Trajectories, how.String(), s.Samples, num(float64(st.TEnd)), s.Finished, s.Trajectories-s.Finished)
	return err
}

// initStream offsets the PCG stream of random initial states, so that they
// are independent of the noise of trajectory i (stream i of the same seed).
const initStream = 1 << 63

// simulateInits returns the initial states of simulate and where they came
// from: row i of the random ones is Gaussian with std --init-scale, drawn from
// rand.NewPCG(seed, 1<<63 + i).
func simulateInits(in *input, o *simulateOptions) (*mat.Dense, string, error) {
	n := in.Network.Dim()
	if o.initsFile != "" {
		m, err := readStates(o.initsFile, n, "initial states", "N = %d units", o.memory.readLimit())
		if err != nil {
			return nil, "", err
		}
		return m, "file", nil
	}
	m := mat.NewDense(o.inits, n, nil)
	for i := range o.inits {
		rng := rand.New(rand.NewPCG(o.seed, initStream+uint64(i)))
		row := m.RawRowView(i)
		for j := range row {
			row[j] = o.initScale * rng.NormFloat64()
		}
	}
	return m, "random", nil
}
