package explore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/linearize"
)

// Find finds the fixed and slow points of net, classifies each, and
// returns them with the fixed-point graph. It samples initial states from
// trajectories that run until they settle (or takes s.Inits), solves from
// them (fixedpoint.Find), and then, round after round, follows the unstable
// manifolds of the points found and searches the basin boundaries between
// attractors, solving from where those trajectories come to rest, until a
// round finds nothing new or the budget is spent. See the package
// documentation for the method.
//
// The result does not depend on s.Workers. The error reports bad settings,
// a failed solve or linearisation, or a cancelled ctx.
func Find(ctx context.Context, net *dynamics.Network, s *Settings) (*Result, error) {
	if net == nil {
		return nil, fmt.Errorf("explore: nil network")
	}
	rs, err := resolve(s, net)
	if err != nil {
		return nil, err
	}
	x := &explorer{net: net, s: rs, current: -1, flow: newFlow(net, rs.Workers), explored: map[int]bool{}, paired: map[[2]int]bool{}}
	x.res.Explore = rs.Settings
	return x.run(ctx)
}

// explorer is one exploration: the points found so far and the work done.
type explorer struct {
	net  *dynamics.Network
	s    resolved
	flow *flow
	res  Result
	// explored marks points whose unstable manifolds were followed, paired
	// pairs of attractors whose boundary was searched.
	explored map[int]bool
	paired   map[[2]int]bool
	budget   int
	// since is when the current stage began, current its index in
	// res.Stats.Stages (-1 before the first).
	since   time.Time
	current int
}

// stage ends the current stage's clock and starts one named name.
func (x *explorer) stage(name string, items int) {
	x.endStage()
	st := &x.res.Stats.Stages
	x.current = len(*st)
	for i, t := range *st {
		if t.Name == name {
			x.current = i
		}
	}
	if x.current == len(*st) {
		*st = append(*st, StageTime{Name: name})
	}
	x.since = time.Now()
	if x.s.Stage != nil {
		x.s.Stage(name, items)
	}
}

func (x *explorer) endStage() {
	if x.current >= 0 {
		x.res.Stats.Stages[x.current].Seconds += time.Since(x.since).Seconds()
	}
	x.current = -1
}

func (x *explorer) run(ctx context.Context) (*Result, error) {
	x.budget = x.s.Budget
	x.res.Stats.NoFlow = stiff(x.net)
	inits := x.s.Inits
	if inits == nil {
		x.stage(StageSampling, x.s.Sample.Count)
		var err error
		if inits, err = x.sample(ctx); err != nil {
			return nil, err
		}
	}
	x.stage(StageSolving, inits.RawMatrix().Rows)
	first := x.s.solve
	r, err := fixedpoint.Find(ctx, x.net, inits, &first)
	if err != nil {
		return nil, err
	}
	x.res.Inits, x.res.Runs, x.res.Symmetric, x.res.Settings = inits, r.Runs, r.Symmetric, r.Settings
	x.count(r, inits)
	x.res.Points = append(x.res.Points, r.Points...)
	// The other points' spectra are computed while the first manifolds
	// are followed, which need only the fixed points' (lineariseAhead).
	rest, err := x.lineariseAhead(ctx)
	if err != nil {
		return nil, err
	}
	if x.res.Stats.NoFlow != "" {
		if err := rest(); err != nil {
			return nil, err
		}
		return x.finish(), nil
	}
	// A round follows the unstable manifolds of every point not yet
	// followed, again while that finds new points, then searches the
	// boundaries between attractors that no saddle connects.
	for round := 0; round < x.s.Rounds; round++ {
		before := len(x.res.Points)
		for x.budget > 0 {
			k := len(x.res.Points)
			more, err := x.manifolds(ctx)
			if err := errors.Join(err, rest()); err != nil {
				return nil, err
			}
			if err := x.linearise(ctx, k); err != nil {
				return nil, err
			}
			if !more || len(x.res.Points) == k {
				break
			}
		}
		if err := rest(); err != nil {
			return nil, err
		}
		k := len(x.res.Points)
		if _, err := x.boundaries(ctx); err != nil {
			return nil, err
		}
		if err := x.linearise(ctx, k); err != nil {
			return nil, err
		}
		x.res.Stats.Rounds++
		if len(x.res.Points) == before {
			break
		}
		if x.budget <= 0 {
			x.res.Stats.BudgetSpent = true
			break
		}
	}
	if err := rest(); err != nil {
		return nil, err
	}
	x.res.Stats.Trajectories = x.s.Budget - x.budget
	return x.finish(), nil
}

// finish ends the last stage and drops the right vectors still held for
// directions that were never followed (Settings.DropVectors).
func (x *explorer) finish() *Result {
	for i := range x.res.Spectra {
		x.dropVectors(i)
	}
	x.endStage()
	return &x.res
}

// count adds a solve's work to the stats.
func (x *explorer) count(r *fixedpoint.Result, inits *mat.Dense) {
	st, w := &x.res.Stats, r.Stats
	ni, _ := inits.Dims()
	st.Solves++
	st.Starts += ni
	st.Solve.Add(w)
}

// linearise computes the spectra of the points from index from on.
func (x *explorer) linearise(ctx context.Context, from int) error {
	if from >= len(x.res.Points) {
		return nil
	}
	x.res.Spectra = append(x.res.Spectra, make([]*linearize.Spectrum, len(x.res.Points)-from)...)
	x.stage(StageLinearising, len(x.res.Points)-from)
	return x.spectraOf(ctx, x.res.Points, from, func(int) bool { return true })
}

// lineariseAhead computes the spectra of the first solve's points: those
// of its fixed points now, the only ones the first manifolds need, and
// the others (the slow points) on a goroutine of their own while the
// manifolds are followed, filling the workers' idle time (the
// trajectories' lockstep groups and the spectra each leave some); rest
// waits for them, and is called, once or more, before anything else asks
// for a spectrum (Settings.Spectra is never called twice at once). Each
// point's spectrum is what linearise computes.
func (x *explorer) lineariseAhead(ctx context.Context) (rest func() error, err error) {
	x.res.Spectra = make([]*linearize.Spectrum, len(x.res.Points))
	x.stage(StageLinearising, len(x.res.Points))
	pts := x.res.Points // the manifolds may append to x.res.Points meanwhile
	fixed := func(i int) bool { return pts[i].Kind == fixedpoint.Fixed }
	if err := x.spectraOf(ctx, pts, 0, fixed); err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() {
		done <- x.spectraOf(ctx, pts, 0, func(i int) bool { return !fixed(i) })
	}()
	var once sync.Once
	var restErr error
	return func() error {
		once.Do(func() {
			x.stage(StageLinearising, 0) // the wait counts as linearising
			restErr = <-done
		})
		return restErr
	}, nil
}

// spectraOf computes the spectra of the points pts (x.res.Points, or
// what it was when the caller began: the manifolds may append to it
// meanwhile) from index from on that which selects, in one call of
// Settings.Spectra, into x.res.Spectra (already long enough). A point whose exact mirror comes before it takes
// the mirror's spectrum (the same *linearize.Spectrum: the operator is the
// same matrix, see dynamics.Network.Mirrors) when that one lies before
// from or is selected too, unless Settings.NoMirrors. It touches no other point's entry, so two
// calls on disjoint selections may run at once.
func (x *explorer) spectraOf(ctx context.Context, pts []fixedpoint.Point, from int, which func(i int) bool) error {
	mirror := x.mirrorsOf(pts)
	shares := func(i int) bool {
		m := mirror[i]
		return !x.s.NoMirrors && m >= 0 && m < i && (m < from || which(m))
	}
	var states [][]float64
	var idx, sel []int
	for i := from; i < len(pts); i++ {
		if !which(i) {
			continue
		}
		sel = append(sel, i)
		if shares(i) {
			continue
		}
		states = append(states, pts[i].X)
		idx = append(idx, i)
	}
	if len(states) == 0 {
		return nil
	}
	sps, err := x.s.Spectra(ctx, states)
	if err != nil {
		return err
	}
	if len(sps) != len(states) {
		return fmt.Errorf("explore: Spectra returned %d spectra for %d states", len(sps), len(states))
	}
	for c, i := range idx {
		x.res.Spectra[i] = sps[c]
	}
	for _, i := range sel {
		if shares(i) {
			x.res.Spectra[i] = x.res.Spectra[mirror[i]]
		}
	}
	for _, i := range sel {
		if sp := x.res.Spectra[i]; x.s.Modes < 0 || pts[i].Kind != fixedpoint.Fixed || sp == nil || sp.NUnstable == 0 {
			x.dropVectors(i) // no direction of it is followed
		}
	}
	return nil
}

// mirrors returns the exact mirror of each point (dynamics.Network.Mirrors).
func (x *explorer) mirrors() []int { return x.mirrorsOf(x.res.Points) }

// mirrorsOf returns the exact mirror of each of pts.
func (x *explorer) mirrorsOf(pts []fixedpoint.Point) []int {
	states := make([][]float64, len(pts))
	for i, p := range pts {
		states[i] = p.X
	}
	return x.net.Mirrors(states)
}

// mirrorPoint returns the index of the mirror of point k of an
// odd-symmetric network: its exact mirror (mirror, from x.mirrors), or the
// point within the unique tolerance of -X (k itself for the origin), or -X
// added (source symmetry: its q and residual are k's).
func (x *explorer) mirrorPoint(k int, mirror []int) int {
	if k < len(mirror) && mirror[k] >= 0 {
		return mirror[k]
	}
	p := x.res.Points[k]
	p.X, p.Source = negated(p.X), fixedpoint.FromSymmetry
	return x.merge(p, fixedpoint.FromSymmetry)
}

// negated returns -h.
func negated(h []float64) []float64 {
	m := make([]float64, len(h))
	for i, v := range h {
		m[i] = -v
	}
	return m
}

// dropVectors removes point i's right vectors when they were computed
// only for the unstable directions (Settings.DropVectors).
func (x *explorer) dropVectors(i int) {
	if x.s.DropVectors && x.res.Spectra[i] != nil {
		x.res.Spectra[i].Right = nil
	}
}

// merge adds a point of a later solve to the set (src replacing FromRun),
// unless it is there already, and returns its index.
func (x *explorer) merge(p fixedpoint.Point, src fixedpoint.Source) int {
	for i := range x.res.Points {
		q := &x.res.Points[i]
		if q.Kind == p.Kind && near(q.X, p.X, x.s.solve.UniqueTol) {
			return i
		}
	}
	if p.Source == fixedpoint.FromRun {
		p.Source = src
	}
	p.Multiplicity = 0 // counts the runs from the initial states only
	x.res.Points = append(x.res.Points, p)
	return len(x.res.Points) - 1
}

// solveFrom runs a solve (without deflation) from the rows of starts and
// merges its points; it returns, per start, the index of the point its
// run reached, or -1.
func (x *explorer) solveFrom(ctx context.Context, starts *mat.Dense, src fixedpoint.Source) ([]int, error) {
	s := x.s.solve
	s.Deflation = -1
	r, err := fixedpoint.Find(ctx, x.net, starts, &s)
	if err != nil {
		return nil, err
	}
	x.count(r, starts)
	idx := make([]int, len(r.Points))
	for k, p := range r.Points {
		idx[k] = x.merge(p, src)
	}
	out := make([]int, len(r.Runs))
	for j, run := range r.Runs {
		out[j] = -1
		if run.Point >= 0 {
			out[j] = idx[run.Point]
		}
	}
	return out, nil
}

// margin is how far the eigenvalue v lies on the unstable side of the
// stability boundary of the convention: Re v for the ODE, |v| - 1 for the
// maps.
func margin(conv dynamics.Convention, v complex128) float64 {
	if conv == dynamics.Continuous {
		return real(v)
	}
	return math.Hypot(real(v), imag(v)) - 1
}

// rate is the growth rate (per unit time) of an unstable eigenvalue.
func (x *explorer) rate(v complex128) float64 {
	if x.flow.step > 0 {
		return math.Log(math.Hypot(real(v), imag(v))) / x.flow.step
	}
	return real(v)
}
