package ode_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/ode"
	"gonum.org/v1/gonum/mat"
)

// y' = -y + cos(t): y(t) = (y0 - 1/2) e^-t + (cos t + sin t)/2.
func TestSolveAnalytic(t *testing.T) {
	f := func(dst []float64, t float64, y []float64) {
		for i := range y {
			dst[i] = -y[i] + math.Cos(t)
		}
	}
	exact := func(t, y0 float64) float64 { return (y0-0.5)*math.Exp(-t) + 0.5*(math.Cos(t)+math.Sin(t)) }
	y0 := []float64{1, -2, 0.5}
	times := []float64{0, 0.3, 1, 2.5, 2.5, 4.75, 5}
	for _, tc := range []struct {
		name string
		s    ode.Settings
		tol  float64
	}{
		{"dp", ode.Settings{RelTol: 1e-9, AbsTol: 1e-12}, 1e-8},
		{"dp-default", ode.Settings{}, 1e-5},
		{"euler", ode.Settings{Method: ode.Euler, Step: 1e-3}, 1e-3},
		{"em-no-noise", ode.Settings{Method: ode.EulerMaruyama, Step: 1e-3}, 1e-3},
		{"heun", ode.Settings{Method: ode.Heun, Step: 1e-3}, 1e-6},
		{"rk4", ode.Settings{Method: ode.RK4, Step: 1e-2}, 1e-8},
		{"rk4-offgrid", ode.Settings{Method: ode.RK4, Step: 0.07}, 1e-5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.s
			s.Times = times
			in := append([]float64(nil), y0...)
			res, err := ode.Solve(context.Background(), f, in, 0, 5, &s)
			if err != nil {
				t.Fatal(err)
			}
			if maxAbsDiff(in, y0) != 0 {
				t.Fatal("y0 modified")
			}
			if res.Status != ode.Success || res.End != 5 {
				t.Fatalf("status %v end %v", res.Status, res.End)
			}
			if len(res.T) != len(times) {
				t.Fatalf("got %d samples, want %d", len(res.T), len(times))
			}
			for i, ts := range times {
				if res.T[i] != ts {
					t.Errorf("T[%d] = %v, want %v", i, res.T[i], ts)
				}
				for j, v := range y0 {
					if d := math.Abs(res.Y.At(i, j) - exact(ts, v)); d > tc.tol {
						t.Errorf("t=%v y[%d]: error %.3g > %.3g", ts, j, d, tc.tol)
					}
				}
			}
		})
	}
}

// Every step is recorded when Times is nil, and the last time is t1.
func TestSolveEveryStep(t *testing.T) {
	f := func(dst []float64, _ float64, y []float64) { dst[0] = -y[0] }
	res, err := ode.Solve(context.Background(), f, []float64{1}, 0, 1, &ode.Settings{Method: ode.RK4, Step: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.T) != 11 || res.T[0] != 0 || res.T[10] != 1 || res.Stats.Accepted != 10 || res.Stats.FuncEvals != 40 {
		t.Fatalf("T = %v, stats %+v", res.T, res.Stats)
	}
	res, err = ode.Solve(context.Background(), f, []float64{1}, 0, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.T) != res.Stats.Accepted+1 || res.T[len(res.T)-1] != 1 {
		t.Fatalf("T = %v, stats %+v", res.T, res.Stats)
	}
	// FSAL: 6 evaluations per step plus the first and the initial-step probe.
	if want := 6*(res.Stats.Accepted+res.Stats.Rejected) + 2; res.Stats.FuncEvals != want {
		t.Fatalf("FuncEvals = %d, want %d", res.Stats.FuncEvals, want)
	}
}

func TestSolveErrors(t *testing.T) {
	ctx := context.Background()
	decay := func(dst []float64, _ float64, y []float64) { dst[0] = -y[0] }
	// NaN from t = 1 on.
	nanAfter := func(dst []float64, t float64, y []float64) {
		dst[0] = -y[0]
		if t > 1 {
			dst[0] = math.NaN()
		}
	}
	for _, m := range []ode.Method{ode.DormandPrince, ode.Euler, ode.RK4, ode.EulerMaruyama, ode.Heun} {
		s := &ode.Settings{Method: m, Step: 0.25}
		res, err := ode.Solve(ctx, nanAfter, []float64{1}, 0, 3, s)
		var re *ode.RunError
		if !errors.As(err, &re) || !errors.Is(err, ode.ErrNonFinite) || res.Status != ode.NonFinite {
			t.Fatalf("%v: err %v, status %v", m, err, res.Status)
		}
		if re.T > 1.25 || re.T < 0.75 || res.End != re.T {
			t.Errorf("%v: stopped at %v, want in [0.75, 1.25]", m, re.T)
		}
		if n := len(res.T); n == 0 || res.T[n-1] > re.T {
			t.Errorf("%v: samples %v beyond the stop %v", m, res.T, re.T)
		}
		for _, v := range res.Y.RawMatrix().Data {
			if math.IsNaN(v) {
				t.Errorf("%v: NaN in the kept samples", m)
			}
		}
	}
	// Step budget.
	res, err := ode.Solve(ctx, decay, []float64{1}, 0, 10, &ode.Settings{Method: ode.Euler, Step: 0.01, MaxSteps: 50})
	if !errors.Is(err, ode.ErrMaxSteps) || res.Status != ode.MaxStepsReached || math.Abs(res.End-0.5) > 1e-12 || len(res.T) != 51 {
		t.Fatalf("max steps: err %v status %v end %v len %d", err, res.Status, res.End, len(res.T))
	}
	res, err = ode.Solve(ctx, decay, []float64{1}, 0, 10, &ode.Settings{MaxSteps: 3})
	if !errors.Is(err, ode.ErrMaxSteps) || res.Stats.Accepted+res.Stats.Rejected != 3 {
		t.Fatalf("max steps dp: err %v stats %+v", err, res.Stats)
	}
	// Step underflow: y' = y^2 blows up at t = 1.
	blow := func(dst []float64, _ float64, y []float64) { dst[0] = y[0] * y[0] }
	res, err = ode.Solve(ctx, blow, []float64{1}, 0, 2, nil)
	if err == nil || (res.Status != ode.StepUnderflow && res.Status != ode.NonFinite) || math.Abs(res.End-1) > 1e-3 {
		t.Fatalf("blow-up: err %v status %v end %v", err, res.Status, res.End)
	}
	// Cancellation.
	cctx, cancel := context.WithCancel(ctx)
	calls := 0
	stopper := func(dst []float64, _ float64, y []float64) {
		calls++
		if calls == 100 {
			cancel()
		}
		dst[0] = -y[0]
	}
	res, err = ode.Solve(cctx, stopper, []float64{1}, 0, 10, &ode.Settings{Method: ode.Euler, Step: 0.001})
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ode.ErrCanceled) || res.Status != ode.Canceled || res.End != res.T[len(res.T)-1] {
		t.Fatalf("cancel: err %v status %v", err, res.Status)
	}
	// Bad settings.
	for name, tc := range map[string]struct {
		y0     []float64
		t0, t1 float64
		s      *ode.Settings
	}{
		"empty":      {nil, 0, 1, nil},
		"nan-y0":     {[]float64{math.NaN()}, 0, 1, nil},
		"backward":   {[]float64{1}, 1, 0, nil},
		"no-step":    {[]float64{1}, 0, 1, &ode.Settings{Method: ode.RK4}},
		"neg-tol":    {[]float64{1}, 0, 1, &ode.Settings{RelTol: -1}},
		"times":      {[]float64{1}, 0, 1, &ode.Settings{Times: []float64{0.5, 0.2}}},
		"times-out":  {[]float64{1}, 0, 1, &ode.Settings{Times: []float64{2}}},
		"noise-dp":   {[]float64{1}, 0, 1, &ode.Settings{Method: ode.DormandPrince, Noise: &ode.Noise{Diffusion: []float64{1}}}},
		"noise-len":  {[]float64{1, 2, 3}, 0, 1, &ode.Settings{Step: 0.1, Noise: &ode.Noise{Diffusion: []float64{1, 2}}}},
		"bad-method": {[]float64{1}, 0, 1, &ode.Settings{Method: 99}},
	} {
		res, err := ode.Solve(ctx, decay, tc.y0, tc.t0, tc.t1, tc.s)
		var se *ode.SettingsError
		if res != nil || !errors.As(err, &se) {
			t.Errorf("%s: got %v, %v; want a *SettingsError", name, res, err)
		}
	}
}

// The network adapts to Func through a closure; a linear network against the
// analytic solution of its rotation blocks.
func TestLinearRotation(t *testing.T) {
	// W = a R(theta) on 2 x 2 blocks: h(t) = e^{-t/tau} e^{a cos(theta) t/tau} R(a sin(theta) t/tau) h0.
	a, th, tau := 0.9, 0.7, 0.5
	w := [][]float64{{a * math.Cos(th), -a * math.Sin(th)}, {a * math.Sin(th), a * math.Cos(th)}}
	net, err := dynamics.New(dynamics.Config{W: dense(w), Activation: dynamics.Linear, Tau: []float64{tau}})
	if err != nil {
		t.Fatal(err)
	}
	h0 := []float64{1, -0.5}
	times := []float64{0.5, 1, 2, 3}
	for _, s := range []ode.Settings{{RelTol: 1e-10, AbsTol: 1e-13}, {Method: ode.RK4, Step: 1e-3}} {
		s.Times = times
		res, err := ode.Solve(context.Background(), field(net), h0, 0, 3, &s)
		if err != nil {
			t.Fatal(err)
		}
		for i, ts := range times {
			r := math.Exp((-1 + a*math.Cos(th)) * ts / tau)
			ph := a * math.Sin(th) * ts / tau
			want := []float64{r * (math.Cos(ph)*h0[0] - math.Sin(ph)*h0[1]), r * (math.Sin(ph)*h0[0] + math.Cos(ph)*h0[1])}
			if d := maxAbsDiff(res.Y.RawRowView(i), want); d > 1e-9 {
				t.Errorf("%v t=%v: error %.3g", s.Method, ts, d)
			}
		}
	}
}

// A field so large that the first-step estimate overflows to a step of 0
// (the network's F = (-h + tanh(h)) / tau with tau = 1e-300) ends at once
// with a step underflow, instead of accepting steps of length 0 until the
// step budget is spent.
func TestZeroStepUnderflow(t *testing.T) {
	ctx := context.Background()
	const tau = 1e-300
	huge := func(dst []float64, _ float64, y []float64) {
		for i, v := range y {
			dst[i] = (-v + math.Tanh(2*v)) / tau
		}
	}
	res, err := ode.Solve(ctx, huge, []float64{0.5, -0.3}, 0, 10, nil)
	if !errors.Is(err, ode.ErrStepUnderflow) || res.Status != ode.StepUnderflow || res.End != 0 {
		t.Fatalf("Solve: err %v, status %v, end %v; want a step underflow at t = 0", err, res.Status, res.End)
	}
	if n := res.Stats.Accepted + res.Stats.Rejected; n > 10 {
		t.Errorf("Solve took %d steps before giving up", n)
	}
	batch := func(dst *mat.Dense, _ float64, y *mat.Dense) {
		r, c := y.Dims()
		for i := range r {
			for j := range c {
				dst.Set(i, j, (-y.At(i, j)+math.Tanh(2*y.At(i, j)))/tau)
			}
		}
	}
	y0 := mat.NewDense(2, 2, []float64{0.5, -0.3, 0.1, 0.2})
	runs, err := ode.SolveLockstep(ctx, batch, y0, 0, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range runs {
		if r.Status != ode.StepUnderflow || r.End != 0 || r.Stats.Accepted+r.Stats.Rejected > 10 {
			t.Errorf("SolveLockstep row %d: status %v, end %v, %d steps; want a step underflow at t = 0", i, r.Status, r.End, r.Stats.Accepted+r.Stats.Rejected)
		}
	}
}
