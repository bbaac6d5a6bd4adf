package kernel

import "math"

// Tanh sets dst[i] = tanh(src[i]) for every element (dst may be src): the
// hyperbolic tangent of a layer of units at once, four lanes at a time
// with AVX2 and FMA (about four times as fast as a loop of math.Tanh).
//
// Its values are math.Tanh's formulas evaluated in the same order and
// rounded the same way, vectorised: Cephes' rational approximation below
// |x| = 0.625, 1 - 2/(exp(2|x|)+1) above it with the exponential of
// math's amd64 assembly (its FMA path), +-1 beyond |x| = 44.01, and x
// itself at +-0 and NaN. So on amd64 with the default GOAMD64 level the
// bits are math.Tanh's (TestTanh checks it), whichever path runs: the
// assembly, or per element [tanhGo], which is also the fallback and the
// tail. Built with GOAMD64=v3 or on other architectures, the compiler may
// fuse the multiply-adds inside math.Tanh, which may then differ from
// Tanh in the last bit; Tanh itself gives the same bits on every path.
func Tanh(dst, src []float64) {
	n := len(src)
	if len(dst) != n {
		panic("kernel: Tanh: slices of different lengths")
	}
	q := 0
	if useAsm {
		if q = n &^ 3; q > 0 {
			tanhAVX2(&dst[0], &src[0], q)
		}
	}
	for i := q; i < n; i++ {
		dst[i] = tanhGo(src[i])
	}
}

// tanhSat is half of math's MAXLOG = log(2^127): beyond it tanh is +-1.
const tanhSat = 0.5 * 8.8029691931113054295988e+01

// tanhGo is math's tanh.go with every product and quotient rounded on its
// own (explicit conversions forbid the compiler's fused multiply-adds), so
// that tanhAVX2 can reproduce it lane by lane.
func tanhGo(x float64) float64 {
	const (
		p0, p1, p2 = -9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3
		q0, q1, q2 = 1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3
	)
	z := math.Abs(x)
	switch {
	case z > tanhSat:
		if x < 0 {
			return -1
		}
		return 1
	case z >= 0.625:
		s := math.Exp(2 * z)
		z = 1 - float64(2/(s+1))
		if x < 0 {
			z = -z
		}
		return z
	case x == 0:
		return x
	}
	s := float64(x * x)
	p := float64(float64(float64(float64(p0*s)+p1)*s) + p2)
	q := float64(float64(float64(float64(float64(s+q0)*s)+q1)*s) + q2)
	return x + float64(float64(float64(x*s)*p)/q)
}
