package kernel

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
	dots := []float64{0}
	TraceSGDDotRows(p, n, theta, n, z, x, decay, []float64{s}, []float64{f}, lr, dots, nil)
	return dots[0]
}

// TraceSGDDotRows is TraceSGDDot on rows of traces and weights: row r of p
// (at r*ldp, n = len(z) elements) and of theta (at r*ldt) advances with
// s[r] and f[r], and dots[r] is set to its new theta row's product with x;
// one call for a block of rows. With tail non-nil, each row of p goes on
// past its n elements with the tail's (see [TraceTail]).
func TraceSGDDotRows(p []float64, ldp int, theta []float64, ldt int, z, x []float64, decay float64, s, f []float64, lr float64, dots []float64, tail *TraceTail) {
	n, rows := len(z), len(s)
	nt := 0
	if tail != nil {
		nt = len(tail.Z)
		if len(tail.Learn) != nt || tail.LD < nt {
			panic("kernel: TraceSGDDotRows: a tail of different lengths")
		}
	}
	if len(x) != n || len(f) != rows || len(dots) != rows || ldp < n+nt || ldt < n {
		panic("kernel: TraceSGDDotRows: slices of different lengths")
	}
	if rows == 0 {
		return
	}
	if n+nt == 0 {
		clear(dots) // empty rows: sums of nothing
		return
	}
	if len(p) < (rows-1)*ldp+n+nt || len(theta) < (rows-1)*ldt+n || nt > 0 && len(tail.Theta) < (rows-1)*tail.LD+nt {
		panic(badLen)
	}
	if !useAsm {
		for r := range rows {
			pr := p[r*ldp : r*ldp+n+nt]
			dots[r] = TraceSGDDot(pr[:n], theta[r*ldt:r*ldt+n], z, x, decay, s[r], f[r], lr)
			if nt > 0 {
				tail.advance(pr[n:], tail.Theta[r*tail.LD:r*tail.LD+nt], decay, s[r], f[r], lr)
			}
		}
		return
	}
	// Valid addresses for what the kernel does not read.
	var none bool
	zp, xp, thp, tz, tt, learn := &p[0], &p[0], &p[0], &p[0], &p[0], &none
	if n > 0 {
		zp, xp, thp = &z[0], &x[0], &theta[0]
	}
	ldtt := 0
	if nt > 0 {
		tz, tt, learn, ldtt = &tail.Z[0], &tail.Theta[0], &tail.Learn[0], tail.LD
	}
	traceRowsAVX2(&p[0], ldp, thp, ldt, zp, xp, n, rows, decay, &s[0], &f[0], lr, &dots[0], tz, nt, tt, ldtt, learn)
}

// TraceTail is the rest of each row of traces in [TraceSGDDotRows], past
// its first n elements: len(Z) more elements of the row of p, advanced
// with the inputs Z (the same for every row) as the first n are, and their
// weights, row r's at Theta[r*LD:], changed where Learn is set (the traces
// advance in any case). They take no part in the sums. Online RFLO's
// inputs and bias: Z = [x(t); 1], Theta the rows' [W_in | b].
type TraceTail struct {
	Z     []float64
	Theta []float64
	LD    int
	Learn []bool
}

// advance is the tail of one row in pure Go: p and theta its elements.
func (t *TraceTail) advance(p, theta []float64, decay, s, f, lr float64) {
	for q, zq := range t.Z {
		v := float64(decay*p[q]) + float64(s*zq)
		p[q] = v
		if t.Learn[q] {
			theta[q] -= float64(lr * float64(f*v))
		}
	}
}

// DescendOuter takes a gradient-descent step on A (len(x) rows of len(y),
// row-major with stride lda) along the outer product x y^T:
//
//	A[i,j] = A[i,j] - lr*(x[i]*y[j])
//
// each product rounded on its own (as an optimizer's step lr*g on the
// gradient g = x y^T), leaving the rows with x[i] = 0 as they are: the
// delta rule's step on a readout (train's online RFLO, W_out).
func DescendOuter(a []float64, lda int, x, y []float64, lr float64) {
	n := len(y)
	if lda < n || len(x) > 0 && len(a) < (len(x)-1)*lda+n {
		panic(badLen)
	}
	for i, xi := range x {
		if xi == 0 {
			continue
		}
		row := a[i*lda : i*lda+n]
		q := 0
		if useAsm {
			if q = n &^ 3; q > 0 {
				descendOuterAVX2(&row[0], xi, &y[0], q, lr)
			}
		}
		for j := q; j < n; j++ {
			row[j] -= float64(lr * float64(xi*y[j]))
		}
	}
}
