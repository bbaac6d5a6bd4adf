//go:build !amd64

package kernel

var useAsm = false

// useAVX512 is false: the eight-row tile exists on amd64 only.
var useAVX512 = false

func gemv(y, a []float64, lda int, x []float64, rows, cols int, add bool) {
	gemvGo(y, a, lda, x, rows, cols, add)
}

func gemv2(y1, y2, a []float64, lda int, x1, x2 []float64, rows, cols int, add bool) {
	gemv2Go(y1, y2, a, lda, x1, x2, rows, cols, add)
}

func gemvT(y, a []float64, lda int, x []float64, rows, cols int) {
	gemvTGo(y, a, lda, x, rows, cols)
}

func gemm4(c []float64, ldc int, a []float64, lda int, b []float64, ldb int, k, cols int) {
	gemmGo(4, cols, k, a, lda, b, ldb, c, ldc)
}

func gemm8(c []float64, ldc int, a []float64, lda int, b []float64, ldb int, k, cols int, pf lines) int {
	return 0
}

func tanhAVX2(dst, src *float64, n int) {
	panic("kernel: no assembly on this architecture")
}

func traceRowsAVX2(p *float64, ldp int, theta *float64, ldt int, z, x *float64, n, rows int, decay float64, s, f *float64, lr float64, dots *float64, tz *float64, nt int, tt *float64, ldtt int, learn *bool) {
	panic("kernel: no assembly on this architecture")
}

func descendOuterAVX2(a *float64, xi float64, y *float64, n int, lr float64) {
	panic("kernel: no assembly on this architecture")
}
