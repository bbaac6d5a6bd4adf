package kernel

// useAsm is true when the CPU and the operating system support AVX2 and FMA.
// Tests switch it off to check the pure-Go kernel.
var useAsm = hasAVX2FMA()

func hasAVX2FMA() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
	)
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	// The OS saves the XMM and YMM state (XCR0 bits 1 and 2).
	if eax, _ := xgetbv(); eax&6 != 6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const avx2 = 1 << 5
	return ebx7&avx2 != 0
}

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

// gemvAVX2 sets y[i] = (A x)[i] (+ y[i] when add) for rows >= 1 rows and
// cols >= 1 columns; lda is in elements.
//
//go:noescape
func gemvAVX2(y, a *float64, lda int, x *float64, rows, cols int, add bool)

// gemv2AVX2 is gemvAVX2 for two vectors, on an even number of rows.
//
//go:noescape
func gemv2AVX2(y1, y2, a *float64, lda int, x1, x2 *float64, rows, cols int, add bool)

func gemv(y, a []float64, lda int, x []float64, rows, cols int, add bool) {
	if !useAsm {
		gemvGo(y, a, lda, x, rows, cols, add)
		return
	}
	gemvAVX2(&y[0], &a[0], lda, &x[0], rows, cols, add)
}

func gemv2(y1, y2, a []float64, lda int, x1, x2 []float64, rows, cols int, add bool) {
	if !useAsm {
		gemv2Go(y1, y2, a, lda, x1, x2, rows, cols, add)
		return
	}
	even := rows &^ 1
	if even > 0 {
		gemv2AVX2(&y1[0], &y2[0], &a[0], lda, &x1[0], &x2[0], even, cols, add)
	}
	if even < rows {
		last := a[even*lda:]
		gemvAVX2(&y1[even], &last[0], lda, &x1[0], 1, cols, add)
		gemvAVX2(&y2[even], &last[0], lda, &x2[0], 1, cols, add)
	}
}

// gemvTAVX2 sets y[j] += sum_i x[i] A[i,j] (a chain of FMAs in row order)
// for rows >= 1 and cols >= 1; lda is in elements.
//
//go:noescape
func gemvTAVX2(y, a *float64, lda int, x *float64, rows, cols int)

func gemvT(y, a []float64, lda int, x []float64, rows, cols int) {
	if !useAsm {
		gemvTGo(y, a, lda, x, rows, cols)
		return
	}
	gemvTAVX2(&y[0], &a[0], lda, &x[0], rows, cols)
}

// gemm4x8AVX2 adds A B to four rows of C: A is 4 x k, B k x cols, cols a
// positive multiple of 8 and k >= 1; strides are in elements.
//
//go:noescape
func gemm4x8AVX2(c *float64, ldc int, a *float64, lda int, b *float64, ldb int, k, cols int)

func gemm4(c []float64, ldc int, a []float64, lda int, b []float64, ldb int, k, cols int) {
	if !useAsm {
		gemmGo(4, cols, k, a, lda, b, ldb, c, ldc)
		return
	}
	gemm4x8AVX2(&c[0], ldc, &a[0], lda, &b[0], ldb, k, cols)
}

// useAVX512 is true when the CPU and the operating system support AVX-512F
// (with the ZMM state saved) and the AVX2 kernels are in use.
var useAVX512 = useAsm && hasAVX512()

func hasAVX512() bool {
	_, ebx7, _, _ := cpuid(7, 0)
	const avx512f = 1 << 16
	if ebx7&avx512f == 0 {
		return false
	}
	// XCR0: SSE, AVX, opmask, ZMM_Hi256 and Hi16_ZMM state.
	eax, _ := xgetbv()
	return eax&0xe6 == 0xe6
}

// gemm8x16AVX512 adds A B to eight rows of C: A is 8 x k, B k x cols, cols
// a positive multiple of 16 and k >= 1; strides are in elements.
//
// While it computes, it prefetches pfn cache lines into L2, one per step
// of k: rows of pfrow bytes pfskip bytes apart, from pf, the first row
// pfleft bytes long.
//
//go:noescape
func gemm8x16AVX512(c *float64, ldc int, a *float64, lda int, b *float64, ldb int, k, cols int, pf *float64, pfrow, pfskip, pfn, pfleft int)

// gemm8 adds A B to eight rows of C over the first cols &^ 15 columns and
// returns that count, or returns 0 without AVX-512. It prefetches the
// lines of pf while it computes.
func gemm8(c []float64, ldc int, a []float64, lda int, b []float64, ldb int, k, cols int, pf lines) int {
	n16 := cols &^ 15
	if !useAVX512 || !useAsm || n16 == 0 {
		return 0
	}
	p := &b[0] // any valid address when there is nothing to prefetch
	if pf.n > 0 {
		p = &pf.b[pf.start]
	}
	gemm8x16AVX512(&c[0], ldc, &a[0], lda, &b[0], ldb, k, n16, p, pf.row, pf.skip, pf.n, pf.left)
	return n16
}

// tanhAVX2 is Tanh's loop on n elements, n a multiple of 4.
//
//go:noescape
func tanhAVX2(dst, src *float64, n int)

// traceRowsAVX2 is TraceSGDDotRows on rows >= 1 rows, with nt elements of
// a tail after each row's n (nt may be 0, tz, tt and learn then any valid
// addresses).
//
//go:noescape
func traceRowsAVX2(p *float64, ldp int, theta *float64, ldt int, z, x *float64, n, rows int, decay float64, s, f *float64, lr float64, dots *float64, tz *float64, nt int, tt *float64, ldtt int, learn *bool)

// descendOuterAVX2 is one row of DescendOuter on n elements, n a multiple
// of 4.
//
//go:noescape
func descendOuterAVX2(a *float64, xi float64, y *float64, n int, lr float64)
