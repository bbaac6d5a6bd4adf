package fixedpoint

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/kernel"
)

// Newton-Krylov-hookstep (Viswanath 2007, J. Fluid Mech. 580; the method of
// Channelflow's findsoln), the matrix-free Newton step of a run. From chaotic
// states, where the spectrum of J surrounds the origin, GMRES needs hundreds
// of products J v to solve a Newton step even loosely, and the exact step is
// then often poor: the line search cuts it to a sliver. A hookstep instead
// builds one Krylov space of at most hookDim products (Arnoldi: J V_k =
// V_{k+1} Hbar), and minimises the linear model |F + J V_k y| within the
// trust region |y| <= delta in that space, through the SVD of the small
// Hbar. A rejected step shrinks delta and solves again in the same space,
// at the cost of one field evaluation and no product; delta carries over
// from step to step. Each step costs at most hookDim products, whatever the
// conditioning of J, and goes only as far as the model is trusted.

// Limits of a hookstep.
const (
	// hookDim is the largest Krylov dimension (products J v) of one step.
	hookDim = 100
	// hookTries bounds the trust-region solves of one step.
	hookTries = 20
	// hookAccept is the smallest ratio of actual to predicted decrease of
	// q of an accepted step; below hookShrink delta shrinks, above
	// hookGrow a step on the boundary doubles it.
	hookAccept = 1e-3
	hookShrink = 0.25
	hookGrow   = 0.75
)

// hook is the workspace of hooksteps, one per worker.
type hook struct {
	n, k  int
	v     []float64 // (k+1) x n Arnoldi basis, row j = v_j
	h     []float64 // Hbar, column j at h[j*(k+1):]
	rot   []float64 // one column of Hbar rotated by the Givens rotations
	cs    []float64 // Givens cosines and sines (residual estimate)
	sn    []float64
	g     []float64 // rotated beta e_1
	c     []float64 // Gram-Schmidt coefficients
	a     *mat.Dense
	svd   mat.SVD
	u, vs mat.Dense // left and right singular vectors of Hbar
	p     []float64 // beta U^T e_1
	sig   []float64 // singular values of Hbar
	z, y  []float64 // solution in the singular basis, then in the Krylov one
	out   float64   // beta^2 - |p|^2: the residual outside Hbar's range
	dim   int       // the current space's dimension

	delta float64 // trust radius (2-norm of the step); 0: not yet set
}

func newHook(n int) *hook {
	k := min(hookDim, n)
	return &hook{
		n: n, k: k,
		v:   make([]float64, (k+1)*n),
		h:   make([]float64, k*(k+1)),
		rot: make([]float64, k+1),
		cs:  make([]float64, k), sn: make([]float64, k), g: make([]float64, k+1),
		c: make([]float64, k+1),
		p: make([]float64, k), sig: make([]float64, k), z: make([]float64, k), y: make([]float64, k),
	}
}

func (hk *hook) basis(j int) []float64 { return hk.v[j*hk.n : (j+1)*hk.n] }

// hookNewton is the matrix-free Newton phase (LinearMatrixFree): hooksteps
// for runs, and the least-squares Newton steps of deflated restarts, on
// products J v (w.jacVec, eval.go) at the state whose phi' is w.dphi.
type hookNewton struct {
	w             *worker
	space         *hook     // the Krylov space and its SVD
	step          []float64 // the step
	trial, trialF []float64 // a trial state and its field
	trialPhi      []float64 // phi' at the trial state
	grad          []float64 // J^T F (the stationarity test)
	discard       []float64 // the field beside phi' at the start of a phase, unused
}

func newHookNewton(w *worker) *hookNewton {
	n := w.n
	v := func() []float64 { return make([]float64, n) }
	if w.dphi == nil {
		w.dphi = v()
	}
	return &hookNewton{w: w, space: newHook(n), step: v(), trial: v(), trialF: v(), trialPhi: v(), grad: v(), discard: v()}
}

// arnoldi builds the Krylov space of J at the state whose phi' is w.dphi,
// from -f, up to hookDim products or until the least-squares residual of
// the unconstrained step falls to eta |f|. It returns the dimension, or 0
// when a product is not finite.
func (p *hookNewton) arnoldi(f []float64, eta float64) int {
	w, hk := p.w, p.space
	n, ld := hk.n, hk.k+1
	beta := norm2Scaled(f)
	v0 := hk.basis(0)
	for i, x := range f {
		v0[i] = -x / beta
	}
	clear(hk.g)
	hk.g[0] = beta
	for j := 0; j < hk.k; j++ {
		wv := hk.basis(j + 1)
		w.jacVec(wv, hk.basis(j))
		w.c.krylov++
		wn := norm2Scaled(wv)
		if !(wn < math.Inf(1)) {
			return 0
		}
		// Classical Gram-Schmidt (two products with the basis instead of
		// 2(j+1) dots and axpys), a second time when the first cancelled
		// too much ("twice is enough": Giraud, Langou and Rozloznik 2005).
		hj := hk.h[j*ld : j*ld+ld]
		clear(hj)
		vb := hk.v[:(j+1)*n]
		c := hk.c[:j+1]
		for pass := 0; ; pass++ {
			before := norm2Scaled(wv)
			kernel.Gemv(c, 0, vb, n, wv)
			for i, ci := range c {
				hj[i] += ci
				c[i] = -ci
			}
			kernel.GemvT(wv, 1, vb, n, c)
			if pass == 1 || norm2Scaled(wv) > reorthEta*before {
				break
			}
		}
		hn := norm2Scaled(wv)
		hj[j+1] = hn
		// The unconstrained residual, by Givens rotations on a copy.
		r := hk.rot[:j+2]
		copy(r, hj[:j+2])
		for i := 0; i < j; i++ {
			a, b := r[i], r[i+1]
			r[i] = hk.cs[i]*a + hk.sn[i]*b
			r[i+1] = -hk.sn[i]*a + hk.cs[i]*b
		}
		cs, sn, _ := givens(r[j], r[j+1])
		hk.cs[j], hk.sn[j] = cs, sn
		hk.g[j+1] = -sn * hk.g[j]
		hk.g[j] = cs * hk.g[j]
		if hn <= 1e-12*wn {
			return j + 1 // an invariant space: the model is exact in it
		}
		scal(1/hn, wv)
		if math.Abs(hk.g[j+1]) <= eta*beta {
			return j + 1
		}
	}
	return hk.k
}

// reorthEta is the "twice is enough" test: when a Gram-Schmidt pass shrinks
// a vector below 1/sqrt(2) of its length, cancellation has cost accuracy
// and a second pass restores orthogonality to rounding level.
const reorthEta = 1 / math.Sqrt2

// givens returns c, s and r with [c s; -s c] [a; b] = [r; 0].
func givens(a, b float64) (c, s, r float64) {
	if b == 0 {
		return 1, 0, a
	}
	r = math.Hypot(a, b)
	return a / r, b / r, r
}

// factorSpace takes the SVD of the k+1 x k matrix Hbar of a space of
// dimension k built from F with |F| = beta; it reports success.
func (hk *hook) factorSpace(k int, beta float64) bool {
	ld := hk.k + 1
	hk.a = reuseDense(hk.a, k+1, k)
	for j := range k {
		for i := 0; i <= j+1 && i <= k; i++ {
			hk.a.Set(i, j, hk.h[j*ld+i])
		}
		for i := j + 2; i <= k; i++ {
			hk.a.Set(i, j, 0)
		}
	}
	if !hk.svd.Factorize(hk.a, mat.SVDThin) {
		return false
	}
	hk.u.Reset()
	hk.vs.Reset()
	hk.svd.UTo(&hk.u)
	hk.svd.VTo(&hk.vs)
	hk.svd.Values(hk.sig[:k])
	out := beta * beta
	for i := range k {
		hk.p[i] = beta * hk.u.At(0, i)
		out -= hk.p[i] * hk.p[i]
	}
	hk.out = math.Max(out, 0)
	hk.dim = k
	return true
}

// reuseDense returns a zeroed r x c matrix, reusing m's memory when it can.
func reuseDense(m *mat.Dense, r, c int) *mat.Dense {
	if m == nil || cap(m.RawMatrix().Data) < r*c {
		return mat.NewDense(r, c, nil)
	}
	data := m.RawMatrix().Data[:r*c]
	clear(data)
	return mat.NewDense(r, c, data)
}

// solve finds the minimiser z of the model residual within |z| <= delta
// (in the singular basis): z_i = sigma_i p_i / (sigma_i^2 + mu), mu >= 0
// the smallest for which |z| <= delta. It returns |z| and the predicted q.
func (hk *hook) solve(delta float64) (norm, qPred float64) {
	k := hk.dim
	sig, p, z := hk.sig[:k], hk.p[:k], hk.z[:k]
	smax := sig[0]
	zn := func(mu float64) float64 {
		var s float64
		for i, si := range sig {
			if mu == 0 && si <= 1e-14*smax {
				z[i] = 0
				continue
			}
			z[i] = si * p[i] / (si*si + mu)
			s += z[i] * z[i]
		}
		return math.Sqrt(s)
	}
	if zn(0) > delta {
		// |z(mu)| decreases in mu; bisect in log mu between mu with
		// |z| <= sigma_max |p| / mu <= delta and a tiny one.
		hi := smax * norm2Scaled(p) / delta
		lo := hi * 1e-30
		for range 100 {
			mid := math.Sqrt(lo * hi)
			if zn(mid) > delta {
				lo = mid
			} else {
				hi = mid
			}
			if hi <= lo*(1+1e-6) {
				break
			}
		}
		zn(hi)
	}
	var r2 float64
	for i, si := range sig {
		e := p[i] - si*z[i]
		r2 += e * e
	}
	return norm2Scaled(z), (r2 + hk.out) / 2
}

// step writes the step V_k (V z) of the last solve into d.
func (hk *hook) step(d []float64) {
	k := hk.dim
	y := hk.y[:k]
	for j := range k {
		var s float64
		for i := range k {
			s += hk.vs.At(j, i) * hk.z[i]
		}
		y[j] = s
	}
	clear(d)
	for j, yj := range y {
		axpy(yj, hk.basis(j), d)
	}
}

// solve runs Newton-Krylov-hookstep steps from x (F(x) in w.f), at most
// maxIter of them. It ends with endStationary at a
// stationary point of q, and with endLimit when it runs out of steps,
// stalls (q falling by less than krylovStall, stallIter steps in a row) or
// the trust region collapses. It updates x and w.f.
func (p *hookNewton) solve(x []float64, maxIter int) phaseEnd {
	w, hk := p.w, p.space
	hk.delta = 0
	f := w.f
	res := normInf(f)
	q := dot(f, f) / 2
	prev, eta := 0.0, etaFirst
	stall := 0
	for it := 0; ; it++ {
		if res <= w.s.Tol {
			return endFixed
		}
		if !(res < math.Inf(1)) || normInf(x) > w.div {
			return endDiverged
		}
		if it >= maxIter || stall >= stallIter {
			return endLimit
		}
		if w.ctx.Err() != nil {
			return endCancelled
		}
		w.c.newton++
		fn := math.Sqrt(2 * q)
		if it > 0 {
			e := 0.9 * (fn / prev) * (fn / prev)
			if s := 0.9 * eta * eta; s > 0.1 {
				e = math.Max(e, s)
			}
			eta = math.Min(e, etaMax)
		}
		eta = math.Max(eta, 0.1*w.s.Tol/res)
		prev = fn
		if it == 0 {
			// phi' at x; later steps take it from their accepted trial.
			w.fieldPhi(p.discard, w.dphi, x)
		}
		k := p.arnoldi(f, eta)
		if k == 0 || !hk.factorSpace(k, fn) {
			return endLimit
		}
		if hk.delta == 0 {
			z0, _ := hk.solve(math.Inf(1))
			hk.delta = math.Min(z0, maxStep*math.Max(1, normInf(x))*math.Sqrt(float64(w.n)))
		}
		ok := false
		for try := 0; try < hookTries; try++ {
			zn, qp := hk.solve(hk.delta)
			if !(zn > 0) || !(qp < q) {
				break
			}
			hk.step(p.step)
			for i := range x {
				p.trial[i] = x[i] + p.step[i]
			}
			w.fieldPhi(p.trialF, p.trialPhi, p.trial)
			qt := dot(p.trialF, p.trialF) / 2
			rho := (q - qt) / (q - qp)
			if rho >= hookAccept {
				copy(x, p.trial)
				copy(f, p.trialF)
				copy(w.dphi, p.trialPhi)
				switch {
				case rho < hookShrink:
					hk.delta = zn / 2
				case rho > hookGrow && zn >= 0.99*hk.delta:
					hk.delta = 2 * hk.delta
				}
				ok = true
				break
			}
			hk.delta = zn / 4
			if hk.delta <= 1e-12*math.Max(1, normInf(x)) {
				break
			}
		}
		if !ok {
			// Stationary for q when J^T F vanishes relative to F.
			w.sys.JacTVecAt(p.grad, w.dphi, f)
			if norm2Scaled(p.grad) <= w.s.SlowTol*fn {
				return endStationary
			}
			return endLimit
		}
		qn := dot(f, f) / 2
		if qn > krylovStall*q || hk.filled(k) && qn > krylovPoor*q {
			stall++
		} else {
			stall = 0
		}
		res, q = normInf(f), qn
	}
}

// newtonStep writes into d the least-squares Newton step of F at x (F(x)
// in f) in the Krylov space of at most hookDim products, built to the
// relative residual eta: GMRES(hookDim) without restarts. It reports
// whether the step reduces the linear model's residual, and whether the
// space reached its full size (hookDim products) before meeting eta.
func (p *hookNewton) newtonStep(x, f, d []float64, eta float64) (ok, full bool) {
	w, hk := p.w, p.space
	// phi' at x. A deflated restart's accepted trial computed it already;
	// recomputing it costs one more row of a batch per step.
	w.fieldPhi(p.discard, w.dphi, x)
	fn := norm2Scaled(f)
	k := p.arnoldi(f, eta)
	if k == 0 || !hk.factorSpace(k, fn) {
		return false, false
	}
	zn, qp := hk.solve(math.Inf(1))
	if !(zn > 0) || !(qp < fn*fn/2) {
		return false, false
	}
	hk.step(d)
	return true, hk.filled(k)
}

// filled reports whether a space of dimension k, built to a forcing term,
// stopped at its largest size short of the whole space: the mark of a
// Jacobian whose spectrum surrounds the origin (krylovPoor). A space of
// all N dimensions gives the exact Newton step.
func (hk *hook) filled(k int) bool { return k == hk.k && hk.k < hk.n }
