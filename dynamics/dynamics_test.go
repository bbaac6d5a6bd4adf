package dynamics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// randomNet returns a network of n units and m inputs with weights of gain g.
func randomNet(t testing.TB, n, m int, g float64, act Activation, conv Convention, perUnitTau bool, seed uint64) *Network {
	t.Helper()
	rnd := rand.New(rand.NewPCG(seed, 1))
	w := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			w.Set(i, j, g*rnd.NormFloat64()/math.Sqrt(float64(n)))
		}
	}
	c := Config{W: w, Activation: act, Convention: conv, B: make([]float64, n)}
	for i := range c.B {
		c.B[i] = 0.3 * rnd.NormFloat64()
	}
	if m > 0 {
		c.WIn = mat.NewDense(n, m, nil)
		c.U = make([]float64, m)
		for i := 0; i < n; i++ {
			for j := 0; j < m; j++ {
				c.WIn.(*mat.Dense).Set(i, j, rnd.NormFloat64())
			}
		}
		for j := range c.U {
			c.U[j] = rnd.NormFloat64()
		}
	}
	switch {
	case conv == Leaky:
		c.Tau = []float64{2}
		c.Alpha = 0.1
	case perUnitTau:
		c.Tau = make([]float64, n)
		for i := range c.Tau {
			c.Tau[i] = 0.5 + rnd.Float64()
		}
	}
	net, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return net
}

func randomState(n int, seed uint64) []float64 {
	rnd := rand.New(rand.NewPCG(seed, 2))
	h := make([]float64, n)
	for i := range h {
		h[i] = rnd.NormFloat64()
	}
	return h
}

func nanDense(r, c int) *mat.Dense {
	d := make([]float64, r*c)
	for i := range d {
		d[i] = math.NaN()
	}
	return mat.NewDense(r, c, d)
}

func maxAbsDiff(a, b mat.Matrix) float64 {
	r, c := a.Dims()
	var m float64
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m = math.Max(m, math.Abs(a.At(i, j)-b.At(i, j)))
		}
	}
	return m
}

func TestActivationDerivatives(t *testing.T) {
	for _, a := range Activations() {
		for _, x := range []float64{-3.1, -0.7, -1e-3, 0.2, 0.9, 2.5, 30, -30} {
			d1 := fd.Derivative(a.Phi, x, &fd.Settings{Formula: fd.Central})
			if got := a.D1(x); math.Abs(got-d1) > 1e-6*math.Max(1, math.Abs(d1)) {
				t.Errorf("%v: D1(%v) = %v, finite difference %v", a, x, got, d1)
			}
			d2 := fd.Derivative(a.D1, x, &fd.Settings{Formula: fd.Central})
			if got := a.D2(x); math.Abs(got-d2) > 1e-6*math.Max(1, math.Abs(d2)) {
				t.Errorf("%v: D2(%v) = %v, finite difference %v", a, x, got, d2)
			}
			if math.IsNaN(a.Phi(x)) || math.IsInf(a.Phi(x), 0) {
				t.Errorf("%v: Phi(%v) not finite", a, x)
			}
		}
		back, err := ParseActivation(a.String())
		if err != nil || back != a {
			t.Errorf("ParseActivation(%q) = %v, %v", a.String(), back, err)
		}
	}
	// Right derivatives at the kinks.
	if ReLU.D1(0) != 1 || RectifiedTanh.D1(0) != 1 {
		t.Errorf("kink derivatives: relu %v, rectified-tanh %v, want 1", ReLU.D1(0), RectifiedTanh.D1(0))
	}
	// Known values.
	if got := Softplus.Phi(0); math.Abs(got-math.Ln2) > 1e-15 {
		t.Errorf("softplus(0) = %v", got)
	}
	if got := Softplus.Phi(800); got != 800 {
		t.Errorf("softplus(800) = %v, want 800 (no overflow)", got)
	}
	if got := Sigmoid.Phi(-800); got != 0 || math.IsNaN(Sigmoid.D1(-800)) {
		t.Errorf("sigmoid(-800) = %v", got)
	}
	if _, err := ParseActivation("gelu"); err == nil {
		t.Error("ParseActivation(gelu) did not fail")
	}
}

func TestJacobianFiniteDifferences(t *testing.T) {
	for _, act := range Activations() {
		for _, conv := range []Convention{Continuous, Leaky, Discrete} {
			for _, perUnit := range []bool{false, true} {
				if conv == Leaky && perUnit {
					continue
				}
				name := fmt.Sprintf("%v/%v/perUnitTau=%v", act, conv, perUnit)
				t.Run(name, func(t *testing.T) {
					const n = 7
					net := randomNet(t, n, 2, 1.5, act, conv, perUnit, 3)
					h := randomState(n, 4)
					h0 := append([]float64(nil), h...)
					want := nanDense(n, n)
					fd.Jacobian(want, func(y, x []float64) { net.Field(y, x) }, h, &fd.JacobianSettings{Formula: fd.Central})
					got := nanDense(n, n)
					net.Jacobian(got, h)
					if d := maxAbsDiff(got, want); d > 1e-6 {
						t.Errorf("Jacobian differs from finite differences by %v", d)
					}
					for i := range h {
						if h[i] != h0[i] {
							t.Fatal("Jacobian modified h")
						}
					}
					// Operator of the convention.
					op := nanDense(n, n)
					net.Operator(op, h)
					wantOp := mat.NewDense(n, n, nil)
					switch conv {
					case Continuous:
						wantOp.Copy(want)
					case Leaky:
						// M = I + alpha tau J, from the update h + alpha tau F(h).
						wantOp.Scale(net.Alpha()*net.Tau(0), want)
						for i := 0; i < n; i++ {
							wantOp.Set(i, i, wantOp.At(i, i)+1)
						}
					case Discrete:
						// M = d phi(x(h))/dh = I + diag(tau) J.
						for i := 0; i < n; i++ {
							for j := 0; j < n; j++ {
								v := net.Tau(i) * want.At(i, j)
								if i == j {
									v++
								}
								wantOp.Set(i, j, v)
							}
						}
					}
					if d := maxAbsDiff(op, wantOp); d > 1e-6 {
						t.Errorf("Operator differs from its finite-difference form by %v", d)
					}
					// The map's own derivative.
					if conv.IsMap() {
						mfd := nanDense(n, n)
						fd.Jacobian(mfd, func(y, x []float64) { net.Map(y, x) }, h, &fd.JacobianSettings{Formula: fd.Central})
						if d := maxAbsDiff(op, mfd); d > 1e-6 {
							t.Errorf("Operator differs from the derivative of Map by %v", d)
						}
					}
					if act == Tanh || act == Sigmoid {
						// Input Jacobian against finite differences in u.
						u0 := net.U()
						wantIn := nanDense(n, 2)
						fd.Jacobian(wantIn, func(y, u []float64) { net.FieldInput(y, h, u) }, u0, &fd.JacobianSettings{Formula: fd.Central})
						gotIn := &mat.Dense{}
						net.InputJacobian(gotIn, h)
						if d := maxAbsDiff(gotIn, wantIn); d > 1e-6 {
							t.Errorf("InputJacobian differs by %v", d)
						}
					}
				})
			}
		}
	}
}

func TestMatrixFreeProducts(t *testing.T) {
	for _, act := range []Activation{Tanh, Softplus, RectifiedTanh} {
		for _, conv := range []Convention{Continuous, Leaky, Discrete} {
			const n = 33
			net := randomNet(t, n, 3, 1.2, act, conv, conv != Leaky, 5)
			h, v := randomState(n, 6), randomState(n, 7)
			j := &mat.Dense{}
			net.Jacobian(j, h)
			op := &mat.Dense{}
			net.Operator(op, h)
			var want, wantT, wantOp mat.VecDense
			want.MulVec(j, mat.NewVecDense(n, v))
			wantT.MulVec(j.T(), mat.NewVecDense(n, v))
			wantOp.MulVec(op, mat.NewVecDense(n, v))
			got := make([]float64, n)
			d := make([]float64, n)
			net.PhiPrime(d, h)
			check := func(what string, got []float64, want *mat.VecDense) {
				for i := range got {
					if math.Abs(got[i]-want.AtVec(i)) > 1e-12*(1+math.Abs(want.AtVec(i))) {
						t.Errorf("%v/%v %s[%d] = %v, want %v", act, conv, what, i, got[i], want.AtVec(i))
						return
					}
				}
			}
			net.JacVec(got, h, v)
			check("JacVec", got, &want)
			net.JacTVec(got, h, v)
			check("JacTVec", got, &wantT)
			net.JacVecAt(got, d, v)
			check("JacVecAt", got, &want)
			net.JacTVecAt(got, d, v)
			check("JacTVecAt", got, &wantT)
			net.OperatorVecAt(got, d, v)
			check("OperatorVecAt", got, &wantOp)
		}
	}
}

func TestSpeedGradient(t *testing.T) {
	for _, act := range Activations() {
		const n = 9
		net := randomNet(t, n, 1, 1.5, act, Continuous, true, 8)
		h := randomState(n, 9)
		f := make([]float64, n)
		speed := func(x []float64) float64 { return net.Speed(make([]float64, n), x) }
		want := make([]float64, n)
		fd.Gradient(want, speed, h, &fd.Settings{Formula: fd.Central})
		grad := make([]float64, n)
		q := net.SpeedGrad(grad, f, h)
		if qq := speed(h); math.Abs(q-qq) > 1e-14*qq {
			t.Errorf("%v: SpeedGrad q = %v, Speed = %v", act, q, qq)
		}
		field := make([]float64, n)
		net.Field(field, h)
		for i := range grad {
			if math.Abs(grad[i]-want[i]) > 1e-6*(1+math.Abs(want[i])) {
				t.Errorf("%v: grad[%d] = %v, finite difference %v", act, i, grad[i], want[i])
			}
			if f[i] != field[i] {
				t.Errorf("%v: SpeedGrad's F[%d] = %v, Field %v", act, i, f[i], field[i])
			}
		}
	}
}

func TestFieldRowsMatchesField(t *testing.T) {
	const n, b = 20, 5
	net := randomNet(t, n, 2, 1, Tanh, Continuous, true, 10)
	hs := mat.NewDense(b, n, nil)
	for k := 0; k < b; k++ {
		hs.SetRow(k, randomState(n, uint64(11+k)))
	}
	dst := &mat.Dense{}
	net.NewEvaluator(1).FieldRows(dst, hs)
	f := make([]float64, n)
	for k := 0; k < b; k++ {
		net.Field(f, hs.RawRowView(k))
		for i := range f {
			if math.Abs(dst.At(k, i)-f[i]) > 1e-13 {
				t.Fatalf("row %d unit %d: FieldRows %v, Field %v", k, i, dst.At(k, i), f[i])
			}
		}
	}
}

func TestKnownAnswers(t *testing.T) {
	// W = 0: the fixed point is phi(b), and J = -I/tau.
	net, err := New(Config{W: mat.NewDense(2, 2, nil), B: []float64{0.5, -1}, Tau: []float64{2}})
	if err != nil {
		t.Fatal(err)
	}
	h := []float64{math.Tanh(0.5), math.Tanh(-1)}
	f := make([]float64, 2)
	net.Field(f, h)
	if f[0] != 0 || f[1] != 0 {
		t.Errorf("F(phi(b)) = %v with W = 0", f)
	}
	j := &mat.Dense{}
	net.Jacobian(j, h)
	if !mat.Equal(j, mat.NewDense(2, 2, []float64{-0.5, 0, 0, -0.5})) {
		t.Errorf("J = %v, want -I/2", mat.Formatted(j))
	}
	// Single tanh unit with w = 2: h = 0 is a fixed point with J = -1 + 2 = 1.
	one, _ := New(Config{W: mat.NewDense(1, 1, []float64{2})})
	jj := &mat.Dense{}
	one.Jacobian(jj, []float64{0})
	if jj.At(0, 0) != 1 {
		t.Errorf("J(0) = %v, want 1", jj.At(0, 0))
	}
	if !one.Symmetric() || net.Symmetric() {
		t.Error("Symmetric wrong")
	}
}

func TestConfigErrors(t *testing.T) {
	w := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	cases := []struct {
		c     Config
		field string
	}{
		{Config{}, "W"},
		{Config{W: mat.NewDense(2, 3, nil)}, "W"},
		{Config{W: mat.NewDense(2, 2, []float64{1, math.NaN(), 0, 0})}, "W"},
		{Config{W: w, B: []float64{1}}, "B"},
		{Config{W: w, B: []float64{1, math.Inf(1)}}, "B"},
		{Config{W: w, WIn: mat.NewDense(3, 1, nil)}, "WIn"},
		{Config{W: w, WIn: mat.NewDense(2, 1, nil), U: []float64{1, 2}}, "U"},
		{Config{W: w, U: []float64{1}}, "U"},
		{Config{W: w, Tau: []float64{1, 2, 3}}, "Tau"},
		{Config{W: w, Tau: []float64{0}}, "Tau"},
		{Config{W: w, Tau: []float64{1, -1}}, "Tau"},
		{Config{W: w, Tau: []float64{math.NaN()}}, "Tau"},
		{Config{W: w, Activation: 17}, "Activation"},
		{Config{W: w, Convention: 9}, "Convention"},
		{Config{W: w, Convention: Leaky}, "Alpha"},
		{Config{W: w, Convention: Leaky, Alpha: 1.5}, "Alpha"},
		{Config{W: w, Alpha: 0.1}, "Alpha"},
		{Config{W: w, Convention: Leaky, Alpha: 0.1, Tau: []float64{1, 2}}, "Tau"},
	}
	for i, c := range cases {
		_, err := New(c.c)
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Errorf("case %d: err = %v, want a *ConfigError", i, err)
			continue
		}
		if ce.Field != c.field {
			t.Errorf("case %d: field %q, want %q (%v)", i, ce.Field, c.field, err)
		}
	}
}

func TestNewCopiesInputs(t *testing.T) {
	w := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	b := []float64{1, 1}
	net, err := New(Config{W: w, B: b})
	if err != nil {
		t.Fatal(err)
	}
	w.Set(0, 0, 100)
	b[0] = 100
	if net.W().At(0, 0) != 1 || net.B()[0] != 1 {
		t.Error("New kept a reference to its inputs")
	}
	back, err := New(net.Config())
	if err != nil || !mat.Equal(back.W(), net.W()) {
		t.Errorf("Config round trip: %v", err)
	}
}

func TestZeroAllocations(t *testing.T) {
	const n = 64
	net := randomNet(t, n, 2, 1, Tanh, Continuous, true, 12)
	h, v := randomState(n, 13), randomState(n, 14)
	dst, f, g := make([]float64, n), make([]float64, n), make([]float64, n)
	j := mat.NewDense(n, n, nil)
	hs := mat.NewDense(4, n, nil)
	fs := mat.NewDense(4, n, nil)
	ev := net.NewEvaluator(1)
	for name, fn := range map[string]func(){
		"Field":     func() { net.Field(dst, h) },
		"Jacobian":  func() { net.Jacobian(j, h) },
		"Operator":  func() { net.Operator(j, h) },
		"JacVec":    func() { net.JacVec(dst, h, v) },
		"JacTVec":   func() { net.JacTVec(dst, h, v) },
		"SpeedGrad": func() { net.SpeedGrad(g, f, h) },
		"FieldRows": func() { ev.FieldRows(fs, hs) },
	} {
		if a := testing.AllocsPerRun(20, fn); a != 0 {
			t.Errorf("%s allocates %v times per call", name, a)
		}
	}
}

var sizes = []int{128, 512, 2048}

// benchSizes times a product of a random tanh network at a random state h
// for each of sizes, counting bytesPerN2 n^2 bytes per call (8: W read once;
// 16: W read and an n x n matrix written). op returns the call, with its
// buffers made.
func benchSizes(b *testing.B, bytesPerN2 int, op func(net *Network, h []float64) func()) {
	for _, n := range sizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			net := randomNet(b, n, 0, 1, Tanh, Continuous, false, 1)
			call := op(net, randomState(n, 2))
			b.SetBytes(int64(bytesPerN2 * n * n))
			b.ReportAllocs()
			for b.Loop() {
				call()
			}
		})
	}
}

func BenchmarkField(b *testing.B) {
	benchSizes(b, 8, func(net *Network, h []float64) func() {
		dst := make([]float64, len(h))
		return func() { net.Field(dst, h) }
	})
}

func BenchmarkJacobian(b *testing.B) {
	benchSizes(b, 16, func(net *Network, h []float64) func() {
		j := mat.NewDense(len(h), len(h), nil)
		return func() { net.Jacobian(j, h) }
	})
}

func BenchmarkJacVec(b *testing.B) {
	benchSizes(b, 8, func(net *Network, h []float64) func() {
		v, dst := randomState(len(h), 3), make([]float64, len(h))
		return func() { net.JacVec(dst, h, v) }
	})
}

func BenchmarkJacVecAt(b *testing.B) {
	benchSizes(b, 8, func(net *Network, h []float64) func() {
		v, d, dst := randomState(len(h), 3), make([]float64, len(h)), make([]float64, len(h))
		net.PhiPrime(d, h)
		return func() { net.JacVecAt(dst, d, v) }
	})
}

func BenchmarkSpeedGrad(b *testing.B) {
	benchSizes(b, 8, func(net *Network, h []float64) func() {
		f, g := make([]float64, len(h)), make([]float64, len(h))
		return func() { net.SpeedGrad(g, f, h) }
	})
}
