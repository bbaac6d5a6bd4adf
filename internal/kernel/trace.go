package kernel

import "math"

// traceSGDGo is the pass's first two lines in pure Go.
func traceSGDGo(p, theta, z []float64, decay, s, f, lr float64) {
	theta, z = theta[:len(p)], z[:len(p)]
	for q, pq := range p {
		// The conversions round each product (no fused multiply-add).
		v := float64(decay*pq) + float64(s*z[q])
		p[q] = v
		theta[q] -= float64(lr * float64(f*v))
	}
}

// TraceSGDDot advances an eligibility trace, applies its plain
// gradient-descent update and returns the product of the new weights with
// x, in one pass, element by element:
//
//	p[q]     = decay*p[q] + s*z[q]
//	theta[q] = theta[q] - lr*(f*p[q])
//	sum      = sum of theta[q]*x[q]
//
// (a row of RFLO's traces of one unit with its synapses' weights, and the
// weights' product with the next state, in package train). The first two
// lines round each operation on its own, without fused multiply-adds, on
// the AVX2 path (sixteen elements at a time) and the pure-Go one alike,
// and the sum has the bits of Gemv's on theta as a one-row matrix: so the
// pass gives what the scalar expressions and a Gemv after them give. p,
// theta, z and x must have the same length, and p and theta overlap
// nothing.
func TraceSGDDot(p, theta, z, x []float64, decay, s, f, lr float64) float64 {
	n := len(p)
	if len(theta) != n || len(z) != n || len(x) != n {
		panic("kernel: TraceSGDDot: slices of different lengths")
	}
	if !useAsm {
		traceSGDGo(p, theta, z, decay, s, f, lr)
		return dot(theta, x)
	}
	q, sum := n&^3, 0.0
	if q > 0 {
		sum = traceSGDDotAVX2(&p[0], &theta[0], &z[0], &x[0], q, decay, s, f, lr)
	}
	traceSGDGo(p[q:], theta[q:n], z[q:n], decay, s, f, lr)
	for j := q; j < n; j++ {
		sum = math.FMA(x[j], theta[j], sum) // as gemvAVX2's tail
	}
	return sum
}

// TraceSGDDotRows is TraceSGDDot on rows of traces and weights: row r of p
// (at r*ldp, n = len(z) elements) and of theta (at r*ldt) advances with
// s[r] and f[r], and dots[r] is set to its new theta row's product with x;
// one call for a block of rows.
func TraceSGDDotRows(p []float64, ldp int, theta []float64, ldt int, z, x []float64, decay float64, s, f []float64, lr float64, dots []float64) {
	n, rows := len(z), len(s)
	if len(x) != n || len(f) != rows || len(dots) != rows || ldp < n || ldt < n {
		panic("kernel: TraceSGDDotRows: slices of different lengths")
	}
	if rows == 0 {
		return
	}
	if len(p) < (rows-1)*ldp+n || len(theta) < (rows-1)*ldt+n {
		panic(badLen)
	}
	q := n &^ 3
	if !useAsm || q == 0 {
		for r := range rows {
			dots[r] = TraceSGDDot(p[r*ldp:r*ldp+n], theta[r*ldt:r*ldt+n], z, x, decay, s[r], f[r], lr)
		}
		return
	}
	for r := range rows {
		pr, tr := p[r*ldp:r*ldp+n], theta[r*ldt:r*ldt+n]
		sum := traceSGDDotAVX2(&pr[0], &tr[0], &z[0], &x[0], q, decay, s[r], f[r], lr)
		if q < n {
			traceSGDGo(pr[q:], tr[q:], z[q:], decay, s[r], f[r], lr)
			for j := q; j < n; j++ {
				sum = math.FMA(x[j], tr[j], sum) // as gemvAVX2's tail
			}
		}
		dots[r] = sum
	}
}
