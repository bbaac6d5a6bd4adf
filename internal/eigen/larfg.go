package eigen

import "math"

// Reflectors of two and three elements, the ones the QR sweeps, the
// double-shift QR of the deflation windows and the block swaps of the Schur
// reordering generate by the thousand. gonum's Dlarfg takes the norm through
// Dnrm2 (a scaled sum of squares) and math.Hypot, which for so few elements
// costs more than the reflector's application; here the sum of squares is
// formed directly whenever no entry can overflow or underflow when squared,
// and gonum's Dlarfg, with its rescaling, handles the rest.

// Outside [larfgTiny, larfgHuge] a square would leave the normal range.
const (
	larfgTiny = 0x1p-480
	larfgHuge = 0x1p+480
)

// larfg3 is LAPACK's DLARFG for n = 3: it returns beta, tau and v = (v1, v2)
// such that H = I - tau (1, v)(1, v)^T is orthogonal and H (alpha, x1, x2)^T =
// (beta, 0, 0)^T. When x1 = x2 = 0, tau = 0 (H = I), beta = alpha and v = x.
func larfg3(alpha, x1, x2 float64) (beta, tau, v1, v2 float64) {
	if x1 == 0 && x2 == 0 {
		return alpha, 0, x1, x2
	}
	m := max(math.Abs(alpha), math.Abs(x1), math.Abs(x2))
	if !(m >= larfgTiny && m <= larfgHuge) {
		x := [2]float64{x1, x2}
		beta, tau = impl.Dlarfg(3, alpha, x[:], 1)
		return beta, tau, x[0], x[1]
	}
	beta = -math.Copysign(math.Sqrt(alpha*alpha+x1*x1+x2*x2), alpha)
	tau = (beta - alpha) / beta
	s := 1 / (alpha - beta)
	return beta, tau, x1 * s, x2 * s
}

// larfg2 is LAPACK's DLARFG for n = 2 (see larfg3).
func larfg2(alpha, x1 float64) (beta, tau, v1 float64) {
	if x1 == 0 {
		return alpha, 0, x1
	}
	m := max(math.Abs(alpha), math.Abs(x1))
	if !(m >= larfgTiny && m <= larfgHuge) {
		x := [1]float64{x1}
		beta, tau = impl.Dlarfg(2, alpha, x[:], 1)
		return beta, tau, x[0]
	}
	beta = -math.Copysign(math.Sqrt(alpha*alpha+x1*x1), alpha)
	tau = (beta - alpha) / beta
	return beta, tau, x1 * (1 / (alpha - beta))
}

// The reflector H = I - tau (1, v1, v2)(1, v1, v2)^T applied to three
// columns of a row-major matrix, with the operations of gonum's (and
// LAPACK's) inner loops: sum = x0 + v1 x1 + v2 x2, then x_i -= sum (tau w_i)
// with w = (1, v1, v2). Three rows, the longer updates, go through
// internal/kernel's Reflect3 (AVX2 and FMA, four columns at a time).

// reflectCols3 applies H from the right to columns c, c+1, c+2 of rows lo
// to hi (inclusive) of a.
func reflectCols3(a []float64, lda, lo, hi, c int, v1, v2, tau float64) {
	t1, t2, t3 := tau, tau*v1, tau*v2
	for j := lo; j <= hi; j++ {
		r := a[j*lda+c : j*lda+c+3 : j*lda+c+3]
		sum := r[0] + v1*r[1] + v2*r[2]
		r[0] -= sum * t1
		r[1] -= sum * t2
		r[2] -= sum * t3
	}
}

// reflectRows2 and reflectCols2 are Reflect3 and reflectCols3 for
// H = I - tau (1, v1)(1, v1)^T.
func reflectRows2(r0, r1 []float64, v1, tau float64) {
	t1, t2 := tau, tau*v1
	r1 = r1[:len(r0)]
	for j, x := range r0 {
		sum := x + v1*r1[j]
		r0[j] = x - sum*t1
		r1[j] -= sum * t2
	}
}

func reflectCols2(a []float64, lda, lo, hi, c int, v1, tau float64) {
	t1, t2 := tau, tau*v1
	for j := lo; j <= hi; j++ {
		r := a[j*lda+c : j*lda+c+2 : j*lda+c+2]
		sum := r[0] + v1*r[1]
		r[0] -= sum * t1
		r[1] -= sum * t2
	}
}

// lacpy copies the m×n matrix a (stride lda) to b (stride ldb), a row at a
// time with copy (gonum's Dlacpy copies element by element, and the
// multishift sweeps copy every product back into H).
func lacpy(m, n int, a []float64, lda int, b []float64, ldb int) {
	for i := 0; i < m; i++ {
		copy(b[i*ldb:i*ldb+n], a[i*lda:i*lda+n])
	}
}
