package fixedpoint

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"

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
	raw := dst.RawMatrix()
	for i := 0; i < t.n; i++ {
		x := dot(t.w[i*t.n:(i+1)*t.n], h)
		th := math.Tanh(x)
		s := 1 - th*th
		for j := 0; j < t.n; j++ {
			raw.Data[i*raw.Stride+j] = s * t.w[i*t.n+j]
		}
		raw.Data[i*raw.Stride+i] -= 1
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

func rk4(net *tanhNet, h []float64, dt float64) {
	n := len(h)
	k1, k2, k3, k4, t := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	net.Field(k1, h)
	for j := range h {
		t[j] = h[j] + dt/2*k1[j]
	}
	net.Field(k2, t)
	for j := range h {
		t[j] = h[j] + dt/2*k2[j]
	}
	net.Field(k3, t)
	for j := range h {
		t[j] = h[j] + dt*k3[j]
	}
	net.Field(k4, t)
	for j := range h {
		h[j] += dt / 6 * (k1[j] + 2*k2[j] + 2*k3[j] + k4[j])
	}
}

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
	count := 256
	fmt.Sscan(os.Getenv("COUNT"), &count)
	inits := mat.NewDense(count, n, nil)
	h := make([]float64, n)
	for i := 0; i < count; i++ {
		if i%16 == 0 {
			for j := range h {
				h[j] = r.NormFloat64()
			}
			for range 200 {
				rk4(net, h, 0.1)
			}
		}
		for range 20 {
			rk4(net, h, 0.1)
		}
		inits.SetRow(i, h)
	}
	s := &Settings{Workers: 1, Deflation: -1, NoEarlyExit: os.Getenv("NOEARLY") != ""}
	fmt.Sscan(os.Getenv("SWITCH"), &s.SwitchTol)
	var tot [6]int
	debugRun = func(i int, c counts, run *Run) {
		if os.Getenv("V") != "" {
			fmt.Printf("%3d %-14s early=%v newton=%d lm=%d speed=%d chord=%d res=%.2e\n", i, run.Status, run.Early, c.newton, c.lm, c.speed, c.chord, run.Residual)
		}
		tot[run.Status]++
		if run.Early {
			tot[5]++
		}
	}
	t0 := time.Now()
	res, _ := Find(context.Background(), net, inits, s)
	fmt.Println(time.Since(t0), "fixed/slow/nc/div/-/early", tot, "points", len(res.Points), res.Count(Fixed), res.Stats)
}
