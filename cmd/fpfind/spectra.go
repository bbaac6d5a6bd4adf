package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"runtime/debug"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/par"
	"github.com/fpfind/fpfind/io/report"
	"github.com/fpfind/fpfind/linearize"
	"github.com/spf13/pflag"
)

// spectrumOptions are the linearisation flags of find and linearize.
type spectrumOptions struct {
	eps         float64
	vectors     bool
	leftVectors bool
	eigs        int         // --eigs: leading eigenvalues per point, 0 for all
	eigsFlag    *pflag.Flag // --eigs, once registered: Changed when it was given; otherwise the automatic choice
	// memory, when not nil, is the --max-memory the linearisation is
	// checked against once the number of points is known.
	memory *memoryOption
	// solver is the build's dense eigen-solver (setUpBackend); nil: the
	// pure-Go one.
	solver linearize.Eigensolver
}

// autoFullMax is the largest N for which, without --eigs, every eigenvalue
// is computed (the full decomposition, linearize.At); above it only the
// autoEigs leading ones are (linearize.Leading), which never forms an N x N
// matrix. Measured per point (pure Go, 2 cores, a g = 1.5 tanh network,
// BenchmarkLeading in linearize): the full decomposition, values only,
// takes 0.06 s at N = 256, 2.4 s at N = 1024 and 12.5 s at N = 2048 (about
// 100 s at 4096 by its N^3 growth); the 20 leading eigenvalues 0.06 s,
// 0.27 s, 1.24 s and 7.3 s. Up to N = 1024 the full spectrum is affordable
// (seconds per point) and gives every count exactly; beyond, it costs ten
// times more and its N x N workspace per worker dominates the memory.
const (
	autoFullMax = 1024
	autoEigs    = 20
)

// register registers --eps, --eigs, --vectors and --left-vectors; points
// is the letter of the number of points in the shapes of the vectors' help
// (K points found, I states given).
func (s *spectrumOptions) register(fs *pflag.FlagSet, points string) {
	fs.Float64Var(&s.eps, "eps", 0, "marginal tolerance on Re(lambda) or |lambda|-1 (0: 1e-8 times the operator's norm)")
	fs.IntVar(&s.eigs, "eigs", 0, fmt.Sprintf("compute only the `COUNT` leading eigenvalues of each point (rightmost, or largest |lambda| for leaky/discrete) by a Krylov method; 0: all (full decomposition). Default: all up to N = %d, %d above", autoFullMax, autoEigs))
	s.eigsFlag = fs.Lookup("eigs")
	fs.BoolVar(&s.vectors, "vectors", false, fmt.Sprintf("write right eigenvectors (eigvecs_right, %[1]s x N x N, or %[1]s x N x COUNT with --eigs COUNT)", points))
	fs.BoolVar(&s.leftVectors, "left-vectors", false, "write left and right eigenvectors (eigvecs_left, normalised so that L^H R = I)")
}

// eigsSet reports whether --eigs was given.
func (s *spectrumOptions) eigsSet() bool { return s.eigsFlag != nil && s.eigsFlag.Changed }

// validateEigs checks --eigs.
func (s *spectrumOptions) validateEigs() error {
	if s.eigs < 0 {
		return fmt.Errorf("--eigs %d: want 0 (all) or a number of leading eigenvalues", s.eigs)
	}
	return nil
}

// count returns the number of eigenvalues computed per point for N units.
func (s *spectrumOptions) count(n int) int {
	k := s.eigs
	if !s.eigsSet() {
		k = 0
		if n > autoFullMax {
			k = autoEigs
		}
	}
	if k == 0 || k > n {
		return n
	}
	return k
}

// partialCount is the number of leading eigenvalues computed per point for
// N units, 0 when all are (the "eigs" setting of the .json).
func (s *spectrumOptions) partialCount(n int) int {
	if c := s.count(n); c < n {
		return c
	}
	return 0
}

// checkPartial refuses left vectors when only some eigenvalues are
// computed for N units.
func (s *spectrumOptions) checkPartial(n int) error {
	if !s.leftVectors || s.count(n) == n {
		return nil
	}
	why := fmt.Sprintf("--eigs %d", s.eigs)
	if !s.eigsSet() {
		why = fmt.Sprintf("N = %d > %d computes the %d leading ones by default", n, autoFullMax, autoEigs)
	}
	return fmt.Errorf("--left-vectors needs every eigenvalue, but only %d of %d are computed (%s): add --eigs 0 for the full decomposition", s.count(n), n, why)
}

func (s *spectrumOptions) settings() *linearize.Settings {
	v := linearize.ValuesOnly
	switch {
	case s.leftVectors:
		v = linearize.LeftRightVectors
	case s.vectors:
		v = linearize.RightVectors
	}
	return &linearize.Settings{Vectors: v, Eps: s.eps, Solver: s.solver}
}

// workerHook, when set by a test, runs in every linearisation worker.
var workerHook func()

// sets returns the number of eigenvector sets written: 0, 1 (right) or 2.
func (s *spectrumOptions) sets() int {
	switch {
	case s.leftVectors:
		return 2
	case s.vectors:
		return 1
	}
	return 0
}

// checkMemory refuses the linearisation of k points of N units on workers
// goroutines when its estimate (spectrumBytes, chiefly the eigenvectors
// asked for with --vectors or --left-vectors, K x N x c complex128 each)
// exceeds --max-memory.
func (s *spectrumOptions) checkMemory(k, n, workers int) error {
	if s.memory == nil {
		return nil
	}
	what := fmt.Sprintf("linearising %d points of N = %d units", k, n)
	if sets := s.sets(); sets > 0 {
		what += " with their eigenvectors (drop --vectors/--left-vectors, or linearize fewer points with fpfind linearize --at)"
	}
	return s.memory.check(runtimeBase+spectrumBytes(k, n, s.count(n), workers, s.sets()), what)
}

// pointSpectrum is the linearisation at one point with the facts the table
// and the .json show.
type pointSpectrum struct {
	*linearize.Spectrum
	slowestTau float64 // time constant of the slowest mode (signed; +Inf when marginal)
	warning    string  // e.g. near-defective, left vectors missing
}

// spectra linearises net at every row of states, on up to workers goroutines
// (effectiveWorkers of --workers: the Krylov runs of the leading eigenvalues
// split each pass over W between all of them, however few the states,
// which at N = 4096 makes one state's run 1.3x faster on 2 cores; the full
// decompositions take one state each). The results do not depend on
// workers. Warnings are returned per point.
func spectra(ctx context.Context, net *dynamics.Network, states [][]float64, opts *spectrumOptions, workers int, prog *progress) ([]pointSpectrum, error) {
	if opts.count(net.Dim()) == net.Dim() {
		workers = max(1, min(workers, len(states)))
	}
	if len(states) > 0 {
		if err := opts.checkMemory(len(states), len(states[0]), workers); err != nil {
			return nil, err
		}
	}
	out := make([]pointSpectrum, len(states))
	s := opts.settings()
	// finish turns point i's result into out[i] or an error.
	finish := func(i int, sp *linearize.Spectrum, err error) error {
		var warn string
		switch {
		case errors.Is(err, linearize.ErrDefective) && sp != nil:
			warn = "the operator is numerically defective: no left eigenvectors (written as NaN)"
			err = nil
		case errors.Is(err, linearize.ErrNotConverged) && sp != nil:
			warn = fmt.Sprintf("%v: the eigenvalues are approximate", err)
			err = nil
		}
		if err != nil {
			return fmt.Errorf("linearising point %d: %w", i, err)
		}
		if warn == "" && sp.NearDefective {
			warn = fmt.Sprintf("the eigenvector basis is ill-conditioned (condition number %.3g): eigenvectors are unreliable", sp.Cond)
		}
		out[i] = pointSpectrum{Spectrum: sp, slowestTau: slowest(sp, net.TimeStep()), warning: warn}
		return nil
	}
	if k := opts.count(net.Dim()); k < net.Dim() {
		// The leading eigenvalues: Krylov runs in lockstep, their products
		// with W formed together (linearize.LeadingAll); bit-identical to
		// one linearize.Leading per point, whatever workers.
		sps, lerrs := linearize.LeadingAll(ctx, net, states, k, s, &linearize.BatchSettings{
			Workers: workers,
			Done:    func(int) { prog.step() },
		})
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for i := range states {
			if err := finish(i, sps[i], lerrs[i]); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	err := par.Each(ctx, len(states), workers, func(i int) (err error) {
		defer func() {
			// A panic in a worker goroutine would escape run's recover.
			if p := recover(); p != nil {
				err = &internalError{fmt.Sprintf("linearising point %d: %v", i, p), debug.Stack()}
			}
		}()
		if workerHook != nil {
			workerHook()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		sp, err := linearize.At(net, states[i], s)
		err = finish(i, sp, err)
		prog.step()
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// slowest returns the time constant of largest magnitude, keeping its sign
// (negative for a growing mode). A marginal mode (within the spectrum's Eps
// of the boundary, as the class counts it) counts as +Inf: its computed
// time constant, huge and of either sign, would otherwise read as a fast
// growth or decay of a mode that neither grows nor decays to that
// precision.
func slowest(sp *linearize.Spectrum, dt float64) float64 {
	if len(sp.Values) == 0 {
		return math.NaN()
	}
	if sp.Convention.IsMap() && !(dt > 0) {
		dt = 1
	}
	tc := sp.TimeConstants(nil, dt)
	for k, v := range sp.Values {
		if _, m := linearize.Count([]complex128{v}, sp.Convention, sp.Eps); m == 1 {
			tc[k] = math.Inf(1)
		}
	}
	best := tc[0]
	for _, t := range tc[1:] {
		if math.Abs(t) > math.Abs(best) || math.IsNaN(best) {
			best = t
		}
	}
	return best
}

// leading returns the first eigenvalue (NaN when there is none).
func (p *pointSpectrum) leading() complex128 {
	if p.Spectrum == nil || len(p.Values) == 0 {
		return cmplx.NaN()
	}
	return p.Values[0]
}

// countClass adds a class to the counts.
func countClass(c *report.ClassCounts, cl linearize.Class) {
	switch cl {
	case linearize.Stable:
		c.Stable++
	case linearize.Saddle:
		c.Saddle++
	case linearize.Unstable:
		c.Unstable++
	case linearize.Marginal:
		c.Marginal++
	}
}
