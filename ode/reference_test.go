package ode_test

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/ode"
)

// The order of convergence by step halving on a nonlinear tanh network,
// against an RK4 reference with step 5e-4 (error ~1e-15).
func TestConvergenceOrder(t *testing.T) {
	net := randomNet(t, 10, 1.5, 11, dynamics.Tanh)
	h0 := randomStates(1, 10, 1, 12).RawRowView(0)
	const t1 = 4.0
	end := func(s ode.Settings) []float64 {
		s.Times = []float64{t1}
		res, err := ode.Solve(context.Background(), field(net), h0, 0, t1, &s)
		if err != nil {
			t.Fatal(err)
		}
		return res.Y.RawRowView(0)
	}
	ref := end(ode.Settings{Method: ode.RK4, Step: 5e-4})
	for _, tc := range []struct {
		method ode.Method
		order  float64
		h      float64
	}{
		{ode.Euler, 1, 0.05},
		{ode.EulerMaruyama, 1, 0.05},
		{ode.Heun, 2, 0.1},
		{ode.RK4, 4, 0.2},
		{ode.DormandPrince, 5, 0.1},
	} {
		var errs []float64
		for h := tc.h; h > tc.h/16; h /= 2 {
			s := ode.Settings{Method: tc.method, Step: h}
			if tc.method == ode.DormandPrince {
				// Fixed steps: every step accepted, none longer than h.
				s.MaxStep, s.RelTol, s.AbsTol = h, 1e10, 1e10
			}
			errs = append(errs, maxAbsDiff(end(s), ref))
		}
		// Every observed order within [p - 0.25, p + 0.75] (Dormand-Prince
		// approaches 5 from above: its leading error term is small) and the
		// last one, the most asymptotic, within 0.25 of p.
		for i := 1; i < len(errs); i++ {
			p := math.Log2(errs[i-1] / errs[i])
			hi := 0.75
			if i == len(errs)-1 {
				hi = 0.25
			}
			if p < tc.order-0.25 || p > tc.order+hi {
				t.Errorf("%v: observed order %.3f between h = %v and %v (errors %.3g), want %v",
					tc.method, p, tc.h/math.Exp2(float64(i-1)), tc.h/math.Exp2(float64(i)), errs, tc.order)
			}
		}
		t.Logf("%v: errors %.3g", tc.method, errs)
	}
}

// A linear network with symmetric W and a bias against
// h(t) = h* + expm(J t) (h0 - h*), with expm from the eigendecomposition
// W = Q diag(lambda) Q^T: expm(J t) = Q diag(exp((lambda - 1) t / tau)) Q^T.
func TestLinearExpm(t *testing.T) {
	const n, tau = 20, 0.7
	a := randomStates(n, n, 1, 13)
	w := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			w.SetSym(i, j, 0.9*(a.At(i, j)+a.At(j, i))/(2*math.Sqrt(n)))
		}
	}
	b := randomStates(1, n, 0.5, 14).RawRowView(0)
	net, err := dynamics.New(dynamics.Config{W: w, B: b, Tau: []float64{tau}, Activation: dynamics.Linear})
	if err != nil {
		t.Fatal(err)
	}
	var eig mat.EigenSym
	if !eig.Factorize(w, true) {
		t.Fatal("eigendecomposition failed")
	}
	lam := eig.Values(nil)
	var q mat.Dense
	eig.VectorsTo(&q)
	h0 := randomStates(1, n, 1, 15).RawRowView(0)
	// Coordinates in the eigenbasis: c0 = Q^T h0, cb = Q^T b; h*_k = cb_k / (1 - lambda_k).
	var c0, cb mat.VecDense
	c0.MulVec(q.T(), mat.NewVecDense(n, h0))
	cb.MulVec(q.T(), mat.NewVecDense(n, b))
	exact := func(ts float64) []float64 {
		c := mat.NewVecDense(n, nil)
		for k := 0; k < n; k++ {
			hs := cb.AtVec(k) / (1 - lam[k])
			c.SetVec(k, hs+math.Exp((lam[k]-1)*ts/tau)*(c0.AtVec(k)-hs))
		}
		var h mat.VecDense
		h.MulVec(&q, c)
		return h.RawVector().Data
	}
	times := []float64{0, 0.25, 1, 3, 6}
	for _, tc := range []struct {
		s   ode.Settings
		tol float64
	}{
		{ode.Settings{RelTol: 1e-10, AbsTol: 1e-12}, 1e-8},
		{ode.Settings{Method: ode.RK4, Step: 1e-2}, 1e-8},
		{ode.Settings{Method: ode.Euler, Step: 1e-4}, 1e-3},
	} {
		s := tc.s
		s.Times = times
		res, err := ode.Solve(context.Background(), field(net), h0, 0, 6, &s)
		if err != nil {
			t.Fatal(err)
		}
		for i, ts := range times {
			if d := maxAbsDiff(res.Y.RawRowView(i), exact(ts)); d > tc.tol {
				t.Errorf("%v t=%v: error %.3g > %.3g", s.Method, ts, d, tc.tol)
			}
		}
	}
}

// Ornstein-Uhlenbeck (phi = 0, W = 0): tau dh = -h dt + sigma dW, so
// dh = -h/tau dt + (sigma/tau) dW. With h(0) = 1: mean e^{-t/tau}, variance
// sigma^2/(2 tau) (1 - e^{-2t/tau}). Statistics over 10000 independent
// units; the bounds are 5 standard errors, fixed in advance (seeded, so the
// test is deterministic; a correct integrator fails with probability
// ~1e-6 per check over seeds).
func TestOrnsteinUhlenbeck(t *testing.T) {
	const n, tau, sigma = 10000, 2.0, 0.5
	// The field of a network with W = 0 and phi(0) = 0 (written out: an
	// N x N zero matrix of 10000 units would take 800 MB).
	f := func(dst []float64, _ float64, h []float64) {
		for i, v := range h {
			dst[i] = -v / tau
		}
	}
	h0 := make([]float64, n)
	for i := range h0 {
		h0[i] = 1
	}
	times := []float64{1, 2, 20}
	for _, m := range []ode.Method{ode.EulerMaruyama, ode.Heun} {
		res, err := ode.Solve(context.Background(), f, h0, 0, 20, &ode.Settings{
			Method: m, Step: 0.01, Times: times,
			Noise: &ode.Noise{Diffusion: []float64{sigma / tau}, Seed: 2026},
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, ts := range times {
			row := res.Y.RawRowView(i)
			var mean, v float64
			for _, x := range row {
				mean += x
			}
			mean /= n
			for _, x := range row {
				v += (x - mean) * (x - mean)
			}
			v /= n - 1
			wantMean := math.Exp(-ts / tau)
			wantVar := sigma * sigma / (2 * tau) * (1 - math.Exp(-2*ts/tau))
			if d := math.Abs(mean - wantMean); d > 5*math.Sqrt(wantVar/n) {
				t.Errorf("%v t=%v: mean %.5f, want %.5f +- %.5f", m, ts, mean, wantMean, 5*math.Sqrt(wantVar/n))
			}
			if d := math.Abs(v/wantVar - 1); d > 5*math.Sqrt(2.0/(n-1)) {
				t.Errorf("%v t=%v: variance %.5f, want %.5f (relative bound %.3f)", m, ts, v, wantVar, 5*math.Sqrt(2.0/(n-1)))
			}
			t.Logf("%v t=%v: mean %.5f (%.5f), var %.5f (%.5f)", m, ts, mean, wantMean, v, wantVar)
		}
	}
}
