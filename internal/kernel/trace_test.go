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

// TraceSGDDotRows is TraceSGDDot row by row, on strided rows, and its
// tail the scalar expressions on the elements after them, with weights
// only where they learn, on the assembly path and the pure-Go one.
func TestTraceSGDDotRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, asm := range []bool{true, false} {
		if asm && !useAsm {
			continue
		}
		saved := useAsm
		useAsm = asm
		for _, n := range []int{0, 3, 4, 13, 16, 37} {
			for _, nt := range []int{0, 1, 4} {
				const rows, ldp, ldt, ldtt = 5, 43, 39, 6
				p, th := make([]float64, rows*ldp), make([]float64, rows*ldt)
				z, x, s, f := make([]float64, n), make([]float64, n), make([]float64, rows), make([]float64, rows)
				tail := &TraceTail{Z: make([]float64, nt), Theta: make([]float64, rows*ldtt), LD: ldtt, Learn: make([]bool, nt)}
				for _, v := range [][]float64{p, th, z, x, s, f, tail.Z, tail.Theta} {
					for i := range v {
						v[i] = rng.NormFloat64()
					}
				}
				for q := range tail.Learn {
					tail.Learn[q] = q%3 != 1
				}
				wantP, wantTh, wantTT := append([]float64(nil), p...), append([]float64(nil), th...), append([]float64(nil), tail.Theta...)
				want := make([]float64, rows)
				for r := range rows {
					want[r] = TraceSGDDot(wantP[r*ldp:r*ldp+n], wantTh[r*ldt:r*ldt+n], z, x, 0.7, s[r], f[r], 0.2)
					for q, zq := range tail.Z {
						v := float64(0.7*wantP[r*ldp+n+q]) + float64(s[r]*zq)
						wantP[r*ldp+n+q] = v
						if tail.Learn[q] {
							wantTT[r*ldtt+q] -= float64(0.2 * float64(f[r]*v))
						}
					}
				}
				dots := make([]float64, rows)
				arg := tail
				if nt == 0 && n%2 == 0 {
					arg = nil // no tail, or an empty one
				}
				TraceSGDDotRows(p, ldp, th, ldt, z, x, 0.7, s, f, 0.2, dots, arg)
				for r := range rows {
					if dots[r] != want[r] {
						t.Errorf("asm %v, n %d, tail %d, row %d: %v, want %v", asm, n, nt, r, dots[r], want[r])
					}
				}
				for _, c := range []struct {
					name      string
					got, want []float64
				}{{"trace", p, wantP}, {"weight", th, wantTh}, {"tail weight", tail.Theta, wantTT}} {
					for i := range c.got {
						if c.got[i] != c.want[i] {
							t.Fatalf("asm %v, n %d, tail %d: %s %d is %v, want %v", asm, n, nt, c.name, i, c.got[i], c.want[i])
						}
					}
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
				TraceSGDDotRows(p, n, th, n, z, x, 0.8, s, f, 0.01, dots, nil)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows*n), "ns/element")
		})
	}
}

// DescendOuter is the scalar expressions on the rows with x[i] != 0, on
// the assembly path and the pure-Go one, for every tail length.
func TestDescendOuter(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	eachPath(func(asm bool) {
		for n := range 20 {
			const rows, lda = 3, 23
			a, x, y := make([]float64, rows*lda), []float64{rng.NormFloat64(), 0, rng.NormFloat64()}, make([]float64, n)
			for _, v := range [][]float64{a, y} {
				for i := range v {
					v[i] = rng.NormFloat64()
				}
			}
			want := append([]float64(nil), a...)
			for i, xi := range x {
				for j, yj := range y {
					if xi != 0 {
						want[i*lda+j] -= float64(0.3 * float64(xi*yj))
					}
				}
			}
			DescendOuter(a, lda, x, y, 0.3)
			for i := range a {
				if a[i] != want[i] {
					t.Fatalf("asm %v, n %d: element %d is %v, want %v", asm, n, i, a[i], want[i])
				}
			}
		}
	})
}

// eachPath runs f on the assembly path (where the CPU has it) and on the
// pure-Go one, and restores useAsm.
func eachPath(f func(asm bool)) {
	saved := useAsm
	defer func() { useAsm = saved }()
	for _, asm := range []bool{true, false} {
		if asm && !saved {
			continue
		}
		useAsm = asm
		f(asm)
	}
}
