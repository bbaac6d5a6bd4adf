package linearize

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/nettest"
)

func lyapResidual(a mat.Matrix, s, q mat.Symmetric) float64 {
	var as, r mat.Dense
	as.Mul(a, s)
	r.Add(&as, as.T())
	r.Add(&r, q)
	return mat.Norm(&r, 1) / (2*mat.Norm(a, 1)*mat.Norm(s, 1) + mat.Norm(q, 1))
}

// TestLyapunovSimilar: A = P diag(a) P^{-1}, Q = P diag(d) P^T has
// S = P diag(-d/(2a)) P^T, and mode k's variance |p_k|^2 d_k / (-2 a_k).
func TestLyapunovSimilar(t *testing.T) {
	for _, n := range []int{1, 2, 3, 8} {
		p := randDense(n, n, 1, uint64(30+n))
		for i := 0; i < n; i++ {
			p.Set(i, i, p.At(i, i)+2)
		}
		a := make([]float64, n)
		d := make([]float64, n)
		for i := range a {
			a[i] = -0.3 - float64(i)*0.7
			d[i] = 0.5 + float64(i%3)
		}
		var pi, am, tmp mat.Dense
		if err := pi.Inverse(p); err != nil {
			t.Fatal(err)
		}
		tmp.Mul(p, mat.NewDiagDense(n, a))
		am.Mul(&tmp, &pi)
		qd, sd := make([]float64, n), make([]float64, n)
		for i := range qd {
			qd[i] = d[i]
			sd[i] = -d[i] / (2 * a[i])
		}
		sym := func(diag []float64) *mat.SymDense {
			var m mat.Dense
			tmp.Mul(p, mat.NewDiagDense(n, diag))
			m.Mul(&tmp, p.T())
			s := mat.NewSymDense(n, nil)
			for i := 0; i < n; i++ {
				for j := i; j < n; j++ {
					s.SetSym(i, j, (m.At(i, j)+m.At(j, i))/2)
				}
			}
			return s
		}
		q, want := sym(qd), sym(sd)
		var s mat.SymDense
		if err := Lyapunov(&s, &am, q); err != nil {
			t.Fatal(err)
		}
		var diff mat.Dense
		diff.Sub(&s, want)
		if e := mat.Norm(&diff, 1) / mat.Norm(want, 1); e > 1e-12 {
			t.Errorf("n=%d: relative error %v", n, e)
		}
		sp, err := Decompose(&am, dynamics.Continuous, &Settings{Vectors: LeftRightVectors})
		if err != nil {
			t.Fatal(err)
		}
		mv := ModeVariances(nil, sp, &s)
		for k, v := range sp.Values {
			i := int(math.Round((-0.3 - real(v)) / 0.7)) // a_i = -0.3 - 0.7 i
			pn := 0.0
			for r := 0; r < n; r++ {
				pn += p.At(r, i) * p.At(r, i)
			}
			if w := pn * d[i] / (-2 * a[i]); math.Abs(mv[k]-w) > 1e-10*w {
				t.Errorf("n=%d mode %d: variance %v, want %v", n, k, mv[k], w)
			}
		}
	}
}

func TestLyapunovComplexAndErrors(t *testing.T) {
	for _, n := range []int{2, 5, 40} {
		a := randDense(n, n, 1/math.Sqrt(float64(n)), uint64(n))
		for i := 0; i < n; i++ {
			a.Set(i, i, a.At(i, i)-1.6)
		}
		b := randDense(n, n, 1, 99)
		q := mat.NewSymDense(n, nil)
		q.SymOuterK(1, b)
		var s mat.SymDense
		if err := Lyapunov(&s, a, q); err != nil {
			t.Fatal(err)
		}
		if r := lyapResidual(a, &s, q); r > 1e-14*float64(n) {
			t.Errorf("n=%d: relative residual %v", n, r)
		}
	}
	var s mat.SymDense
	err := Lyapunov(&s, mat.NewDiagDense(2, []float64{-1, 0.1}), mat.NewSymDense(2, []float64{1, 0, 0, 1}))
	if !errors.Is(err, ErrNotStable) {
		t.Errorf("unstable A: %v", err)
	}
}

// TestLyapunovScipy compares with scipy.linalg.solve_continuous_lyapunov.
func TestLyapunovScipy(t *testing.T) {
	n := 30
	a := randDense(n, n, 1.2/math.Sqrt(float64(n)), 5)
	for i := 0; i < n; i++ {
		a.Set(i, i, a.At(i, i)-1.5)
	}
	q := mat.NewSymDense(n, nil)
	q.SymOuterK(1, randDense(n, 3, 1, 6))
	for i := 0; i < n; i++ {
		q.SetSym(i, i, q.At(i, i)+0.1)
	}
	out := python(t, `
import sys, numpy as np, scipy.linalg as sl
d = sys.stdin.read().split()
n = int(d[0])
v = np.array([float(x) for x in d[1:]])
A = v[:n*n].reshape(n, n); Q = v[n*n:].reshape(n, n)
S = sl.solve_continuous_lyapunov(A, -Q)
print(" ".join(repr(float(x)) for x in S.ravel()))
`, func() string {
		var b strings.Builder
		fmt.Fprintf(&b, "%d\n", n)
		for _, m := range []mat.Matrix{a, q} {
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					b.WriteString(strconv.FormatFloat(m.At(i, j), 'g', -1, 64) + " ")
				}
			}
		}
		return b.String()
	}(), "numpy", "scipy")
	f := strings.Fields(out)
	if len(f) != n*n {
		t.Fatalf("python printed %d numbers", len(f))
	}
	var s mat.SymDense
	if err := Lyapunov(&s, a, q); err != nil {
		t.Fatal(err)
	}
	worst, big := 0.0, 0.0
	for k, x := range f {
		v, _ := strconv.ParseFloat(x, 64)
		worst = max(worst, math.Abs(v-s.At(k/n, k%n)))
		big = max(big, math.Abs(v))
	}
	if worst > 1e-12*big {
		t.Errorf("max difference from scipy %v (max |S| %v)", worst, big)
	}
}

// hopfield returns a Hopfield network (W = (g/N) sum of two pattern outer
// products, tanh, per-unit tau) and a stable fixed point near pattern 1.
func hopfield(t testing.TB) (*dynamics.Network, []float64) {
	const n, g = 6, 1.5
	rng := rand.New(rand.NewPCG(42, 0))
	xi := [2][]float64{make([]float64, n), make([]float64, n)}
	for p := range xi {
		for i := range xi[p] {
			xi[p][i] = float64(2*rng.IntN(2) - 1)
		}
	}
	w := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			w.Set(i, j, g/n*(xi[0][i]*xi[0][j]+xi[1][i]*xi[1][j]))
		}
	}
	tau := []float64{1, 1.2, 1.4, 1.6, 1.8, 2}
	net := nettest.Must(t, dynamics.Config{W: w, Tau: tau})
	h := append([]float64(nil), xi[0]...)
	f := make([]float64, n)
	for range 2000 {
		net.Field(f, h)
		for i := range h {
			h[i] += 0.05 * f[i]
		}
	}
	var j mat.Dense
	for range 5 { // Newton polish
		net.Field(f, h)
		net.Jacobian(&j, h)
		var dx mat.VecDense
		if err := dx.SolveVec(&j, mat.NewVecDense(n, f)); err != nil {
			t.Fatal(err)
		}
		for i := range h {
			h[i] -= dx.AtVec(i)
		}
	}
	net.Field(f, h)
	for _, v := range f {
		if math.Abs(v) > 1e-12 {
			t.Fatalf("Hopfield fixed point not converged: F = %v", f)
		}
	}
	return net, h
}

// TestStationaryCovarianceEM runs the nonlinear Hopfield network with weak
// noise (sigma = 0.02) by Euler-Maruyama, dt = 0.01, for 20000 time units,
// and compares the sample covariance with the Lyapunov solution. Expected
// error: the sampling error of a variance over ~20000/(2*2) independent
// stretches is ~2-3%, the O(dt |J|) bias of Euler-Maruyama ~1%, the
// nonlinear correction O(sigma^2); the bound, fixed in advance, is 10% in
// the Frobenius norm.
func TestStationaryCovarianceEM(t *testing.T) {
	net, h0 := hopfield(t)
	n := len(h0)
	sp, err := At(net, h0, nil)
	if err != nil || sp.Class != Stable {
		t.Fatalf("Hopfield point: %v %v", sp, err)
	}
	const sigma, dt, burn, steps = 0.02, 0.01, 10000, 2000000
	s, err := StationaryCovariance(net, h0, sigma)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 0))
	h := append([]float64(nil), h0...)
	f := make([]float64, n)
	g := make([]float64, n)
	for i := range g {
		g[i] = sigma / net.Tau(i) * math.Sqrt(dt)
	}
	sum := make([]float64, n)
	sum2 := make([]float64, n*n)
	for k := 0; k < burn+steps; k++ {
		net.Field(f, h)
		for i := range h {
			h[i] += f[i]*dt + g[i]*rng.NormFloat64()
		}
		if k >= burn {
			for i := 0; i < n; i++ {
				di := h[i] - h0[i]
				sum[i] += di
				for j := 0; j <= i; j++ {
					sum2[i*n+j] += di * (h[j] - h0[j])
				}
			}
		}
	}
	var num, den float64
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			c := sum2[i*n+j]/steps - sum[i]/steps*sum[j]/steps
			e := c - s.At(i, j)
			w := 2.0
			if i == j {
				w = 1
			}
			num += w * e * e
			den += w * s.At(i, j) * s.At(i, j)
		}
	}
	rel := math.Sqrt(num / den)
	t.Logf("relative Frobenius error of the EM covariance: %.3g", rel)
	if rel > 0.1 {
		t.Errorf("EM covariance differs from the Lyapunov solution by %.3g (bound 0.1)", rel)
	}
}

// rk4 integrates dy/dt = f(y) over [0, T] with m steps.
func rk4(f func(dst, y []float64), y []float64, T float64, m int) {
	n := len(y)
	k1, k2, k3, k4, tmp := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	h := T / float64(m)
	for range m {
		f(k1, y)
		for i := range y {
			tmp[i] = y[i] + h/2*k1[i]
		}
		f(k2, tmp)
		for i := range y {
			tmp[i] = y[i] + h/2*k2[i]
		}
		f(k3, tmp)
		for i := range y {
			tmp[i] = y[i] + h*k3[i]
		}
		f(k4, tmp)
		for i := range y {
			y[i] += h / 6 * (k1[i] + 2*k2[i] + 2*k3[i] + k4[i])
		}
	}
}

// TestAffineFlow: around a fixed point the linear flow and the nonlinear
// flow from h0 + eps v differ by O(eps^2) after a finite time; around any
// point the affine drift matches F(h0 + d) to O(|d|^2) and equals F(h0) at
// d = 0.
func TestAffineFlow(t *testing.T) {
	net, h0 := hopfield(t)
	n := len(h0)
	v := randVec(n, 1, 3)
	aff, err := NewAffine(net, h0)
	if err != nil {
		t.Fatal(err)
	}
	errAt := func(eps float64) float64 {
		y := make([]float64, n)
		d := make([]float64, n)
		for i := range y {
			y[i] = h0[i] + eps*v[i]
			d[i] = eps * v[i]
		}
		rk4(net.Field, y, 2, 400)
		rk4(func(dst, x []float64) { aff.Field(dst, 0, x) }, d, 2, 400)
		e := 0.0
		for i := range y {
			e = max(e, math.Abs(y[i]-h0[i]-d[i]))
		}
		return e
	}
	e1, e2, e3 := errAt(0.04), errAt(0.02), errAt(0.01)
	t.Logf("flow errors %.3g %.3g %.3g", e1, e2, e3)
	for _, r := range []float64{e1 / e2, e2 / e3} {
		if r < 3.5 || r > 4.5 {
			t.Errorf("flow error ratio %.3g, want ~4 (quadratic): %v %v %v", r, e1, e2, e3)
		}
	}
	// A generic (slow) point: the affine drift keeps F(h0).
	w := randDense(n, n, 1.4/math.Sqrt(float64(n)), 8)
	net2 := nettest.Must(t, dynamics.Config{W: w, B: randVec(n, 0.3, 9), Tau: []float64{0.7}})
	p := randVec(n, 0.6, 10)
	a2, err := NewAffine(net2, p)
	if err != nil {
		t.Fatal(err)
	}
	got, want := make([]float64, n), make([]float64, n)
	a2.Field(got, 0, make([]float64, n))
	net2.Field(want, p)
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("drift at d = 0 is %v, want F(h0) = %v", got, want)
		}
	}
	dev := func(eps float64) float64 {
		d := make([]float64, n)
		hp := make([]float64, n)
		for i := range d {
			d[i] = eps * v[i]
			hp[i] = p[i] + d[i]
		}
		a2.Field(got, 0, d)
		net2.Field(want, hp)
		e := 0.0
		for i := range got {
			e = max(e, math.Abs(got[i]-want[i]))
		}
		return e
	}
	if r := dev(0.02) / dev(0.01); r < 3.5 || r > 4.5 {
		t.Errorf("drift error ratio %.3g, want ~4", r)
	}
	if g := aff.Diffusion(0.3); g[0] != 0.3 || g[5] != 0.15 {
		t.Errorf("diffusion %v", g)
	}
}
