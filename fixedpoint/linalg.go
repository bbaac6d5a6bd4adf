package fixedpoint

import (
	"math"

	"gonum.org/v1/gonum/blas/blas64"
)

// normInf returns max_i |x_i|, or NaN when x holds a NaN.
func normInf(x []float64) float64 {
	var m float64
	for _, v := range x {
		a := math.Abs(v)
		if a > m {
			m = a
		} else if a != a {
			return math.NaN()
		}
	}
	return m
}

func dot(x, y []float64) float64 {
	return blas64.Implementation().Ddot(len(x), x, 1, y, 1)
}

func norm2(x []float64) float64 { return blas64.Implementation().Dnrm2(len(x), x, 1) }

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
