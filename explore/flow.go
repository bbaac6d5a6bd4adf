package explore

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/par"
	"github.com/fpfind/fpfind/ode"
)

// flow moves states of a network along its own dynamics: the ODE dh/dt =
// F(h) of the continuous convention, integrated with ode's Dormand-Prince
// method in lockstep groups (one product with W per stage for a group), or
// the map h <- Map(h) of the leaky and discrete conventions. Every row's
// path depends only on the rows of its group, and the groups only on which
// rows are still moving, never on the number of workers.
type flow struct {
	net *dynamics.Network
	// ev makes each pass over W on one goroutine, for groups integrated
	// side by side on the workers; evAll splits each pass between the
	// workers, for fewer groups than workers (the manifold stage's 8
	// trajectories from one point are one group), which would otherwise
	// leave all but one core idle: a pass over a large W is limited by
	// what one core can read from memory, and two cores read it about
	// twice as fast. Either gives the same bits.
	ev, evAll *dynamics.Evaluator
	workers   int
	// tau is the largest time constant, the unit of every time below.
	tau float64
	// step is the time one map step stands for (0 for the ODE).
	step float64
	// tol are the tolerances of settle's integrations.
	tol tolerances
}

// flowGroup is the number of trajectories integrated in lockstep.
const flowGroup = 16

// tolerances are the relative and absolute tolerances of the integration.
type tolerances struct{ rel, abs float64 }

// sampleTol are those of the first chunk of the sampled trajectories (as
// in fixedpoint.TrajectoryInits), flowTol those of every other
// trajectory: a looser relative tolerance, as every end point is only a
// starting point for Newton's method, and an absolute one well below
// settleTol, so that the integration's own error never keeps a trajectory
// from settling.
var (
	sampleTol = tolerances{1e-6, 1e-8}
	flowTol   = tolerances{1e-5, 1e-9}
)

// settleTol is the speed, in units of the largest time constant (max_i
// |F_i| tau), below which a trajectory has settled: it has come to rest
// near a fixed point (within settleTol / mu of it, for the slowest decay
// rate mu of the point in units of 1/tau), close enough for Newton's
// method to converge in a step or two.
const settleTol = 1e-6

// divergeBound is the max-norm beyond which a trajectory has diverged.
const divergeBound = 1e6

// maxTauRatio is the largest ratio of the largest to the smallest time
// constant for which the ODE is integrated over many time constants: an
// explicit integrator's steps stay within a few of the smallest, so a
// trajectory of 100 of the largest costs 100 maxTauRatio / 3 steps at
// least.
const maxTauRatio = 1000

// stiff says why the network's ODE is too stiff to integrate for long, or
// returns "".
func stiff(net *dynamics.Network) string {
	if net.TimeStep() > 0 {
		return ""
	}
	lo, hi := slices.Min(net.TauVec()), slices.Max(net.TauVec())
	if hi <= maxTauRatio*lo {
		return ""
	}
	return fmt.Sprintf("the time constants span %g to %g, a ratio above %d: too stiff to integrate for long", lo, hi, maxTauRatio)
}

func newFlow(net *dynamics.Network, workers int) *flow {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return &flow{net: net, ev: net.NewEvaluator(1), evAll: net.NewEvaluator(workers), workers: workers, tau: slices.Max(net.TauVec()), step: net.TimeStep(), tol: flowTol}
}

// fate says how a trajectory ended.
type fate int

const (
	// settled: it came to rest (max|F| tau <= settleTol).
	settled fate = iota
	// moving: its time ran out first.
	moving
	// diverged: it left every bound (or the integration failed).
	diverged
)

// settleRequest describes trajectories to run until they settle: from the
// rows of y (advanced in place), each for at most until[r] time, and,
// after time calm[r], only while its speed keeps falling: a row whose
// speed has not halved within stallTime time constants (from what it was
// at its last observation within calm[r], then from each halving) has
// stalled (a slow region, a limit cycle or chaos) and stops, still moving.
// A row with calm[r] = 0 has no such observation, so no halving counts:
// it stops after stallTime unless it settles (or arrives) first. observe, if not nil, is called (from one goroutine, in
// row order) with every row's state and speed at the end of each chunk of
// time: the first chunk is one time constant long, and each next one half
// as long again as the last, up to 16 time constants (with cutAtStall, a
// chunk ends early where a row's stall time runs out, so that a stalled
// row stops then rather than up to 16 time constants later; the sampled
// trajectories keep the chunks their documented observation times come
// from). arrived, if not nil, is asked after each observation whether the
// row has come where it was going (its fate is then settled, and it stops
// there). left, if not nil, is asked at each observation within a row's
// calm time whether the row has left the neighbourhood it started in; if
// so, its calm time ends there.
type settleRequest struct {
	y          *mat.Dense
	until      []float64
	calm       []float64
	observe    func(row int, t float64, h []float64, speed float64)
	arrived    func(row int, h []float64) bool
	left       func(row int, t float64, h []float64) bool
	cutAtStall bool
}

// stallTime is the time, in largest time constants, within which a
// settling trajectory's speed must halve: it settles at a rate of at least
// log(2)/30 per time constant (time constants up to about 43).
const stallTime = 30

// settle runs a settleRequest and returns each row's fate.
func (fl *flow) settle(ctx context.Context, req settleRequest) ([]fate, error) {
	nr, n := req.y.Dims()
	fates := make([]fate, nr)
	live := make([]int, 0, nr)
	for r := range nr {
		fates[r] = moving
		live = append(live, r)
	}
	// best is a row's speed when it last halved (or at the end of its calm
	// time), since when that was.
	best, since := make([]float64, nr), make([]float64, nr)
	calm := slices.Clone(req.calm) // ended early by req.left
	t, chunk := 0.0, fl.tau
	for len(live) > 0 {
		span := chunk
		for _, r := range live {
			if req.cutAtStall && t > calm[r] {
				span = math.Min(span, since[r]+stallTime*fl.tau-t)
			}
		}
		bad, err := fl.advance(ctx, req.y, live, span, fl.tol)
		if err != nil {
			return nil, err
		}
		t += span
		// The speeds of all live rows in one pass over W.
		yl, fs := mat.NewDense(len(live), n, nil), mat.NewDense(len(live), n, nil)
		for j, r := range live {
			h := req.y.RawRowView(r)
			if bad[j] || !(normInf(h) <= divergeBound) {
				continue // a zero row: its field is never read
			}
			copy(yl.RawRowView(j), h)
		}
		fl.evAll.FieldRows(fs, yl)
		next := live[:0]
		for j, r := range live {
			h := req.y.RawRowView(r)
			f := fs.RawRowView(j)
			if bad[j] || !(normInf(h) <= divergeBound) {
				fates[r] = diverged
				continue
			}
			sp := normInf(f) * fl.tau
			if req.observe != nil {
				req.observe(r, t, h, sp)
			}
			switch {
			case t <= calm[r]:
				best[r], since[r] = sp, t
				if req.left != nil && req.left(r, t, h) {
					calm[r] = t
				}
			case sp <= best[r]/2:
				best[r], since[r] = sp, t
			}
			switch {
			case sp <= settleTol, req.arrived != nil && req.arrived(r, h):
				fates[r] = settled
			case t >= req.until[r], t-since[r] >= stallTime*fl.tau*(1-1e-12):
				fates[r] = moving
			default:
				next = append(next, r)
			}
		}
		live = next
		chunk = math.Min(1.5*chunk, 16*fl.tau)
	}
	return fates, nil
}

// advance moves the given rows of y forward by span time units, in place,
// and reports the rows whose integration failed (a non-finite state).
func (fl *flow) advance(ctx context.Context, y *mat.Dense, rows []int, span float64, tol tolerances) ([]bool, error) {
	_, n := y.Dims()
	bad := make([]bool, len(rows))
	if fl.step > 0 {
		return bad, fl.iterate(ctx, y, rows, int(math.Max(1, math.Round(span/fl.step))), bad)
	}
	yl := mat.NewDense(len(rows), n, nil)
	for j, r := range rows {
		copy(yl.RawRowView(j), y.RawRowView(r))
	}
	ev := fl.ev
	if (len(rows)+flowGroup-1)/flowGroup < fl.workers {
		ev = fl.evAll
	}
	f := func(dst *mat.Dense, _ float64, h *mat.Dense) { ev.FieldRows(dst, h) }
	res, err := ode.SolveLockstep(ctx, f, yl, 0, span, &ode.Settings{
		Times: []float64{span}, RelTol: tol.rel, AbsTol: tol.abs, Workers: fl.workers, Group: flowGroup,
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	for j, r := range rows {
		if res[j].Err() != nil || res[j].Y == nil {
			bad[j] = true
			continue
		}
		copy(y.RawRowView(r), res[j].Y.RawRowView(0))
	}
	return bad, ctx.Err()
}

// iterate applies the map steps times to each given row of y, on the
// flow's workers (internal/par); each row is computed by one goroutine
// alone.
func (fl *flow) iterate(ctx context.Context, y *mat.Dense, rows []int, steps int, bad []bool) error {
	_, n := y.Dims()
	return par.Each(ctx, len(rows), fl.workers, func(j int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, t := y.RawRowView(rows[j]), make([]float64, n)
		for k := range steps {
			fl.net.Map(t, h)
			copy(h, t)
			if k%64 == 63 && !(normInf(h) <= divergeBound) {
				bad[j] = true
				break
			}
		}
		return nil
	})
}

func normInf(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		if a := math.Abs(v); a > m || a != a {
			if a != a {
				return math.NaN()
			}
			m = a
		}
	}
	return m
}
