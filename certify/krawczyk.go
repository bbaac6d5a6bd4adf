package certify

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
)

// system is the fixed-point equation G(h) = -h + phi(W h + c) = 0 of a
// network (every convention's fixed points, whatever tau), with the
// enclosure of its offset c = W_in u + b.
type system struct {
	n   int
	act dynamics.Activation
	w   []float64 // W, row-major
	// cm +- cr holds the exact W_in u + b.
	cm, cr []float64
	// absW is an upper bound of |W| e, the absolute row sums.
	absW []float64
}

func newSystem(net *dynamics.Network) *system {
	n, m := net.Dim(), net.Inputs()
	s := &system{n: n, act: net.Activation(), w: net.W().RawMatrix().Data,
		cm: net.B(), cr: make([]float64, n), absW: make([]float64, n)}
	ones := make([]float64, max(n, m+1))
	for i := range ones {
		ones[i] = 1
	}
	absMatVecUp(s.absW, s.w, n, n, ones[:n])
	if m > 0 {
		// cm = fl(W_in u + b), within gamma_{m+1} (|W_in| |u| + |b|) +
		// (m+1) eta of the exact sum.
		win, u := net.WIn().RawMatrix().Data, net.U()
		aug := make([]float64, n*(m+1))
		v := make([]float64, m+1)
		for j, x := range u {
			v[j] = math.Abs(x)
		}
		v[m] = 1
		for i := range n {
			x := s.cm[i]
			for j := range m {
				x += win[i*m+j] * u[j]
				aug[i*(m+1)+j] = win[i*m+j]
			}
			aug[i*(m+1)+m] = s.cm[i]
			s.cm[i] = x
		}
		absMatVecUp(s.cr, aug, n, m+1, v)
		g := gamma(m + 1)
		for i := range s.cr {
			s.cr[i] = addUp(mulUp(g, s.cr[i]), float64(m+1)*eta)
		}
	}
	return s
}

// preact writes x(h) = W h + c enclosed as xm +- xr, for the interval
// vector hm +- hr (hr nil: the point hm).
func (s *system) preact(xm, xr, hm, hr, scratch []float64) {
	n := s.n
	for i := range n {
		x := s.cm[i]
		row := s.w[i*n : i*n+n]
		for j, wij := range row {
			x += wij * hm[j]
		}
		xm[i] = x
	}
	// |error| <= gamma_{n+1} (|W| |hm| + |cm|) + (n+1) eta, plus cr, plus
	// |W| hr for the box.
	for j, v := range hm {
		scratch[j] = math.Abs(v)
	}
	absMatVecUp(xr, s.w, n, n, scratch)
	g := gamma(n + 1)
	for i := range xr {
		xr[i] = addUp(addUp(mulUp(g, addUp(xr[i], math.Abs(s.cm[i]))), float64(n+1)*eta), s.cr[i])
	}
	if hr != nil {
		absMatVecUp(scratch, s.w, n, n, hr)
		for i := range xr {
			xr[i] = addUp(xr[i], scratch[i])
		}
	}
}

// centre is the Krawczyk operator of a system linearised at a centre m:
// K(X) = m - Y G(m) + (I - Y J(X)) (X - m) for boxes X = m +- rho, with Y
// an approximate inverse of J(m) = -I + diag(phi'(x(m))) W computed in
// floating point. What depends on m only is kept here; each box costs
// matrix-vector products (O(N^2)).
type centre struct {
	s *system
	m []float64
	// xm +- xr holds x(m); d is phi'(xm) in floating point, the
	// derivative that A = fl(diag(d) W) and Y were built on.
	xm, xr, d []float64
	// y is Y, a the matrix A, p = fl(Y A) and c = fl(I + Y - P), the
	// midpoint of I - Y J(X) when phi' is d.
	y, a, p, c []float64
	// zm +- zr holds Y G(m).
	zm, zr []float64
	// yAbsE bounds |Y| e, and cond estimates ||Y||inf ||J(m)||inf.
	yAbsE []float64
	cond  float64
	// scratch vectors.
	t1, t2, t3 []float64
}

// newCentre linearises s at m. It returns false when J(m) is singular to
// working precision (its factorisation fails or Y is not finite).
func newCentre(s *system, m []float64) (*centre, bool) {
	n := s.n
	c := &centre{s: s, m: m,
		xm: make([]float64, n), xr: make([]float64, n), d: make([]float64, n),
		a: make([]float64, n*n), p: make([]float64, n*n), c: make([]float64, n*n),
		zm: make([]float64, n), zr: make([]float64, n), yAbsE: make([]float64, n),
		t1: make([]float64, n), t2: make([]float64, n), t3: make([]float64, n)}
	s.preact(c.xm, c.xr, m, nil, c.t1)
	var jinf float64
	jm := make([]float64, n*n)
	for i := range n {
		c.d[i] = s.act.D1(c.xm[i])
		var rs float64
		for j := range n {
			aij := c.d[i] * s.w[i*n+j]
			c.a[i*n+j] = aij
			jm[i*n+j] = aij
			if i == j {
				jm[i*n+j] -= 1
			}
			rs += math.Abs(jm[i*n+j])
		}
		jinf = max(jinf, rs)
	}
	var y mat.Dense
	if err := y.Inverse(mat.NewDense(n, n, jm)); err != nil && !isCondWarning(err) {
		return nil, false
	}
	c.y = y.RawMatrix().Data
	for _, v := range c.y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false
		}
	}
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1,
		blas64.General{Rows: n, Cols: n, Stride: n, Data: c.y},
		blas64.General{Rows: n, Cols: n, Stride: n, Data: c.a}, 0,
		blas64.General{Rows: n, Cols: n, Stride: n, Data: c.p})
	for i := range n {
		for j := range n {
			v := c.y[i*n+j] - c.p[i*n+j]
			if i == j {
				v = 1 + c.y[i*n+j] - c.p[i*n+j]
			}
			c.c[i*n+j] = v
		}
	}
	ones := c.t1
	for i := range ones {
		ones[i] = 1
	}
	absMatVecUp(c.yAbsE, c.y, n, n, ones)
	c.cond = 0
	for _, v := range c.yAbsE {
		c.cond = max(c.cond, v)
	}
	c.cond *= jinf

	// G(m) = -m + phi(x(m)) enclosed as gm +- gr, then Y G(m) as zm +- zr:
	// fl(Y gm) is within gamma_n |Y| |gm| + n eta of Y gm.
	gm, gr := c.t2, c.t3
	for i := range n {
		ph := PhiRange(s.act, down(c.xm[i]-c.xr[i]), up(c.xm[i]+c.xr[i]))
		gm[i], gr[i] = midRad(down(ph.Lo-m[i]), up(ph.Hi-m[i]))
	}
	for i := range n {
		var z float64
		row := c.y[i*n : i*n+n]
		for j, v := range row {
			z += v * gm[j]
		}
		c.zm[i] = z
	}
	absMatVecUp(c.zr, c.y, n, n, gr)
	for j := range gm {
		gm[j] = math.Abs(gm[j])
	}
	absMatVecUp(c.t1, c.y, n, n, gm)
	g := gamma(n)
	for i := range c.zr {
		c.zr[i] = addUp(addUp(c.zr[i], mulUp(g, c.t1[i])), float64(n)*eta)
	}
	for _, v := range c.zm {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false
		}
	}
	return c, true
}

// isCondWarning reports whether err is gonum's warning that a matrix is
// near singular (the inverse is still computed and still usable as Y:
// Krawczyk's test decides whether it is good enough).
func isCondWarning(err error) bool {
	_, ok := err.(mat.Condition)
	return ok
}

// linearRows writes into dst an upper bound of the part of |I - Y J(X)|
// rho that does not depend on phi' varying over X:
//
//	|C| rho + gamma_2 (rho + |Y| rho + |P| rho) + (gamma_n + 2u) |Y| (|A| rho) + slack,
//
// the terms bounding, in order, C's elements, the rounding of C = fl(I +
// Y - P), that of P = fl(Y A) and that of A = fl(diag(d) W) (each element
// within 2u |A_ij| + eta of d_i W_ij); slack = (2n + 4) eta (sum rho) (1 +
// |Y| e) covers the products that underflow.
func (c *centre) linearRows(dst, rho []float64) {
	n := c.s.n
	g2, gn := gamma(2), addUp(gamma(n), 2*unit)
	absMatVecUp(dst, c.c, n, n, rho)
	absMatVecUp(c.t1, c.y, n, n, rho)
	absMatVecUp(c.t2, c.p, n, n, rho)
	var sum float64
	for i := range n {
		dst[i] = addUp(dst[i], mulUp(g2, addUp(addUp(rho[i], c.t1[i]), c.t2[i])))
		sum = addUp(sum, rho[i])
	}
	absMatVecUp(c.t1, c.a, n, n, rho)
	absMatVecUp(c.t2, c.y, n, n, c.t1)
	slack := mulUp(float64(2*n+4)*eta, sum)
	for i := range n {
		dst[i] = addUp(addUp(dst[i], mulUp(gn, c.t2[i])), mulUp(slack, addUp(1, c.yAbsE[i])))
	}
}

// slopeRows adds to dst an upper bound of |Y| diag(delta) |W| rho, the
// part of |I - Y J(X)| rho due to phi' varying over X = m +- rho: delta_i
// bounds |D_i - d_i| for every slope D_i over the enclosure of x(X)_i.
func (c *centre) slopeRows(dst, rho []float64) {
	n := c.s.n
	wr, delta := c.t1, c.t2
	absMatVecUp(wr, c.s.w, n, n, rho)
	for i := range n {
		r := addUp(c.xr[i], wr[i])
		sl := SlopeRange(c.s.act, down(c.xm[i]-r), up(c.xm[i]+r))
		delta[i] = mulUp(max(up(sl.Hi-c.d[i]), up(c.d[i]-sl.Lo), 0), wr[i])
	}
	absMatVecUp(c.t3, c.y, n, n, delta)
	for i := range n {
		dst[i] = addUp(dst[i], c.t3[i])
	}
}
