package certify

import "math"

// The rounding argument (see the package doc): every float64 operation
// (+, -, *, /) is correctly rounded to nearest, so its exact result lies
// within half an ulp of the computed one, and one step to the adjacent
// float64 on the side wanted (math.Nextafter's result, taken here on the
// bits) reaches a float64 on the far side of the exact result. down and up take that step: down(fl(a op b))
// <= a op b <= up(fl(a op b)), also in the subnormal range (where the
// error is at most eta/2 and the step is eta) and at overflow (up of +Inf
// is +Inf).

const (
	// unit is the unit roundoff u = 2^-53 of float64.
	unit = 0x1p-53
	// eta is the smallest positive subnormal float64: the absolute error
	// bound of a product that underflows.
	eta = 0x1p-1074
)

// down returns the float64 below x: a lower bound of the exact value
// whose rounding x is.
func down(x float64) float64 {
	switch {
	case x > 0:
		return math.Float64frombits(math.Float64bits(x) - 1) // +Inf: MaxFloat64
	case x < 0:
		if math.IsInf(x, -1) {
			return x
		}
		return math.Float64frombits(math.Float64bits(x) + 1)
	case x == 0:
		return -eta
	}
	return x // NaN
}

// up returns the float64 above x: an upper bound of the exact value whose
// rounding x is.
func up(x float64) float64 {
	switch {
	case x < 0:
		return math.Float64frombits(math.Float64bits(x) - 1) // -Inf: -MaxFloat64
	case x > 0:
		if math.IsInf(x, 1) {
			return x
		}
		return math.Float64frombits(math.Float64bits(x) + 1)
	case x == 0:
		return eta
	}
	return x // NaN
}

// gamma returns an upper bound of Higham's gamma_n = n u / (1 - n u), the
// relative error bound of an n-term sum of products computed in any order
// (with or without fused multiply-adds): |fl(x^T y) - x^T y| <= gamma_n
// |x|^T |y| + n eta, the n eta for products that underflow.
func gamma(n int) float64 {
	nu := float64(n) * unit // exact: n < 2^53 times a power of two
	return up(nu / down(1-nu))
}

// Interval is the closed interval [Lo, Hi] of the real line.
type Interval struct{ Lo, Hi float64 }

// Mid returns the float64 nearest the centre of x (for finite ends).
func (x Interval) Mid() float64 { return x.Lo + (x.Hi-x.Lo)/2 }

// Width returns an upper bound of Hi - Lo.
func (x Interval) Width() float64 { return up(x.Hi - x.Lo) }

// Contains reports whether v lies in x.
func (x Interval) Contains(v float64) bool { return x.Lo <= v && v <= x.Hi }

// midRad returns a centre m and a radius r with [lo, hi] inside [m - r,
// m + r] (the radius rounded up).
func midRad(lo, hi float64) (m, r float64) {
	m = lo + (hi-lo)/2
	r = max(up(hi-m), up(m-lo))
	return m, r
}

// absMatVecUp writes into dst an upper bound of |A| v for the n x m
// row-major A and the non-negative v (an upper bound itself): the sum
// computed to nearest, s, is within gamma_m S + m eta of the exact S >= 0,
// so S <= s / (1 - gamma_m) + m eta <= s (1 + 2 gamma_m) + m eta for
// gamma_m <= 1/2.
func absMatVecUp(dst []float64, a []float64, n, m int, v []float64) {
	f := up(1 + 2*gamma(m))
	slack := float64(m) * eta
	for i := range n {
		row := a[i*m : i*m+m]
		var s float64
		for j, x := range row {
			s += math.Abs(x) * v[j]
		}
		dst[i] = up(up(s*f) + slack)
	}
}

// mulUp returns an upper bound of a b for non-negative a and b.
func mulUp(a, b float64) float64 { return up(a * b) }

// addUp returns an upper bound of a + b.
func addUp(a, b float64) float64 { return up(a + b) }
