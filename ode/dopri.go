package ode

import (
	"context"
	"math"
)

// Dormand-Prince 5(4) coefficients (Dormand & Prince 1980; Hairer, Norsett
// & Wanner, Solving ODEs I, table II.5.2), the error weights E = b - b* and
// the dense output of Shampine (1986) in the form used by scipy's RK45:
// y(t + s h) = y + h sum_j k_j (P[j][0] s + P[j][1] s^2 + P[j][2] s^3 + P[j][3] s^4).
const (
	dpC2 = 1.0 / 5
	dpC3 = 3.0 / 10
	dpC4 = 4.0 / 5
	dpC5 = 8.0 / 9

	dpA21 = 1.0 / 5
	dpA31 = 3.0 / 40
	dpA32 = 9.0 / 40
	dpA41 = 44.0 / 45
	dpA42 = -56.0 / 15
	dpA43 = 32.0 / 9
	dpA51 = 19372.0 / 6561
	dpA52 = -25360.0 / 2187
	dpA53 = 64448.0 / 6561
	dpA54 = -212.0 / 729
	dpA61 = 9017.0 / 3168
	dpA62 = -355.0 / 33
	dpA63 = 46732.0 / 5247
	dpA64 = 49.0 / 176
	dpA65 = -5103.0 / 18656

	dpB1 = 35.0 / 384
	dpB3 = 500.0 / 1113
	dpB4 = 125.0 / 192
	dpB5 = -2187.0 / 6784
	dpB6 = 11.0 / 84

	dpE1 = -71.0 / 57600
	dpE3 = 71.0 / 16695
	dpE4 = -71.0 / 1920
	dpE5 = 17253.0 / 339200
	dpE6 = -22.0 / 525
	dpE7 = 1.0 / 40
)

var dpP = [7][4]float64{
	{1, -8048581381.0 / 2820520608, 8663915743.0 / 2820520608, -12715105075.0 / 11282082432},
	{0, 0, 0, 0},
	{0, 131558114200.0 / 32700410799, -68118460800.0 / 10900136933, 87487479700.0 / 32700410799},
	{0, -1754552775.0 / 470086768, 14199869525.0 / 1410260304, -10690763975.0 / 1880347072},
	{0, 127303824393.0 / 49829197408, -318862633887.0 / 49829197408, 701980252875.0 / 199316789632},
	{0, -282668133.0 / 205662961, 2019193451.0 / 616988883, -1453857185.0 / 822651844},
	{0, 40617522.0 / 29380423, -110615467.0 / 29380423, 69997945.0 / 29380423},
}

// Step-size control: h_new = h min(10, max(0.2, 0.9 err^-expo errOld^beta)),
// no growth right after a rejection. beta = 0 is the elementary controller
// of scipy's RK45 (expo = 1/5), which makes our steps those of solve_ivp;
// Hairer's DOPRI5 uses the PI variant beta = 0.04, expo = 0.2 - 0.75 beta,
// which took 2-4 % more evaluations on tanh networks.
const (
	ctlSafety = 0.9
	ctlExpo   = 0.2 - ctlBeta*0.75
	ctlBeta   = 0.0
	ctlMin    = 0.2
	ctlMax    = 10.0
)

// dpWeights returns the dense-output weights q_j(s) for the seven stages.
func dpWeights(q *[7]float64, s float64) {
	s2 := s * s
	s3 := s2 * s
	s4 := s3 * s
	for j := range q {
		p := &dpP[j]
		q[j] = p[0]*s + p[1]*s2 + p[2]*s3 + p[3]*s4
	}
}

// dpStages computes stages 2..7 from y and k[0] for step h at t, writes the
// fifth-order solution into yn and returns the error norm. ys is scratch.
func dpStages(f Func, k *[7][]float64, y, yn, ys []float64, t, h, tn float64) {
	k1, k2, k3, k4, k5, k6, k7 := k[0], k[1], k[2], k[3], k[4], k[5], k[6]
	_ = k1[len(y)-1]
	for i := range ys {
		ys[i] = y[i] + h*dpA21*k1[i]
	}
	f(k2, t+dpC2*h, ys)
	for i := range ys {
		ys[i] = y[i] + h*(dpA31*k1[i]+dpA32*k2[i])
	}
	f(k3, t+dpC3*h, ys)
	for i := range ys {
		ys[i] = y[i] + h*(dpA41*k1[i]+dpA42*k2[i]+dpA43*k3[i])
	}
	f(k4, t+dpC4*h, ys)
	for i := range ys {
		ys[i] = y[i] + h*(dpA51*k1[i]+dpA52*k2[i]+dpA53*k3[i]+dpA54*k4[i])
	}
	f(k5, t+dpC5*h, ys)
	for i := range ys {
		ys[i] = y[i] + h*(dpA61*k1[i]+dpA62*k2[i]+dpA63*k3[i]+dpA64*k4[i]+dpA65*k5[i])
	}
	f(k6, t+h, ys)
	for i := range yn {
		yn[i] = y[i] + h*(dpB1*k1[i]+dpB3*k3[i]+dpB4*k4[i]+dpB5*k5[i]+dpB6*k6[i])
	}
	f(k7, tn, yn)
}

// dpError returns the root mean square of the scaled error estimate.
func dpError(k *[7][]float64, y, yn []float64, h, rtol, atol float64) float64 {
	k1, k3, k4, k5, k6, k7 := k[0], k[2], k[3], k[4], k[5], k[6]
	var sum float64
	for i := range y {
		e := h * (dpE1*k1[i] + dpE3*k3[i] + dpE4*k4[i] + dpE5*k5[i] + dpE6*k6[i] + dpE7*k7[i])
		sc := atol + rtol*math.Max(math.Abs(y[i]), math.Abs(yn[i]))
		r := e / sc
		sum += r * r
	}
	return math.Sqrt(sum / float64(len(y)))
}

// dpDense writes the dense output at t + s h into dst.
func dpDense(dst []float64, k *[7][]float64, y []float64, h, s float64) {
	var q [7]float64
	dpWeights(&q, s)
	for j := range q {
		q[j] *= h
	}
	k1, k3, k4, k5, k6, k7 := k[0], k[2], k[3], k[4], k[5], k[6]
	for i := range dst {
		dst[i] = y[i] + q[0]*k1[i] + q[2]*k3[i] + q[3]*k4[i] + q[4]*k5[i] + q[5]*k6[i] + q[6]*k7[i]
	}
}

// minStep is the smallest step allowed at t: 10 ulp.
func minStep(t float64) float64 {
	return 10 * (math.Nextafter(t, math.Inf(1)) - t)
}

// rms returns sqrt(mean((a_i/sc_i)^2)) with sc_i = atol + rtol |y_i|.
func rmsScaled(a, y []float64, rtol, atol float64) float64 {
	var sum float64
	for i, v := range a {
		r := v / (atol + rtol*math.Abs(y[i]))
		sum += r * r
	}
	return math.Sqrt(sum / float64(len(a)))
}

// initStep chooses the first step (Hairer, Norsett & Wanner, section II.4;
// the same as scipy's select_initial_step for order 5). f0 = f(t0, y).
func initStep(f Func, t0, span float64, y, f0, ys, f1 []float64, c *config, res *Result) float64 {
	d0 := rmsScaled(y, y, c.rtol, c.atol)
	d1 := rmsScaled(f0, y, c.rtol, c.atol)
	h0 := 1e-6
	if d0 >= 1e-5 && d1 >= 1e-5 {
		h0 = 0.01 * d0 / d1
	}
	h0 = math.Min(h0, math.Min(span, c.maxStep))
	for i := range ys {
		ys[i] = y[i] + h0*f0[i]
	}
	f(f1, t0+h0, ys)
	res.Stats.FuncEvals++
	for i := range ys {
		ys[i] = f1[i] - f0[i]
	}
	d2 := rmsScaled(ys, y, c.rtol, c.atol) / h0
	return math.Min(math.Min(100*h0, secondGuess(d1, d2, h0)), math.Min(span, c.maxStep))
}

// secondGuess is the step that the initial-step estimate (Hairer, Norsett &
// Wanner, section II.4) derives from d1, the scaled size of the derivative, and
// d2, that of its change over a trial step h0 (or h0 itself when the
// estimate is not finite).
func secondGuess(d1, d2, h0 float64) float64 {
	var h1 float64
	if m := math.Max(d1, d2); m <= 1e-15 {
		h1 = math.Max(1e-6, h0*1e-3)
	} else {
		h1 = math.Pow(0.01/m, 0.2)
	}
	if !isFinite(h1) {
		h1 = h0
	}
	return h1
}

// isDone reports whether done, a context's Done channel (nil for a context
// that is never canceled), is closed, without blocking.
func isDone(done <-chan struct{}) bool {
	if done == nil {
		return false
	}
	select {
	case <-done:
		return true
	default:
		return false
	}
}

// stepFactor returns the factor of the next step after an accepted step
// with error err, given the previous accepted error errOld.
func stepFactor(err, errOld float64, afterReject bool) float64 {
	fac := ctlMax
	if err > 0 {
		fac = ctlSafety * math.Pow(err, -ctlExpo) * math.Pow(errOld, ctlBeta)
		fac = math.Max(ctlMin, math.Min(ctlMax, fac))
	}
	if afterReject {
		fac = math.Min(fac, 1)
	}
	return fac
}

// rejectFactor returns the factor of the retry after a rejected step.
func rejectFactor(err float64) float64 {
	if !isFinite(err) {
		return ctlMin
	}
	return math.Max(ctlMin, ctlSafety*math.Pow(err, -ctlExpo))
}

// dopri runs the adaptive Dormand-Prince method.
func (w *work) dopri(ctx context.Context, f Func, y0 []float64, t0, t1 float64, c *config, rec *recorder, res *Result) {
	y, yn, ys := w.y, w.ynew, w.ys
	k := w.k // a copy of the slice headers: swapping k[0] and k[6] stays local
	copy(y, y0)
	t := t0
	f(k[0], t, y)
	res.Stats.FuncEvals++
	if _, ok := firstNonFinite(k[0]); !ok {
		res.Status, res.End = NonFinite, t
		w.recordDense(rec, t, y)
		return
	}
	w.recordDense(rec, t, y)
	h := c.step
	if h == 0 {
		h = initStep(f, t0, t1-t0, y, k[0], ys, k[1], c, res)
	}
	h = math.Min(h, c.maxStep)
	errOld := 1e-4
	afterReject := false
	done := ctx.Done()
	for t < t1 {
		if isDone(done) {
			res.Status, res.End, res.cause = Canceled, t, ctx.Err()
			return
		}
		if res.Stats.Accepted+res.Stats.Rejected >= c.maxSteps {
			res.Status, res.End = MaxStepsReached, t
			return
		}
		// A step that cannot move t (0 or NaN from a field so large that
		// the first-step estimate overflows, as with tau = 1e-300) would
		// be accepted again and again until the budget is spent.
		if !(h >= minStep(t)) && t1-t > minStep(t) {
			res.Status, res.End = StepUnderflow, t
			return
		}
		tn := t + h
		if tn >= t1 {
			h, tn = t1-t, t1
		}
		dpStages(f, &k, y, yn, ys, t, h, tn)
		res.Stats.FuncEvals += 6
		err := dpError(&k, y, yn, h, c.rtol, c.atol)
		if err <= 1 {
			res.Stats.Accepted++
			// Samples in (t, tn] from the dense output.
			for rec.times != nil && rec.next < len(rec.times) && rec.times[rec.next] <= tn {
				ts := rec.times[rec.next]
				if ts == tn {
					rec.add(ts, yn)
				} else {
					dpDense(ys, &k, y, h, (ts-t)/h)
					rec.add(ts, ys)
				}
				rec.next++
			}
			if rec.times == nil {
				rec.add(tn, yn)
			}
			y, yn = yn, y
			k[0], k[6] = k[6], k[0]
			t = tn
			h *= stepFactor(err, errOld, afterReject)
			h = math.Min(h, c.maxStep)
			errOld = math.Max(err, 1e-4)
			afterReject = false
			continue
		}
		res.Stats.Rejected++
		afterReject = true
		h *= rejectFactor(err)
		if h < minStep(t) {
			res.Status, res.End = StepUnderflow, t
			if !isFinite(err) {
				res.Status = NonFinite
			}
			return
		}
	}
	res.End = t1
}

// recordDense records the samples at t0 of an adaptive run.
func (w *work) recordDense(rec *recorder, t float64, y []float64) {
	if rec.times == nil {
		rec.add(t, y)
		return
	}
	for rec.next < len(rec.times) && rec.times[rec.next] <= t {
		rec.add(rec.times[rec.next], y)
		rec.next++
	}
}
