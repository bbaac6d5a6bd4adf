package linearize

import (
	"errors"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/nettest"
)

func randDense(r, c int, sd float64, seed uint64) *mat.Dense {
	rng := rand.New(rand.NewPCG(seed, 0))
	m := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m.Set(i, j, sd*rng.NormFloat64())
		}
	}
	return m
}

// randOrthogonal returns the orthogonal factor Q of the QR factorisation of
// randDense(n, n, 1, seed): a random n x n orthogonal matrix.
func randOrthogonal(n int, seed uint64) *mat.Dense {
	var qr mat.QR
	qr.Factorize(randDense(n, n, 1, seed))
	var q mat.Dense
	qr.QTo(&q)
	return &q
}

func randVec(n int, sd float64, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	v := make([]float64, n)
	for i := range v {
		v[i] = sd * rng.NormFloat64()
	}
	return v
}

// matchValues pairs every b[k] with the nearest unused a[j] and returns the
// largest distance (nettest.MatchValues).
func matchValues(a, b []complex128) float64 { return nettest.MatchValues(b, a) }

func TestResiduals(t *testing.T) {
	for _, n := range []int{1, 2, 7, 40, 120} {
		w := randDense(n, n, 1.5/math.Sqrt(float64(n)), uint64(n))
		net := nettest.Must(t, dynamics.Config{W: w, B: randVec(n, 0.3, 5), Tau: randPos(n, uint64(n))})
		h := randVec(n, 0.5, uint64(n)+9)
		h0 := append([]float64(nil), h...)
		sp, err := At(net, h, &Settings{Vectors: LeftRightVectors})
		if err != nil {
			t.Fatal(err)
		}
		for i := range h {
			if h[i] != h0[i] {
				t.Fatal("At modified h")
			}
		}
		var j mat.Dense
		net.Jacobian(&j, h)
		jn := mat.Norm(&j, math.Inf(1))
		if sp.Scale != jn {
			t.Errorf("n=%d: Scale %v, want %v", n, sp.Scale, jn)
		}
		rr, lr := eigResiduals(&j, sp)
		if rr > 1e-12*jn*float64(n) || lr > 1e-12*jn*float64(n) {
			t.Errorf("n=%d: residuals right %.3g left %.3g, |J| = %.3g", n, rr, lr, jn)
		}
		if e := biorthError(sp); e > 1e-10*sp.Cond {
			t.Errorf("n=%d: |Left^H Right - I| = %.3g (cond %.3g)", n, e, sp.Cond)
		}
		if !(sp.Cond >= 1 && sp.Cond < 1e6) || sp.NearDefective {
			t.Errorf("n=%d: cond %v, near-defective %v", n, sp.Cond, sp.NearDefective)
		}
		checkSorted(t, sp)
	}
}

func randPos(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 2))
	v := make([]float64, n)
	for i := range v {
		v[i] = 0.5 + rng.Float64()
	}
	return v
}

// eigResiduals returns max_k |J v_k - lambda_k v_k| and
// max_k |u_k^H J - lambda_k u_k^H| / |u_k| (unit-norm right vectors).
func eigResiduals(j *mat.Dense, sp *Spectrum) (right, left float64) {
	n, _ := j.Dims()
	for k, lam := range sp.Values {
		for i := 0; i < n; i++ {
			var s complex128
			for l := 0; l < n; l++ {
				s += complex(j.At(i, l), 0) * sp.Right.At(l, k)
			}
			right = max(right, cmplx.Abs(s-lam*sp.Right.At(i, k)))
		}
		if sp.Left == nil {
			continue
		}
		un := 0.0
		for i := 0; i < n; i++ {
			un += cmplx.Abs(sp.Left.At(i, k)) * cmplx.Abs(sp.Left.At(i, k))
		}
		un = math.Sqrt(un)
		for l := 0; l < n; l++ {
			var s complex128
			for i := 0; i < n; i++ {
				s += cmplx.Conj(sp.Left.At(i, k)) * complex(j.At(i, l), 0)
			}
			left = max(left, cmplx.Abs(s-lam*cmplx.Conj(sp.Left.At(l, k)))/un)
		}
	}
	return right, left
}

func biorthError(sp *Spectrum) float64 {
	n := len(sp.Values)
	worst := 0.0
	for a := 0; a < n; a++ {
		for b := 0; b < n; b++ {
			var s complex128
			for i := 0; i < n; i++ {
				s += cmplx.Conj(sp.Left.At(i, a)) * sp.Right.At(i, b)
			}
			if a == b {
				s -= 1
			}
			worst = max(worst, cmplx.Abs(s))
		}
	}
	return worst
}

func checkSorted(t *testing.T, sp *Spectrum) {
	t.Helper()
	for k := 1; k < len(sp.Values); k++ {
		a, b := sp.Values[k-1], sp.Values[k]
		if sp.Convention.IsMap() {
			if cmplx.Abs(a) < cmplx.Abs(b) {
				t.Fatalf("not sorted by modulus at %d: %v, %v", k, a, b)
			}
		} else if real(a) < real(b) {
			t.Fatalf("not sorted by real part at %d: %v, %v", k, a, b)
		}
	}
}

// TestRotation: W = a R(theta) (block-diagonal 2x2 rotations), b = 0, tanh,
// h = 0 gives J = (-I + W)/tau with eigenvalues (-1 + a e^{+-i theta})/tau.
func TestRotation(t *testing.T) {
	for _, tc := range []struct{ a, theta, tau float64 }{
		{0.5, 0.3, 1}, {1.2, 1.0, 2}, {2, math.Pi / 2, 0.1}, {0.9, 2.5, 3},
	} {
		w := mat.NewDense(4, 4, nil)
		for blk := 0; blk < 2; blk++ {
			th := tc.theta * float64(blk+1)
			c, s := tc.a*math.Cos(th), tc.a*math.Sin(th)
			w.Set(2*blk, 2*blk, c)
			w.Set(2*blk, 2*blk+1, -s)
			w.Set(2*blk+1, 2*blk, s)
			w.Set(2*blk+1, 2*blk+1, c)
		}
		net := nettest.Must(t, dynamics.Config{W: w, Tau: []float64{tc.tau}})
		sp, err := At(net, make([]float64, 4), &Settings{Vectors: LeftRightVectors})
		if err != nil {
			t.Fatal(err)
		}
		var want []complex128
		for blk := 0; blk < 2; blk++ {
			th := tc.theta * float64(blk+1)
			for _, sg := range []float64{1, -1} {
				want = append(want, (-1+complex(tc.a, 0)*cmplx.Exp(complex(0, sg*th)))/complex(tc.tau, 0))
			}
		}
		if d := matchValues(sp.Values, want); d > 1e-13*(1+tc.a)/tc.tau {
			t.Errorf("%+v: eigenvalues %v, want %v", tc, sp.Values, want)
		}
		// The normal operator's basis is perfectly conditioned.
		if sp.Cond > 1+1e-8*4 || sp.Cond < 1-1e-12 {
			t.Errorf("%+v: cond %v, want 1", tc, sp.Cond)
		}
		// Frequencies in cycles per time unit: a sin(theta) / (2 pi tau).
		f := sp.Frequencies(nil, 0)
		for k, v := range sp.Values {
			if math.Abs(f[k]-imag(v)/(2*math.Pi)) > 1e-15 {
				t.Errorf("frequency %v for %v", f[k], v)
			}
		}
		checkSorted(t, sp)
		for k := 0; k+1 < 4; k += 2 {
			if sp.Values[k] != cmplx.Conj(sp.Values[k+1]) || imag(sp.Values[k]) < 0 {
				t.Errorf("pair order %v", sp.Values)
			}
		}
	}
}

func TestSymmetricReal(t *testing.T) {
	n := 30
	a := randDense(n, n, 2/math.Sqrt(float64(n)), 3)
	var w mat.Dense
	w.Add(a, a.T())
	w.Scale(0.5, &w)
	net := nettest.Must(t, dynamics.Config{W: &w, B: randVec(n, 0.5, 4), Tau: []float64{1.7}})
	sp, err := At(net, randVec(n, 1, 8), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range sp.Values {
		if math.Abs(imag(v)) > 1e-12*sp.Scale {
			t.Errorf("complex eigenvalue %v of a symmetric network", v)
		}
	}
}

// TestConventions: one network in the three conventions at the same state;
// lambda_M = 1 + alpha tau lambda_J (Leaky), lambda_D = 1 + tau lambda_J.
func TestConventions(t *testing.T) {
	n := 25
	w := randDense(n, n, 1.3/math.Sqrt(float64(n)), 11)
	b := randVec(n, 0.4, 12)
	h := randVec(n, 0.7, 13)
	const tau, alpha = 2.5, 0.2
	get := func(conv dynamics.Convention, al float64) *Spectrum {
		net := nettest.Must(t, dynamics.Config{W: w, B: b, Tau: []float64{tau}, Convention: conv, Alpha: al})
		sp, err := At(net, h, nil)
		if err != nil {
			t.Fatal(err)
		}
		if sp.Convention != conv {
			t.Fatalf("convention %v", sp.Convention)
		}
		checkSorted(t, sp)
		return sp
	}
	jc := get(dynamics.Continuous, 0)
	lk := get(dynamics.Leaky, alpha)
	ds := get(dynamics.Discrete, 0)
	wantL := make([]complex128, n)
	wantD := make([]complex128, n)
	for k, v := range jc.Values {
		wantL[k] = 1 + complex(alpha*tau, 0)*v
		wantD[k] = 1 + complex(tau, 0)*v
	}
	if d := matchValues(lk.Values, wantL); d > 1e-12 {
		t.Errorf("leaky: max mismatch %.3g", d)
	}
	if d := matchValues(ds.Values, wantD); d > 1e-12*tau*jc.Scale {
		t.Errorf("discrete: max mismatch %.3g", d)
	}
	// Time constants agree to first order in the step: leaky -dt/ln|1 +
	// dt lambda| vs continuous -1/Re lambda for a small step.
	tl := lk.TimeConstants(nil, alpha*tau)
	for k, v := range lk.Values {
		want := -alpha * tau / math.Log(cmplx.Abs(v))
		if tl[k] != want {
			t.Errorf("leaky time constant %v, want %v", tl[k], want)
		}
	}
}

func TestClasses(t *testing.T) {
	for _, tc := range []struct {
		conv   dynamics.Convention
		diag   []float64
		nu, nm int
		class  Class
		str    string
	}{
		{dynamics.Continuous, []float64{-1, -2}, 0, 0, Stable, "stable"},
		{dynamics.Continuous, []float64{1, -1}, 1, 0, Saddle, "saddle"},
		{dynamics.Continuous, []float64{1, 2}, 2, 0, Unstable, "unstable"},
		{dynamics.Continuous, []float64{0, -1}, 0, 1, Marginal, "marginal"},
		{dynamics.Continuous, []float64{1e-10, -1}, 0, 1, Marginal, "marginal"},
		{dynamics.Continuous, []float64{1e-7, -1}, 1, 0, Saddle, "saddle"},
		{dynamics.Continuous, []float64{1, 0, -1}, 1, 1, Saddle, "saddle"},
		{dynamics.Leaky, []float64{0.5, -0.2}, 0, 0, Stable, "stable"},
		{dynamics.Leaky, []float64{1.5, 0.5}, 1, 0, Saddle, "saddle"},
		{dynamics.Discrete, []float64{-1, 0.5}, 0, 1, Marginal, "marginal"},
		{dynamics.Discrete, []float64{-2, 3}, 2, 0, Unstable, "unstable"},
		{dynamics.Discrete, []float64{0, 0}, 0, 0, Stable, "stable"},
	} {
		m := mat.NewDiagDense(len(tc.diag), tc.diag)
		sp, err := Decompose(m, tc.conv, nil)
		if err != nil {
			t.Fatal(err)
		}
		if sp.NUnstable != tc.nu || sp.NMarginal != tc.nm || sp.Class != tc.class || sp.Class.String() != tc.str {
			t.Errorf("%v %v: got %d unstable, %d marginal, %v; want %d, %d, %s", tc.conv, tc.diag, sp.NUnstable, sp.NMarginal, sp.Class, tc.nu, tc.nm, tc.str)
		}
		checkSorted(t, sp)
		b, _ := sp.Class.MarshalText()
		var c Class
		if err := c.UnmarshalText(b); err != nil || c != sp.Class {
			t.Errorf("text round trip of %v: %v %v", sp.Class, c, err)
		}
	}
	// An explicit eps overrides the default.
	sp, err := Decompose(mat.NewDiagDense(2, []float64{1e-3, -1}), dynamics.Continuous, &Settings{Eps: 1e-2})
	if err != nil || sp.Class != Marginal || sp.Eps != 1e-2 {
		t.Errorf("eps 1e-2: %v %v", sp, err)
	}
	if _, err := Decompose(mat.NewDiagDense(1, []float64{1}), dynamics.Continuous, &Settings{Eps: -1}); err == nil {
		t.Error("negative eps accepted")
	}
	if _, err := Decompose(mat.NewDiagDense(1, []float64{1}), dynamics.Continuous, &Settings{Vectors: 9}); err == nil {
		t.Error("unknown Vectors accepted")
	}
	if _, err := Decompose(mat.NewDiagDense(1, []float64{1}), dynamics.Convention(7), nil); err == nil {
		t.Error("unknown convention accepted")
	}
	if Class(9).String() != "Class(9)" {
		t.Error(Class(9).String())
	}
}

func TestSortAndTimeConstants(t *testing.T) {
	m := mat.NewDiagDense(4, []float64{-2, -0.5, -10, -1})
	sp, err := Decompose(m, dynamics.Continuous, nil)
	if err != nil {
		t.Fatal(err)
	}
	tc := sp.TimeConstants(nil, 0)
	want := []float64{2, 1, 0.5, 0.1}
	for k := range want {
		if tc[k] != want[k] {
			t.Fatalf("time constants %v, want %v", tc, want)
		}
	}
	// Right vectors follow the order: column k is e_i for value -1/want[k].
	for k, v := range sp.Values {
		i := map[float64]int{-2: 0, -0.5: 1, -10: 2, -1: 3}[real(v)]
		if sp.Right.At(i, k) == 0 {
			t.Errorf("column %d does not follow value %v", k, v)
		}
	}
	// A map: |lambda| = e^{-dt/T}: lambda = -0.5 with dt = 0.1 gives
	// T = 0.1/ln 2 and frequency 1/(2 dt) = 5.
	mp, err := Decompose(mat.NewDiagDense(2, []float64{0.9, -0.5}), dynamics.Leaky, nil)
	if err != nil {
		t.Fatal(err)
	}
	tm := mp.TimeConstants(nil, 0.1)
	fr := mp.Frequencies(nil, 0.1)
	if math.Abs(tm[0]+0.1/math.Log(0.9)) > 1e-15 || math.Abs(tm[1]-0.1/math.Ln2) > 1e-15 || fr[0] != 0 || math.Abs(fr[1]-5) > 1e-12 {
		t.Errorf("map: time constants %v, frequencies %v", tm, fr)
	}
}

func TestErrors(t *testing.T) {
	m := mat.NewDense(2, 2, []float64{1, math.NaN(), 0, 1})
	_, err := Decompose(m, dynamics.Continuous, nil)
	var nf *NonFiniteError
	if !errors.As(err, &nf) || nf.Row != 0 || nf.Col != 1 {
		t.Errorf("NaN: %v", err)
	}
	m.Set(0, 1, math.Inf(-1))
	if _, err := Decompose(m, dynamics.Continuous, nil); !errors.As(err, &nf) {
		t.Errorf("Inf: %v", err)
	}
	net := nettest.Must(t, dynamics.Config{W: mat.NewDense(2, 2, nil)})
	if _, err := At(net, []float64{0, math.NaN()}, nil); err == nil {
		t.Error("NaN state accepted")
	}
}

func TestDefective(t *testing.T) {
	// A Jordan block: no eigenvector basis.
	j := mat.NewDense(3, 3, []float64{-1, 1, 0, 0, -1, 1, 0, 0, -1})
	sp, err := Decompose(j, dynamics.Continuous, &Settings{Vectors: LeftRightVectors})
	if !errors.Is(err, ErrDefective) || sp == nil || sp.Left != nil || !sp.NearDefective {
		t.Fatalf("Jordan block: err %v, spectrum %+v", err, sp)
	}
	if sp.Class != Stable || sp.Cond < 1e8 {
		t.Errorf("Jordan block: class %v cond %v", sp.Class, sp.Cond)
	}
	// A near-defective but diagonalisable matrix is flagged, and its left
	// vectors are still biorthonormal.
	d := mat.NewDense(2, 2, []float64{-1, 1, 0, -1 - 1e-10})
	sp, err = Decompose(d, dynamics.Continuous, &Settings{Vectors: LeftRightVectors})
	if err != nil {
		t.Fatal(err)
	}
	if !sp.NearDefective || sp.Cond < 1e9 {
		t.Errorf("near-defective: cond %v flag %v", sp.Cond, sp.NearDefective)
	}
	if e := biorthError(sp); e > 1e-5 {
		t.Errorf("near-defective: biorthogonality error %v", e)
	}
}

// TestDegenerate: repeated eigenvalues of a diagonalisable operator still
// give biorthonormal left vectors.
func TestDegenerate(t *testing.T) {
	// Q diag(-1, -1, -1, -2, -2) Q^T with a random orthogonal Q, and a
	// non-normal similar matrix S diag S^{-1}.
	n := 5
	q := randOrthogonal(n, 21)
	dg := mat.NewDiagDense(n, []float64{-1, -1, -1, -2, -2})
	var sym mat.Dense
	sym.Product(q, dg, q.T())
	s := randDense(n, n, 1, 22)
	for i := 0; i < n; i++ {
		s.Set(i, i, s.At(i, i)+3)
	}
	var si, nonNormal mat.Dense
	if err := si.Inverse(s); err != nil {
		t.Fatal(err)
	}
	nonNormal.Product(s, dg, &si)
	for name, m := range map[string]*mat.Dense{"symmetric": &sym, "non-normal": &nonNormal, "identity": func() *mat.Dense {
		d := mat.NewDense(n, n, nil)
		for i := 0; i < n; i++ {
			d.Set(i, i, -1)
		}
		return d
	}()} {
		sp, err := Decompose(m, dynamics.Continuous, &Settings{Vectors: LeftRightVectors})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if e := biorthError(sp); e > 1e-9*sp.Cond {
			t.Errorf("%s: biorthogonality error %v (cond %v)", name, e, sp.Cond)
		}
		rr, lr := eigResiduals(m, sp)
		if rr > 1e-12 || lr > 1e-12 {
			t.Errorf("%s: residuals %v %v", name, rr, lr)
		}
	}
}

// TestRandomMatrixAnchors: W ~ N(0, g^2/N), N = 1000: the spectral radius
// of W is within 5% of g (circular law), and the tanh network's origin is
// stable for g = 0.8 and unstable for g = 1.5 (Sompolinsky, Crisanti and
// Sommers 1988). At h = 0, b = 0, tau = 1, J = W - I exactly, so the radius
// is max |lambda_J + 1|. The race detector's instrumentation slows the
// pure-Go solver about tenfold (minutes for these two solves), so a race
// build skips this test: run it with a plain go test.
func TestRandomMatrixAnchors(t *testing.T) {
	if raceBuild {
		t.Skip("race build: the two N = 1000 eigen-solves take minutes; run go test without -race")
	}
	const n = 1000
	for _, tc := range []struct {
		g     float64
		class Class
	}{{0.8, Stable}, {1.5, Saddle}} {
		w := randDense(n, n, tc.g/math.Sqrt(n), 77)
		net := nettest.Must(t, dynamics.Config{W: w})
		sp, err := At(net, make([]float64, n), nil) // values only at N > AutoVectorsMax
		if err != nil {
			t.Fatal(err)
		}
		if sp.Right != nil {
			t.Error("right vectors computed at N = 1000 by default")
		}
		r := 0.0
		for _, v := range sp.Values {
			r = max(r, cmplx.Abs(v+1))
		}
		if math.Abs(r-tc.g) > 0.05*tc.g {
			t.Errorf("g = %v: spectral radius %v", tc.g, r)
		}
		if sp.Class != tc.class {
			t.Errorf("g = %v: class %v, want %v (n_unstable %d)", tc.g, sp.Class, tc.class, sp.NUnstable)
		}
	}
}

// TestValueConds: for A = S diag S^{-1} the eigenvalue condition numbers
// are |e_k^T S^{-1}| |S e_k| (Golub and Van Loan 7.2.2); 1 for a normal A.
func TestValueConds(t *testing.T) {
	s := mat.NewDense(2, 2, []float64{1, 1, 0, 0.01})
	var si, a, tmp mat.Dense
	if err := si.Inverse(s); err != nil {
		t.Fatal(err)
	}
	tmp.Mul(s, mat.NewDiagDense(2, []float64{-1, -3}))
	a.Mul(&tmp, &si)
	sp, err := Decompose(&a, dynamics.Continuous, &Settings{Vectors: LeftRightVectors})
	if err != nil {
		t.Fatal(err)
	}
	c := sp.ValueConds(nil)
	for k := 0; k < 2; k++ {
		col := mat.Col(nil, k, s)
		row := mat.Row(nil, k, &si)
		want := math.Hypot(col[0], col[1]) * math.Hypot(row[0], row[1])
		if math.Abs(c[k]-want) > 1e-10*want {
			t.Errorf("cond %d: %v, want %v", k, c[k], want)
		}
	}
	sp, err = Decompose(mat.NewDense(2, 2, []float64{0, -1, 1, 0}), dynamics.Continuous, &Settings{Vectors: LeftRightVectors})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range sp.ValueConds(nil) {
		if math.Abs(v-1) > 1e-14 {
			t.Errorf("normal: cond %v", v)
		}
	}
}

// A mode exactly on the stability boundary has time constant +Inf, never
// -Inf (which -1/+0 gives and which reads as a growing mode), whatever the
// sign of the zero.
func TestTimeConstantsBoundary(t *testing.T) {
	negZero := math.Copysign(0, -1)
	cont := &Spectrum{Convention: dynamics.Continuous, Values: []complex128{0, complex(negZero, 0), complex(0, 2), complex(negZero, -2), -0.5}}
	tc := cont.TimeConstants(nil, 0)
	for k := range 4 {
		if !math.IsInf(tc[k], 1) {
			t.Errorf("continuous: value %v has time constant %v, want +Inf", cont.Values[k], tc[k])
		}
	}
	if tc[4] != 2 {
		t.Errorf("continuous: value -0.5 has time constant %v, want 2", tc[4])
	}
	for _, conv := range []dynamics.Convention{dynamics.Leaky, dynamics.Discrete} {
		mp := &Spectrum{Convention: conv, Values: []complex128{1, -1, complex(0, 1), complex(0.6, 0.8), 0.5}}
		tm := mp.TimeConstants(nil, 0.1)
		for k := range 4 {
			if !math.IsInf(tm[k], 1) {
				t.Errorf("%v: value %v has time constant %v, want +Inf", conv, mp.Values[k], tm[k])
			}
		}
		if math.Abs(tm[4]-0.1/math.Ln2) > 1e-15 {
			t.Errorf("%v: value 0.5 has time constant %v, want %v", conv, tm[4], 0.1/math.Ln2)
		}
	}
	// Through Decompose: a zero eigenvalue of a singular Jacobian.
	sp, err := Decompose(mat.NewDense(2, 2, []float64{0, 0, 0, -1}), dynamics.Continuous, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tc := sp.TimeConstants(nil, 0); !math.IsInf(tc[0], 1) || tc[1] != 1 {
		t.Errorf("diag(0, -1): time constants %v, want [+Inf 1]", tc)
	}
}
