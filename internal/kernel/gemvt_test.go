package kernel

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
)

// column returns column j of the rows x cols matrix a with stride lda.
func column(a []float64, lda, rows, j int) []float64 {
	c := make([]float64, rows)
	for i := range c {
		c[i] = a[i*lda+j]
	}
	return c
}

func TestGemvTShapes(t *testing.T) {
	paths(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 0))
		checkSmallShapes(t, rng, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, true)
	})
}

// gemvTChain is the documented order of GemvT written out one element at a
// time: y[j] = fma(x[i], A[i,j], y[j]) for i in order.
func gemvTChain(y []float64, beta float64, a []float64, lda int, x []float64) {
	for j := range y {
		t := 0.0
		if beta != 0 {
			t = beta * y[j]
		}
		for i := range x {
			t = math.FMA(x[i], a[i*lda+j], t)
		}
		y[j] = t
	}
}

// The assembly and the pure-Go kernel give the documented FMA chain bit for
// bit, and so does the product taken in blocks of rows and of columns.
func TestGemvTBitIdentical(t *testing.T) {
	saved := useAsm
	defer func() { useAsm = saved }()
	for i := range 200 {
		rng := rand.New(rand.NewPCG(14, uint64(i)))
		rows, cols := rng.IntN(60), rng.IntN(90)
		lda := cols + rng.IntN(4)
		a := matrix(rng, rows, cols, lda)
		x, y0 := vector(rng, rows), vector(rng, cols)
		beta := []float64{0, 1, -1.5}[i%3]
		want := append([]float64(nil), y0...)
		gemvTChain(want, beta, a, lda, x)
		same := func(what string, got []float64) {
			t.Helper()
			for j := range want {
				if math.Float64bits(got[j]) != math.Float64bits(want[j]) {
					t.Fatalf("case %d (%dx%d beta %v) %s: y[%d] = %v, chain %v", i, rows, cols, beta, what, j, got[j], want[j])
				}
			}
		}
		for _, asm := range []bool{false, saved} {
			useAsm = asm
			name := map[bool]string{false: "go", true: "asm"}[asm]
			y := append([]float64(nil), y0...)
			GemvT(y, beta, a, lda, x)
			same(name, y)
			// Row blocks: the first with beta, the others with 1.
			y = append(y[:0], y0...)
			b := beta
			for r0 := 0; r0 < rows; {
				r1 := min(rows, r0+1+rng.IntN(9))
				GemvT(y, b, a[r0*lda:(r1-1)*lda+cols], lda, x[r0:r1])
				b, r0 = 1, r1
			}
			if rows == 0 {
				GemvT(y, beta, nil, lda, nil)
			}
			same(name+" row blocks", y)
			// Column blocks.
			y = append(y[:0], y0...)
			for c0 := 0; c0 < cols; {
				c1 := min(cols, c0+1+rng.IntN(11))
				GemvT(y[c0:c1], beta, a[min(c0, len(a)):], lda, x)
				c0 = c1
			}
			same(name+" column blocks", y)
		}
	}
}

func TestGemvTPanics(t *testing.T) {
	a := make([]float64, 12)
	x, y := make([]float64, 3), make([]float64, 4)
	mustPanic(t, map[string]func(){
		"stride":   func() { GemvT(y, 0, a, 3, x) },
		"short":    func() { GemvT(y, 0, a, 4, make([]float64, 4)) },
		"negative": func() { GemvT(y, 0, a, -1, x[:1]) },
	})
	GemvT(y, 0, a, 4, x)
	GemvT(y, 0, a[:4], 0, x[:1])
}

func TestGemvTNoAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 0))
	a := matrix(rng, 33, 35, 35)
	x, y := vector(rng, 33), make([]float64, 35)
	paths(t, func(t *testing.T) {
		if n := testing.AllocsPerRun(10, func() { GemvT(y, 1, a, 35, x) }); n != 0 {
			t.Errorf("%v allocations per call", n)
		}
	})
}

// BenchmarkGemvT compares GemvT with the row-by-row loop of gonum's Daxpy
// that it replaces in package dynamics.
func BenchmarkGemvT(b *testing.B) {
	benchProducts(b, []int{256, 1024, 2048}, 16, []benchProduct{
		{"kernel", func(a, x, y []float64, n int) func() { return func() { GemvT(y, 0, a, n, x) } }},
		{"daxpy", func(a, x, y []float64, n int) func() {
			impl := blas64.Implementation()
			return func() {
				clear(y)
				for i := range n {
					impl.Daxpy(n, x[i], a[i*n:i*n+n], 1, y, 1)
				}
			}
		}},
	})
}
