package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/cmplx"

	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/io/report"
	"github.com/fpfind/fpfind/linearize"
	"github.com/spf13/pflag"
)

type linearizeOptions struct {
	model    modelOptions
	output   outputOptions
	spectrum spectrumOptions
	input    inputOption
	at       string
	tol      float64
	plot     string
	workers  int
	memory   memoryOption
}

func (o *linearizeOptions) register(fs *pflag.FlagSet) {
	fs.StringVar(&o.at, "at", "", "the states: an (I x N) or (N) .npy `FILE` (required)")
	fs.Float64Var(&o.tol, "tol", 1e-10, "a state is called a fixed point when max|F_i| <= `TOL`")
	o.spectrum.register(fs, "I")
	o.input.register(fs)
	o.output.registerOut(fs, "`PREFIX`.npz and PREFIX.json; without it nothing is written")
	fs.StringVar(&o.plot, "plot", "", "draw the eigenvalues into `FILE`.png, .svg or .pdf")
	o.output.registerStreams(fs, true)
	fs.IntVarP(&o.workers, "workers", "j", 0, "goroutines (0: all CPUs), at most GOMAXPROCS and one per state; the output does not depend on it")
	o.memory.register(fs)
	o.model.register(fs)
}

func (o *linearizeOptions) Validate(func(flag string) bool) error {
	if o.at == "" {
		return fmt.Errorf("--at STATES.npy is required")
	}
	if err := finite("tol", o.tol, true); err != nil {
		return err
	}
	if err := finite("eps", o.spectrum.eps, false); err != nil {
		return err
	}
	if err := o.spectrum.validateEigs(); err != nil {
		return err
	}
	return validateShared(o.workers, o.plot, &o.input, &o.output, &o.model)
}

var linearizeCommand = &command{
	name:     "linearize",
	synopsis: "linearize --at STATES.npy [flags] NETWORK",
	summary:  "spectrum and stability at given states",
	about: `Linearise the network at given states (for instance points found by another
tool) and print, for each, its stability class, the number of unstable modes,
its speed q and residual max|F_i|, the slowest time constant and the leading
eigenvalue. The eigenvalues are those of the convention's operator: the
Jacobian J (continuous), (1-alpha) I + alpha diag(phi') W (leaky) or
diag(phi') W (discrete). A state that is not a fixed point is marked so:
its spectrum describes only the local linearisation.

With -o PREFIX it writes PREFIX.npz (states, q, residual_inf, stability,
n_unstable, n_unstable_lower_bound, n_marginal, n_eigenvalues, eigenvalues,
and with --vectors/--left-vectors eigvecs_right/eigvecs_left, each vector a
column as in numpy.linalg.eig) and PREFIX.json. Above N = 1024 (or with
--eigs COUNT) only the leading eigenvalues are computed, as in fpfind find.
--input sets the constant input u, as in fpfind find.`,
	examples: `  fpfind linearize --at points.npy net.npz
  fpfind linearize --at points.npy --vectors -o spectra --plot spectra.png net.npz
`,
	options: func() options { return &linearizeOptions{} },
}

func (o *linearizeOptions) run(ctx context.Context, e *env, name string, args []string) error {
	o.model.maxBytes = o.memory.readLimit()
	o.model.check = o.memory.checkNetwork
	o.spectrum.memory = &o.memory
	o.spectrum.solver = setUpBackend().eig
	in, err := openNetworkInput(e, name, args, &o.model, &o.input, o.output.quiet)
	if err != nil {
		return err
	}
	net := in.Network
	n := net.Dim()
	if err := o.spectrum.checkPartial(n); err != nil {
		return usageErrorf(name, "%v", err)
	}
	at, err := readStates(o.at, n, "states", "N = %d units", o.memory.readLimit())
	if err != nil {
		return err
	}
	rows, _ := at.Dims()
	states := make([][]float64, rows)
	for i := range states {
		states[i] = at.RawRowView(i)
	}
	outs, npzPath, jsonPath, err := o.output.create(in.path, o.plot)
	if err != nil {
		return err
	}
	defer outs.abort()

	prog := newProgress(e, o.output.showProgress(e))
	prog.stage("linearising", len(states))
	sps, err := spectra(ctx, net, states, &o.spectrum, effectiveWorkers(o.workers, math.MaxInt), prog)
	prog.finish()
	if err != nil {
		return err
	}
	u, uFile := o.input.report()
	doc := report.Linearize{
		Header: in.header("linearize"),
		Model:  o.model.report(),
		Settings: report.LinearizeSettings{
			At: o.at, Input: u, InputFile: uFile, Eps: report.Float(o.spectrum.eps), Eigs: o.spectrum.partialCount(n),
			RightVector: o.spectrum.vectors || o.spectrum.leftVectors, LeftVectors: o.spectrum.leftVectors,
		},
		Outputs: report.Outputs{NPZ: npzPath, JSON: jsonPath, Plot: o.plot},
	}
	f := make([]float64, n)
	qs := make([]float64, rows)
	res := make([]float64, rows)
	for i, h := range states {
		q := net.Speed(f, h)
		r := maxAbs(f)
		qs[i], res[i] = q, r
		sp := sps[i]
		doc.States = append(doc.States, report.State{
			Index: i, Stability: sp.Class.String(), NUnstable: sp.NUnstable, NMarginal: sp.NMarginal,
			Q: report.Float(q), ResidualInf: report.Float(r), Fixed: r <= o.tol,
			Leading: report.Complex(sp.leading()), SlowestTau: report.Float(sp.slowestTau), Eps: report.Float(sp.Eps),
			NEigenvalues: len(sp.Values), NUnstableLowerBound: sp.MoreUnstable, Undecided: sp.Undecided,
		})
		if sp.warning != "" {
			e.log.Printf("state %d: %s", i, sp.warning)
		}
	}
	arrays := func() []numpy.Array {
		return append([]numpy.Array{
			{Name: "states", Shape: []int{rows, n}, Data: flatten(states, n)},
			{Name: "q", Shape: []int{rows}, Data: qs},
			{Name: "residual_inf", Shape: []int{rows}, Data: res},
			{Name: "convention", Data: []string{net.Convention().String()}},
		}, spectrumArrays(sps, n, o.spectrum)...)
	}
	if err := writeResults(outs, npzPath, arrays, jsonPath, doc); err != nil {
		return err
	}
	if o.plot != "" {
		pts := make([]plotPoint, rows)
		for i := range pts {
			kind := "fixed"
			if !doc.States[i].Fixed {
				kind = "not fixed"
			}
			pts[i] = plotPoint{values: sps[i].Values, class: sps[i].Class, kind: kind}
		}
		if err := writePlot(outs, o.plot, pts, net.Convention(), plotTitle(in, "linearize"), nil); err != nil {
			return err
		}
	}
	return finish(ctx, e, outs, o.output.format, doc, func(w io.Writer) error { return linearizeTable(w, doc, newPartialNote(sps, n, o.spectrum.count(n))) }, npzPath, jsonPath, o.plot)
}

// spectrumArrays returns stability, n_unstable, n_unstable_lower_bound,
// n_marginal, n_eigenvalues, eigenvalues (K x c, c eigenvalues per point:
// N, or K with --eigs K) and, when asked, the eigenvectors (K x N x c) of
// the points, for the .npz; and class_undecided when the spectra are
// partial. n_unstable_lower_bound is written always (all 0 for full
// spectra), so that a program reads it without testing for it.
func spectrumArrays(sps []pointSpectrum, n int, opts spectrumOptions) []numpy.Array {
	k, c := len(sps), opts.count(n)
	stab := make([]string, k)
	nu := make([]int64, k)
	nm := make([]int64, k)
	ne := make([]int64, k)
	und := make([]int64, k)
	lb := make([]int64, k)
	ev := make([]complex128, 0, k*c)
	for i, sp := range sps {
		stab[i] = sp.Class.String()
		nu[i] = int64(sp.NUnstable)
		nm[i] = int64(sp.NMarginal)
		ne[i] = int64(len(sp.Values))
		if sp.Undecided {
			und[i] = 1
		}
		if sp.MoreUnstable {
			lb[i] = 1
		}
		ev = append(ev, sp.Values...)
		for range c - len(sp.Values) {
			ev = append(ev, cmplx.NaN())
		}
	}
	arrays := []numpy.Array{
		{Name: "stability", Shape: []int{k}, Data: stab},
		{Name: "n_unstable", Shape: []int{k}, Data: nu},
		{Name: "n_unstable_lower_bound", Shape: []int{k}, Data: lb},
		{Name: "n_marginal", Shape: []int{k}, Data: nm},
		{Name: "n_eigenvalues", Shape: []int{k}, Data: ne},
		{Name: "eigenvalues", Shape: []int{k, c}, Data: ev},
	}
	if c < n {
		arrays = append(arrays, numpy.Array{Name: "class_undecided", Shape: []int{k}, Data: und})
	}
	vecs := func(name string, get func(*linearize.Spectrum) cmatrix) numpy.Array {
		data := make([]complex128, 0, k*n*c)
		for _, sp := range sps {
			m := get(sp.Spectrum)
			for r := range n {
				for j := range c {
					if m == nil || j >= len(sp.Values) {
						data = append(data, cmplx.NaN())
					} else {
						data = append(data, m.At(r, j))
					}
				}
			}
		}
		return numpy.Array{Name: name, Shape: []int{k, n, c}, Data: data}
	}
	if opts.vectors || opts.leftVectors {
		arrays = append(arrays, vecs("eigvecs_right", func(s *linearize.Spectrum) cmatrix {
			if s.Right == nil {
				return nil
			}
			return s.Right
		}))
	}
	if opts.leftVectors {
		arrays = append(arrays, vecs("eigvecs_left", func(s *linearize.Spectrum) cmatrix {
			if s.Left == nil {
				return nil
			}
			return s.Left
		}))
	}
	return arrays
}

// cmatrix is the part of mat.CMatrix used here.
type cmatrix interface{ At(i, j int) complex128 }

// flatten copies rows of length n into one row-major slice.
func flatten(rows [][]float64, n int) []float64 {
	out := make([]float64, 0, len(rows)*n)
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// maxAbs returns max_i |x_i| (NaN if any is NaN).
func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		if math.IsNaN(v) {
			return math.NaN()
		}
		m = max(m, math.Abs(v))
	}
	return m
}
