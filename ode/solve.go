package ode

import (
	"context"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Solve integrates dy/dt = f(t, y) (plus noise, see [Settings].Noise) from
// y(t0) = y0 to t1 > t0 and returns the samples at Settings.Times.
//
// The error is a [*SettingsError] for bad arguments (with a nil Result), or,
// when the run stopped early (NaN or Inf, step underflow, MaxSteps, a
// canceled ctx), the [*RunError] that [Result.Err] returns, together with
// the samples computed so far. y0 is not modified.
func Solve(ctx context.Context, f Func, y0 []float64, t0, t1 float64, s *Settings) (*Result, error) {
	if f == nil {
		panic("ode: nil Func")
	}
	c, err := validate(s, len(y0), t0, t1)
	if err != nil {
		return nil, err
	}
	if i, ok := firstNonFinite(y0); !ok {
		return nil, bad("y0", "non-finite value %v at [%d]", y0[i], i)
	}
	w := newWork(len(y0))
	res := w.solve(ctx, f, y0, t0, t1, c, 0)
	return res, res.Err()
}

func firstNonFinite(x []float64) (int, bool) {
	for i, v := range x {
		if !isFinite(v) {
			return i, false
		}
	}
	return 0, true
}

// work is the workspace of one trajectory, reused across trajectories.
type work struct {
	n    int
	k    [7][]float64
	y    []float64
	ynew []float64
	ys   []float64
	rng  *rand.Rand
	pcg  *rand.PCG
	// noise writes the increments g sqrt(h) xi into dst; nil without noise.
	noise func(dst []float64, c *config, sq float64)
}

// noiseOne draws the increments of one trajectory.
func (w *work) noiseOne(dst []float64, c *config, sq float64) {
	for i, g := range c.diff {
		dst[i] = g * sq * w.rng.NormFloat64()
	}
}

func newWork(n int) *work {
	buf := make([]float64, 10*n)
	w := &work{n: n}
	for i := range w.k {
		w.k[i] = buf[i*n : (i+1)*n : (i+1)*n]
	}
	w.y = buf[7*n : 8*n : 8*n]
	w.ynew = buf[8*n : 9*n : 9*n]
	w.ys = buf[9*n : 10*n]
	w.pcg = rand.NewPCG(0, 0)
	w.rng = rand.New(w.pcg)
	return w
}

// recorder collects the samples of one trajectory.
type recorder struct {
	times []float64 // requested; nil: every step
	next  int
	n     int
	t     []float64
	y     []float64
}

func newRecorder(times []float64, n int) *recorder {
	r := &recorder{times: times, n: n}
	if times != nil {
		r.t = make([]float64, 0, len(times))
		r.y = make([]float64, 0, len(times)*n)
	}
	return r
}

func (r *recorder) add(t float64, y []float64) {
	r.t = append(r.t, t)
	r.y = append(r.y, y...)
}

// pending returns the next requested sample time, or +Inf.
func (r *recorder) pending() float64 {
	if r.next < len(r.times) {
		return r.times[r.next]
	}
	return math.Inf(1)
}

func (r *recorder) result(res *Result) {
	res.T = r.t
	if len(r.t) > 0 {
		res.Y = mat.NewDense(len(r.t), r.n, r.y)
	}
}

func (w *work) solve(ctx context.Context, f Func, y0 []float64, t0, t1 float64, c *config, stream uint64) *Result {
	res := &Result{}
	rec := newRecorder(c.times, w.n)
	if c.method == DormandPrince {
		w.dopri(ctx, f, y0, t0, t1, c, rec, res)
	} else {
		if c.noise {
			w.pcg.Seed(c.seed, stream)
			w.noise = w.noiseOne
		}
		w.fixed(ctx, f, y0, t0, t1, c, rec, res)
	}
	rec.result(res)
	return res
}

// gridStop returns the next stop of a fixed-step method from t, where k steps
// of the grid t0 + k h are done, and whether the stop is that grid point
// (true) or a sample time before it (false). Sample times and t1 within
// 1e-9 h of a grid point are merged with it.
func gridStop(t0, t1, h float64, k int, sample float64) (float64, bool) {
	eps := 1e-9 * h
	tg := t0 + float64(k+1)*h
	if tg > t1-eps {
		tg = t1
	}
	if sample < tg-eps {
		return sample, false
	}
	return tg, true
}

// fixed runs a fixed-step method.
func (w *work) fixed(ctx context.Context, f Func, y0 []float64, t0, t1 float64, c *config, rec *recorder, res *Result) {
	y := w.y
	copy(y, y0)
	t := t0
	w.record(rec, t, y, c.step)
	k := 0
	done := ctx.Done()
	for t < t1 {
		if isDone(done) {
			res.Status, res.End, res.cause = Canceled, t, ctx.Err()
			return
		}
		if res.Stats.Accepted >= c.maxSteps {
			res.Status, res.End = MaxStepsReached, t
			return
		}
		tn, onGrid := gridStop(t0, t1, c.step, k, rec.pending())
		if tn <= t { // a sample time equal to t has been recorded already
			tn, onGrid = gridStop(t0, t1, c.step, k, math.Inf(1))
		}
		w.step(f, t, tn-t, c, res)
		if _, ok := firstNonFinite(w.ynew); !ok {
			res.Status, res.End = NonFinite, t
			return
		}
		copy(y, w.ynew)
		res.Stats.Accepted++
		if onGrid {
			k++
		}
		t = tn
		w.record(rec, t, y, c.step)
	}
	res.End = t1
}

// record adds the samples due at t (within 1e-9 step of it) from a
// fixed-step run.
func (w *work) record(rec *recorder, t float64, y []float64, h float64) {
	if rec.times == nil {
		rec.add(t, y)
		return
	}
	for rec.next < len(rec.times) && rec.times[rec.next] <= t+1e-9*h {
		rec.add(rec.times[rec.next], y)
		rec.next++
	}
}

// step writes one step of a fixed-step method from (t, w.y) of size h into
// w.ynew.
func (w *work) step(f Func, t, h float64, c *config, res *Result) {
	y, yn, k := w.y, w.ynew, w.k
	switch c.method {
	case Euler, EulerMaruyama:
		f(k[0], t, y)
		res.Stats.FuncEvals++
		for i := range yn {
			yn[i] = y[i] + h*k[0][i]
		}
		if c.noise {
			dw := k[1]
			w.noise(dw, c, math.Sqrt(h))
			for i := range yn {
				yn[i] += dw[i]
			}
		}
	case Heun:
		f(k[0], t, y)
		dw := k[2]
		if c.noise {
			w.noise(dw, c, math.Sqrt(h))
		} else {
			clear(dw)
		}
		for i := range yn {
			w.ys[i] = y[i] + h*k[0][i] + dw[i]
		}
		f(k[1], t+h, w.ys)
		res.Stats.FuncEvals += 2
		for i := range yn {
			yn[i] = y[i] + 0.5*h*(k[0][i]+k[1][i]) + dw[i]
		}
	case RK4:
		ys := w.ys
		f(k[0], t, y)
		for i := range ys {
			ys[i] = y[i] + 0.5*h*k[0][i]
		}
		f(k[1], t+0.5*h, ys)
		for i := range ys {
			ys[i] = y[i] + 0.5*h*k[1][i]
		}
		f(k[2], t+0.5*h, ys)
		for i := range ys {
			ys[i] = y[i] + h*k[2][i]
		}
		f(k[3], t+h, ys)
		res.Stats.FuncEvals += 4
		for i := range yn {
			yn[i] = y[i] + h/6*(k[0][i]+2*(k[1][i]+k[2][i])+k[3][i])
		}
	}
}
