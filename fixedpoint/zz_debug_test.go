package fixedpoint

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"
)

type tanhNet struct {
	n int
	w []float64
}

func (t *tanhNet) Dim() int { return t.n }
func (t *tanhNet) Field(dst, h []float64) {
	for i := 0; i < t.n; i++ {
		x := dot(t.w[i*t.n:(i+1)*t.n], h)
		dst[i] = math.Tanh(x) - h[i]
	}
}
func (t *tanhNet) Jacobian(dst *mat.Dense, h []float64) {
	if dst.IsEmpty() {
		dst.ReuseAs(t.n, t.n)
	}
	for i := 0; i < t.n; i++ {
		x := dot(t.w[i*t.n:(i+1)*t.n], h)
		th := math.Tanh(x)
		s := 1 - th*th
		for j := 0; j < t.n; j++ {
			dst.Set(i, j, s*t.w[i*t.n+j])
		}
		dst.Set(i, i, dst.At(i, i)-1)
	}
}
func (t *tanhNet) SpeedGrad(g, f, h []float64) float64 {
	for j := range g {
		g[j] = 0
	}
	var q float64
	for i := 0; i < t.n; i++ {
		wi := t.w[i*t.n : (i+1)*t.n]
		x := dot(wi, h)
		th := math.Tanh(x)
		f[i] = th - h[i]
		q += f[i] * f[i]
		axpy((1-th*th)*f[i], wi, g)
	}
	for j := range g {
		g[j] -= f[j]
	}
	return q / 2
}
func (t *tanhNet) Symmetric() bool { return true }

func TestDebugRuns(t *testing.T) {
	if os.Getenv("FPDEBUG") == "" {
		t.Skip()
	}
	n := 200
	r := rand.New(rand.NewPCG(1, 0))
	net := &tanhNet{n: n, w: make([]float64, n*n)}
	for i := range net.w {
		net.w[i] = 1.5 * r.NormFloat64() / math.Sqrt(float64(n))
	}
	count := 64
	inits := mat.NewDense(count, n, nil)
	h := make([]float64, n)
	f := make([]float64, n)
	for i := 0; i < count; i++ {
		if i%16 == 0 {
			for j := range h {
				h[j] = r.NormFloat64()
			}
			for range 2000 {
				net.Field(f, h)
				axpy(0.01, f, h)
			}
		}
		for range 200 {
			net.Field(f, h)
			axpy(0.01, f, h)
		}
		inits.SetRow(i, h)
	}
	rs, _ := resolve(&Settings{Workers: 1, NoEarlyExit: os.Getenv("NOEARLY") != ""})
	if v := os.Getenv("SWITCH"); v != "" {
		fmt.Sscan(v, &rs.SwitchTol)
	}
	w := newWorker(context.Background(), net, &rs)
	w.known = &knownSet{n: n}
	var tot counts
	for i := 0; i < count; i++ {
		var run Run
		k := w.run(inits.RawRowView(i), &run)
		c := w.c
		tot.newton += c.newton
		tot.speed += c.speed
		tot.lm += c.lm
		fmt.Printf("%3d %-14s early=%v k=%d newton=%d lm=%d speed=%d chord=%d res=%.2e |x|=%.3f\n", i, run.Status, run.Early, k, c.newton, c.lm, c.speed, c.chord, run.Residual, normInf(run.Final))
	}
	fmt.Println(tot)
}
