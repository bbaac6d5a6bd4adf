package dynamics

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// The Hessian of q against central differences of the analytic gradient,
// for every activation and convention, with per-unit tau and an input.
func TestSpeedHessianFiniteDifferences(t *testing.T) {
	const n = 9
	for _, conv := range []Convention{Continuous, Leaky, Discrete} {
		for _, act := range Activations() {
			net := randomNet(t, n, 2, 1.5, act, conv, conv == Continuous, 12)
			h := randomState(n, 13)
			grad := func(dst, x []float64) {
				net.SpeedGrad(dst, make([]float64, n), x)
			}
			want := mat.NewDense(n, n, nil)
			fd.Jacobian(want, grad, h, &fd.JacobianSettings{Formula: fd.Central})
			got := nanDense(n, n)
			q := net.SpeedHessian(got, h)
			if qq := net.Speed(make([]float64, n), h); math.Abs(q-qq) > 1e-14*qq {
				t.Errorf("%v %v: q = %v, Speed %v", conv, act, q, qq)
			}
			scale := mat.Norm(want, math.Inf(1))
			if d := maxAbsDiff(got, want); !(d <= 1e-6*(1+scale)) {
				t.Errorf("%v %v: Hessian differs from finite differences by %.3g (scale %.3g)", conv, act, d, scale)
			}
			if d := maxAbsDiff(got, got.T()); d != 0 {
				t.Errorf("%v %v: Hessian not exactly symmetric: %.3g", conv, act, d)
			}
		}
	}
}

// At sizes that cross SpeedHessian's strips and tiles, the Hessian of a
// tanh network with per-unit tau and a bias equals J^T J + W^T diag(F
// phi”(x) / tau) W formed with gonum's products from the network's
// Jacobian and field, and is exactly symmetric.
func TestSpeedHessianBlocks(t *testing.T) {
	for _, n := range []int{15, 16, 17, 33, 70} {
		rng := rand.New(rand.NewPCG(uint64(n), 5))
		w, b, tau := mat.NewDense(n, n, nil), make([]float64, n), make([]float64, n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				w.Set(i, j, 1.5*rng.NormFloat64()/math.Sqrt(float64(n)))
			}
			b[i], tau[i] = 0.1*rng.NormFloat64(), 0.5+rng.Float64()
		}
		net, err := New(Config{W: w, B: b, Tau: tau})
		if err != nil {
			t.Fatal(err)
		}
		h := make([]float64, n)
		for i := range h {
			h[i] = rng.NormFloat64()
		}
		got := nanDense(n, n)
		net.SpeedHessian(got, h)
		jac, f := &mat.Dense{}, make([]float64, n)
		net.Jacobian(jac, h)
		net.Field(f, h)
		var want, wd mat.Dense
		want.Mul(jac.T(), jac)
		x := mat.NewVecDense(n, nil)
		x.MulVec(w, mat.NewVecDense(n, h))
		c := make([]float64, n)
		for i := range c {
			th := math.Tanh(x.AtVec(i) + b[i])
			c[i] = f[i] * (-2 * th * (1 - th*th)) / tau[i]
		}
		wd.Mul(w.T(), mat.NewDiagDense(n, c))
		var second mat.Dense
		second.Mul(&wd, w)
		want.Add(&want, &second)
		scale := mat.Norm(&want, math.Inf(1))
		if d := maxAbsDiff(got, &want); !(d <= 1e-13*(1+scale)) {
			t.Errorf("n = %d: Hessian differs from J^T J + W^T diag(F phi''/tau) W by %.3g (scale %.3g)", n, d, scale)
		}
		if d := maxAbsDiff(got, got.T()); d != 0 {
			t.Errorf("n = %d: Hessian not exactly symmetric: %.3g", n, d)
		}
	}
}

// At a point where F = 0 the Hessian is exactly J^T J.
func TestSpeedHessianAtFixedPoint(t *testing.T) {
	const n = 7
	w := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			w.Set(i, j, 0.3*math.Sin(float64(3*i+j)))
		}
	}
	net, err := New(Config{W: w})
	if err != nil {
		t.Fatal(err)
	}
	h := make([]float64, n) // tanh, b = 0: the origin is a fixed point
	got := &mat.Dense{}
	net.SpeedHessian(got, h)
	jac := &mat.Dense{}
	net.Jacobian(jac, h)
	var want mat.Dense
	want.Mul(jac.T(), jac)
	if d := maxAbsDiff(got, &want); d > 1e-14 {
		t.Errorf("Hessian at a fixed point differs from J^T J by %g", d)
	}
}

// phiD1 is bit-identical to Phi and D1, kinks included.
func TestPhiD1MatchesPhiAndD1(t *testing.T) {
	xs := []float64{0, math.Copysign(0, -1), 1e-300, -1e-300, 0.3, -0.3, 2.5, -2.5, 40, -40, math.Inf(1), math.Inf(-1)}
	for _, act := range Activations() {
		for _, x := range xs {
			p, d := act.phiD1(x)
			if wp, wd := act.Phi(x), act.D1(x); math.Float64bits(p) != math.Float64bits(wp) || math.Float64bits(d) != math.Float64bits(wd) {
				t.Errorf("%v: phiD1(%v) = %v, %v; Phi, D1 = %v, %v", act, x, p, d, wp, wd)
			}
		}
	}
}

func BenchmarkSpeedHessian(b *testing.B) {
	benchSizes(b, 8, func(net *Network, h []float64) func() {
		dst := mat.NewDense(len(h), len(h), nil)
		return func() { net.SpeedHessian(dst, h) }
	})
}
