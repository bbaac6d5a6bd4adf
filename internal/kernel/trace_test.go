package kernel

import (
	"math/rand/v2"
	"testing"
)

// TraceSGD gives the bits of the scalar expressions, on the assembly path
// and the pure-Go one, for every length and tail.
func TestTraceSGD(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, asm := range []bool{true, false} {
		if asm && !useAsm {
			continue
		}
		for n := 0; n <= 37; n++ {
			p, th, z := make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range p {
				p[i], th[i], z[i] = rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
			}
			wantP, wantTh := append([]float64(nil), p...), append([]float64(nil), th...)
			decay, s, f, lr := 0.8, 0.17*rng.Float64(), rng.NormFloat64(), 0.3
			for i := range wantP {
				v := float64(decay*wantP[i]) + float64(s*z[i])
				wantP[i] = v
				wantTh[i] -= float64(lr * float64(f*v))
			}
			saved := useAsm
			useAsm = asm
			TraceSGD(p, th, z, decay, s, f, lr)
			useAsm = saved
			for i := range p {
				if p[i] != wantP[i] || th[i] != wantTh[i] {
					t.Fatalf("asm %v, n %d, element %d: p %v theta %v, want %v %v", asm, n, i, p[i], th[i], wantP[i], wantTh[i])
				}
			}
		}
	}
}

func BenchmarkTraceSGD(b *testing.B) {
	n := 260
	p, th, z := make([]float64, n*256), make([]float64, n*256), make([]float64, n)
	for b.Loop() {
		for r := range 256 {
			TraceSGD(p[r*n:(r+1)*n], th[r*n:(r+1)*n], z, 0.8, 0.1, 0.5, 0.01)
		}
	}
}
