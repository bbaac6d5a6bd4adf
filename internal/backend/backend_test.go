package backend_test

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/lapack/gonum"
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/backend"
	"github.com/fpfind/fpfind/internal/eigen"
)

// solver returns the eigen-solver under test: backend.EigenSolver() in the
// openblas build, and in the pure-Go build, where that is nil, the one a nil
// linearize.Settings.Solver selects (internal/eigen's).
func solver() backend.Geever {
	if s := backend.EigenSolver(); s != nil {
		return s
	}
	return eigen.Solver{}
}

// randGeneral returns an n x n row-major matrix with the given stride
// (>= n), entries N(0, 1/n), and its padding filled with NaN so that a
// solver reading or writing outside the matrix shows.
func randGeneral(n, stride int, seed uint64) blas64.General {
	rnd := rand.New(rand.NewPCG(seed, uint64(n)))
	d := make([]float64, max(n, 1)*stride)
	for i := range d {
		d[i] = math.NaN()
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			d[i*stride+j] = rnd.NormFloat64() / math.Sqrt(float64(n))
		}
	}
	return blas64.General{Rows: n, Cols: n, Stride: stride, Data: d}
}

func clone(a blas64.General) blas64.General {
	a.Data = append([]float64(nil), a.Data...)
	return a
}

func newGeneral(n, stride int) blas64.General {
	return blas64.General{Rows: n, Cols: n, Stride: stride, Data: make([]float64, max(n, 1)*stride)}
}

// vectors expands dgeev's real layout into complex columns.
func vectors(v blas64.General, wi []float64) [][]complex128 {
	n := v.Rows
	out := make([][]complex128, n)
	for j := 0; j < n; j++ {
		out[j] = make([]complex128, n)
		switch {
		case wi[j] == 0:
			for i := 0; i < n; i++ {
				out[j][i] = complex(v.Data[i*v.Stride+j], 0)
			}
		case wi[j] > 0:
			for i := 0; i < n; i++ {
				out[j][i] = complex(v.Data[i*v.Stride+j], v.Data[i*v.Stride+j+1])
			}
		default:
			for i := 0; i < n; i++ {
				out[j][i] = cmplx.Conj(out[j-1][i])
			}
		}
	}
	return out
}

// residuals returns max_j |A v_j - λ_j v_j| and max_j |u_j^H A - λ_j u_j^H|
// (inf-norms) and the worst deviation of a vector's 2-norm from 1.
func residuals(a blas64.General, wr, wi []float64, vl, vr blas64.General) (right, left, norm float64) {
	n := a.Rows
	at := func(i, j int) complex128 { return complex(a.Data[i*a.Stride+j], 0) }
	for side, v := range []blas64.General{vr, vl} {
		if v.Rows == 0 {
			continue
		}
		for j, x := range vectors(v, wi) {
			lam := complex(wr[j], wi[j])
			var s float64
			for _, e := range x {
				s += real(e)*real(e) + imag(e)*imag(e)
			}
			norm = max(norm, math.Abs(math.Sqrt(s)-1))
			for i := 0; i < n; i++ {
				var r complex128
				if side == 0 {
					for k := 0; k < n; k++ {
						r += at(i, k) * x[k]
					}
					r -= lam * x[i]
					right = max(right, cmplx.Abs(r))
				} else {
					// (u^H A)_i = sum_k conj(u_k) A_ki, compared with λ conj(u_i).
					for k := 0; k < n; k++ {
						r += cmplx.Conj(x[k]) * at(k, i)
					}
					r -= lam * cmplx.Conj(x[i])
					left = max(left, cmplx.Abs(r))
				}
			}
		}
	}
	return right, left, norm
}

// matchValues pairs each value of got with the nearest unused one of want
// and returns the largest distance.
func matchValues(got, want []complex128) float64 {
	used := make([]bool, len(want))
	var worst float64
	for _, g := range got {
		best, bi := math.Inf(1), -1
		for k, w := range want {
			if !used[k] && cmplx.Abs(g-w) < best {
				best, bi = cmplx.Abs(g-w), k
			}
		}
		used[bi] = true
		worst = max(worst, best)
	}
	return worst
}

func values(wr, wi []float64) []complex128 {
	v := make([]complex128, len(wr))
	for i := range v {
		v[i] = complex(wr[i], wi[i])
	}
	return v
}

// TestSolverResiduals checks the eigenpairs of backend.Solver on random
// non-symmetric matrices (with complex pairs, and a padded stride) by their
// residuals A v = λ v and u^H A = λ u^H, and its eigenvalues against
// internal/eigen's pure-Go solver. In the openblas build this checks that
// the transposed call and the conjugation are right.
func TestSolverResiduals(t *testing.T) {
	for _, c := range []struct{ n, stride int }{{1, 1}, {2, 3}, {5, 5}, {40, 47}, {150, 150}} {
		a := randGeneral(c.n, c.stride, 7)
		orig := clone(a)
		wr, wi := make([]float64, c.n), make([]float64, c.n)
		vr, vl := newGeneral(c.n, c.stride+1), newGeneral(c.n, c.stride)
		if err := solver().Geev(a, wr, wi, vl, vr); err != nil {
			t.Fatalf("n=%d: %v", c.n, err)
		}
		var pairs int
		for _, x := range wi {
			if x != 0 {
				pairs++
			}
		}
		if c.n >= 40 && pairs == 0 {
			t.Fatalf("n=%d: no complex eigenvalues; the test would not check the conjugation", c.n)
		}
		r, l, nrm := residuals(orig, wr, wi, vl, vr)
		tol := 1e-13 * float64(c.n+1)
		if r > tol || l > tol || nrm > 1e-13 {
			t.Errorf("n=%d (%d complex): residuals right %.3g left %.3g norm %.3g (tol %.3g)", c.n, pairs, r, l, nrm, tol)
		}
		// Values only must give the same values as with vectors.
		a2 := clone(orig)
		wr2, wi2 := make([]float64, c.n), make([]float64, c.n)
		if err := solver().Geev(a2, wr2, wi2, blas64.General{}, blas64.General{}); err != nil {
			t.Fatal(err)
		}
		if d := matchValues(values(wr2, wi2), values(wr, wi)); d > tol {
			t.Errorf("n=%d: values-only differs from with-vectors by %.3g", c.n, d)
		}
		ref := clone(orig)
		wr3, wi3 := make([]float64, c.n), make([]float64, c.n)
		if err := (eigen.Solver{}).Geev(ref, wr3, wi3, blas64.General{}, blas64.General{}); err != nil {
			t.Fatal(err)
		}
		if d := matchValues(values(wr, wi), values(wr3, wi3)); d > tol {
			t.Errorf("n=%d: eigenvalues differ from internal/eigen by %.3g (tol %.3g)", c.n, d, tol)
		}
		// Padding (NaN) must be untouched: a NaN inside would have shown in
		// the residuals, one outside must still be NaN.
		if c.stride > c.n && !math.IsNaN(a.Data[c.n]) {
			t.Errorf("n=%d: padding of a overwritten", c.n)
		}
	}
}

// TestSolverKnown checks a matrix with known eigenpairs: the rotation
// generator [[0, -2], [2, 0]] has eigenvalues ±2i, right vector
// (1, -i)/sqrt2 for +2i, and, being normal, the same left vector.
func TestSolverKnown(t *testing.T) {
	a := blas64.General{Rows: 2, Cols: 2, Stride: 2, Data: []float64{0, -2, 2, 0}}
	wr, wi := make([]float64, 2), make([]float64, 2)
	vr, vl := newGeneral(2, 2), newGeneral(2, 2)
	if err := solver().Geev(a, wr, wi, vl, vr); err != nil {
		t.Fatal(err)
	}
	if math.Abs(wr[0]) > 1e-15 || math.Abs(wi[0]-2) > 1e-15 || math.Abs(wi[1]+2) > 1e-15 {
		t.Fatalf("values %v %v, want ±2i with +2i first", wr, wi)
	}
	for name, v := range map[string]blas64.General{"right": vr, "left": vl} {
		x := vectors(v, wi)[0]
		// x is (1, -i)/sqrt2 up to a unit factor: x[1] = -i x[0].
		if cmplx.Abs(x[1]+1i*x[0]) > 1e-15 || math.Abs(cmplx.Abs(x[0])-math.Sqrt2/2) > 1e-15 {
			t.Errorf("%s vector %v, want a multiple of (1, -i)/sqrt2", name, x)
		}
	}
}

// factorize returns the build's LU factorisation, [backend.Factorizer], or
// in the pure-Go build, where that is nil, gonum's dgetrf (the pure-Go
// reference; fixedpoint's own LU is tested in fixedpoint).
func factorize() func(n int, a []float64, piv []int) bool {
	if f := backend.Factorizer(); f != nil {
		return f
	}
	return func(n int, a []float64, piv []int) bool {
		return gonum.Implementation{}.Dgetrf(n, n, a, n, piv)
	}
}

// luSolve factorises the row-major n x n matrix a (overwritten) with
// factorize and overwrites b with the solution x of A x = b, by gonum's
// dgetrs on the factors. It reports whether A is nonsingular.
func luSolve(n int, a, b []float64) bool {
	piv := make([]int, n)
	if !factorize()(n, a, piv) {
		return false
	}
	if n > 0 {
		gonum.Implementation{}.Dgetrs(blas.NoTrans, n, 1, a, n, piv, b, 1)
	}
	return true
}

// TestLU solves random systems through the build's factorisation and checks
// the backward error |A x - b| / (|A| |x|) and agreement with gonum's
// mat.Dense.Solve.
func TestLU(t *testing.T) {
	for _, n := range []int{1, 7, 100, 300} {
		a := randGeneral(n, n, 11)
		orig := clone(a)
		rnd := rand.New(rand.NewPCG(12, uint64(n)))
		b := make([]float64, n)
		for i := range b {
			b[i] = rnd.NormFloat64()
		}
		x := append([]float64(nil), b...)
		if !luSolve(n, a.Data, x) {
			t.Fatalf("n=%d: singular", n)
		}
		var res, anorm float64
		for i := 0; i < n; i++ {
			r := -b[i]
			var rs float64
			for k := 0; k < n; k++ {
				r += orig.Data[i*n+k] * x[k]
				rs += math.Abs(orig.Data[i*n+k])
			}
			res, anorm = max(res, math.Abs(r)), max(anorm, rs)
		}
		be := res / (anorm * floats.Norm(x, math.Inf(1)))
		if be > 1e-15*float64(n) {
			t.Errorf("n=%d: backward error %.3g", n, be)
		}
		dense := mat.NewDense(n, n, orig.Data)
		var ref mat.VecDense
		if err := ref.SolveVec(dense, mat.NewVecDense(n, append([]float64(nil), b...))); err != nil {
			t.Fatal(err)
		}
		cond := mat.Cond(dense, 1)
		if d := floats.Distance(x, ref.RawVector().Data, math.Inf(1)) / floats.Norm(x, math.Inf(1)); d > 1e-15*cond*float64(n) {
			t.Errorf("n=%d: solution differs from gonum by %.3g (cond %.3g)", n, d, cond)
		}
	}
}

func TestLUSingular(t *testing.T) {
	a := []float64{1, 2, 2, 4}
	if factorize()(2, a, make([]int, 2)) {
		t.Fatal("the factorisation of a singular matrix reported success")
	}
}

func TestName(t *testing.T) {
	switch n, s, lu, th := backend.Name(), backend.EigenSolver(), backend.Factorizer() != nil, backend.Threads(); {
	case n == "pure-go" && s == nil && !lu && th == 0:
	case n == "openblas" && s != nil && lu && th >= 1:
	default:
		t.Errorf("Name() = %q with EigenSolver() = %T, a Factorizer %v and Threads() = %d", n, s, lu, th)
	}
}
