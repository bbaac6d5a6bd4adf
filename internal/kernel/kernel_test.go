package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// refDot returns sum_j a[j] x[j] computed with error-free products
// (math.FMA) and Neumaier's compensated summation of the products and their
// rounding errors, nearly exact, and sum_j |a[j] x[j]|.
func refDot(a, x []float64) (dot, abs float64) {
	var s, c float64
	add := func(v float64) {
		t := s + v
		if math.Abs(s) >= math.Abs(v) {
			c += (s - t) + v
		} else {
			c += (v - t) + s
		}
		s = t
	}
	for j := range x {
		p := a[j] * x[j]
		e := math.FMA(a[j], x[j], -p)
		add(p)
		add(e)
		abs += math.Abs(p)
	}
	return s + c, abs
}

// gamma is the bound gamma_n = n u / (1 - n u) of a dot product of length n
// (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., 3.1),
// plus two roundings for beta y, and never below 1e-14 relative.
func gamma(n int) float64 {
	const u = 0x1p-53
	g := float64(n+2) * u / (1 - float64(n+2)*u)
	return max(g, 1e-14)
}

// matrix returns a rows x cols matrix with stride lda whose stride padding
// and a tail after the last row hold NaN, so reading them shows; the
// returned slice ends at the last element of the matrix.
func matrix(rng *rand.Rand, rows, cols, lda int) []float64 {
	size := 0
	if rows > 0 {
		size = (rows-1)*lda + cols
	}
	buf := make([]float64, size+8)
	for i := range buf {
		buf[i] = math.NaN()
	}
	for i := range rows {
		for j := range cols {
			buf[i*lda+j] = rng.NormFloat64()
		}
	}
	return buf[:size]
}

func vector(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

// paths runs f with the assembly kernel (when the CPU has it) and with the
// pure-Go one.
func paths(t *testing.T, f func(t *testing.T)) {
	saved := useAsm
	defer func() { useAsm = saved }()
	if saved {
		t.Run("asm", f)
	} else {
		t.Log("no AVX2+FMA: testing the pure-Go kernel only")
	}
	useAsm = false
	t.Run("go", f)
}

// checkProduct calls Gemv (GemvT when trans) on a random rows x cols matrix
// A of stride lda and checks each entry of y against refDot on the row (the
// column) of A, and that x is left unchanged. With beta = 0, y starts as
// NaN, which must not be read.
func checkProduct(t *testing.T, rng *rand.Rand, rows, cols, lda int, beta float64, trans bool) {
	t.Helper()
	a := matrix(rng, rows, cols, lda)
	nx, ny := cols, rows
	if trans {
		nx, ny = rows, cols
	}
	x := vector(rng, nx)
	y0 := vector(rng, ny)
	y := append([]float64(nil), y0...)
	if beta == 0 {
		for i := range y {
			y[i] = math.NaN() // must not be read
		}
	}
	xs := append([]float64(nil), x...)
	if trans {
		GemvT(y, beta, a, lda, x)
	} else {
		Gemv(y, beta, a, lda, x)
	}
	for i := range ny {
		var line []float64
		if trans {
			line = column(a, lda, rows, i)
		} else {
			line = a[i*lda : i*lda+cols]
		}
		dot, abs := refDot(line, x)
		by := 0.0
		if beta != 0 {
			by = beta * y0[i]
		}
		want := dot + by
		if d := math.Abs(y[i] - want); !(d <= gamma(nx)*(abs+math.Abs(by))) {
			t.Fatalf("rows=%d cols=%d lda=%d beta=%v: y[%d] = %v, want %v (error %.3g of %.3g)",
				rows, cols, lda, beta, i, y[i], want, d, abs+math.Abs(by))
		}
	}
	for j := range x {
		if math.Float64bits(x[j]) != math.Float64bits(xs[j]) {
			t.Fatalf("x modified")
		}
	}
}

// checkSmallShapes runs checkProduct, in this order, on every row count
// given with 0 to 67 columns, strides cols + 0, 1, 3 and 8, and beta 0, 1
// and -0.75.
func checkSmallShapes(t *testing.T, rng *rand.Rand, rowCounts []int, trans bool) {
	t.Helper()
	for _, rows := range rowCounts {
		for cols := 0; cols <= 67; cols++ {
			for _, pad := range []int{0, 1, 3, 8} {
				for _, beta := range []float64{0, 1, -0.75} {
					checkProduct(t, rng, rows, cols, cols+pad, beta, trans)
				}
			}
		}
	}
}

// mustPanic checks that every call of cases panics.
func mustPanic(t *testing.T, cases map[string]func()) {
	t.Helper()
	for name, f := range cases {
		if !panics(f) {
			t.Errorf("%s: no panic", name)
		}
	}
}

// panics reports whether f panics.
func panics(f func()) (panicked bool) {
	defer func() { panicked = recover() != nil }()
	f()
	return false
}

func TestGemvShapes(t *testing.T) {
	paths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 0))
		checkSmallShapes(t, rng, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13}, false)
	})
}

// Gemv and GemvT on random shapes (GemvT's tall and wide in turn), with
// strides padded by up to 8 and beta 0, 1 or 2.5; then on long sums, whose
// error stays within gamma_n.
func TestRandomAndLongShapes(t *testing.T) {
	for _, c := range []struct {
		name             string
		trans            bool
		seed, longSeed   uint64
		maxRows, maxCols int
		// long is the shape of a product whose sums have n terms.
		long func(n int) (rows, cols, lda int)
	}{
		{"Gemv", false, 2, 3, 140, 700, func(n int) (int, int, int) { return 9, n, n + 1 }},
		{"GemvT", true, 12, 13, 700, 140, func(n int) (int, int, int) { return n, 9, 10 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			paths(t, func(t *testing.T) {
				for i := range 300 {
					rng := rand.New(rand.NewPCG(c.seed, uint64(i)))
					rows, cols := rng.IntN(c.maxRows), rng.IntN(c.maxCols)
					if c.trans && i%2 == 1 {
						rows, cols = cols, rows
					}
					lda := cols + rng.IntN(9)
					beta := []float64{0, 1, 2.5}[rng.IntN(3)]
					checkProduct(t, rng, rows, cols, lda, beta, c.trans)
				}
				rng := rand.New(rand.NewPCG(c.longSeed, 0))
				for _, n := range []int{1023, 2048, 4099} {
					rows, cols, lda := c.long(n)
					checkProduct(t, rng, rows, cols, lda, 1, c.trans)
				}
			})
		})
	}
}

func TestGemvAgainstGonum(t *testing.T) {
	paths(t, func(t *testing.T) {
		for i := range 100 {
			rng := rand.New(rand.NewPCG(4, uint64(i)))
			rows, cols := 1+rng.IntN(200), 1+rng.IntN(300)
			lda := cols + rng.IntN(5)
			a := matrix(rng, rows, cols, lda)
			x := vector(rng, cols)
			y := vector(rng, rows)
			want := append([]float64(nil), y...)
			blas64.Gemv(blas.NoTrans, 1, blas64.General{Rows: rows, Cols: cols, Stride: lda, Data: a},
				blas64.Vector{N: cols, Inc: 1, Data: x}, 0.5, blas64.Vector{N: rows, Inc: 1, Data: want})
			Gemv(y, 0.5, a, lda, x)
			for r := range rows {
				_, abs := refDot(a[r*lda:r*lda+cols], x)
				// Two results within gamma each of the exact one.
				if d := math.Abs(y[r] - want[r]); d > 2*gamma(cols)*(abs+math.Abs(want[r])) {
					t.Fatalf("case %d (%dx%d): row %d: %v, gonum %v", i, rows, cols, r, y[r], want[r])
				}
			}
		}
	})
}

// Every row is summed in the same order wherever it lies, so row blocks
// give the whole product bit for bit, and Gemv2 gives two Gemv calls.
func TestBitIdentical(t *testing.T) {
	paths(t, func(t *testing.T) {
		for i := range 60 {
			rng := rand.New(rand.NewPCG(5, uint64(i)))
			rows, cols := 1+rng.IntN(40), rng.IntN(90)
			lda := cols + rng.IntN(4)
			a := matrix(rng, rows, cols, lda)
			x1, x2 := vector(rng, cols), vector(rng, cols)
			c := vector(rng, rows)
			whole := append([]float64(nil), c...)
			Gemv(whole, 1, a, lda, x1)
			whole2 := append([]float64(nil), c...)
			Gemv(whole2, 1, a, lda, x2)
			for range 5 {
				r0 := rng.IntN(rows + 1)
				r1 := r0 + rng.IntN(rows-r0+1)
				blk := append([]float64(nil), c[r0:r1]...)
				var sub []float64
				if r0 < r1 {
					sub = a[r0*lda : (r1-1)*lda+cols]
				}
				Gemv(blk, 1, sub, lda, x1)
				for k := range blk {
					if math.Float64bits(blk[k]) != math.Float64bits(whole[r0+k]) {
						t.Fatalf("case %d rows [%d,%d) of %dx%d: row %d differs: %v, whole %v",
							i, r0, r1, rows, cols, r0+k, blk[k], whole[r0+k])
					}
				}
			}
			y1, y2 := append([]float64(nil), c...), append([]float64(nil), c...)
			Gemv2(y1, y2, 1, a, lda, x1, x2)
			for k := range rows {
				if math.Float64bits(y1[k]) != math.Float64bits(whole[k]) || math.Float64bits(y2[k]) != math.Float64bits(whole2[k]) {
					t.Fatalf("case %d (%dx%d): Gemv2 row %d: %v %v, Gemv %v %v", i, rows, cols, k, y1[k], y2[k], whole[k], whole2[k])
				}
			}
			// Same again: deterministic.
			Gemv(y1, 0, a, lda, x1)
			Gemv(y2, 0, a, lda, x1)
			for k := range rows {
				if math.Float64bits(y1[k]) != math.Float64bits(y2[k]) {
					t.Fatalf("case %d: not deterministic", i)
				}
			}
		}
	})
}

func TestGemv2Accuracy(t *testing.T) {
	paths(t, func(t *testing.T) {
		for i := range 100 {
			rng := rand.New(rand.NewPCG(6, uint64(i)))
			rows, cols := rng.IntN(30), rng.IntN(70)
			lda := cols + rng.IntN(4)
			a := matrix(rng, rows, cols, lda)
			x1, x2 := vector(rng, cols), vector(rng, cols)
			y1, y2 := make([]float64, rows), make([]float64, rows)
			for k := range rows {
				y1[k], y2[k] = math.NaN(), math.Inf(1)
			}
			Gemv2(y1, y2, 0, a, lda, x1, x2)
			for k := range rows {
				for _, p := range []struct {
					got float64
					x   []float64
				}{{y1[k], x1}, {y2[k], x2}} {
					dot, abs := refDot(a[k*lda:k*lda+cols], p.x)
					if d := math.Abs(p.got - dot); !(d <= gamma(cols)*abs) {
						t.Fatalf("case %d (%dx%d lda %d): row %d: %v, want %v", i, rows, cols, lda, k, p.got, dot)
					}
				}
			}
		}
	})
}

func TestPanics(t *testing.T) {
	a := make([]float64, 12)
	x, y := make([]float64, 4), make([]float64, 3)
	mustPanic(t, map[string]func(){
		"stride":   func() { Gemv(y, 0, a, 3, x) },
		"short":    func() { Gemv(make([]float64, 4), 0, a, 4, x) },
		"negative": func() { Gemv(y[:1], 0, a, -1, x) },
		"lengths":  func() { Gemv2(y, y[:2], 0, a, 4, x, x) },
		"xlengths": func() { Gemv2(y, y, 0, a, 4, x, x[:3]) },
	})
	// The exact length is enough, and one row needs no stride.
	Gemv(y, 0, a, 4, x)
	Gemv(y[:1], 0, a[:4], 0, x)
}

func TestNoAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 0))
	a := matrix(rng, 33, 33, 33)
	x, y, z := vector(rng, 33), make([]float64, 33), make([]float64, 33)
	if n := testing.AllocsPerRun(10, func() { Gemv(y, 1, a, 33, x); Gemv2(y, z, 0, a, 33, x, x) }); n != 0 {
		t.Errorf("%v allocations per call", n)
	}
}

var benchSizes = []int{256, 1024, 2048, 4096}

// benchProduct is a named product of an n x n matrix a with x into y; run
// makes its buffers and returns the call.
type benchProduct struct {
	name string
	run  func(a, x, y []float64, n int) func()
}

// benchProducts times each product for each size n on a random matrix and
// vector (seeded by seed and n), counting one read of the matrix per call.
func benchProducts(b *testing.B, sizes []int, seed uint64, products []benchProduct) {
	for _, n := range sizes {
		rng := rand.New(rand.NewPCG(seed, uint64(n)))
		a := matrix(rng, n, n, n)
		x, y := vector(rng, n), make([]float64, n)
		for _, p := range products {
			b.Run(fmt.Sprintf("%s/n=%d", p.name, n), func(b *testing.B) {
				call := p.run(a, x, y, n)
				b.SetBytes(int64(8 * n * n))
				b.ReportAllocs()
				for b.Loop() {
					call()
				}
			})
		}
	}
}

func BenchmarkGemv(b *testing.B) {
	benchProducts(b, benchSizes, 8, []benchProduct{
		{"kernel", func(a, x, y []float64, n int) func() { return func() { Gemv(y, 0, a, n, x) } }},
		{"gonum", func(a, x, y []float64, n int) func() {
			g := blas64.General{Rows: n, Cols: n, Stride: n, Data: a}
			return func() {
				blas64.Gemv(blas.NoTrans, 1, g, blas64.Vector{N: n, Inc: 1, Data: x}, 0, blas64.Vector{N: n, Inc: 1, Data: y})
			}
		}},
		{"kernel2", func(a, x, y []float64, n int) func() {
			z := make([]float64, n)
			return func() { Gemv2(y, z, 0, a, n, x, x) }
		}},
	})
}

// ForRows calls every row exactly once, whatever the split.
func TestForRows(t *testing.T) {
	for _, k := range []int{0, 1, 2, 5, 64} {
		for _, par := range []int{0, 1, 2, 3, 8, 100} {
			calls := make([]int, k)
			ForRows(k, par, func(r int) { calls[r]++ })
			for r, c := range calls {
				if c != 1 {
					t.Fatalf("k %d par %d: row %d called %d times", k, par, r, c)
				}
			}
		}
	}
}
