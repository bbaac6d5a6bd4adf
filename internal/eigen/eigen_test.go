package eigen

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/nettest"
	"github.com/fpfind/fpfind/internal/pythontest"
)

// eigensolver is linearize.Eigensolver's method set, restated here so that
// this package's tests do not depend on a package being edited elsewhere.
type eigensolver interface {
	Geev(a blas64.General, wr, wi []float64, vl, vr blas64.General) error
}

var _ eigensolver = Solver{}

func randMatrix(n int, seed uint64) *mat.Dense {
	rnd := rand.New(rand.NewPCG(seed, uint64(n)))
	a := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			a.Set(i, j, rnd.NormFloat64()/math.Sqrt(float64(n)))
		}
	}
	return a
}

// lowRankJacobian returns the Jacobian J = diag(phi'(x)) W - I, x = W h, of
// a tanh network with the rank-2 weights W of nettest.Rank2W at a Gaussian
// state h. J has the eigenvalue -1 n-2 times, which its Schur form holds as
// diagonal entries and 2×2 blocks equal to -1 to working precision.
func lowRankJacobian(n int, seed uint64) *mat.Dense {
	rnd := rand.New(rand.NewPCG(seed, 2))
	w := nettest.Rank2W(rnd, n)
	h := make([]float64, n)
	for i := range h {
		h[i] = rnd.NormFloat64()
	}
	return jacobianAt(w, h)
}

// jacobianAt overwrites the n×n w with the Jacobian J = diag(1 - tanh(W
// h)^2) W - I of a tanh network at h, and returns it.
func jacobianAt(w *mat.Dense, h []float64) *mat.Dense {
	n, _ := w.Dims()
	x := mat.NewVecDense(n, nil)
	x.MulVec(w, mat.NewVecDense(n, h))
	for i := 0; i < n; i++ {
		t := math.Tanh(x.AtVec(i))
		row := w.RawRowView(i)
		for j := range row {
			row[j] *= 1 - t*t
		}
		row[i]--
	}
	return w
}

// testMatrices returns named test matrices: dense Gaussian ones of several
// orders, one with rows and columns that balancing isolates, a badly scaled
// one, a symmetric one, a Jacobian-like -I + D W, and Jacobians of rank-2
// networks (lowRankJacobian) that lead gonum's Dtrevc3 and Dlarft into
// the cases trevcWork and larft are for.
func testMatrices() []struct {
	name string
	a    *mat.Dense
} {
	var out []struct {
		name string
		a    *mat.Dense
	}
	add := func(name string, a *mat.Dense) {
		out = append(out, struct {
			name string
			a    *mat.Dense
		}{name, a})
	}
	for _, n := range []int{1, 2, 10, 50, 76, 100, 300} {
		if raceEnabled && n > 100 {
			continue
		}
		add(fmt.Sprintf("gauss/n=%d", n), randMatrix(n, 1))
	}
	// Isolated eigenvalues: zero some rows and columns below the diagonal.
	iso := randMatrix(120, 2)
	for i := 0; i < 120; i += 7 {
		for j := 0; j < i; j++ {
			iso.Set(i, j, 0)
		}
	}
	for j := 3; j < 120; j += 11 {
		for i := j + 1; i < 120; i++ {
			iso.Set(i, j, 0)
		}
	}
	add("isolated/n=120", iso)
	// Badly scaled: D A D^-1 with D spanning 1e-4..1e4.
	bad := randMatrix(150, 3)
	for i := 0; i < 150; i++ {
		for j := 0; j < 150; j++ {
			bad.Set(i, j, bad.At(i, j)*math.Pow(10, 8*float64(i-j)/150))
		}
	}
	add("scaled/n=150", bad)
	sym := randMatrix(200, 4)
	var s mat.Dense
	s.Add(sym, sym.T())
	add("symmetric/n=200", &s)
	// The Dlaln2 branch of trevcWork on both sides, on the left and on
	// the right only.
	add("lowrank/n=20", lowRankJacobian(20, 25))
	add("lowrank/n=30", lowRankJacobian(30, 42))
	add("lowrank/n=40", lowRankJacobian(40, 86))
	if raceEnabled {
		return out
	}
	// larft's trailing zeros, without and with trevcWork's branch.
	add("lowrank/n=200", lowRankJacobian(200, 5))
	add("lowrank/n=200/right", lowRankJacobian(200, 149))
	jac := randMatrix(250, 5)
	rnd := rand.New(rand.NewPCG(5, 5))
	for i := 0; i < 250; i++ {
		d := 1 - math.Pow(math.Tanh(rnd.NormFloat64()), 2)
		for j := 0; j < 250; j++ {
			jac.Set(i, j, 1.5*d*jac.At(i, j))
		}
		jac.Set(i, i, jac.At(i, i)-1)
	}
	add("jacobian/n=250", jac)
	add("tanh/n=200", tanhJacobian(200, 1.5, 6))
	add("clustered/n=150", clustered(150, 7))
	add("defective/n=100", nearDefective(100, 8))
	return out
}

// tanhJacobian returns J = -I + diag(1 - tanh(W h)^2) W for W with N(0,
// g^2/n) entries at a state h uniform in [-1, 1]^n: the matrices fpfind's
// linearisation decomposes, here on the chaotic side (g > 1).
func tanhJacobian(n int, g float64, seed uint64) *mat.Dense {
	rnd := rand.New(rand.NewPCG(seed, 6))
	w := randMatrix(n, seed)
	w.Scale(g, w)
	h := make([]float64, n)
	for i := range h {
		h[i] = 2*rnd.Float64() - 1
	}
	return jacobianAt(w, h)
}

// orthogonal returns a random n×n orthogonal matrix (the Q of a Gaussian
// matrix).
func orthogonal(n int, seed uint64) *mat.Dense {
	var qr mat.QR
	qr.Factorize(randMatrix(n, seed))
	var q mat.Dense
	qr.QTo(&q)
	return &q
}

// similar returns Q D Q^T for a random orthogonal Q.
func similar(d *mat.Dense, seed uint64) *mat.Dense {
	n, _ := d.Dims()
	q := orthogonal(n, seed)
	var qd, a mat.Dense
	qd.Mul(q, d)
	a.Mul(&qd, q.T())
	return &a
}

// clustered returns a normal matrix whose eigenvalues come in tight
// clusters: real ones 1e-9 apart around three centres and complex pairs
// 1e-9 apart around two, so their eigenvalues are well conditioned but
// the QR iteration has to separate nearly equal shifts.
func clustered(n int, seed uint64) *mat.Dense {
	d := mat.NewDense(n, n, nil)
	centres := []complex128{-1, -0.3, 0.8, complex(-0.5, 0.7), complex(0.1, 1.2)}
	for i, k := 0, 0; i < n; k++ {
		c := centres[k%len(centres)]
		re, im := real(c)+1e-9*float64(k), imag(c)+1e-9*float64(k)
		if imag(c) == 0 || i+1 == n {
			d.Set(i, i, re)
			i++
			continue
		}
		d.Set(i, i, re)
		d.Set(i+1, i+1, re)
		d.Set(i, i+1, im)
		d.Set(i+1, i, -im)
		i += 2
	}
	return similar(d, seed)
}

// nearDefective returns a matrix similar (orthogonally) to a direct sum of
// 2×2 blocks [l 1; 1e-14 l], each a Jordan block perturbed to two
// eigenvalues l +- 1e-7: a rounding error of u |A| moves them by about
// sqrt(u), so they are computable to about 1e-8 only.
func nearDefective(n int, seed uint64) *mat.Dense {
	rnd := rand.New(rand.NewPCG(seed, 8))
	d := mat.NewDense(n, n, nil)
	for i := 0; i+1 < n; i += 2 {
		l := rnd.NormFloat64()
		d.Set(i, i, l)
		d.Set(i+1, i+1, l)
		d.Set(i, i+1, 1)
		d.Set(i+1, i, 1e-14)
	}
	if n%2 == 1 {
		d.Set(n-1, n-1, rnd.NormFloat64())
	}
	return similar(d, seed)
}

// match pairs each value in got with a distinct value in want, greedily by
// distance (nettest.MatchValues, got sorted to make the pairing stable), and
// returns the largest distance.
func match(got, want []complex128) float64 {
	g := slices.Clone(got)
	slices.SortFunc(g, func(a, b complex128) int {
		return cmp.Or(cmp.Compare(real(a), real(b)), cmp.Compare(imag(a), imag(b)))
	})
	return nettest.MatchValues(g, want)
}

// residuals returns max_j |A v_j - lambda_j v_j| and max_j |u_j^H A -
// lambda_j u_j^H| (vectors of unit norm), or 0 for a nil set of vectors.
// With v = re + i im, A v = A re + i A im; u^H A = lambda u^H is
// A^T conj(u) = lambda conj(u).
func residuals(a mat.Matrix, vals []complex128, right, left *mat.CDense) (rr, rl float64) {
	n, _ := a.Dims()
	split := func(v *mat.CDense, conj bool) (re, im *mat.Dense) {
		re, im = mat.NewDense(n, n, nil), mat.NewDense(n, n, nil)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				x := v.At(i, j)
				if conj {
					x = cmplx.Conj(x)
				}
				re.Set(i, j, real(x))
				im.Set(i, j, imag(x))
			}
		}
		return re, im
	}
	worst := func(op mat.Matrix, v *mat.CDense, conj bool) float64 {
		re, im := split(v, conj)
		var are, aim mat.Dense
		are.Mul(op, re)
		aim.Mul(op, im)
		w := 0.0
		for j, l := range vals {
			var r float64
			for i := 0; i < n; i++ {
				x := complex(re.At(i, j), im.At(i, j))
				d := complex(are.At(i, j), aim.At(i, j)) - l*x
				r += real(d)*real(d) + imag(d)*imag(d)
			}
			w = max(w, math.Sqrt(r))
		}
		return w
	}
	if right != nil {
		rr = worst(a, right, false)
	}
	if left != nil {
		rl = worst(a.T(), left, true)
	}
	return rr, rl
}

func unitNorms(v *mat.CDense) float64 {
	n, m := v.Dims()
	worst := 0.0
	for j := 0; j < m; j++ {
		var s float64
		for i := 0; i < n; i++ {
			x := v.At(i, j)
			s += real(x)*real(x) + imag(x)*imag(x)
		}
		worst = max(worst, math.Abs(math.Sqrt(s)-1))
	}
	return worst
}

func TestFactorizeAgainstGonum(t *testing.T) {
	for _, tc := range testMatrices() {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.a
			n, _ := a.Dims()
			orig := mat.DenseCopyOf(a)
			d, err := Factorize(a, true, true)
			if err != nil {
				t.Fatal(err)
			}
			if !mat.Equal(a, orig) {
				t.Fatal("Factorize modified its argument")
			}
			// Values only: gonum's own Dgeev fails on the low-rank
			// matrices when it computes vectors.
			var ref mat.Eigen
			if !ref.Factorize(a, mat.EigenNone) {
				t.Fatal("gonum's Eigen failed")
			}
			anorm := mat.Norm(a, 2)
			tol := 1e-10 * max(1, anorm)
			if tc.name == "scaled/n=150" || strings.HasPrefix(tc.name, "defective/") {
				tol = 1e-6 * anorm // ill-conditioned eigenvalues
			}
			if dist := match(d.Values, ref.Values(nil)); dist > tol {
				t.Errorf("eigenvalues differ from gonum's by %g", dist)
			}
			// Values only must agree with the values of the full run.
			dv, err := Factorize(a, false, false)
			if err != nil {
				t.Fatal(err)
			}
			if dv.Right != nil || dv.Left != nil {
				t.Error("vectors returned though not asked for")
			}
			if dist := match(dv.Values, d.Values); dist > tol {
				t.Errorf("values-only eigenvalues differ by %g", dist)
			}
			rr, rl := residuals(a, d.Values, d.Right, d.Left)
			if lim := 1e-10 * max(1, anorm) * math.Sqrt(float64(n)); rr > lim || rl > lim {
				t.Errorf("residuals right %g left %g > %g", rr, rl, lim)
			}
			if e := max(unitNorms(d.Right), unitNorms(d.Left)); e > 1e-12 {
				t.Errorf("vectors not of unit norm: off by %g", e)
			}
			// Right vectors only, then left vectors only.
			for _, side := range []struct{ left, right bool }{{false, true}, {true, false}} {
				d, err := Factorize(a, side.left, side.right)
				if err != nil {
					t.Fatal(err)
				}
				if (d.Left != nil) != side.left || (d.Right != nil) != side.right {
					t.Fatalf("left %t right %t: wrong set of vectors", side.left, side.right)
				}
				rr, rl := residuals(a, d.Values, d.Right, d.Left)
				if r := max(rr, rl); r > 1e-10*max(1, anorm)*math.Sqrt(float64(n)) {
					t.Errorf("left %t right %t: residual %g", side.left, side.right, r)
				}
			}
		})
	}
}

func TestNumShifts(t *testing.T) {
	// The table of reference LAPACK's IPARMQ (ISPEC = 15), evaluated by
	// hand: NS = MAX(10, NH/NINT(LOG(NH)/LOG(2))) between 150 and 589.
	for _, c := range []struct{ nh, ns int }{
		{10, 2}, {29, 2}, {30, 4}, {59, 4}, {60, 10}, {149, 10},
		{150, 20}, // 150/nint(7.23) = 150/7 = 21 -> 20
		{256, 32}, // 256/8
		{589, 64}, // 589/nint(9.20) = 589/9 = 65 -> 64
		{590, 64}, {2999, 64}, {3000, 128}, {5999, 128}, {6000, 256}, {20000, 256},
	} {
		if got := numShifts(c.nh); got != c.ns {
			t.Errorf("numShifts(%d) = %d, want %d", c.nh, got, c.ns)
		}
	}
	if windowSize(500) != numShifts(500) || windowSize(2048) != 96 {
		t.Errorf("windowSize: got %d and %d", windowSize(500), windowSize(2048))
	}
}

// numpyEig returns numpy.linalg.eigvals of a, passed as text (after
// pythontest.Need).
func numpyEig(t *testing.T, a mat.Matrix) []complex128 {
	t.Helper()
	n, _ := a.Dims()
	var in bytes.Buffer
	fmt.Fprintln(&in, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			in.WriteString(strconv.FormatFloat(a.At(i, j), 'g', -1, 64))
			in.WriteByte(' ')
		}
		in.WriteByte('\n')
	}
	const script = `import sys, numpy as np
d = sys.stdin.read().split()
n = int(d[0])
a = np.array([float(x) for x in d[1:1+n*n]]).reshape(n, n)
for z in np.linalg.eigvals(a):
    print(repr(float(z.real)), repr(float(z.imag)))
`
	out := pythontest.Run(t, script, in.String())
	var vals []complex128
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		re, _ := strconv.ParseFloat(f[0], 64)
		im, _ := strconv.ParseFloat(f[1], 64)
		vals = append(vals, complex(re, im))
	}
	return vals
}

func TestFactorizeAgainstNumpy(t *testing.T) {
	pythontest.Need(t, "numpy")
	for _, tc := range testMatrices() {
		if tc.name == "scaled/n=150" {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			d, err := Factorize(tc.a, false, false)
			if err != nil {
				t.Fatal(err)
			}
			want := numpyEig(t, tc.a)
			if len(want) != len(d.Values) {
				t.Fatalf("numpy gave %d values, we %d", len(want), len(d.Values))
			}
			tol := 1e-10 * max(1, mat.Norm(tc.a, 2))
			if strings.HasPrefix(tc.name, "defective/") {
				tol = 1e-6 * mat.Norm(tc.a, 2) // ill-conditioned eigenvalues
			}
			if dist := match(d.Values, want); dist > tol {
				t.Errorf("eigenvalues differ from numpy's by %g", dist)
			}
		})
	}
}

func TestFactorizeNonFinite(t *testing.T) {
	a := randMatrix(20, 9)
	a.Set(3, 4, math.NaN())
	if _, err := Factorize(a, false, true); err == nil {
		t.Error("NaN entry: no error")
	}
	a.Set(3, 4, math.Inf(1))
	if _, err := Factorize(a, false, false); err == nil {
		t.Error("Inf entry: no error")
	}
}
