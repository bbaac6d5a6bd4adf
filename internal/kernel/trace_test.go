package kernel

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TraceSGDDot gives the bits of the scalar expressions and of Gemv's
// product of the new theta with x, on the assembly path and the pure-Go
// one, for every length and tail.
func TestTraceSGDDot(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, asm := range []bool{true, false} {
		if asm && !useAsm {
			continue
		}
		saved := useAsm
		useAsm = asm
		for n := 0; n <= 41; n++ {
			p, th, z, x := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range p {
				p[i], th[i], z[i], x[i] = rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
			}
			wantP, wantTh := append([]float64(nil), p...), append([]float64(nil), th...)
			decay, s, f, lr := 0.8, 0.17*rng.Float64(), rng.NormFloat64(), 0.3
			for i := range wantP {
				v := float64(decay*wantP[i]) + float64(s*z[i])
				wantP[i] = v
				wantTh[i] -= float64(lr * float64(f*v))
			}
			want := []float64{0}
			Gemv(want, 0, wantTh, n, x)
			got := TraceSGDDot(p, th, z, x, decay, s, f, lr)
			if got != want[0] {
				t.Errorf("asm %v, n %d: sum %v, Gemv %v", asm, n, got, want[0])
			}
			for i := range p {
				if p[i] != wantP[i] || th[i] != wantTh[i] {
					t.Fatalf("asm %v, n %d, element %d: got %v %v, want %v %v", asm, n, i, p[i], th[i], wantP[i], wantTh[i])
				}
			}
		}
		useAsm = saved
	}
}

// TraceSGDDotRows is TraceSGDDot row by row, on strided rows.
func TestTraceSGDDotRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, asm := range []bool{true, false} {
		if asm && !useAsm {
			continue
		}
		saved := useAsm
		useAsm = asm
		for _, n := range []int{0, 3, 4, 13, 16, 37} {
			const rows, ldp, ldt = 5, 41, 39
			p, th := make([]float64, rows*ldp), make([]float64, rows*ldt)
			z, x, s, f := make([]float64, n), make([]float64, n), make([]float64, rows), make([]float64, rows)
			for _, v := range [][]float64{p, th, z, x, s, f} {
				for i := range v {
					v[i] = rng.NormFloat64()
				}
			}
			wantP, wantTh, want := append([]float64(nil), p...), append([]float64(nil), th...), make([]float64, rows)
			for r := range rows {
				want[r] = TraceSGDDot(wantP[r*ldp:r*ldp+n], wantTh[r*ldt:r*ldt+n], z, x, 0.7, s[r], f[r], 0.2)
			}
			dots := make([]float64, rows)
			TraceSGDDotRows(p, ldp, th, ldt, z, x, 0.7, s, f, 0.2, dots)
			for r := range rows {
				if dots[r] != want[r] {
					t.Errorf("asm %v, n %d, row %d: %v, want %v", asm, n, r, dots[r], want[r])
				}
			}
			for i := range p {
				if p[i] != wantP[i] {
					t.Fatalf("asm %v, n %d: trace %d differs", asm, n, i)
				}
			}
			for i := range th {
				if th[i] != wantTh[i] {
					t.Fatalf("asm %v, n %d: weight %d differs", asm, n, i)
				}
			}
		}
		useAsm = saved
	}
}

// BenchmarkTraceSGDDotRows times a pass over rows of 260 traces and
// weights: 256 rows (RFLO's state at N = 256, 1 MB: more than one core's
// L2 cache here), 128 (half of it, as each of two workers has it) and 16
// (in L1).
func BenchmarkTraceSGDDotRows(b *testing.B) {
	n := 260
	for _, rows := range []int{256, 128, 16} {
		b.Run(fmt.Sprint("rows=", rows), func(b *testing.B) {
			p, th, z, x := make([]float64, n*rows), make([]float64, n*rows), make([]float64, n), make([]float64, n)
			s, f, dots := make([]float64, rows), make([]float64, rows), make([]float64, rows)
			for b.Loop() {
				TraceSGDDotRows(p, n, th, n, z, x, 0.8, s, f, 0.01, dots)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows*n), "ns/element")
		})
	}
}
