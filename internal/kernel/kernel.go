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

// nonNegative panics if a dimension is negative.
func nonNegative(dims ...int) {
	for _, d := range dims {
		if d < 0 {
			panic("kernel: negative dimension")
		}
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

// gemvGo is the pure-Go kernel: rows two at a time, each summed by dot2.
func gemvGo(y, a []float64, lda int, x []float64, rows, cols int, add bool) {
	x = x[:cols]
	i := 0
	for ; i+2 <= rows; i += 2 {
		s0, s1 := dot2(a[i*lda:i*lda+cols], x, a[(i+1)*lda:(i+1)*lda+cols], x)
		if add {
			s0 += y[i]
			s1 += y[i+1]
		}
		y[i], y[i+1] = s0, s1
	}
	if i < rows {
		s0 := dot(a[i*lda:i*lda+cols], x)
		if add {
			s0 += y[i]
		}
		y[i] = s0
	}
}

// gemv2Go is the pure-Go dual kernel: one pass over A, each row summed by
// dot2 as gemvGo sums it, so its results are bit-identical to two gemvGo
// calls.
func gemv2Go(y1, y2, a []float64, lda int, x1, x2 []float64, rows, cols int, add bool) {
	x1, x2 = x1[:cols], x2[:cols]
	for i := range rows {
		r := a[i*lda : i*lda+cols]
		s, t := dot2(r, x1, r, x2)
		if add {
			s += y1[i]
			t += y2[i]
		}
		y1[i], y2[i] = s, t
	}
}

// dot2 returns a.x and b.y, all four of the same length, each summed in the
// fixed order of the pure-Go kernels: four partial sums over blocks of four
// elements, combined as (s0+s2)+(s1+s3), then the remaining elements in
// turn. The two sums share one loop, so a common operand (the same x for
// two rows, the same row for two vectors) is read once from cache.
func dot2(a, x, b, y []float64) (s, t float64) {
	n := len(x)
	a, b, y = a[:n], b[:n], y[:n]
	var s0, s1, s2, s3, t0, t1, t2, t3 float64
	j := 0
	for ; j+4 <= n; j += 4 {
		aj, xj := a[j:j+4:j+4], x[j:j+4:j+4]
		bj, yj := b[j:j+4:j+4], y[j:j+4:j+4]
		s0 += aj[0] * xj[0]
		s1 += aj[1] * xj[1]
		s2 += aj[2] * xj[2]
		s3 += aj[3] * xj[3]
		t0 += bj[0] * yj[0]
		t1 += bj[1] * yj[1]
		t2 += bj[2] * yj[2]
		t3 += bj[3] * yj[3]
	}
	s, t = (s0+s2)+(s1+s3), (t0+t2)+(t1+t3)
	for ; j < n; j++ {
		s += a[j] * x[j]
		t += b[j] * y[j]
	}
	return s, t
}

// dot returns a.x, summed in the order of dot2.
func dot(a, x []float64) float64 {
	n := len(x)
	a = a[:n]
	var s0, s1, s2, s3 float64
	j := 0
	for ; j+4 <= n; j += 4 {
		aj, xj := a[j:j+4:j+4], x[j:j+4:j+4]
		s0 += aj[0] * xj[0]
		s1 += aj[1] * xj[1]
		s2 += aj[2] * xj[2]
		s3 += aj[3] * xj[3]
	}
	s := (s0 + s2) + (s1 + s3)
	for ; j < n; j++ {
		s += a[j] * x[j]
	}
	return s
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
