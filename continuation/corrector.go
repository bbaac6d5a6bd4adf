package continuation

import (
	"math"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/dense"
)

// maxState is the largest max_i |h_i| of a point on a branch: beyond it the
// branch has diverged (only unbounded activations get there).
const maxState = 1e6

// work is one branch's workspace: the bordered (N+1) x (N+1) matrix and its
// LU factors, and the field and dF/dp at the current iterate. A point y of a
// branch is (h, p), N + 1 values, and lengths along a branch are measured in
// the weighted norm |y|^2 = |h|^2 / N + p^2 (the state in root-mean-square
// units), so that a step's length means the same at every N.
type work struct {
	fam *Family
	s   *Settings
	n   int
	// The prepared bordered system: the network at the iterate's p, the
	// iterate, the last row, dF/dp and (matrix-free) phi'(x).
	net      *dynamics.Network
	y, r     []float64
	gp, d    []float64
	krylov   bool      // solve matrix-free (N >= Settings.KrylovMin)
	a        []float64 // the bordered matrix, row-major (N+1) x (N+1), then its LU factors; made on first use
	piv      []int
	inv      []float64
	factored bool      // a holds the factors of the prepared system
	jac      mat.Dense // the top-left N x N block of a
	g        []float64 // F(h) at the iterate
	op       *mat.Dense
	wgt      float64 // 1 / N, the weight of the state's components
	stat     Stats
	kry      *krylovSpace
}

func newWork(fam *Family, s *Settings) *work {
	n := fam.base.Dim()
	return &work{fam: fam, s: s, n: n, g: make([]float64, n), gp: make([]float64, n), d: make([]float64, n),
		wgt: 1 / float64(n), krylov: n >= s.KrylovMin}
}

// dot is the weighted inner product of two points.
func (w *work) dot(a, b []float64) float64 {
	s := 0.0
	for i := range w.n {
		s += a[i] * b[i]
	}
	return s*w.wgt + a[w.n]*b[w.n]
}

// normalize scales t to unit weighted norm.
func (w *work) normalize(t []float64) {
	nr := math.Sqrt(w.dot(t, t))
	for i := range t {
		t[i] /= nr
	}
}

// row returns the weighted row of the constraint t . (y - y0) = ds.
func (w *work) row(t []float64) []float64 {
	r := make([]float64, w.n+1)
	for i := range w.n {
		r[i] = t[i] * w.wgt
	}
	r[w.n] = t[w.n]
	return r
}

// pRow is the row of the constraint p = c.
func (w *work) pRow() []float64 {
	r := make([]float64, w.n+1)
	r[w.n] = 1
	return r
}

// evaluate makes the network at y's p and writes F(h) into w.g; it returns
// the network and max_i |F_i|, or nil when the network cannot be made.
func (w *work) evaluate(y []float64) (*dynamics.Network, float64) {
	net, err := w.fam.At(y[w.n])
	if err != nil {
		return nil, math.Inf(1)
	}
	net.Field(w.g, y[:w.n])
	return net, maxAbs(w.g)
}

// prepare sets up the bordered system [J  dF/dp; r] at y (net the network
// at y's p) for solve: with dense solves it forms and factorises the
// matrix, and reports whether it is nonsingular; matrix-free, it keeps
// phi'(x), dF/dp and r for the products (always true).
func (w *work) prepare(net *dynamics.Network, y, r []float64) bool {
	n := w.n
	w.net, w.y, w.r = net, y, r
	w.fam.Deriv(w.gp, net, y[:n])
	if w.krylov {
		net.PhiPrime(w.d, y[:n])
		w.factored = false
		return true
	}
	return w.factor()
}

// factor forms the bordered matrix of the prepared system in w.a and
// factorises it; it reports whether it is nonsingular.
func (w *work) factor() bool {
	n := w.n
	if w.a == nil {
		w.a, w.piv, w.inv = make([]float64, (n+1)*(n+1)), make([]int, n+1), make([]float64, n+1)
		w.jac.SetRawMatrix(blas64.General{Rows: n, Cols: n, Stride: n + 1, Data: w.a})
	}
	w.net.Jacobian(&w.jac, w.y[:n])
	for i := range n {
		w.a[i*(n+1)+n] = w.gp[i]
	}
	copy(w.a[n*(n+1):], w.r)
	w.stat.Factorizations++
	lu := w.s.LU
	if lu == nil {
		lu = dense.Factorize
	}
	w.factored = dense.FactorizeInv(lu, n+1, w.a, w.piv, w.inv)
	return w.factored
}

// solve overwrites b (N+1) with the solution of the prepared system, and
// reports whether it found one: matrix-free by GMRES, falling back to the
// dense factorisation where GMRES stalls (near a branch point, where the
// bordered matrix is nearly singular).
func (w *work) solve(b []float64) bool {
	if w.krylov {
		if w.gmres(b) {
			return true
		}
		w.stat.Fallbacks++
		if !w.factored && !w.factor() {
			return false
		}
	}
	dense.SolveLU(w.n+1, w.a, w.piv, w.inv, b)
	return true
}

// correct moves y onto the branch by Newton's method on the bordered system
// F(h, p) = 0, r . y = c; it returns the iterations and whether it
// converged (max_i |F_i| <= Tol, the constraint to rounding) within
// maxNewton.
func (w *work) correct(y, r []float64, c float64) (int, bool) {
	n := w.n
	b := make([]float64, n+1)
	prev := math.Inf(1)
	for it := 0; ; it++ {
		net, res := w.evaluate(y)
		if net == nil || math.IsNaN(res) || maxAbs(y[:n]) > maxState {
			return it, false
		}
		cres := c - dotPlain(r, y)
		if res <= w.s.Tol && math.Abs(cres) <= 1e-9*(1+math.Abs(c)) {
			return it, true
		}
		if it == maxNewton || (it >= 3 && res > prev) {
			return it, false
		}
		prev = res
		w.stat.Newton++
		if !w.prepare(net, y, r) {
			return it, false
		}
		for i := range n {
			b[i] = -w.g[i]
		}
		b[n] = cres
		if !w.solve(b) {
			return it, false
		}
		for i := range y {
			y[i] += b[i]
		}
	}
}

// tangent returns the unit tangent of the branch at y (on it) oriented
// along prev: the solution z of [J dF/dp; prev^T] z = (0, 1), normalised.
// As prev . z = 1 > 0, the tangent never turns back on itself, through
// folds included. It returns nil when the bordered matrix is singular.
func (w *work) tangent(y, prev []float64) []float64 {
	return w.borderedUnit(y, w.row(prev))
}

// borderedUnit returns the solution z of [J dF/dp; r] z = (0, 1) at y,
// normalised, or nil when the bordered matrix is singular: the tangent
// of the branch whose last row r fixes its orientation.
func (w *work) borderedUnit(y, r []float64) []float64 {
	net, _ := w.evaluate(y)
	if net == nil || !w.prepare(net, y, r) {
		return nil
	}
	z := make([]float64, w.n+1)
	z[w.n] = 1
	if !w.solve(z) {
		return nil
	}
	w.normalize(z)
	return z
}

// startTangent returns the unit tangent at a start point y whose branch is
// to be followed towards increasing p when up is set: (-J^{-1} dF/dp, 1)
// normalised. It returns nil when J is singular there.
func (w *work) startTangent(y []float64, up bool) []float64 {
	z := w.borderedUnit(y, w.pRow())
	if z != nil && !up {
		for i := range z {
			z[i] = -z[i]
		}
	}
	return z
}

func dotPlain(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// maxAbs returns max_i |x_i|, NaN when any is NaN.
func maxAbs(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		if math.IsNaN(v) {
			return math.NaN()
		}
		m = max(m, math.Abs(v))
	}
	return m
}
