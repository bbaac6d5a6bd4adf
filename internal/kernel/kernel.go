package kernel

import "sync"

const (
	badStride = "kernel: stride smaller than the number of columns"
	badLen    = "kernel: matrix slice too short"
	badVecs   = "kernel: vector length mismatch"
)

// HasAVX2 reports whether the assembly kernel (AVX2 and FMA on amd64) is in
// use; when false, the pure-Go loop is.
func HasAVX2() bool { return useAsm }

// Gemv computes y = beta y + A x, where A is the len(y) x len(x) matrix
// stored row-major in a with stride lda: A[i,j] = a[i*lda+j]. When beta is
// zero y is not read (a NaN in y does not propagate), as in BLAS. It panics
// if lda < len(x) (for more than one row) or a is too short. x and y must
// not overlap.
func Gemv(y []float64, beta float64, a []float64, lda int, x []float64) {
	rows, cols := len(y), len(x)
	check(rows, cols, a, lda)
	if rows == 0 {
		return
	}
	add := prepare(y, beta)
	if cols == 0 {
		return
	}
	gemv(y, a, lda, x, rows, cols, add)
}

// Gemv2 computes y1 = beta y1 + A x1 and y2 = beta y2 + A x2 in one pass
// over A, which is len(y1) x len(x1), stored as for [Gemv]. y1 and y2 must
// have the same length, x1 and x2 too. The results are bit-identical to
// those of two [Gemv] calls. It panics as [Gemv] does, and when the lengths
// differ. No output may overlap an input or the other output.
func Gemv2(y1, y2 []float64, beta float64, a []float64, lda int, x1, x2 []float64) {
	rows, cols := len(y1), len(x1)
	if len(y2) != rows || len(x2) != cols {
		panic(badVecs)
	}
	check(rows, cols, a, lda)
	if rows == 0 {
		return
	}
	add := prepare(y1, beta)
	prepare(y2, beta)
	if cols == 0 {
		return
	}
	gemv2(y1, y2, a, lda, x1, x2, rows, cols, add)
}

func check(rows, cols int, a []float64, lda int) {
	if rows > 1 && lda < cols || lda < 0 {
		panic(badStride)
	}
	if rows > 0 && len(a) < (rows-1)*lda+cols {
		panic(badLen)
	}
}

// prepare scales y by beta and reports whether the product is to be added
// to y (false: y is overwritten).
func prepare(y []float64, beta float64) (add bool) {
	switch beta {
	case 0:
		if len(y) > 0 {
			// With no columns the product is zero.
			clear(y)
		}
		return false
	case 1:
		return true
	}
	for i := range y {
		y[i] *= beta
	}
	return true
}

// gemvGo is the pure-Go kernel: rows two at a time, four accumulators per
// row, in a fixed order.
func gemvGo(y, a []float64, lda int, x []float64, rows, cols int, add bool) {
	x = x[:cols]
	i := 0
	for ; i+2 <= rows; i += 2 {
		r0 := a[i*lda : i*lda+cols]
		r1 := a[(i+1)*lda : (i+1)*lda+cols]
		var s00, s01, s02, s03, s10, s11, s12, s13 float64
		j := 0
		for ; j+4 <= cols; j += 4 {
			xj := x[j : j+4 : j+4]
			a0 := r0[j : j+4 : j+4]
			a1 := r1[j : j+4 : j+4]
			s00 += a0[0] * xj[0]
			s01 += a0[1] * xj[1]
			s02 += a0[2] * xj[2]
			s03 += a0[3] * xj[3]
			s10 += a1[0] * xj[0]
			s11 += a1[1] * xj[1]
			s12 += a1[2] * xj[2]
			s13 += a1[3] * xj[3]
		}
		s0, s1 := (s00+s02)+(s01+s03), (s10+s12)+(s11+s13)
		for ; j < cols; j++ {
			s0 += r0[j] * x[j]
			s1 += r1[j] * x[j]
		}
		if add {
			s0 += y[i]
			s1 += y[i+1]
		}
		y[i], y[i+1] = s0, s1
	}
	if i < rows {
		r0 := a[i*lda : i*lda+cols]
		var s00, s01, s02, s03 float64
		j := 0
		for ; j+4 <= cols; j += 4 {
			xj := x[j : j+4 : j+4]
			a0 := r0[j : j+4 : j+4]
			s00 += a0[0] * xj[0]
			s01 += a0[1] * xj[1]
			s02 += a0[2] * xj[2]
			s03 += a0[3] * xj[3]
		}
		s0 := (s00 + s02) + (s01 + s03)
		for ; j < cols; j++ {
			s0 += r0[j] * x[j]
		}
		if add {
			s0 += y[i]
		}
		y[i] = s0
	}
}

// gemv2Go is the pure-Go dual kernel: one pass over A, each row summed in
// the order of gemvGo, so its results are bit-identical to two gemvGo calls.
func gemv2Go(y1, y2, a []float64, lda int, x1, x2 []float64, rows, cols int, add bool) {
	x1, x2 = x1[:cols], x2[:cols]
	for i := range rows {
		r := a[i*lda : i*lda+cols]
		var p0, p1, p2, p3, q0, q1, q2, q3 float64
		j := 0
		for ; j+4 <= cols; j += 4 {
			aj := r[j : j+4 : j+4]
			u := x1[j : j+4 : j+4]
			v := x2[j : j+4 : j+4]
			p0 += aj[0] * u[0]
			p1 += aj[1] * u[1]
			p2 += aj[2] * u[2]
			p3 += aj[3] * u[3]
			q0 += aj[0] * v[0]
			q1 += aj[1] * v[1]
			q2 += aj[2] * v[2]
			q3 += aj[3] * v[3]
		}
		s, t := (p0+p2)+(p1+p3), (q0+q2)+(q1+q3)
		for ; j < cols; j++ {
			s += r[j] * x1[j]
			t += r[j] * x2[j]
		}
		if add {
			s += y1[i]
			t += y2[i]
		}
		y1[i], y2[i] = s, t
	}
}

// ForRows calls fn(r) for every r < k, the rows split between par
// goroutines in contiguous ranges (the per-row work of a batch of states);
// fn(r) must touch only what belongs to row r. With par <= 1 or fewer than
// two rows it runs on the calling goroutine.
func ForRows(k, par int, fn func(r int)) {
	if par <= 1 || k < 2 {
		for r := range k {
			fn(r)
		}
		return
	}
	var wg sync.WaitGroup
	per := (k + par - 1) / par
	for r0 := 0; r0 < k; r0 += per {
		wg.Go(func() {
			for r := r0; r < min(r0+per, k); r++ {
				fn(r)
			}
		})
	}
	wg.Wait()
}
