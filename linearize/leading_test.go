package linearize

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/nettest"
)

// leadingCase is a random tanh network of gain g and a state to linearise
// at (sd = 0: the origin).
type leadingCase struct {
	n, k  int
	g, sd float64
	cfg   func(*dynamics.Config)
	seed  uint64
}

func (c leadingCase) net(t testing.TB) (*dynamics.Network, []float64) {
	cfg := dynamics.Config{W: randDense(c.n, c.n, c.g/math.Sqrt(float64(c.n)), c.seed), B: randVec(c.n, 0.1, c.seed+100)}
	if c.cfg != nil {
		c.cfg(&cfg)
	}
	return nettest.Must(t, cfg), randVec(c.n, c.sd, c.seed+200)
}

// checkAgainstFull compares Leading with the full decomposition of At: the
// eigenvalues, the residuals of the right vectors against the operator
// formed densely, the counts and the class. It returns the largest relative
// eigenvalue error and residual.
func checkAgainstFull(t *testing.T, c leadingCase) (errMax, resMax float64) {
	t.Helper()
	net, h := c.net(t)
	sp, err := Leading(net, h, c.k, nil)
	if err != nil {
		t.Fatal(err)
	}
	full, err := At(net, h, &Settings{Vectors: ValuesOnly})
	if err != nil {
		t.Fatal(err)
	}
	if !sp.Partial || sp.Left != nil || len(sp.Values) != c.k {
		t.Fatalf("Partial %v, Left %v, %d values: want a partial spectrum of %d values", sp.Partial, sp.Left != nil, len(sp.Values), c.k)
	}
	if sp.Eps != full.Eps || sp.Scale != full.Scale {
		t.Errorf("eps %g, scale %g; At's: eps %g, scale %g", sp.Eps, sp.Scale, full.Eps, full.Scale)
	}
	for i, v := range sp.Values {
		w := full.Values[i]
		rel := cmplx.Abs(v-w) / max(cmplx.Abs(w), 1e-3*full.Scale)
		errMax = max(errMax, rel)
		if rel > 1e-8 {
			t.Errorf("value %d: %v, full decomposition %v (relative error %.2g)", i, v, w, rel)
		}
	}
	// Right vectors: |A v - lambda v| with A formed densely, |v| = 1.
	var a mat.Dense
	net.Operator(&a, h)
	norm2 := mat.Norm(&a, 2)
	re, im := mat.NewVecDense(c.n, nil), mat.NewVecDense(c.n, nil)
	var are, aim mat.VecDense
	for j, lam := range sp.Values {
		for i := 0; i < c.n; i++ {
			x := sp.Right.At(i, j)
			re.SetVec(i, real(x))
			im.SetVec(i, imag(x))
		}
		are.MulVec(&a, re)
		aim.MulVec(&a, im)
		var r, nv float64
		for i := 0; i < c.n; i++ {
			x := sp.Right.At(i, j)
			d := complex(are.AtVec(i), aim.AtVec(i)) - lam*x
			r += real(d)*real(d) + imag(d)*imag(d)
			nv += real(x)*real(x) + imag(x)*imag(x)
		}
		r = math.Sqrt(r) / norm2
		resMax = max(resMax, r)
		if r > 1e-10 || math.Abs(math.Sqrt(nv)-1) > 1e-12 {
			t.Errorf("vector %d: residual %.2g |A|, norm %v", j, r, math.Sqrt(nv))
		}
	}
	// Counts and class against the full spectrum's.
	nu, nm := Count(full.Values[:c.k], net.Convention(), full.Eps)
	if sp.NUnstable != nu || sp.NMarginal != nm {
		t.Errorf("counts %d, %d; want %d, %d", sp.NUnstable, sp.NMarginal, nu, nm)
	}
	if !sp.MoreUnstable && sp.NUnstable != full.NUnstable {
		t.Errorf("NUnstable %d not flagged as a bound, full %d", sp.NUnstable, full.NUnstable)
	}
	if sp.MoreUnstable != (full.NUnstable > c.k-1 && stabilityMargin(full.Values[c.k-1], net.Convention()) > full.Eps) {
		t.Errorf("MoreUnstable %v with %d of %d unstable", sp.MoreUnstable, full.NUnstable, c.n)
	}
	if !sp.Undecided && sp.Class != full.Class {
		t.Errorf("class %v, full decomposition %v", sp.Class, full.Class)
	}
	return errMax, resMax
}

func TestLeadingAgainstAt(t *testing.T) {
	leaky := func(c *dynamics.Config) { c.Convention, c.Alpha = dynamics.Leaky, 0.2 }
	discrete := func(c *dynamics.Config) { c.Convention = dynamics.Discrete }
	for _, c := range []struct {
		name      string
		c         leadingCase
		class     Class
		more, und bool
	}{
		// A random state of a chaotic net: a saddle with a few unstable modes.
		{"continuous/state", leadingCase{n: 500, k: 20, g: 1.5, sd: 0.5, seed: 1}, Saddle, false, false},
		// Per-unit time constants.
		{"continuous/tau", leadingCase{n: 400, k: 12, g: 1.5, sd: 0.6, seed: 2, cfg: func(c *dynamics.Config) {
			c.Tau = randVec(400, 0, 0)
			for i := range c.Tau {
				c.Tau[i] = 0.5 + float64(i%7)/4
			}
		}}, Saddle, false, false},
		// The origin: about 11% of the modes are unstable, all 10 computed
		// are; the trace decides the class.
		{"continuous/origin", leadingCase{n: 500, k: 10, g: 1.5, seed: 3}, Saddle, true, false},
		// g = 0.8: stable.
		{"continuous/stable", leadingCase{n: 300, k: 6, g: 0.8, sd: 0.5, seed: 4}, Stable, false, false},
		{"leaky/state", leadingCase{n: 500, k: 10, g: 1.5, sd: 0.6, seed: 5, cfg: leaky}, Saddle, false, false},
		// Leaky at the origin: many modes outside the unit circle, but
		// |M|_F^2 < N rules out that all are.
		{"leaky/origin", leadingCase{n: 300, k: 8, g: 1.5, seed: 6, cfg: leaky}, Saddle, true, false},
		{"discrete/state", leadingCase{n: 300, k: 12, g: 1.5, sd: 0.7, seed: 7, cfg: discrete}, Saddle, false, false},
		// Discrete at the origin: |M|_F^2 ~ 2.25 N, so undecided.
		{"discrete/origin", leadingCase{n: 300, k: 8, g: 1.5, seed: 8, cfg: discrete}, Saddle, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, r := checkAgainstFull(t, c.c)
			net, h := c.c.net(t)
			sp, _ := Leading(net, h, c.c.k, nil)
			if sp.Class != c.class || sp.MoreUnstable != c.more || sp.Undecided != c.und {
				t.Errorf("class %v, MoreUnstable %v, Undecided %v; want %v, %v, %v", sp.Class, sp.MoreUnstable, sp.Undecided, c.class, c.more, c.und)
			}
			t.Logf("N = %d, k = %d: largest relative eigenvalue error %.2g, residual %.2g |A|; %d unstable", c.c.n, c.c.k, e, r, sp.NUnstable)
		})
	}
}

// TestLeadingLong is the N = 2000 comparison (FPFIND_LONG=1; the full
// decomposition takes about a minute).
func TestLeadingLong(t *testing.T) {
	if os.Getenv("FPFIND_LONG") == "" {
		t.Skip("set FPFIND_LONG=1 to compare with the full decomposition at N = 2000")
	}
	for _, c := range []leadingCase{
		{n: 2000, k: 20, g: 1.5, sd: 0.3, seed: 11},
		{n: 2000, k: 20, g: 1.5, sd: 0.3, seed: 12, cfg: func(c *dynamics.Config) { c.Convention, c.Alpha = dynamics.Leaky, 0.1 }},
	} {
		t.Run(fmt.Sprintf("n=%d/seed=%d", c.n, c.seed), func(t *testing.T) {
			e, r := checkAgainstFull(t, c)
			t.Logf("N = %d, k = %d: largest relative eigenvalue error %.2g, residual %.2g |A|", c.n, c.k, e, r)
		})
	}
}

func TestLeadingSettings(t *testing.T) {
	c := leadingCase{n: 120, k: 5, g: 1.5, sd: 1, seed: 9}
	net, h := c.net(t)
	h0 := append([]float64(nil), h...)

	a, err := Leading(net, h, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Leading(net, h, 5, &Settings{Vectors: ValuesOnly, Eps: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	for i := range h {
		if math.Float64bits(h[i]) != math.Float64bits(h0[i]) {
			t.Fatal("h modified")
		}
	}
	for i := range a.Values {
		if a.Values[i] != b.Values[i] {
			t.Fatalf("value %d differs between runs: %v, %v", i, a.Values[i], b.Values[i])
		}
	}
	if b.Right != nil || a.Right == nil {
		t.Errorf("ValuesOnly gave Right %v; default gave %v", b.Right != nil, a.Right != nil)
	}
	if b.Eps != 0.5 {
		t.Errorf("eps %v, want 0.5", b.Eps)
	}
	wantU, _ := Count(b.Values, net.Convention(), 0.5)
	if b.NUnstable != wantU {
		t.Errorf("NUnstable %d with eps 0.5, want %d", b.NUnstable, wantU)
	}

	if _, err := Leading(net, h, 5, &Settings{Vectors: LeftRightVectors}); !errors.Is(err, ErrNoLeftVectors) {
		t.Errorf("left vectors: error %v, want ErrNoLeftVectors", err)
	}
	if _, err := Leading(net, h, 5, &Settings{Eps: -1}); err == nil {
		t.Error("negative eps accepted")
	}
	bad := append([]float64(nil), h...)
	bad[3] = math.NaN()
	if _, err := Leading(net, bad, 5, nil); err == nil {
		t.Error("NaN state accepted")
	}

	// k >= N: the full spectrum, left vectors allowed.
	full, err := Leading(net, h, c.n, &Settings{Vectors: LeftRightVectors})
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := At(net, h, &Settings{Vectors: LeftRightVectors})
	if full.Partial || len(full.Values) != c.n || full.Left == nil {
		t.Fatalf("k = N: Partial %v, %d values, left %v", full.Partial, len(full.Values), full.Left != nil)
	}
	for i := range full.Values {
		if full.Values[i] != ref.Values[i] {
			t.Fatalf("k = N: value %d is %v, At gives %v", i, full.Values[i], ref.Values[i])
		}
	}
}
