package explore

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/linearize"
)

// Settings configure Find. A nil *Settings, and the zero value of every
// field, mean the defaults given with each.
type Settings struct {
	// Solve configures every solve (fixedpoint.Find); nil means
	// fixedpoint's defaults. Its Deflation applies to the first solve only:
	// the later ones start from states that the dynamics brought near a
	// point, and deflate nothing. Its Workers is taken from Workers below.
	Solve *fixedpoint.Settings
	// Inits, when not nil, are the initial states of the first solve, used
	// in place of sampled ones (Sample is then ignored).
	Inits *mat.Dense
	// Sample configures the initial states sampled from trajectories.
	Sample Sample
	// Modes is the number of unstable directions followed from each point
	// (the leading ones); 0 means DefaultModes, -1 none (no manifold
	// stage).
	Modes int
	// Pairs is the number of pairs of attractors whose basin boundary is
	// searched per round; 0 means DefaultPairs, -1 none (no boundary
	// stage).
	Pairs int
	// Rounds bounds the rounds of exploration; 0 means DefaultRounds.
	Rounds int
	// Budget bounds the trajectories of the manifold and boundary stages
	// in all (each direction followed is one, each pair searched costs
	// boundaryLevels + 1); 0 means DefaultBudget. Directions left when it
	// is spent are recorded as edges to ToBudget.
	Budget int
	// Spectra linearises points: it returns the spectrum of the network's
	// operator at each state (Class and NUnstable are what Find reads).
	// Find calls it once per round, with the points new in that round in
	// index order (after the first solve twice: its fixed points, then, on
	// another goroutine while the first manifolds are followed, its slow
	// points; never two calls at once), but for those whose exact mirror
	// (on an odd-symmetric network, dynamics.Network.Mirrors) comes before
	// them: Result.Spectra
	// gives such a point the mirror's *linearize.Spectrum, as their
	// operators are the same matrix (see NoMirrors). Nil means linearize.At up to N = 1024 units
	// (DefaultFullMax), and above it the DirectionEigs leading eigenvalues
	// with their right vectors (linearize.LeadingAll), which Find drops once
	// it has used them.
	//
	// The unstable directions that Find follows come, up to 256 units, from
	// inverse iteration on the eigenvalues of a spectrum Spectra returns
	// with every eigenvalue (linearize.InverseIteration: one LU of the
	// shifted operator each); otherwise from linearize.Leading with k =
	// DirectionEigs: a spectrum Spectra returns that is Partial, with right
	// vectors and k values, is taken to be that one and its vectors are
	// used; for any other, Find computes them itself.
	Spectra func(ctx context.Context, states [][]float64) ([]*linearize.Spectrum, error)
	// DropVectors, when true, says that Spectra computes right vectors
	// only for Find's use (above): Find removes them (Spectrum.Right =
	// nil) once it no longer needs them, so that only the points of one
	// round hold them. The default Spectra's are always dropped.
	DropVectors bool
	// NoMirrors, on an odd-symmetric network, computes for both members of
	// each exact mirror pair (dynamics.Network.Mirrors) the spectrum and
	// the manifold trajectories that Find otherwise computes for the first
	// and takes, mirrored, for the second: the result is the same bit for
	// bit (a test asserts it), at up to twice the cost of those stages.
	NoMirrors bool
	// Workers is the number of goroutines; 0 means GOMAXPROCS. The result
	// does not depend on it.
	Workers int
	// Stage, if not nil, is told when each stage starts, with the number of
	// work items it has (0 when unknown).
	Stage func(name string, items int)
}

// Sample configures the sampling of initial states from trajectories of
// the network (sample.go).
type Sample struct {
	// Count is the number of trajectories, each giving one initial state
	// (its state after one largest time constant, plus noise); 0 means
	// DefaultCount.
	Count int
	// Long is the number of those trajectories (the first ones) that go on
	// until they settle, for at most LongTime largest time constants and
	// in any case for no more than about the flow's stall time, 30 (their
	// speed is not taken at time 0, so no halving of it extends their
	// run); the states where their speed has a local minimum and where
	// they settle are added to the initial states. 0 means min(Count,
	// DefaultLong); -1 none.
	Long int
	// LongTime bounds the long trajectories, in largest time constants;
	// 0 means DefaultLongTime (above the stall time, so that the stall
	// time bounds them).
	LongTime float64
	// Start is the standard deviation of the Gaussian starting states; 0
	// means 1.
	Start float64
	// Noise is the standard deviation of the Gaussian noise added to the
	// state each trajectory gives after one time constant; 0 means
	// DefaultNoise, -1 none.
	Noise float64
	// Seed seeds every draw, as in fixedpoint.TrajectoryInits.
	Seed uint64
	// NoCentre leaves out the centre of the sampled states, which is
	// otherwise one more initial state.
	NoCentre bool
}

// ErrSampling wraps the error of a trajectory that failed while initial
// states were sampled (one that blew up, for example).
var ErrSampling = errors.New("explore: sampling initial states from trajectories")

// Defaults of Settings and Sample.
const (
	DefaultModes    = 4
	DefaultPairs    = 16
	DefaultRounds   = 8
	DefaultBudget   = 4096
	DefaultCount    = 256
	DefaultLong     = 32
	DefaultLongTime = 100
	DefaultNoise    = 0.1
	// DefaultFullMax is the largest N at which the default Spectra
	// computes every eigenvalue; above it, DefaultEigs leading ones.
	DefaultFullMax = 1024
	DefaultEigs    = 20
)

// Edge is one explored unstable direction of a point: the trajectory from
// X + Sign eps v (v the unit eigenvector, or the real or imaginary part of
// a complex one, of the Mode-th leading eigenvalue of the point From) and
// where it went.
type Edge struct {
	From, Mode, Sign int
	// To is the index of the point the trajectory reached, or ToSlow,
	// ToDiverged or ToBudget.
	To int
}

// Where an edge goes when it reaches no point.
const (
	// ToSlow: the trajectory was still moving when its time ran out (a
	// slow region, a limit cycle or chaos).
	ToSlow = -1
	// ToDiverged: the trajectory left every bound.
	ToDiverged = -2
	// ToBudget: the budget was spent before the direction was followed.
	ToBudget = -3
)

// Stats counts the work of Find.
type Stats struct {
	// Solve sums the work of every solve.
	Solve fixedpoint.Stats
	// Solves is the number of fixedpoint.Find calls, Starts the initial
	// states they ran from in all.
	Solves, Starts int
	// Trajectories is the number of trajectories of the manifold and
	// boundary stages (the budget spent), Rounds the rounds run.
	Trajectories, Rounds int
	// BudgetSpent reports that the budget ran out before the exploration
	// found nothing new.
	BudgetSpent bool
	// NoFlow, when not empty, says why no trajectory was integrated beyond
	// the sampled states (no long samples, manifolds or boundaries): the
	// time constants are too far apart for an explicit integrator.
	NoFlow string
	// Stages are the wall-clock seconds of each stage, summed over rounds,
	// in the order first run. They divide the run's time: the slow points'
	// first spectra are computed while the first manifolds are followed,
	// and count there, except for any wait for them after.
	Stages []StageTime
}

// The names of the stages (Settings.Stage, Stats.Stages).
const (
	StageSampling    = "sampling trajectories"
	StageSolving     = "solving"
	StageLinearising = "linearising"
	StageManifolds   = "following unstable manifolds"
	StageBoundaries  = "searching basin boundaries"
)

// StageTime is the time spent in one stage.
type StageTime struct {
	Name    string
	Seconds float64
}

// Result is the outcome of Find.
type Result struct {
	// Points are every fixed and slow point found, Spectra their
	// linearisations (one per point; the two members of an exact mirror
	// pair share one, see Settings.Spectra).
	Points  []fixedpoint.Point
	Spectra []*linearize.Spectrum
	// Edges are the explored unstable directions: the fixed-point graph.
	Edges []Edge
	// Inits are the initial states of the first solve, Runs what happened
	// from each (Run.Point indexes Points).
	Inits *mat.Dense
	Runs  []fixedpoint.Run
	// Symmetric reports an odd-symmetric network (-h* added for every h*).
	Symmetric bool
	// Settings are the resolved settings of the first solve, Explore the
	// exploration's own, every default applied.
	Settings fixedpoint.Settings
	Explore  Settings
	Stats    Stats
}

// Permute reorders the points: the new Points[i] is the old
// Points[perm[i]]; Spectra, the edges and the runs follow.
func (r *Result) Permute(perm []int) {
	if len(perm) != len(r.Points) {
		panic("explore: permutation length mismatch")
	}
	inv := make([]int, len(perm))
	pts := make([]fixedpoint.Point, len(perm))
	sps := make([]*linearize.Spectrum, len(perm))
	for i, p := range perm {
		inv[p] = i
		pts[i], sps[i] = r.Points[p], r.Spectra[p]
	}
	r.Points, r.Spectra = pts, sps
	for i := range r.Edges {
		e := &r.Edges[i]
		e.From = inv[e.From]
		if e.To >= 0 {
			e.To = inv[e.To]
		}
	}
	for i := range r.Runs {
		if r.Runs[i].Point >= 0 {
			r.Runs[i].Point = inv[r.Runs[i].Point]
		}
	}
}

// resolved are Settings with every default applied.
type resolved struct {
	Settings
	solve fixedpoint.Settings
}

func resolve(s *Settings, net *dynamics.Network) (resolved, error) {
	var r resolved
	if s != nil {
		r.Settings = *s
	}
	for _, c := range []struct {
		name string
		v    int
	}{{"Modes", r.Modes}, {"Pairs", r.Pairs}, {"Sample.Long", r.Sample.Long}} {
		if c.v < -1 {
			return r, fmt.Errorf("explore: %s = %d: want -1, 0 or more", c.name, c.v)
		}
	}
	if r.Rounds < 0 || r.Budget < 0 || r.Sample.Count < 0 || r.Workers < 0 {
		return r, fmt.Errorf("explore: negative Rounds, Budget, Sample.Count or Workers")
	}
	for _, v := range []float64{r.Sample.LongTime, r.Sample.Start, max(r.Sample.Noise, 0)} {
		if !(v >= 0) || math.IsInf(v, 0) {
			return r, fmt.Errorf("explore: Sample.LongTime, Start and Noise must be finite and >= 0 (Noise -1: none)")
		}
	}
	switch {
	case r.Sample.Noise == 0:
		r.Sample.Noise = DefaultNoise
	case r.Sample.Noise == -1:
		r.Sample.Noise = 0
	case r.Sample.Noise < 0:
		return r, fmt.Errorf("explore: Sample.Noise = %g: want 0 (the default), -1 (none) or more", r.Sample.Noise)
	}
	def := func(p *int, d int) {
		if *p == 0 {
			*p = d
		}
	}
	def(&r.Modes, DefaultModes)
	def(&r.Pairs, DefaultPairs)
	def(&r.Rounds, DefaultRounds)
	def(&r.Budget, DefaultBudget)
	def(&r.Sample.Count, DefaultCount)
	def(&r.Sample.Long, min(r.Sample.Count, DefaultLong))
	if r.Sample.LongTime == 0 {
		r.Sample.LongTime = DefaultLongTime
	}
	if r.Sample.Start == 0 {
		r.Sample.Start = 1
	}
	fs, err := fixedpoint.Resolve(r.Solve, net.Dim())
	if err != nil {
		return r, err
	}
	fs.Workers = r.Workers
	r.solve = fs
	if r.Spectra == nil {
		r.Spectra = defaultSpectra(net, r.Modes, r.Workers)
		r.DropVectors = true
	}
	return r, nil
}

// defaultSpectra linearises with linearize.At up to DefaultFullMax units
// and linearize.LeadingAll above, with the right vectors the unstable
// directions are taken from when modes are followed (Settings.Spectra).
func defaultSpectra(net *dynamics.Network, modes, workers int) func(context.Context, [][]float64) ([]*linearize.Spectrum, error) {
	return func(ctx context.Context, states [][]float64) ([]*linearize.Spectrum, error) {
		out := make([]*linearize.Spectrum, len(states))
		if net.Dim() > DefaultFullMax {
			k, vec := DirectionEigs(net.Dim(), modes), linearize.RightVectors
			if modes < 0 {
				k, vec = DefaultEigs, linearize.ValuesOnly
			}
			sps, errs := linearize.LeadingAll(ctx, net, states, k, &linearize.Settings{Vectors: vec}, &linearize.BatchSettings{Workers: workers})
			for i := range states {
				if errs[i] != nil && !(errors.Is(errs[i], linearize.ErrNotConverged) && sps[i] != nil) {
					return nil, fmt.Errorf("explore: linearising point %d: %w", i, errs[i])
				}
				out[i] = sps[i]
			}
			return out, ctx.Err()
		}
		for i, h := range states {
			sp, err := linearize.At(net, h, &linearize.Settings{Vectors: linearize.ValuesOnly})
			if err != nil && !(errors.Is(err, linearize.ErrNotConverged) && sp != nil) {
				return nil, fmt.Errorf("explore: linearising point %d: %w", i, err)
			}
			out[i] = sp
		}
		return out, ctx.Err()
	}
}
