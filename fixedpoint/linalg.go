package fixedpoint

import (
	"math"

	"gonum.org/v1/gonum/blas/blas64"
)

// normInf returns max_i |x_i|, or NaN when x holds a NaN. It takes the
// maximum of the bit patterns of |x_i|, which order as the values do for
// non-negative floats, and above +Inf's are exactly the NaNs: a loop
// without branches on the data.
func normInf(x []float64) float64 {
	var m0, m1 uint64
	i := 0
	for ; i+2 <= len(x); i += 2 {
		m0 = max(m0, math.Float64bits(x[i])&^signBit)
		m1 = max(m1, math.Float64bits(x[i+1])&^signBit)
	}
	if i < len(x) {
		m0 = max(m0, math.Float64bits(x[i])&^signBit)
	}
	m := max(m0, m1)
	if m > infBits {
		return math.NaN()
	}
	return math.Float64frombits(m)
}

const (
	signBit = 1 << 63
	infBits = 0x7ff0000000000000 // the bits of +Inf
)

func dot(x, y []float64) float64 {
	return blas64.Implementation().Ddot(len(x), x, 1, y, 1)
}

// norm2 returns the Euclidean norm of x: the square root of a plain sum of
// squares (dotPlain's four accumulators), or gonum's scaled Dnrm2 when that sum
// overflows, underflows towards the subnormals, is 0 or is NaN. The scaled
// algorithm divides by the running maximum at every element and took a
// tenth of the speed phase's time at N = 200; the plain sum is as accurate
// wherever it neither overflows nor underflows.
func norm2(x []float64) float64 {
	if s := dotPlain(x, x); s >= minSumSquares && s <= math.MaxFloat64 {
		return math.Sqrt(s)
	}
	return norm2Scaled(x)
}

// norm2Scaled is gonum's Dnrm2: a sum of squares scaled by the running
// maximum, safe from overflow without a second pass. The hooksteps
// (hookstep.go) take their norms with it: there it costs nothing next to
// the products J v, and the paths of matrix-free runs from chaotic states
// depend on the last bits of their Krylov bases (with norm2 there, the
// chaotic N = 200 network's matrix-free run ended on 35 slow points
// instead of 38, the same 13 fixed points).
func norm2Scaled(x []float64) float64 { return blas64.Implementation().Dnrm2(len(x), x, 1) }

// minSumSquares is the smallest sum of squares norm2 takes as it is: above
// it, squares that underflowed change the sum by less than a rounding
// error whatever the length (2^-1074 per element against 2^-52 of at
// least 2^-900).
const minSumSquares = 0x1p-900

// distInf returns max_i |a_i - b_i|, stopping early once it exceeds limit.
func distInf(a, b []float64, limit float64) float64 {
	var m float64
	for i, v := range a {
		d := math.Abs(v - b[i])
		if d > m {
			m = d
			if m > limit {
				return m
			}
		}
	}
	return m
}

// same reports whether a and b are the same point: max_i |a_i - b_i| <=
// tol * max(1, |a|_inf, |b|_inf).
func same(a, b []float64, na, nb, tol float64) bool {
	lim := tol * math.Max(1, math.Max(na, nb))
	return distInf(a, b, lim) <= lim
}
