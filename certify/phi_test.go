package certify

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/fpfind/fpfind/dynamics"
)

const bigPrec = 256

// bigExp returns e^y to about 200 bits: e^y = (e^(y/2^s))^(2^s) with
// |y/2^s| < 2^-10 and a Taylor series of 40 terms.
func bigExp(y float64) *big.Float {
	s := 0
	for math.Abs(y)/math.Ldexp(1, s) >= 0x1p-10 {
		s++
	}
	r := new(big.Float).SetPrec(bigPrec).SetFloat64(math.Ldexp(y, -s))
	sum := new(big.Float).SetPrec(bigPrec).SetInt64(1)
	term := new(big.Float).SetPrec(bigPrec).SetInt64(1)
	for k := 1; k <= 40; k++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetPrec(bigPrec).SetInt64(int64(k)))
		sum.Add(sum, term)
	}
	for range s {
		sum.Mul(sum, sum)
	}
	return sum
}

// bigTanh returns tanh(x) = (e^2x - 1) / (e^2x + 1), for |x| <= 40, or
// x - x^3/3 + 2x^5/15 for tiny x (where the formula cancels).
func bigTanh(x float64) *big.Float {
	if math.Abs(x) < 1e-30 {
		bx := new(big.Float).SetPrec(bigPrec).SetFloat64(x)
		x3 := new(big.Float).SetPrec(bigPrec).Mul(bx, bx)
		x3.Mul(x3, bx)
		x3.Quo(x3, big.NewFloat(3))
		return bx.Sub(bx, x3)
	}
	e := bigExp(2 * x)
	one := new(big.Float).SetPrec(bigPrec).SetInt64(1)
	num := new(big.Float).SetPrec(bigPrec).Sub(e, one)
	den := new(big.Float).SetPrec(bigPrec).Add(e, one)
	return num.Quo(num, den)
}

// bigSoftplus returns log(1 + e^x) = max(x, 0) + log1p(e^-|x|), with
// log1p(e) = 2 atanh(e / (2 + e)) summed as a series (e / (2 + e) <= 1/3).
func bigSoftplus(x float64) *big.Float {
	e := bigExp(-math.Abs(x))
	two := new(big.Float).SetPrec(bigPrec).SetInt64(2)
	s := new(big.Float).SetPrec(bigPrec).Add(two, e)
	s.Quo(e, s)
	s2 := new(big.Float).SetPrec(bigPrec).Mul(s, s)
	sum := new(big.Float).SetPrec(bigPrec)
	pow := new(big.Float).SetPrec(bigPrec).Set(s)
	for k := 1; k < 400; k += 2 {
		term := new(big.Float).SetPrec(bigPrec).Quo(pow, new(big.Float).SetInt64(int64(k)))
		sum.Add(sum, term)
		pow.Mul(pow, s2)
	}
	sum.Mul(sum, two)
	if x > 0 {
		sum.Add(sum, new(big.Float).SetFloat64(x))
	}
	return sum
}

// inside reports whether the exact value v lies in x.
func inside(x Interval, v *big.Float) bool {
	return new(big.Float).SetFloat64(x.Lo).Cmp(v) <= 0 && v.Cmp(new(big.Float).SetFloat64(x.Hi)) <= 0
}

// sweep returns the arguments the enclosure tests run on: both branches of
// math.Tanh (below and above |x| = 0.625, densely around it), tiny and
// subnormal values, saturation, and random ones.
func sweep() []float64 {
	var xs []float64
	for e := -320; e <= 1; e++ {
		xs = append(xs, math.Pow(10, float64(e)), 3*math.Pow(10, float64(e)))
	}
	xs = append(xs, 0x1p-1074, 0x1p-1060, 0x1p-1022)
	for k := -2000; k <= 2000; k++ {
		xs = append(xs, 0.625+float64(k)*1e-6)
	}
	xs = append(xs, math.Nextafter(0.625, 0), 0.625, math.Nextafter(0.625, 1))
	rng := rand.New(rand.NewPCG(1, 2))
	for range 4000 {
		xs = append(xs, rng.Float64()*3, rng.Float64()*25)
	}
	var out []float64
	for _, x := range xs {
		out = append(out, x, -x)
	}
	return out
}

// TestTanhEnclosure checks the enclosure of tanh against math/big, and
// the bound the package doc's argument rests on: math.Tanh within 4 u of
// the exact value (the enclosure assumes 32 u).
func TestTanhEnclosure(t *testing.T) {
	var worst float64
	for _, x := range sweep() {
		ex := bigTanh(x)
		if e := tanhEnc(x); !inside(e, ex) {
			t.Fatalf("tanh(%g): [%g, %g] misses %s", x, e.Lo, e.Hi, ex.Text('g', 25))
		}
		exf, _ := ex.Float64()
		if exf != 0 && math.Abs(exf) > 0x1p-1000 {
			d := new(big.Float).SetPrec(bigPrec).Sub(new(big.Float).SetFloat64(math.Tanh(x)), ex)
			rel, _ := d.Quo(d, ex).Float64()
			worst = max(worst, math.Abs(rel)/unit)
		}
	}
	t.Logf("math.Tanh: worst relative error %.2f u over the sweep", worst)
	if worst > 4 {
		t.Errorf("math.Tanh's error reaches %.2f u: the package doc's bound of 4 u (and its margin) is wrong", worst)
	}
}

// TestSlopeEnclosures checks SlopeRange and PhiRange of tanh, sigmoid and
// rectified-tanh on random intervals: every exact value of phi and phi' at
// points inside (math/big) lies in the enclosures.
func TestSlopeEnclosures(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	one := new(big.Float).SetPrec(bigPrec).SetInt64(1)
	dtanh := func(x float64) *big.Float {
		th := bigTanh(x)
		th.Mul(th, th)
		return th.Sub(one, th)
	}
	sig := func(x float64) *big.Float { // (1 + tanh(x/2)) / 2
		th := bigTanh(x / 2)
		th.Add(th, one)
		return th.Quo(th, big.NewFloat(2))
	}
	for range 1000 {
		a := (rng.Float64() - 0.5) * 30 * math.Pow(10, -rng.Float64()*8)
		b := a + rng.Float64()*math.Pow(10, -rng.Float64()*10)
		for _, x := range []float64{a, b, a + (b-a)*rng.Float64()} {
			if !inside(SlopeRange(dynamics.Tanh, a, b), dtanh(x)) {
				t.Fatalf("tanh' over [%g, %g] misses x = %g", a, b, x)
			}
			if !inside(PhiRange(dynamics.Tanh, a, b), bigTanh(x)) {
				t.Fatalf("tanh over [%g, %g] misses x = %g", a, b, x)
			}
			if !inside(PhiRange(dynamics.Sigmoid, a, b), sig(x)) {
				t.Fatalf("sigmoid over [%g, %g] misses x = %g", a, b, x)
			}
			ds := dtanh(x / 2)
			if !inside(SlopeRange(dynamics.Sigmoid, a, b), ds.Quo(ds, big.NewFloat(4))) {
				t.Fatalf("sigmoid' over [%g, %g] misses x = %g", a, b, x)
			}
			rt := bigTanh(x)
			if rt.Sign() < 0 {
				rt.SetInt64(0)
			}
			if !inside(PhiRange(dynamics.RectifiedTanh, a, b), rt) {
				t.Fatalf("rectified-tanh over [%g, %g] misses x = %g", a, b, x)
			}
			if x < 30 && !inside(PhiRange(dynamics.Softplus, a, b), bigSoftplus(x)) {
				t.Fatalf("softplus over [%g, %g] misses x = %g", a, b, x)
			}
		}
		// Difference quotients of tanh lie in its slope range.
		if b > a {
			q := (math.Tanh(b) - math.Tanh(a)) / (b - a)
			s := SlopeRange(dynamics.Tanh, a, b)
			if b-a > 1e-6 && !(s.Lo-1e-9 <= q && q <= s.Hi+1e-9) {
				t.Fatalf("tanh slope %g over [%g, %g] outside [%g, %g]", q, a, b, s.Lo, s.Hi)
			}
		}
	}
	// The kinks: relu's slopes across 0 are [0, 1], and exactly 1 or 0 on
	// either side.
	for _, c := range []struct {
		a          dynamics.Activation
		lo, hi     float64
		want       Interval
		phiLo, phi float64
	}{
		{dynamics.ReLU, -1, 2, Interval{0, 1}, 0, 2},
		{dynamics.ReLU, 0, 2, Interval{1, 1}, 0, 2},
		{dynamics.ReLU, -2, -1, Interval{0, 0}, 0, 0},
		{dynamics.Linear, -2, 3, Interval{1, 1}, -2, 3},
		{dynamics.RectifiedTanh, -2, -1, Interval{0, 0}, 0, 0},
		{dynamics.RectifiedTanh, -1, 1, Interval{0, 1}, 0, math.Tanh(1)},
	} {
		if got := SlopeRange(c.a, c.lo, c.hi); got != c.want {
			t.Errorf("%s slopes over [%g, %g] = %v, want %v", c.a, c.lo, c.hi, got, c.want)
		}
		if got := PhiRange(c.a, c.lo, c.hi); !(got.Lo <= c.phiLo && c.phi <= got.Hi && got.Hi-c.phi < 1e-12) {
			t.Errorf("%s over [%g, %g] = %v, want [%g, %g]", c.a, c.lo, c.hi, got, c.phiLo, c.phi)
		}
	}
}

// TestRounding checks the directed steps and the matrix-vector bound
// against exact rational arithmetic.
func TestRounding(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 200 {
		n, m := 1+rng.IntN(7), 1+rng.IntN(30)
		a := make([]float64, n*m)
		v := make([]float64, m)
		for i := range a {
			a[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(20)-10))
		}
		for j := range v {
			v[j] = rng.Float64() * math.Pow(10, float64(rng.IntN(20)-10))
		}
		got := make([]float64, n)
		absMatVecUp(got, a, n, m, v)
		for i := range n {
			exact := new(big.Rat)
			for j := range m {
				p := new(big.Rat).SetFloat64(math.Abs(a[i*m+j]))
				exact.Add(exact, p.Mul(p, new(big.Rat).SetFloat64(v[j])))
			}
			if new(big.Rat).SetFloat64(got[i]).Cmp(exact) < 0 {
				t.Fatalf("absMatVecUp row %d: %g below the exact sum", i, got[i])
			}
			ef, _ := exact.Float64()
			if got[i] > ef*(1+4*float64(m+2)*unit)+1e-300 {
				t.Fatalf("absMatVecUp row %d: %g, far above the exact %g", i, got[i], ef)
			}
		}
		x, y := rng.NormFloat64(), rng.NormFloat64()
		for _, r := range []struct {
			f     float64
			exact *big.Rat
		}{
			{x + y, new(big.Rat).Add(new(big.Rat).SetFloat64(x), new(big.Rat).SetFloat64(y))},
			{x * y, new(big.Rat).Mul(new(big.Rat).SetFloat64(x), new(big.Rat).SetFloat64(y))},
		} {
			if new(big.Rat).SetFloat64(down(r.f)).Cmp(r.exact) > 0 || new(big.Rat).SetFloat64(up(r.f)).Cmp(r.exact) < 0 {
				t.Fatalf("down/up of %g miss the exact value", r.f)
			}
		}
	}
	if g := gamma(10); !(g > 10*unit && g < 10.001*unit) {
		t.Errorf("gamma(10) = %g", g)
	}
}

// TestSteps checks down and up against math.Nextafter on every kind of
// value.
func TestSteps(t *testing.T) {
	for _, x := range []float64{0, math.Copysign(0, -1), 1, -1, eta, -eta, math.MaxFloat64, -math.MaxFloat64, math.Inf(1), math.Inf(-1), 0x1p-1022, -0x1p-1022, 0.1, -3.7e300} {
		if d, w := down(x), math.Nextafter(x, math.Inf(-1)); d != w && !(math.IsInf(x, -1) && math.IsInf(d, -1)) {
			t.Errorf("down(%g) = %g, want %g", x, d, w)
		}
		if u, w := up(x), math.Nextafter(x, math.Inf(1)); u != w && !(math.IsInf(x, 1) && math.IsInf(u, 1)) {
			t.Errorf("up(%g) = %g, want %g", x, u, w)
		}
	}
	if !math.IsNaN(up(math.NaN())) || !math.IsNaN(down(math.NaN())) {
		t.Error("NaN stepped to a number")
	}
}

// TestPreimage checks PreimageRange through math/big: phi is increasing,
// so the preimage [a, b] of h holds phi^-1(h) when phi(a) <= h <= phi(b).
func TestPreimage(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	one := new(big.Float).SetPrec(bigPrec).SetInt64(1)
	sig := func(x float64) *big.Float {
		th := bigTanh(x / 2)
		th.Add(th, one)
		return th.Quo(th, big.NewFloat(2))
	}
	for range 2000 {
		h := math.Tanh((rng.Float64() - 0.5) * 30 * math.Pow(10, -rng.Float64()*6))
		bh := new(big.Float).SetPrec(bigPrec).SetFloat64(h)
		x := PreimageRange(dynamics.Tanh, h, h)
		if x.Lo > x.Hi || (x.Lo > -40 && bigTanh(x.Lo).Cmp(bh) > 0) || (x.Hi < 40 && bigTanh(x.Hi).Cmp(bh) < 0) {
			t.Fatalf("atanh(%g): [%g, %g]", h, x.Lo, x.Hi)
		}
		s := (h + 1) / 2
		bs := new(big.Float).SetPrec(bigPrec).SetFloat64(s)
		x = PreimageRange(dynamics.Sigmoid, s, s)
		if x.Lo > x.Hi || (x.Lo > -70 && sig(x.Lo).Cmp(bs) > 0) || (x.Hi < 70 && sig(x.Hi).Cmp(bs) < 0) {
			t.Fatalf("logit(%g): [%g, %g]", s, x.Lo, x.Hi)
		}
	}
	for _, c := range []struct {
		a      dynamics.Activation
		lo, hi float64
	}{{dynamics.Tanh, -1, 1}, {dynamics.Sigmoid, 0, 1}, {dynamics.RectifiedTanh, 0, 1}} {
		if x := PreimageRange(c.a, c.lo, c.hi); !math.IsInf(x.Lo, -1) || !math.IsInf(x.Hi, 1) {
			t.Errorf("%s: preimage of the whole range [%g, %g] is [%g, %g], want the real line", c.a, c.lo, c.hi, x.Lo, x.Hi)
		}
	}
	if x := PreimageRange(dynamics.RectifiedTanh, 0, 0.5); !math.IsInf(x.Lo, -1) || x.Hi < math.Atanh(0.5) {
		t.Errorf("rectified-tanh preimage of [0, 0.5]: %v", x)
	}
}
