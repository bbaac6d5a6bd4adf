package fixedpoint

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/dense"
)

// luNewton is the Newton phase with LU factors of J (LinearLU, and the dense
// polish of matrix-free runs): globalised Newton with Broyden steps between
// factorisations and a Levenberg-Marquardt fallback. Its matrices are made
// on first use; a matrix-free worker's dense polish lends it jac from the
// pool of the settings for the polish only.
type luNewton struct {
	w    *worker
	jac  *mat.Dense // J, then its LU factors
	piv  []int
	inv  []float64 // reciprocals of the diagonal of the LU factors in jac
	grad []float64 // J^T F at a fresh Jacobian
	step []float64 // the Newton (or Broyden, or LM) step

	// The line search's trial state and its field.
	trial, trialF []float64

	// Broyden: the state and field before a step, and the factors of the
	// inverse's rank-one updates.
	xOld, fOld []float64
	bp, bs     [][]float64
	nb         int

	// Levenberg-Marquardt: J^T J, the Cholesky factor of J^T J + mu I, mu.
	normal, chol []float64
	mu           float64
}

func newLUNewton(w *worker) *luNewton {
	n := w.n
	v := func() []float64 { return make([]float64, n) }
	return &luNewton{
		w: w, piv: make([]int, n),
		grad: v(), step: v(), trial: v(), trialF: v(), xOld: v(), fOld: v(),
	}
}

// jacobian returns jac, allocating it on first use.
func (p *luNewton) jacobian() *mat.Dense {
	if p.jac == nil {
		p.jac = mat.NewDense(p.w.n, p.w.n, nil)
	}
	return p.jac
}

// lu factorises jac in place (LU) and, when U is nonsingular, keeps the
// reciprocals of its diagonal in inv; it reports success.
func (p *luNewton) lu() bool {
	if p.inv == nil {
		p.inv = make([]float64, p.w.n)
	}
	return dense.FactorizeInv(p.w.s.LU, p.w.n, p.jac.RawMatrix().Data, p.piv, p.inv)
}

// newtonStep writes the Newton step -J(x)^{-1} f into d, from a fresh
// factorisation of J at x; it reports whether J is nonsingular.
func (p *luNewton) newtonStep(x, f, d []float64) bool {
	w := p.w
	w.sys.Jacobian(p.jacobian(), x)
	w.c.lu++
	if !p.lu() {
		return false
	}
	for i, v := range f {
		d[i] = -v
	}
	dense.SolveLU(w.n, p.jac.RawMatrix().Data, p.piv, p.inv, d)
	return true
}

// solve runs globalised Newton from x (F(x) already in w.f) with at most
// maxIter Jacobian factorisations. Between factorisations it takes
// Broyden steps: the inverse of J is updated by Broyden's good rank-one
// formula in product form, H+ = (I + p s^T) H with p = (s - H y) / (s^T H y),
// so a step costs two triangular solves instead of an LU factorisation
// (the idea behind MINPACK's hybrid method). J is refactorised when a
// Broyden step fails or progresses poorly. With lm it falls back to
// Levenberg-Marquardt steps when J is singular or the line search fails
// with a fresh J. It ends with endStationary at a stationary point of q,
// and with endLimit when it runs out of iterations or stalls (q decreasing
// by less than the factor stallRatio over stallIter fresh steps). It
// updates x and w.f.
func (p *luNewton) solve(x []float64, maxIter int, lm bool) phaseEnd {
	w := p.w
	f := w.f
	res := normInf(f)
	q := dot(f, f) / 2
	stall, lus, steps := 0, 0, 0
	have, fresh := false, false
	for {
		if res <= w.s.Tol {
			return endFixed
		}
		if !(res < math.Inf(1)) || normInf(x) > w.div {
			return endDiverged
		}
		if lus >= maxIter && !have || steps >= 4*maxIter || stall >= stallIter {
			return endLimit
		}
		if w.ctx.Err() != nil {
			return endCancelled
		}
		if w.tryEarly(x) {
			return endEarly
		}
		steps++
		if !have {
			lus++
			w.c.newton++
			w.sys.Jacobian(p.jacobian(), x)
			jr := p.jac.RawMatrix()
			blas64.Gemv(blas.Trans, 1, jr, blas64.Vector{N: w.n, Inc: 1, Data: f}, 0, blas64.Vector{N: w.n, Inc: 1, Data: p.grad})
			if norm2(p.grad) <= w.s.SlowTol*norm2(f) {
				return endStationary
			}
			w.c.lu++
			have = p.lu()
			p.nb = 0
			fresh = have
			if !have {
				if !lm {
					return endLimit
				}
				if e, stop := p.fallback(x); stop {
					return e
				}
				res, q = normInf(f), dot(f, f)/2
				continue
			}
		} else {
			w.c.broyden++
		}
		d := p.step
		for i, v := range f {
			d[i] = -v
		}
		p.applyH(d)
		copy(p.xOld, x)
		copy(p.fOld, f)
		if !p.lineSearch(x, d) {
			if !fresh {
				have = false // refactorise at x
				continue
			}
			if !lm || w.s.Method == Auto {
				// Auto leaves a failed line search to speed minimisation.
				return endLimit
			}
			if e, stop := p.fallback(x); stop {
				return e
			}
			have = false
		} else if p.nb < maxBroyden {
			p.broydenUpdate(x, f)
		} else {
			have = false
		}
		qn := dot(f, f) / 2
		if fresh {
			if qn > p.stallRatio()*q {
				stall++
			} else {
				stall = 0
			}
		} else if qn > 0.5*q {
			have = false // poor Broyden progress: refactorise
		}
		fresh = false
		res, q = normInf(f), qn
	}
}

// maxBroyden is the number of Broyden updates kept before J is
// refactorised.
const maxBroyden = 24

// applyH overwrites v with H v, H the current inverse Jacobian
// approximation: the LU solve with J0, then the Broyden factors.
func (p *luNewton) applyH(v []float64) {
	dense.SolveLU(p.w.n, p.jac.RawMatrix().Data, p.piv, p.inv, v)
	for j := 0; j < p.nb; j++ {
		axpy(dot(p.bs[j], v), p.bp[j], v)
	}
}

// broydenUpdate appends the good Broyden factor for the step from
// (xOld, fOld) to (x, f); on a degenerate step it skips the update.
func (p *luNewton) broydenUpdate(x, f []float64) {
	if p.bp == nil {
		p.bp = make([][]float64, maxBroyden)
		p.bs = make([][]float64, maxBroyden)
		for j := range p.bp {
			p.bp[j] = make([]float64, p.w.n)
			p.bs[j] = make([]float64, p.w.n)
		}
	}
	s, u := p.bs[p.nb], p.bp[p.nb]
	for i := range s {
		s[i] = x[i] - p.xOld[i]
		u[i] = f[i] - p.fOld[i] // y
	}
	p.applyH(u) // H y
	den := dot(s, u)
	if !(math.Abs(den) > 1e-14*norm2(s)*norm2(u)) {
		return // skip the update
	}
	for i := range u {
		u[i] = (s[i] - u[i]) / den
	}
	p.nb++
}

// stallIter is the number of Newton iterations in a row that decrease q
// by less than the factor stallRatio (Auto, where speed minimisation
// takes over) or stallRatioNewton (Newton alone) after which Newton gives
// up. The values are the cheapest that still find every root
// scipy.optimize.root finds on a chaotic g = 1.5, N = 200 tanh network
// (measurements in bench/fp_results.md, "Moved from comments"); Newton
// alone needs the looser stallRatioNewton, having no speed phase after it.
const (
	stallIter        = 2
	stallRatio       = 0.5
	stallRatioNewton = 0.9
)

// stallRatio returns the stall factor of the run's method.
func (p *luNewton) stallRatio() float64 {
	if p.w.s.Method == Newton {
		return stallRatioNewton
	}
	return stallRatio
}

// lineSearch tries x + a d for a = 1, then smaller, until q decreases
// enough (Armijo, with the directional derivative -2q of a Newton step).
// On success x and w.f are updated.
func (p *luNewton) lineSearch(x, d []float64) bool {
	w := p.w
	step := normInf(d)
	if !(step < math.Inf(1)) {
		return false
	}
	a := 1.0
	if lim := maxStep * math.Max(1, normInf(x)); step > lim {
		a = lim / step
	}
	q0 := dot(w.f, w.f) / 2
	for try := 0; try < 30 && a >= minAlpha; try++ {
		for i := range x {
			p.trial[i] = x[i] + a*d[i]
		}
		w.sys.Field(p.trialF, p.trial)
		qt := dot(p.trialF, p.trialF) / 2
		if qt <= q0*(1-2e-4*a) {
			copy(x, p.trial)
			copy(w.f, p.trialF)
			return true
		}
		// Minimiser of the quadratic through q(0), q'(0) = -2 q0 and q(a).
		an := q0 * a * a / (qt - q0 + 2*q0*a)
		if !(an >= 0.1*a) {
			an = 0.1 * a
		} else if an > 0.5*a {
			an = 0.5 * a
		}
		a = an
	}
	return false
}

// maxStep bounds a Newton step relative to max(1, |x|_inf), and minAlpha
// is the smallest step length of the line search.
const (
	maxStep  = 10
	minAlpha = 1e-3
)

type lmEnd int

const (
	lmOK lmEnd = iota
	lmStationary
	lmFail
)

// fallback takes a Levenberg-Marquardt step from x; it reports the end of
// the phase when the step ends it (a stationary point, or no decrease).
func (p *luNewton) fallback(x []float64) (phaseEnd, bool) {
	switch p.lmStep(x) {
	case lmStationary:
		return endStationary, true
	case lmFail:
		return endLimit, true
	}
	return 0, false
}

// lmStep takes one Levenberg-Marquardt step (J^T J + mu I) d = -J^T F.
func (p *luNewton) lmStep(x []float64) lmEnd {
	w := p.w
	n := w.n
	w.c.lm++
	w.sys.Jacobian(p.jacobian(), x)
	jr := p.jac.RawMatrix()
	g := p.grad
	blas64.Gemv(blas.Trans, 1, jr, blas64.Vector{N: n, Inc: 1, Data: w.f}, 0, blas64.Vector{N: n, Inc: 1, Data: g})
	if norm2(g) <= w.s.SlowTol*norm2(w.f) {
		return lmStationary
	}
	if p.normal == nil {
		p.normal = make([]float64, n*n)
		p.chol = make([]float64, n*n)
	}
	a := blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: n, Data: p.normal}
	blas64.Syrk(blas.Trans, 1, jr, 0, a)
	var dmax float64
	for i := 0; i < n; i++ {
		dmax = math.Max(dmax, p.normal[i*n+i])
	}
	if p.mu == 0 {
		p.mu = 1e-3 * math.Max(dmax, 1e-300)
	}
	q0 := dot(w.f, w.f) / 2
	for try := 0; try < 10; try++ {
		copy(p.chol, p.normal)
		for i := 0; i < n; i++ {
			p.chol[i*n+i] += p.mu
		}
		if !dense.Cholesky(n, p.chol) {
			p.mu *= 10
			continue
		}
		d := p.step
		for i, v := range g {
			d[i] = -v
		}
		dense.SolveCholesky(n, p.chol, d)
		for i := range x {
			p.trial[i] = x[i] + d[i]
		}
		w.sys.Field(p.trialF, p.trial)
		if qt := dot(p.trialF, p.trialF) / 2; qt < q0 {
			copy(x, p.trial)
			copy(w.f, p.trialF)
			p.mu = math.Max(p.mu/3, 1e-12*dmax)
			return lmOK
		}
		p.mu *= 4
	}
	// No decrease along the gradient direction even with a tiny step: x is
	// numerically stationary when the gradient is small relative to F.
	if norm2(g) <= math.Sqrt(w.s.SlowTol)*norm2(w.f) {
		return lmStationary
	}
	return lmFail
}
