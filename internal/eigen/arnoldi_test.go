package eigen

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/pythontest"
)

// denseOp returns the product with a as an operator.
func denseOp(a *mat.Dense) func(dst, v []float64) {
	g := a.RawMatrix()
	return func(dst, v []float64) {
		blas64.Gemv(blas.NoTrans, 1, g, vec(v), 0, vec(dst))
	}
}

// jacobianLike returns -I + diag(d) (g W) with W Gaussian of variance 1/n
// and d = 1 - tanh(z)^2 for Gaussian z: the Jacobian of a random tanh
// network at a random state.
func jacobianLike(n int, g float64, seed uint64) *mat.Dense {
	a := randMatrix(n, seed)
	rnd := rand.New(rand.NewPCG(seed, 1000))
	for i := 0; i < n; i++ {
		t := math.Tanh(rnd.NormFloat64())
		d := 1 - t*t
		row := a.RawRowView(i)
		for j := range row {
			row[j] *= g * d
		}
		row[i]--
	}
	return a
}

// wanted returns the k first values of the full spectrum of a in the order
// of which.
func wanted(t *testing.T, a *mat.Dense, k int, which Which) []complex128 {
	t.Helper()
	d, err := Factorize(a, false, false)
	if err != nil {
		t.Fatal(err)
	}
	v := slices.Clone(d.Values)
	slices.SortFunc(v, which.less)
	return v[:k]
}

func checkLeading(t *testing.T, a *mat.Dense, k int, which Which, s *ArnoldiSettings) *Partial {
	t.Helper()
	n, _ := a.Dims()
	p, err := Leading(n, k, denseOp(a), which, s)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != Converged {
		t.Fatalf("status %v after %d restarts, residuals %v", p.Status, p.Restarts, p.Residuals)
	}
	want := wanted(t, a, k, which)
	anorm := mat.Norm(a, 2)
	for i, w := range want {
		if d := cmplx.Abs(p.Values[i] - w); d > 1e-8*anorm {
			t.Errorf("value %d: got %v, want %v (full decomposition), off by %g", i, p.Values[i], w, d)
		}
	}
	// Residuals: recomputed here independently, and below the tolerance.
	tol := 1e-10
	if s != nil && s.Tol != 0 {
		tol = s.Tol
	}
	for j := 0; j < k; j++ {
		x := make([]complex128, n)
		var nrm float64
		for i := range x {
			x[i] = p.Vectors.At(i, j)
			nrm += real(x[i])*real(x[i]) + imag(x[i])*imag(x[i])
		}
		if math.Abs(math.Sqrt(nrm)-1) > 1e-12 {
			t.Errorf("vector %d has norm %g", j, math.Sqrt(nrm))
		}
		var r float64
		for i := 0; i < n; i++ {
			var s complex128
			row := a.RawRowView(i)
			for l, aij := range row {
				s += complex(aij, 0) * x[l]
			}
			s -= p.Values[j] * x[i]
			r += real(s)*real(s) + imag(s)*imag(s)
		}
		if r = math.Sqrt(r); r > tol*anorm || math.Abs(r-p.Residuals[j]) > 1e-9*anorm {
			t.Errorf("pair %d: residual %g (reported %g), tolerance %g * |A| = %g", j, r, p.Residuals[j], tol, tol*anorm)
		}
		if p.NormA > anorm*(1+1e-12) {
			t.Errorf("NormA %g exceeds |A|_2 = %g", p.NormA, anorm)
		}
	}
	return p
}

func TestLeadingAgainstFull(t *testing.T) {
	for _, c := range []struct {
		n, k  int
		which Which
		a     func() *mat.Dense
	}{
		{500, 10, LargestReal, func() *mat.Dense { return jacobianLike(500, 1.5, 1) }},
		{500, 6, LargestModulus, func() *mat.Dense { return jacobianLike(500, 1.5, 2) }},
		{300, 5, LargestReal, func() *mat.Dense { return randMatrix(300, 3) }},
		{40, 40, LargestReal, func() *mat.Dense { return randMatrix(40, 4) }},
		{12, 3, LargestModulus, func() *mat.Dense { return randMatrix(12, 5) }},
		{200, 8, LargestReal, func() *mat.Dense {
			// Symmetric: a real spectrum.
			a := randMatrix(200, 6)
			var s mat.Dense
			s.Add(a, a.T())
			return &s
		}},
		{100, 4, LargestReal, func() *mat.Dense {
			// I + u v^T: eigenvalue 1 with multiplicity 99, so the
			// Krylov space breaks down after two steps.
			a := mat.NewDense(100, 100, nil)
			for i := 0; i < 100; i++ {
				a.Set(i, i, 1)
				for j := 0; j < 100; j++ {
					a.Set(i, j, a.At(i, j)+0.3*float64(i%3)*float64(j%5)/100)
				}
			}
			return a
		}},
	} {
		t.Run(fmt.Sprintf("n=%d/k=%d/%v", c.n, c.k, c.which), func(t *testing.T) {
			p := checkLeading(t, c.a(), c.k, c.which, nil)
			t.Logf("restarts %d, matvecs %d", p.Restarts, p.MatVecs)
		})
	}
}

func TestLeadingErrorsAndStatus(t *testing.T) {
	a := randMatrix(50, 6)
	op := denseOp(a)
	for _, c := range []struct {
		name string
		n, k int
		s    *ArnoldiSettings
	}{
		{"k=0", 50, 0, nil},
		{"k>n", 50, 51, nil},
		{"short start", 50, 3, &ArnoldiSettings{Start: make([]float64, 49)}},
		{"zero start", 50, 3, &ArnoldiSettings{Start: make([]float64, 50)}},
	} {
		if _, err := Leading(c.n, c.k, op, LargestReal, c.s); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	nan := func(dst, v []float64) {
		op(dst, v)
		dst[3] = math.NaN()
	}
	if _, err := Leading(50, 3, nan, LargestReal, nil); err == nil {
		t.Error("NaN from the operator: no error")
	}
	// Too few restarts for a tight tolerance: reported, not hidden.
	big := jacobianLike(400, 1.5, 8)
	p, err := Leading(400, 10, denseOp(big), LargestReal, &ArnoldiSettings{MaxRestarts: 1, Subspace: 14, Tol: 1e-14})
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != NotConverged {
		t.Errorf("status %v after 1 restart with tol 1e-14", p.Status)
	}
	worst := slices.Max(p.Residuals)
	if worst <= 1e-14*p.NormA {
		t.Errorf("NotConverged expected a residual above the tolerance, worst %g", worst)
	}
}

func TestWindowQRAgrees(t *testing.T) {
	// Order 520: 56 shifts and a deflation window of 84 > 75, so WindowQR
	// changes how the window is reduced. Reference: numpy.
	if raceEnabled {
		t.Skip("order 520 is too slow under the race detector")
	}
	pythontest.Need(t, "numpy")
	a := randMatrix(520, 7)
	want := numpyEig(t, a)
	for _, w := range []bool{false, true} {
		d, err := Solver{WindowQR: w}.Factorize(a, false, false)
		if err != nil {
			t.Fatal(err)
		}
		if dist := match(d.Values, want); dist > 1e-10*mat.Norm(a, 1) {
			t.Errorf("WindowQR=%t: eigenvalues differ from numpy's by %g", w, dist)
		}
	}
	// Right vectors through gonum's Dlaqr04 on the windows (whose V the
	// window's update takes transposed).
	d, err := Solver{WindowQR: true}.Factorize(a, false, true)
	if err != nil {
		t.Fatal(err)
	}
	if rr, _ := residuals(a, d.Values, d.Right, nil); rr > 1e-10*mat.Norm(a, 2)*math.Sqrt(520) {
		t.Errorf("WindowQR: right residual %g", rr)
	}
}
