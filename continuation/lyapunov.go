package continuation

import (
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/dense"
)

// LyapunovMaxN is the largest N at which the first Lyapunov coefficient of
// a Hopf point is computed: it takes LU factorisations of three 2N x 2N real
// matrices (the complex shifted Jacobians), about 17 N^3 flops.
const LyapunovMaxN = 1024

// shifted is the LU factorisation of the real 2N x 2N form [[A, -B], [B, A]]
// of a complex N x N matrix A + iB, for solves with complex right-hand
// sides.
type shifted struct {
	n   int
	a   []float64
	piv []int
	inv []float64
}

// factorShifted factorises s J^T-or-J + i c I: the real form of A + iB with
// A = sign * M (M = J, or J^T when trans) and B = c I. An exactly zero
// pivot (a singular matrix, as at the eigenvalue being inverted) is
// replaced by a rounding error of the matrix's size.
func (w *work) factorShifted(j []float64, trans bool, sign, c float64) *shifted {
	n := w.n
	m := 2 * n
	s := &shifted{n: n, a: make([]float64, m*m), piv: make([]int, m), inv: make([]float64, m)}
	for r := range n {
		for k := range n {
			v := j[r*n+k]
			if trans {
				v = j[k*n+r]
			}
			v *= sign
			s.a[r*m+k] = v
			s.a[(n+r)*m+n+k] = v
		}
		s.a[r*m+n+r] = -c
		s.a[(n+r)*m+r] = c
	}
	scale := maxAbs(s.a)
	lu := w.s.LU
	if lu == nil {
		lu = dense.Factorize
	}
	w.stat.Factorizations++
	if !dense.FactorizeInv(lu, m, s.a, s.piv, s.inv) {
		for i := range m {
			if s.a[i*m+i] == 0 {
				s.a[i*m+i] = 0x1p-52 * scale
			}
		}
		dense.InvDiag(m, s.a, s.inv)
	}
	return s
}

// solve overwrites z with (A + iB)^{-1} z.
func (s *shifted) solve(z []complex128) {
	b := make([]float64, 2*s.n)
	for i, v := range z {
		b[i], b[s.n+i] = real(v), imag(v)
	}
	dense.SolveLU(2*s.n, s.a, s.piv, s.inv, b)
	for i := range z {
		z[i] = complex(b[i], b[s.n+i])
	}
}

// inverseIterate returns a unit vector of the near-null space of the
// factorised matrix: three steps of inverse iteration from a fixed start.
func (s *shifted) inverseIterate() []complex128 {
	z := make([]complex128, s.n)
	for i := range z {
		z[i] = complex(1+float64(i%7)/7, float64(i%3)/3)
	}
	for range 3 {
		s.solve(z)
		nr := cnorm(z)
		if !(nr > 0) || math.IsInf(nr, 0) {
			return nil
		}
		for i := range z {
			z[i] /= complex(nr, 0)
		}
	}
	return z
}

func cnorm(z []complex128) float64 {
	s := 0.0
	for _, v := range z {
		s += real(v)*real(v) + imag(v)*imag(v)
	}
	return math.Sqrt(s)
}

// cdot returns conj(p) . q.
func cdot(p, q []complex128) complex128 {
	var s complex128
	for i := range p {
		s += cmplx.Conj(p[i]) * q[i]
	}
	return s
}

// lyapunovCoefficient returns the first Lyapunov coefficient l1 of the Hopf
// point at y (net the network there, omega = Im lambda > 0 of the critical
// pair), by the invariant formula of Kuznetsov (2004, eq. (3.20) in n
// dimensions):
//
//	l1 = Re[ <p, C(q, q, qbar)> - 2 <p, B(q, J^{-1} B(q, qbar))>
//	         + <p, B(qbar, (2 i omega - J)^{-1} B(q, q))> ] / (2 omega),
//
// with J q = i omega q, J^T p = -i omega p, |q| = 1, <p, q> = conj(p) . q
// = 1, and the second and third derivatives of F,
//
//	B(u, v)_i    = phi2(x_i) (W_p u)_i (W_p v)_i / tau_i,
//	C(u, v, z)_i = phi3(x_i) (W_p u)_i (W_p v)_i (W_p z)_i / tau_i.
//
// l1 < 0: the Hopf point is supercritical (a stable cycle is born on the
// side where the equilibrium is unstable); l1 > 0: subcritical. It returns
// NaN above LyapunovMaxN units or when a solve fails.
func (w *work) lyapunovCoefficient(net *dynamics.Network, y []float64, omega float64) float64 {
	n := w.n
	if n > LyapunovMaxN || !(omega > 0) {
		return math.NaN()
	}
	h := y[:n]
	jm := make([]float64, n*n)
	net.Jacobian(mat.NewDense(n, n, jm), h)
	q := w.factorShifted(jm, false, 1, -omega).inverseIterate() // (J - i omega) q = 0
	p := w.factorShifted(jm, true, 1, omega).inverseIterate()   // (J^T + i omega) p = 0
	if q == nil || p == nil {
		return math.NaN()
	}
	s := cdot(p, q)
	if s == 0 {
		return math.NaN()
	}
	for i := range p {
		p[i] /= cmplx.Conj(s)
	}
	x := make([]float64, n)
	net.PreActivation(x, h)
	g := w.fam.gainAt(y[n])
	act := net.Activation()
	wz := func(z []complex128) []complex128 {
		re, im := make([]float64, n), make([]float64, n)
		for i, v := range z {
			re[i], im[i] = real(v), imag(v)
		}
		a, b := w.fam.wVec(re), w.fam.wVec(im)
		out := make([]complex128, n)
		for i := range out {
			out[i] = complex(g*a[i], g*b[i])
		}
		return out
	}
	bil := func(u, v []complex128) []complex128 {
		wu, wv := wz(u), wz(v)
		out := make([]complex128, n)
		for i := range out {
			out[i] = complex(act.D2(x[i])/w.fam.tau[i], 0) * wu[i] * wv[i]
		}
		return out
	}
	qbar := make([]complex128, n)
	for i, v := range q {
		qbar[i] = cmplx.Conj(v)
	}
	wq, wqb := wz(q), wz(qbar)
	c := make([]complex128, n)
	for i := range c {
		c[i] = complex(act.D3(x[i])/w.fam.tau[i], 0) * wq[i] * wq[i] * wqb[i]
	}
	// J^{-1} B(q, qbar), B(q, qbar) real: the real form with B = 0.
	a := bil(q, qbar)
	w.factorShifted(jm, false, 1, 0).solve(a)
	b := bil(q, q)
	w.factorShifted(jm, false, -1, 2*omega).solve(b) // (2 i omega - J)
	sum := cdot(p, c) - 2*cdot(p, bil(q, a)) + cdot(p, bil(qbar, b))
	return real(sum) / (2 * omega)
}
