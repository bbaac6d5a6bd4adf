package kernel

import "math"

// GemvT computes y = beta y + A^T x, where A is the len(x) x len(y) matrix
// stored row-major in a with stride lda: A[i,j] = a[i*lda+j]. It reads A
// row by row (the transposed product of a row-major matrix), four rows at a
// time, so y is loaded and stored once per four rows. When beta is zero y is
// not read, as in BLAS. Each y[j] is the chain of fused multiply-adds
//
//	y[j] = fma(x[m-1], A[m-1,j], ... fma(x[1], A[1,j], fma(x[0], A[0,j], beta y[j]))),
//
// with m = len(x), on both the assembly and the pure-Go path (math.FMA), so
// the results are bit-identical on every path, and a product computed in
// blocks of rows (the later blocks with beta = 1) or of columns is
// bit-identical to the whole one. It panics if lda < len(y) (for more than
// one row) or a is too short. x and y must not overlap.
func GemvT(y []float64, beta float64, a []float64, lda int, x []float64) {
	rows, cols := len(x), len(y)
	check(rows, cols, a, lda)
	if cols == 0 {
		return
	}
	prepare(y, beta)
	if rows == 0 {
		return
	}
	gemvT(y, a, lda, x, rows, cols)
}

// gemvTGo is the pure-Go transposed kernel: rows four at a time, each y[j]
// updated by a chain of math.FMA in row order.
func gemvTGo(y, a []float64, lda int, x []float64, rows, cols int) {
	y = y[:cols]
	i := 0
	for ; i+4 <= rows; i += 4 {
		w0, w1, w2, w3 := x[i], x[i+1], x[i+2], x[i+3]
		r0 := a[i*lda : i*lda+cols]
		r1 := a[(i+1)*lda : (i+1)*lda+cols]
		r2 := a[(i+2)*lda : (i+2)*lda+cols]
		r3 := a[(i+3)*lda : (i+3)*lda+cols]
		for j, t := range y {
			t = math.FMA(w0, r0[j], t)
			t = math.FMA(w1, r1[j], t)
			t = math.FMA(w2, r2[j], t)
			y[j] = math.FMA(w3, r3[j], t)
		}
	}
	for ; i < rows; i++ {
		w := x[i]
		r := a[i*lda : i*lda+cols]
		for j, t := range y {
			y[j] = math.FMA(w, r[j], t)
		}
	}
}
