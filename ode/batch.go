package ode

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/par"
)

// validateBatch validates the initial states of a batch (see [checkRows])
// and the settings for their dimension, and returns a row-major copy of the
// states with the resolved settings.
func validateBatch(y0s mat.Matrix, s *Settings, t0, t1 float64) (*mat.Dense, *config, error) {
	y, err := checkRows(y0s)
	if err != nil {
		return nil, nil, err
	}
	_, n := y.Dims()
	c, err := validate(s, n, t0, t1)
	if err != nil {
		return nil, nil, err
	}
	return y, c, nil
}

// checkRows validates a matrix of initial states and returns a row-major
// copy of it.
func checkRows(y0s mat.Matrix) (*mat.Dense, error) {
	if y0s == nil {
		return nil, bad("y0s", "nil")
	}
	b, n := y0s.Dims()
	if b == 0 || n == 0 {
		return nil, bad("y0s", "empty (%d x %d)", b, n)
	}
	y := mat.DenseCopyOf(y0s)
	for i := 0; i < b; i++ {
		if j, ok := firstNonFinite(y.RawRowView(i)); !ok {
			return nil, bad("y0s", "non-finite value %v at [%d, %d]", y.At(i, j), i, j)
		}
	}
	return y, nil
}

// SolveBatch integrates dy/dt = f(t, y) from every row of y0s (B x N) over
// [t0, t1], in parallel across trajectories with Settings.Workers
// goroutines, each with its own workspace. Result i belongs to row i; with
// noise, row i draws from stream i of Noise.Seed, so the results are
// bit-identical whatever the number of workers. f must be safe for
// concurrent use when Workers > 1.
//
// The error is a [*SettingsError] for bad arguments, or the context's error
// when ctx was canceled; a run that stopped early is reported by its own
// Status (and [Result.Err]), not by the error. Runs not started before a
// cancellation have status Canceled, End = t0 and no samples.
func SolveBatch(ctx context.Context, f Func, y0s mat.Matrix, t0, t1 float64, s *Settings) ([]*Result, error) {
	if f == nil {
		panic("ode: nil Func")
	}
	y, c, err := validateBatch(y0s, s, t0, t1)
	if err != nil {
		return nil, err
	}
	b, n := y.Dims()
	results := make([]*Result, b)
	workers := c.workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, b)
	run := func(w *work, i int) {
		if ctx.Err() != nil {
			results[i] = &Result{Status: Canceled, End: t0, cause: ctx.Err()}
			return
		}
		results[i] = w.solve(ctx, f, y.RawRowView(i), t0, t1, c, uint64(i))
	}
	if workers == 1 {
		w := newWork(n)
		for i := 0; i < b; i++ {
			run(w, i)
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				w := newWork(n)
				for {
					i := int(next.Add(1) - 1)
					if i >= b {
						return
					}
					run(w, i)
				}
			})
		}
		wg.Wait()
	}
	if err := ctx.Err(); err != nil {
		return results, fmt.Errorf("ode: batch interrupted: %w", err)
	}
	return results, nil
}

// lockstep is the workspace of a batch integrated with one BatchFunc call
// per stage. Its buffers are B x N, row-major, and wrapped by mat.Dense
// views for the BatchFunc.
type lockstep struct {
	*work
	b, n   int
	f      BatchFunc
	views  map[*float64]*mat.Dense
	rngs   []*rand.Rand
	active []bool
	res    []*Result
	recs   []*recorder
	nAct   int
}

func (l *lockstep) view(x []float64) *mat.Dense {
	v, ok := l.views[&x[0]]
	if !ok {
		v = mat.NewDense(l.b, l.n, x)
		l.views[&x[0]] = v
	}
	return v
}

// flat is the Func over the flattened batch.
func (l *lockstep) flat(dst []float64, t float64, y []float64) {
	l.f(l.view(dst), t, l.view(y))
}

func (l *lockstep) noiseRows(dst []float64, c *config, sq float64) {
	for r := 0; r < l.b; r++ {
		if !l.active[r] {
			continue
		}
		rng := l.rngs[r]
		d := dst[r*l.n : (r+1)*l.n]
		for i, g := range c.diff {
			d[i] = g * sq * rng.NormFloat64()
		}
	}
}

func (l *lockstep) row(x []float64, r int) []float64 { return x[r*l.n : (r+1)*l.n] }

// stop ends the run of row r.
func (l *lockstep) stop(r int, st Status, t float64, stats Stats, cause error) {
	if !l.active[r] {
		return
	}
	l.active[r] = false
	l.nAct--
	res := l.res[r]
	res.Status, res.End, res.Stats, res.cause = st, t, stats, cause
}

// stopAll ends every active row.
func (l *lockstep) stopAll(st Status, t float64, stats Stats, cause error) {
	for r := range l.active {
		l.stop(r, st, t, stats, cause)
	}
}

// SolveLockstep integrates dy/dt = f(t, y) from every row of y0s (B x N)
// over [t0, t1] in groups of Settings.Group rows (default 64), each group
// with one call of the [BatchFunc] per stage: with
// (*dynamics.Evaluator).FieldRows that is one matrix-matrix product per stage
// instead of one matrix-vector product per row. Groups run in parallel on
// Settings.Workers goroutines, so f must be safe for concurrent use when
// Workers > 1 (FieldRows is). The groups are fixed by Group, not by
// Workers, and row i draws its noise from stream i: the results do not
// depend on the number of workers.
//
// The fixed-step methods give each row the result that [SolveBatch] would
// give with a BatchFunc computing row by row. DormandPrince takes a step
// shared by a group: a step is accepted when the error norm of every row is
// at most 1, and the next step follows the largest norm, so each row meets
// the tolerances but a group takes the steps of its hardest row. A row
// whose state or derivative becomes NaN or Inf stops (Status NonFinite)
// without stopping the others. Stats.FuncEvals counts calls of f per row.
//
// Whether this beats SolveBatch depends on the BLAS: gonum's pure-Go Dgemm
// does about as many flops per second as its Dgemv, so the gain of one
// product per stage is small and the shared step costs extra evaluations;
// an optimized BLAS (OpenBLAS through gonum's netlib) makes the product
// several times faster. bench/ode_vs_scipy.py measures both. The error is
// that of [SolveBatch].
func SolveLockstep(ctx context.Context, f BatchFunc, y0s mat.Matrix, t0, t1 float64, s *Settings) ([]*Result, error) {
	if f == nil {
		panic("ode: nil BatchFunc")
	}
	y, c, err := validateBatch(y0s, s, t0, t1)
	if err != nil {
		return nil, err
	}
	b, n := y.Dims()
	g := c.group
	groups := (b + g - 1) / g
	results := make([]*Result, b)
	y0 := y.RawMatrix().Data
	run := func(k int) {
		r0, r1 := k*g, min((k+1)*g, b)
		copy(results[r0:r1], runLockstep(ctx, f, y0[r0*n:r1*n], r1-r0, n, r0, t0, t1, c))
	}
	if err := par.Each(ctx, groups, c.workers, func(k int) error { run(k); return nil }); err != nil {
		return results, fmt.Errorf("ode: batch interrupted: %w", err)
	}
	return results, nil
}

// runLockstep integrates the b rows of y0 (row-major, b x n), rows r0 ...
// r0+b-1 of the batch, in lockstep.
func runLockstep(ctx context.Context, f BatchFunc, y0 []float64, b, n, r0 int, t0, t1 float64, c *config) []*Result {
	l := &lockstep{work: newWork(b * n), b: b, n: n, f: f, views: make(map[*float64]*mat.Dense),
		active: make([]bool, b), res: make([]*Result, b), recs: make([]*recorder, b), nAct: b}
	for r := range b {
		l.active[r] = true
		l.res[r] = &Result{}
		l.recs[r] = newRecorder(c.times, n)
	}
	if c.noise {
		l.rngs = make([]*rand.Rand, b)
		for r := range l.rngs {
			l.rngs[r] = rand.New(rand.NewPCG(c.seed, uint64(r0+r)))
		}
		l.noise = l.noiseRows
	}
	if c.method == DormandPrince {
		l.dopri(ctx, y0, t0, t1, c)
	} else {
		l.fixed(ctx, y0, t0, t1, c)
	}
	for r, res := range l.res {
		l.recs[r].result(res)
	}
	return l.res
}

func (l *lockstep) fixed(ctx context.Context, y0 []float64, t0, t1 float64, c *config) {
	y := l.y
	copy(y, y0)
	t := t0
	var stats Stats
	l.recordAll(t, y, c.step, false)
	k := 0
	done := ctx.Done()
	var tmp Result
	for t < t1 && l.nAct > 0 {
		if isDone(done) {
			l.stopAll(Canceled, t, stats, ctx.Err())
			return
		}
		if stats.Accepted >= c.maxSteps {
			l.stopAll(MaxStepsReached, t, stats, nil)
			return
		}
		tn, onGrid := gridStop(t0, t1, c.step, k, l.pending())
		if tn <= t {
			tn, onGrid = gridStop(t0, t1, c.step, k, math.Inf(1))
		}
		tmp.Stats = stats
		l.step(l.flat, t, tn-t, c, &tmp)
		stats = tmp.Stats
		for r := range l.b {
			if !l.active[r] {
				continue
			}
			if _, ok := firstNonFinite(l.row(l.ynew, r)); !ok {
				l.stop(r, NonFinite, t, stats, nil)
				continue
			}
			copy(l.row(y, r), l.row(l.ynew, r))
		}
		stats.Accepted++
		if onGrid {
			k++
		}
		t = tn
		l.recordAll(t, y, c.step, false)
	}
	for r := range l.b {
		if l.active[r] {
			l.res[r].Stats, l.res[r].End = stats, t1
		}
	}
}

// pending returns the next sample time shared by the batch.
func (l *lockstep) pending() float64 {
	p := math.Inf(1)
	for r, rec := range l.recs {
		if l.active[r] {
			p = math.Min(p, rec.pending())
		}
	}
	return p
}

// recordAll records the samples due at t for every active row (fixed step:
// within 1e-9 h; dense: exactly up to t).
func (l *lockstep) recordAll(t float64, y []float64, h float64, dense bool) {
	for r, rec := range l.recs {
		if !l.active[r] {
			continue
		}
		if dense {
			l.work.recordDense(rec, t, l.row(y, r))
		} else {
			l.work.record(rec, t, l.row(y, r), h)
		}
	}
}

func (l *lockstep) rowK(k *[7][]float64, r int) [7][]float64 {
	var kr [7][]float64
	for j := range k {
		kr[j] = l.row(k[j], r)
	}
	return kr
}

func (l *lockstep) dopri(ctx context.Context, y0 []float64, t0, t1 float64, c *config) {
	y, yn, ys := l.y, l.ynew, l.ys
	k := l.k
	copy(y, y0)
	t := t0
	var stats Stats
	l.flat(k[0], t, y)
	stats.FuncEvals++
	l.recordAll(t, y, 0, true)
	for r := range l.b {
		if _, ok := firstNonFinite(l.row(k[0], r)); !ok {
			l.stop(r, NonFinite, t, stats, nil)
		}
	}
	if l.nAct == 0 {
		return
	}
	h := c.step
	if h == 0 {
		// One probe for the whole batch; the smallest row's choice wins.
		var probe Result
		f0, f1 := k[0], k[1]
		h = l.initStepBatch(t0, t1-t0, y, f0, ys, f1, c, &probe)
		stats.FuncEvals += probe.Stats.FuncEvals
	}
	h = math.Min(h, c.maxStep)
	errOld := 1e-4
	afterReject := false
	hStreak := h // the step before a streak of rejections
	done := ctx.Done()
	errs := make([]float64, l.b)
	for t < t1 && l.nAct > 0 {
		if isDone(done) {
			l.stopAll(Canceled, t, stats, ctx.Err())
			return
		}
		if stats.Accepted+stats.Rejected >= c.maxSteps {
			l.stopAll(MaxStepsReached, t, stats, nil)
			return
		}
		// A step that cannot move t: see dopri.
		if !(h >= minStep(t)) && t1-t > minStep(t) {
			l.stopAll(StepUnderflow, t, stats, nil)
			return
		}
		tn := t + h
		if tn >= t1 {
			h, tn = t1-t, t1
		}
		dpStages(l.flat, &k, y, yn, ys, t, h, tn)
		stats.FuncEvals += 6
		errMax := 0.0
		for r := range l.b {
			if !l.active[r] {
				continue
			}
			kr := l.rowK(&k, r)
			e := dpError(&kr, l.row(y, r), l.row(yn, r), h, c.rtol, c.atol)
			errs[r] = e
			if math.IsNaN(e) || e > errMax { // NaN wins and stays
				errMax = e
			}
		}
		if errMax <= 1 {
			stats.Accepted++
			for r, rec := range l.recs {
				if !l.active[r] {
					copy(l.row(yn, r), l.row(y, r)) // frozen rows keep their state through the swap
					continue
				}
				for rec.times != nil && rec.next < len(rec.times) && rec.times[rec.next] <= tn {
					ts := rec.times[rec.next]
					if ts == tn {
						rec.add(ts, l.row(yn, r))
					} else {
						kr := l.rowK(&k, r)
						yr := l.row(ys, r)
						dpDense(yr, &kr, l.row(y, r), h, (ts-t)/h)
						rec.add(ts, yr)
					}
					rec.next++
				}
				if rec.times == nil {
					rec.add(tn, l.row(yn, r))
				}
			}
			y, yn = yn, y
			k[0], k[6] = k[6], k[0]
			t = tn
			h *= stepFactor(errMax, errOld, afterReject)
			h = math.Min(h, c.maxStep)
			hStreak = h
			errOld = math.Max(errMax, 1e-4)
			afterReject = false
			continue
		}
		stats.Rejected++
		afterReject = true
		h *= rejectFactor(errMax)
		if h < minStep(t) {
			// Rows with a non-finite error stop; the others go on from the
			// step before the streak, unless every error was finite.
			anyBad := false
			for r := range l.b {
				if l.active[r] && !isFinite(errs[r]) {
					l.stop(r, NonFinite, t, stats, nil)
					anyBad = true
				}
			}
			if !anyBad {
				l.stopAll(StepUnderflow, t, stats, nil)
				return
			}
			h = hStreak
			afterReject = false
		}
	}
	for r := range l.b {
		if l.active[r] {
			l.res[r].Stats, l.res[r].End = stats, t1
		}
	}
}

// initStepBatch is initStep for the active rows of the batch with one
// evaluation of f: the smallest of the rows' choices.
func (l *lockstep) initStepBatch(t0, span float64, y, f0, ys, f1 []float64, c *config, res *Result) float64 {
	h0s := make([]float64, l.b)
	h0 := math.Inf(1)
	for r := range l.b {
		if !l.active[r] {
			continue
		}
		yr, fr := l.row(y, r), l.row(f0, r)
		d0 := rmsScaled(yr, yr, c.rtol, c.atol)
		d1 := rmsScaled(fr, yr, c.rtol, c.atol)
		hr := 1e-6
		if d0 >= 1e-5 && d1 >= 1e-5 {
			hr = 0.01 * d0 / d1
		}
		h0s[r] = math.Min(hr, math.Min(span, c.maxStep))
		h0 = math.Min(h0, h0s[r])
	}
	// Probe every row with the common h0, so that t0 + h0 is shared.
	for i := range ys {
		ys[i] = y[i] + h0*f0[i]
	}
	l.flat(f1, t0+h0, ys)
	res.Stats.FuncEvals++
	h := math.Inf(1)
	for r := range l.b {
		if !l.active[r] {
			continue
		}
		yr, fr, gr := l.row(y, r), l.row(f0, r), l.row(f1, r)
		d1 := rmsScaled(fr, yr, c.rtol, c.atol)
		var sum float64
		for i, v := range gr {
			e := (v - fr[i]) / (c.atol + c.rtol*math.Abs(yr[i]))
			sum += e * e
		}
		d2 := math.Sqrt(sum/float64(l.n)) / h0
		h = math.Min(h, math.Min(100*h0s[r], secondGuess(d1, d2, h0)))
	}
	return math.Min(h, math.Min(span, c.maxStep))
}
