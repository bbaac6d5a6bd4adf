package kernel

import "math"

// Reflect3 applies the Householder reflector H = I - tau w w^T, w = (1, v1,
// v2), from the left to the three rows r0, r1, r2 of a matrix (r1 and r2 at
// least as long as r0): for every column j,
//
//	s = fma(v2, r2[j], fma(v1, r1[j], r0[j]))
//	r0[j] = fma(-tau, s, r0[j])
//	r1[j] = fma(-(tau v1), s, r1[j])
//	r2[j] = fma(-(tau v2), s, r2[j])
//
// the update of the double-shift and multishift QR sweeps (LAPACK's DLAHQR
// and DLAQR5), which chase bulges of 3×3 reflectors along a Hessenberg
// matrix. With AVX2 and FMA, four columns at a time; every column gets the
// same fused operations whatever its position, so the result does not depend
// on how the rows are split. Without them, a pure-Go loop without fused
// operations (deterministic too, different in the last bits).
func Reflect3(r0, r1, r2 []float64, v1, v2, tau float64) {
	n := len(r0)
	r1 = r1[:n]
	r2 = r2[:n]
	t1, t2 := tau*v1, tau*v2
	if !useAsm {
		for j, x := range r0 {
			s := x + v1*r1[j] + v2*r2[j]
			r0[j] = x - s*tau
			r1[j] -= s * t1
			r2[j] -= s * t2
		}
		return
	}
	n4 := n &^ 3
	if n4 > 0 {
		reflect3AVX2(&r0[0], &r1[0], &r2[0], n4, v1, v2, tau, t1, t2)
	}
	for j := n4; j < n; j++ {
		s := math.FMA(v2, r2[j], math.FMA(v1, r1[j], r0[j]))
		r0[j] = math.FMA(-tau, s, r0[j])
		r1[j] = math.FMA(-t1, s, r1[j])
		r2[j] = math.FMA(-t2, s, r2[j])
	}
}
