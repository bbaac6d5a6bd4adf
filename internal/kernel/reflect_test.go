package kernel

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestReflect3 checks Reflect3 against its definition evaluated with
// math.FMA, column by column, for every length from 0 to 37 and offsets
// that misalign the rows, and the pure-Go loop against plain arithmetic to
// rounding. H is orthogonal, so |H x| = |x| on each column is checked too.
func TestReflect3(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, asm := range []bool{true, false} {
		if asm && !useAsm {
			continue
		}
		saved := useAsm
		useAsm = asm
		for n := 0; n <= 37; n++ {
			off := rnd.IntN(3)
			rows := make([][]float64, 3)
			orig := make([][]float64, 3)
			for i := range rows {
				rows[i] = make([]float64, off+n+i)
				for j := range rows[i] {
					rows[i][j] = rnd.NormFloat64()
				}
				rows[i] = rows[i][off:]
				orig[i] = append([]float64(nil), rows[i]...)
			}
			// A reflector: tau = 2 / |w|^2 with w = (1, v1, v2).
			v1, v2 := rnd.NormFloat64(), rnd.NormFloat64()
			tau := 2 / (1 + v1*v1 + v2*v2)
			Reflect3(rows[0][:n], rows[1], rows[2], v1, v2, tau)
			t1, t2 := tau*v1, tau*v2
			for j := 0; j < n; j++ {
				x0, x1, x2 := orig[0][j], orig[1][j], orig[2][j]
				var w0, w1, w2 float64
				if asm {
					s := math.FMA(v2, x2, math.FMA(v1, x1, x0))
					w0, w1, w2 = math.FMA(-tau, s, x0), math.FMA(-t1, s, x1), math.FMA(-t2, s, x2)
					if rows[0][j] != w0 || rows[1][j] != w1 || rows[2][j] != w2 {
						t.Fatalf("asm, n=%d column %d: got %v %v %v, want %v %v %v", n, j, rows[0][j], rows[1][j], rows[2][j], w0, w1, w2)
					}
				} else {
					s := x0 + v1*x1 + v2*x2
					w0, w1, w2 = x0-s*tau, x1-s*t1, x2-s*t2
					if rows[0][j] != w0 || rows[1][j] != w1 || rows[2][j] != w2 {
						t.Fatalf("Go, n=%d column %d: got %v %v %v, want %v %v %v", n, j, rows[0][j], rows[1][j], rows[2][j], w0, w1, w2)
					}
				}
				before := math.Sqrt(x0*x0 + x1*x1 + x2*x2)
				after := math.Sqrt(w0*w0 + w1*w1 + w2*w2)
				if math.Abs(after-before) > 1e-14*before {
					t.Fatalf("n=%d column %d: |H x| = %g, |x| = %g", n, j, after, before)
				}
			}
			// The elements past n are not touched.
			for i := 1; i < 3; i++ {
				for j := n; j < len(rows[i]); j++ {
					if rows[i][j] != orig[i][j] {
						t.Fatalf("n=%d: row %d written past the length of r0", n, i)
					}
				}
			}
		}
		useAsm = saved
	}
}

func BenchmarkReflect3(b *testing.B) {
	for _, n := range []int{24, 48, 200} {
		r := make([]float64, 3*n)
		for i := range r {
			r[i] = float64(i%7) - 3
		}
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				Reflect3(r[:n], r[n:2*n], r[2*n:], 0.3, -0.2, 1.1)
			}
		})
	}
}
