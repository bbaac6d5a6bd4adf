package fixedpoint

import "math"

// deflRound is the number of deflated restarts per round: each round
// deflates the roots known at its start, so results do not depend on the
// number of workers.
const deflRound = 4

// deflMaxIter bounds the deflated Newton iterations of one restart.
const deflMaxIter = 40

// deflator runs deflated Newton restarts on a worker (its state in w.x and
// w.f); its Newton steps come from the worker's Newton phase (LU or
// matrix-free).
type deflator struct {
	w             *worker
	step          []float64 // the deflated Newton step
	trial, trialF []float64 // a trial state of the backtracking, its field
	trialPhi      []float64 // and phi' there (matrix-free), unused
}

func newDeflator(w *worker) *deflator {
	v := func() []float64 { return make([]float64, w.n) }
	return &deflator{w: w, step: v(), trial: v(), trialF: v(), trialPhi: v()}
}

// deflate runs Settings.Deflation deflated Newton restarts from initial
// states: first those whose runs did not end at a fixed point, in index
// order, then the others; new roots are added to the known points. It does
// nothing while no root is known. The restarts of a round run in lockstep
// groups where the system evaluates batches (their products J v share
// passes over W).
func (f *finder) deflate() error {
	total := max(f.s.Deflation, 0) // negative: none
	runs := f.res.Runs
	if total == 0 || len(runs) == 0 || len(f.known.x) == 0 {
		// With no known root the deflation operator is 1: a restart would
		// be plain Newton from an initial state its run already started
		// Newton from.
		return nil
	}
	var order []int
	for i := range runs {
		if runs[i].Status != Fixed {
			order = append(order, i)
		}
	}
	for i := range runs {
		if runs[i].Status == Fixed {
			order = append(order, i)
		}
	}
	found := make([][]float64, deflRound)
	cnt := make([]counts, deflRound)
	for lo := 0; lo < total; lo += deflRound {
		m := min(deflRound, total-lo)
		known := len(f.known.x)
		err := f.runs(m, func(w *worker, k int) {
			init := runs[order[(lo+k)%len(order)]].Init
			found[k] = nil
			if w.defl == nil {
				w.defl = newDeflator(w)
			}
			if w.defl.run(init) {
				found[k] = append(found[k][:0], w.x...)
			}
			cnt[k] = w.c
			if f.s.Recorder != nil {
				f.s.Recorder.Record(Progress{Stage: "deflation", Done: lo + k + 1, Total: total, Found: known})
			}
		})
		if err != nil {
			return err
		}
		for k := 0; k < m; k++ {
			c := &f.defl
			c.newton += cnt[k].newton
			c.broyden += cnt[k].broyden
			c.lm += cnt[k].lm
			c.speed += cnt[k].speed
			c.chord += cnt[k].chord
			c.lu += cnt[k].lu
			c.krylov += cnt[k].krylov
			c.hess += cnt[k].hess
			if found[k] != nil && f.known.find(found[k], f.s.UniqueTol) < 0 {
				f.addKnown(found[k], FromDeflation)
			}
		}
		f.nDefl += m
		if err := f.factorNew(); err != nil {
			return err
		}
	}
	return nil
}

// deflated runs Newton on the deflated system G(h) = M(h) F(h), M(h) =
// prod_k (|h - h_k|^-p + s) over the known roots h_k, from init. The step
// is the Newton step d of F scaled by 1/(1 - sum_k grad(log m_k) . d)
// (Sherman-Morrison), with backtracking on |G|. Once max|F| is small it
// polishes with plain Newton. It reports whether it reached a fixed point
// (in w.x) that is not a known one.
func (p *deflator) run(init []float64) bool {
	w := p.w
	w.startRun(init)
	w.div = divergeBound * math.Max(1, normInf(init))
	x, f := w.x, w.f
	copy(x, init)
	res := w.eval(f, x)
	poor := 0 // matrix-free steps in a row that filled their space and did not halve |G|
	for it := 0; it < deflMaxIter; it++ {
		if !(res < math.Inf(1)) || normInf(x) > w.div || w.ctx.Err() != nil {
			return false
		}
		if res <= deflPolish {
			break
		}
		w.c.newton++
		d := p.step
		full := false
		if w.s.mf {
			if w.hook == nil {
				w.hook = newHookNewton(w)
			}
			ok := false
			if ok, full = w.hook.newtonStep(x, f, d, deflEta); !ok {
				return false
			}
		} else if !w.dense().newtonStep(x, f, d) {
			return false
		}
		logM, eta := p.deflation(x, d)
		den := 1 - eta
		if !(math.Abs(den) > 1e-12) {
			return false
		}
		c := 1 / den
		for i := range d {
			d[i] *= c
		}
		step := normInf(d)
		if lim := maxStep * math.Max(1, normInf(x)); step > lim {
			scal(lim/step, d)
		}
		// Backtrack on log |G| = log M + log |F|.
		g0 := logM + math.Log(norm2(f))
		a, ok, g := 1.0, false, 0.0
		for try := 0; try < 20 && a >= minAlpha; try++ {
			for i := range x {
				p.trial[i] = x[i] + a*d[i]
			}
			if w.s.mf {
				w.fieldPhi(p.trialF, p.trialPhi, p.trial) // one more row of a batch
			} else {
				w.sys.Field(p.trialF, p.trial)
			}
			lm, _ := p.deflation(p.trial, nil)
			if g = lm + math.Log(norm2(p.trialF)); g < g0+math.Log1p(-1e-4*a) {
				ok = true
				break
			}
			a /= 2
		}
		if !ok {
			return false
		}
		// A step that needed the whole Krylov space and did not halve
		// |G| marks a chaotic region (krylovPoor): stallIter of them in
		// a row end the restart.
		if full && g > g0+math.Log(math.Sqrt(krylovPoor)) {
			if poor++; poor >= stallIter {
				return false
			}
		} else {
			poor = 0
		}
		copy(x, p.trial)
		copy(f, p.trialF)
		res = normInf(f)
	}
	if res > deflPolish {
		return false
	}
	// Plain Newton polishing; entering a known root's ball means the
	// restart found nothing new.
	switch w.newton(x, polishIter+4, false) {
	case endFixed:
		return true
	}
	if w.s.mf && normInf(w.f) <= polishRes {
		copy(w.bx, x)
		return w.polishDense(x) // Krylov steps stalled near the root
	}
	return false
}

// deflEta is the relative residual of the Krylov solves of deflated steps.
const deflEta = 1e-3

// deflPolish is the max|F| below which a deflated restart switches to plain
// Newton.
const deflPolish = 1e-6

// deflUnits sets the distance of the deflation: |h - h_k|_2 /
// sqrt(max(1, N / deflUnits)), the root mean square over the units up to a
// constant factor (and the plain 2-norm for N <= 2). The states of bounded
// units lie O(sqrt(N)) apart in the 2-norm, so that with the plain norm
// |h - h_k|^-p falls below the shift s everywhere but very near h_k as N
// grows, and the deflated system is F itself: at N = 2048, 64 restarts
// found nothing new; with this distance they find every point of a rank-2
// network with a random bulk that the runs missed (bench/lowrank.py).
const deflUnits = 2

// deflation returns log M(x) and, when d is not nil, sum_k grad(log m_k)(x) . d,
// with the distance of deflUnits.
func (p *deflator) deflation(x, d []float64) (logM, eta float64) {
	pw, s := p.w.s.DeflationPower, p.w.s.DeflationShift
	scale := 1 / math.Max(1, float64(len(x))/deflUnits)
	for _, hk := range p.w.known.x {
		var r2, ed float64
		for i, v := range x {
			e := v - hk[i]
			r2 += e * e
			if d != nil {
				ed += e * d[i]
			}
		}
		r2 *= scale
		ed *= scale
		if r2 == 0 {
			return math.Inf(1), 0
		}
		rp := math.Pow(r2, -pw/2) // |e|^-p
		m := rp + s
		logM += math.Log(m)
		if d != nil {
			// grad m_k = -p |e|^(-p-2) e
			eta += -pw * rp / r2 * ed / m
		}
	}
	return logM, eta
}
