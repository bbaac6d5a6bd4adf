package kernel

// TraceSGD advances an eligibility trace and applies its plain
// gradient-descent update in one pass, element by element:
//
//	p[q]     = decay*p[q] + s*z[q]
//	theta[q] = theta[q] - lr*(f*p[q])
//
// (the row of RFLO's traces of one unit, with its synapses' weights, in
// package train). Each operation is rounded on its own, without fused
// multiply-adds (the Go path's conversions forbid fusing), so the AVX2 path (four elements at a time) and the
// pure-Go path give the same bits as the scalar expressions above. p,
// theta and z must have the same length and not overlap.
func TraceSGD(p, theta, z []float64, decay, s, f, lr float64) {
	n := len(p)
	if len(theta) != n || len(z) != n {
		panic("kernel: TraceSGD: slices of different lengths")
	}
	q := 0
	if useAsm && n >= 4 {
		q = n &^ 3
		traceSGDAVX2(&p[0], &theta[0], &z[0], q, decay, s, f, lr)
	}
	traceSGDGo(p[q:], theta[q:n], z[q:n], decay, s, f, lr)
}

func traceSGDGo(p, theta, z []float64, decay, s, f, lr float64) {
	theta, z = theta[:len(p)], z[:len(p)]
	for q, pq := range p {
		// The conversions round each product (no fused multiply-add).
		v := float64(decay*pq) + float64(s*z[q])
		p[q] = v
		theta[q] -= float64(lr * float64(f*v))
	}
}
