package continuation

import (
	"errors"
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/dense"
)

var errNet = errors.New("continuation: the network at this parameter value cannot be made")

// located is a special point with its branch point and, for a branch
// point, the branch's tangent there.
type located struct {
	Special
	pt      Point
	tangent []float64
}

// maxLocate bounds the test-function evaluations of one location.
const maxLocate = 80

// locate finds the zero of the event's test function between the nodes a
// and b, sl apart along a's tangent: the points a + s t_a corrected onto
// the branch (constraint t_a . (y - y_a) = s) for s in (0, sl), by the
// Illinois variant of regula falsi on s, until the bracket is below
// ParamTol in p and 1e-6 of the step in s, or 1e-13 in s. Each evaluation
// is one corrector and one spectrum. It reports false when a corrector or
// the test function fails.
func (w *work) locate(a, b *node, sl float64, ev event) (*located, bool) {
	isMap := w.fam.base.Convention().IsMap()
	fa, _ := psi(a.vals, isMap, ev)
	fb, _ := psi(b.vals, isMap, ev)
	if math.IsNaN(fa) || math.IsNaN(fb) || fa*fb > 0 {
		return nil, false
	}
	lo, hi, flo, fhi := 0.0, sl, fa, fb
	plo, phi := a.y[w.n], b.y[w.n]
	side := 0
	row := w.row(a.t)
	c0 := w.dot(a.t, a.y)
	var best []float64
	var bestVal complex128
	for range maxLocate {
		s := (lo*fhi - hi*flo) / (fhi - flo)
		if !(s > lo && s < hi) {
			s = (lo + hi) / 2
		}
		y := make([]float64, w.n+1)
		for i := range y {
			y[i] = a.y[i] + s*a.t[i]
		}
		if _, ok := w.correct(y, row, c0+s); !ok {
			return nil, false
		}
		net, _ := w.evaluate(y)
		sp, err := w.spectrum(net, y[:w.n])
		if err != nil && sp == nil {
			return nil, false
		}
		f, v := psi(sp.Values, isMap, ev)
		if math.IsNaN(f) {
			return nil, false
		}
		best, bestVal = y, v
		if f == 0 {
			lo, hi, plo, phi = s, s, y[w.n], y[w.n]
			break
		}
		if (f > 0) == (flo > 0) {
			lo, flo, plo = s, f, y[w.n]
			if side == -1 {
				fhi /= 2
			}
			side = -1
		} else {
			hi, fhi, phi = s, f, y[w.n]
			if side == 1 {
				flo /= 2
			}
			side = 1
		}
		if hi-lo <= 1e-13*(1+math.Abs(s)) || (math.Abs(phi-plo) <= w.s.ParamTol && hi-lo <= 1e-6*sl) {
			break
		}
	}
	if best == nil {
		return nil, false
	}
	net, _ := w.evaluate(best)
	sp, _ := w.spectrum(net, best[:w.n])
	t := w.tangent(best, a.t)
	if t == nil {
		// The bordered matrix is singular at an exact branch point: the
		// tangent there is the secant of the bracketing points, to
		// second order in the step.
		t = make([]float64, w.n+1)
		for i := range t {
			t[i] = b.y[i] - a.y[i]
		}
		w.normalize(t)
	}
	turns := a.t[w.n]*b.t[w.n] < 0
	typ := typeOf(ev.kind, isMap, turns)
	l := &located{
		Special: Special{Type: typ, P: best[w.n], H: append([]float64(nil), best[:w.n]...), Eigenvalue: bestVal,
			Frequency: math.NaN(), Coefficient: math.NaN(), PError: math.Abs(phi - plo)},
		pt:      w.point(best, sp),
		tangent: t,
	}
	switch typ {
	case Hopf:
		l.Frequency = imag(bestVal) / (2 * math.Pi)
		l.Coefficient = w.lyapunovCoefficient(net, best, imag(bestVal))
	case NeimarkSacker:
		l.Frequency = cmplx.Phase(bestVal) / (2 * math.Pi * net.TimeStep())
	case Fold:
		l.Coefficient = w.foldCoefficient(net, best)
	}
	return l, true
}

// nullVectors returns unit right and left null vectors q, l of J at h (J q
// ~ 0, l^T J ~ 0; J nearly singular at a fold or branch point) by two steps
// of inverse iteration with the LU factors of J and of J^T. It returns nil
// when the factorisation fails outright.
func (w *work) nullVectors(net *dynamics.Network, h []float64) (q, l []float64) {
	n := w.n
	j := mat.NewDense(n, n, nil)
	net.Jacobian(j, h)
	jt := mat.DenseCopyOf(j.T())
	iterate := func(m *mat.Dense) []float64 {
		a := m.RawMatrix().Data
		piv, inv := make([]int, n), make([]float64, n)
		lu := w.s.LU
		if lu == nil {
			lu = dense.Factorize
		}
		scale := maxAbs(a)
		w.stat.Factorizations++
		if !dense.FactorizeInv(lu, n, a, piv, inv) {
			// Exactly singular: a zero pivot, which a rounding error of
			// J's size stands for.
			for i := range n {
				if a[i*n+i] == 0 {
					a[i*n+i] = 0x1p-52 * scale
				}
			}
			dense.InvDiag(n, a, inv)
		}
		v := make([]float64, n)
		for i := range v {
			v[i] = 1 + float64(i%7)/7 // a fixed start, not orthogonal to a null vector in general
		}
		for range 3 {
			dense.SolveLU(n, a, piv, inv, v)
			nr := math.Sqrt(dotPlain(v, v))
			if !(nr > 0) || math.IsInf(nr, 0) {
				return nil
			}
			for i := range v {
				v[i] /= nr
			}
		}
		return v
	}
	return iterate(j), iterate(jt)
}

// foldCoefficient returns the normal-form coefficient a of the fold at y =
// (h, p*) (net the network there): with q and l the right and left null vectors of
// J, scaled so that l . q = 1 and oriented so that l . dF/dp > 0, the
// dynamics on the centre manifold are xi' = (p - p*) l . dF/dp + a xi^2 +
// ..., where a = (1/2) l . B(q, q) and B(q, q)_i = phi2(x_i) (W_p q)_i^2
// / tau_i (phi2 = phi's second derivative) is the second derivative of F along q. The branch lies on the
// side of p* where (p - p*) a < 0.
func (w *work) foldCoefficient(net *dynamics.Network, y []float64) float64 {
	h := y[:w.n]
	q, l := w.nullVectors(net, h)
	if q == nil || l == nil {
		return math.NaN()
	}
	lq := dotPlain(l, q)
	if lq == 0 {
		return math.NaN()
	}
	for i := range l {
		l[i] /= lq
	}
	w.fam.Deriv(w.gp, net, h)
	if dotPlain(l, w.gp) < 0 {
		for i := range q {
			q[i], l[i] = -q[i], -l[i]
		}
	}
	x := make([]float64, w.n)
	net.PreActivation(x, h)
	wq := w.fam.wVec(q)
	g := w.fam.gainAt(y[w.n])
	act := net.Activation()
	s := 0.0
	for i := range q {
		v := g * wq[i]
		s += l[i] * act.D2(x[i]) * v * v / w.fam.tau[i]
	}
	return s / 2
}
