package dense

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// Factorize gives the factors (and pivots) of gonum's Dgetrf, to rounding,
// for sizes around the panel width and past getf2Rows (300: its own panel
// factorisation), and SolveLU's solves agree.
func TestFactorizeMatchesLapack(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 5, 31, 32, 33, 64, 100, 200, 300} {
		a := make([]float64, n*n)
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		ours := append([]float64(nil), a...)
		ref := append([]float64(nil), a...)
		pivO, pivR := make([]int, n), make([]int, n)
		okO := Factorize(n, ours, pivO)
		okR := lapack64.Getrf(blas64.General{Rows: n, Cols: n, Stride: n, Data: ref}, pivR)
		if okO != okR {
			t.Fatalf("n = %d: ok %v, lapack %v", n, okO, okR)
		}
		for i := range pivO {
			if pivO[i] != pivR[i] {
				t.Fatalf("n = %d: piv[%d] = %d, lapack %d", n, i, pivO[i], pivR[i])
			}
		}
		var scale float64
		for _, v := range ref {
			scale = math.Max(scale, math.Abs(v))
		}
		for i := range ours {
			if d := math.Abs(ours[i] - ref[i]); d > 1e-12*scale*float64(n) {
				t.Fatalf("n = %d: factor element %d differs by %g", n, i, d)
			}
		}
		b := make([]float64, n)
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		x := append([]float64(nil), b...)
		inv := make([]float64, n)
		InvDiag(n, ours, inv)
		SolveLU(n, ours, pivO, inv, x)
		// Residual of the original system.
		for i := 0; i < n; i++ {
			var r float64
			for j := 0; j < n; j++ {
				r += a[i*n+j] * x[j]
			}
			if d := math.Abs(r - b[i]); d > 1e-9*(1+math.Abs(b[i])) {
				t.Fatalf("n = %d: residual %g in row %d", n, d, i)
			}
		}
	}
	// A singular matrix is reported.
	z := make([]float64, 9)
	if Factorize(3, z, make([]int, 3)) {
		t.Error("zero matrix: ok")
	}
}

func BenchmarkFactorize(b *testing.B) {
	for _, n := range []int{64, 200, 512, 1024} {
		rng := rand.New(rand.NewPCG(1, 1))
		a := make([]float64, n*n)
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		w := make([]float64, n*n)
		piv := make([]int, n)
		b.Run("ours/"+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				copy(w, a)
				Factorize(n, w, piv)
			}
		})
		b.Run("gonum/"+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				copy(w, a)
				lapack64.Getrf(blas64.General{Rows: n, Cols: n, Stride: n, Data: w}, piv)
			}
		})
	}
}

// The blocked triangular solves agree with gonum's Dtrsv, for sizes around
// the block width.
func TestTriangularSolvesMatchDtrsv(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 2, 7, 8, 9, 16, 17, 64, 101} {
		a := make([]float64, n*n)
		for i := range a {
			a[i] = rng.NormFloat64() / math.Sqrt(float64(n))
		}
		for i := 0; i < n; i++ {
			a[i*n+i] = 2 + rng.Float64() // well-conditioned triangles
		}
		inv := make([]float64, n)
		InvDiag(n, a, inv)
		b := make([]float64, n)
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		cases := []struct {
			name  string
			ours  func(x []float64)
			trans blas.Transpose
			uplo  blas.Uplo
			diag  blas.Diag
		}{
			{"lower unit", func(x []float64) { solveLower(n, a, x) }, blas.NoTrans, blas.Lower, blas.Unit},
			{"upper", func(x []float64) { solveUpper(n, a, nil, x) }, blas.NoTrans, blas.Upper, blas.NonUnit},
			{"upper, reciprocals", func(x []float64) { solveUpper(n, a, inv, x) }, blas.NoTrans, blas.Upper, blas.NonUnit},
			{"upper transposed", func(x []float64) { solveUpperT(n, a, x) }, blas.Trans, blas.Upper, blas.NonUnit},
		}
		for _, c := range cases {
			x := append([]float64(nil), b...)
			c.ours(x)
			ref := append([]float64(nil), b...)
			blas64.Trsv(c.trans, blas64.Triangular{Uplo: c.uplo, Diag: c.diag, N: n, Stride: n, Data: a}, blas64.Vector{N: n, Inc: 1, Data: ref})
			for i := range x {
				if d := math.Abs(x[i] - ref[i]); !(d <= 1e-12*(1+math.Abs(ref[i]))) {
					t.Fatalf("%s, n = %d: x[%d] = %g, Dtrsv %g", c.name, n, i, x[i], ref[i])
				}
			}
		}
	}
}

func BenchmarkLUSolve(b *testing.B) {
	for _, n := range []int{64, 200} {
		rng := rand.New(rand.NewPCG(1, 2))
		a := make([]float64, n*n)
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		piv := make([]int, n)
		Factorize(n, a, piv)
		inv := make([]float64, n)
		InvDiag(n, a, inv)
		x := make([]float64, n)
		b.Run("ours/"+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				x[0] = 1
				SolveLU(n, a, piv, inv, x)
			}
		})
		b.Run("dtrsv/"+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				x[0] = 1
				v := blas64.Vector{N: n, Inc: 1, Data: x}
				blas64.Trsv(blas.NoTrans, blas64.Triangular{Uplo: blas.Lower, Diag: blas.Unit, N: n, Stride: n, Data: a}, v)
				blas64.Trsv(blas.NoTrans, blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: n, Stride: n, Data: a}, v)
			}
		})
	}
}

// SolveCholesky solves with the Cholesky factor (upper triangle) of a
// symmetric positive definite C = A^T A / n + I from Cholesky: the residual of
// C x = b is at rounding, and neither reads the strict lower triangle (it
// holds NaN here). Cholesky refuses a matrix that is not positive definite.
func TestSolveCholesky(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{1, 3, 8, 9, 33, 100} {
		c := spd(rng, n, 1)
		u := append([]float64(nil), c...)
		for i := range n {
			for j := range i {
				u[i*n+j] = math.NaN()
			}
		}
		if !Cholesky(n, u) {
			t.Fatalf("n = %d: Cholesky failed", n)
		}
		b := make([]float64, n)
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		x := append([]float64(nil), b...)
		SolveCholesky(n, u, x)
		for i := range n {
			r := -b[i]
			for j := range n {
				r += c[i*n+j] * x[j]
			}
			if !(math.Abs(r) <= 1e-9*(1+math.Abs(b[i]))) {
				t.Fatalf("n = %d: residual %g in row %d", n, r, i)
			}
		}
	}
	if Cholesky(2, []float64{1, 2, 2, 1}) {
		t.Error("Cholesky accepted the indefinite [[1 2] [2 1]]")
	}
}

// spd returns the random symmetric positive definite n x n matrix
// A^T A / n + shift I (row-major), A's elements standard normal from rng.
func spd(rng *rand.Rand, n int, shift float64) []float64 {
	a := make([]float64, n*n)
	for i := range a {
		a[i] = rng.NormFloat64()
	}
	c := make([]float64, n*n)
	for i := range n {
		for j := range n {
			var s float64
			for k := range n {
				s += a[k*n+i] * a[k*n+j]
			}
			c[i*n+j] = s / float64(n)
		}
		c[i*n+i] += shift
	}
	return c
}

// Cholesky gives gonum's Dpotrf's factor (blas.Upper) to rounding, for
// sizes around the block height and a trailing update of several strips,
// on well and badly conditioned matrices; it leaves the strict lower
// triangle as it was; both refuse a matrix that is not positive definite,
// failing at the same row.
func TestCholeskyMatchesDpotrf(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 2, 7, 8, 9, 16, 17, 63, 100, 200, 301} {
		for _, shift := range []float64{1, 1e-8} {
			c := spd(rng, n, shift)
			ours := append([]float64(nil), c...)
			for i := range n {
				for j := range i {
					ours[i*n+j] = float64(-1 - i - j)
				}
			}
			ref := append([]float64(nil), c...)
			if !Cholesky(n, ours) {
				t.Fatalf("n = %d, shift %g: Cholesky failed", n, shift)
			}
			if _, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: n, Data: ref}); !ok {
				t.Fatalf("n = %d, shift %g: Dpotrf failed", n, shift)
			}
			// Entries of U are bounded by sqrt(C_jj); the error of each
			// is a rounding error of sums of n products of such entries.
			var scale float64
			for i := range n {
				scale = math.Max(scale, c[i*n+i])
			}
			// The factor's forward error grows with the condition number:
			// measured at most 3e-17 n sqrt(max C_jj) with shift 1, 1e-14
			// n sqrt(max C_jj) with shift 1e-8 (tolerances 1e-15 and 1e-12).
			tol := 1e-15 * float64(n) * math.Sqrt(scale)
			if shift < 1 {
				tol *= 1e3
			}
			for i := range n {
				for j := range n {
					o, r := ours[i*n+j], ref[i*n+j]
					if j < i {
						if o != float64(-1-i-j) {
							t.Fatalf("n = %d: lower element (%d, %d) changed to %g", n, i, j, o)
						}
						continue
					}
					if !(math.Abs(o-r) <= tol) {
						t.Fatalf("n = %d, shift %g: U[%d, %d] = %.17g, Dpotrf %.17g", n, shift, i, j, o, r)
					}
				}
			}
		}
	}
	// Indefinite: a negative eigenvalue. Dpotrf stops at the first row
	// whose diagonal is not positive, leaving the rows above factorised.
	for _, n := range []int{5, 40, 150} {
		c := spd(rng, n, 0)
		for i := range n {
			c[i*n+i] -= 0.5
		}
		ours := append([]float64(nil), c...)
		ref := append([]float64(nil), c...)
		okO := Cholesky(n, ours)
		_, okR := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: n, Data: ref})
		if okO || okR {
			t.Fatalf("n = %d: an indefinite matrix factorised (ours %v, Dpotrf %v)", n, okO, okR)
		}
	}
}

// BenchmarkCholesky at the sizes of the slow points' refinement.
func BenchmarkCholesky(b *testing.B) {
	for _, n := range []int{64, 200, 512} {
		c := spd(rand.New(rand.NewPCG(1, 2)), n, 1)
		u := make([]float64, n*n)
		b.Run("ours/n="+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				copy(u, c)
				if !Cholesky(n, u) {
					b.Fatal("not positive definite")
				}
			}
		})
		b.Run("dpotrf/n="+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				copy(u, c)
				if _, ok := lapack64.Potrf(blas64.Symmetric{Uplo: blas.Upper, N: n, Stride: n, Data: u}); !ok {
					b.Fatal("not positive definite")
				}
			}
		})
	}
}

// FactorizeInv calls the factoriser it is given, fills inv only on
// success, and reports the factoriser's answer.
func TestFactorizeInv(t *testing.T) {
	a := []float64{4, 3, 6, 3}
	piv, inv := make([]int, 2), []float64{-1, -1}
	if !FactorizeInv(Factorize, 2, a, piv, inv) {
		t.Fatal("nonsingular matrix reported singular")
	}
	for i := range 2 {
		if inv[i] != 1/a[i*2+i] {
			t.Errorf("inv[%d] = %g, want 1/%g", i, inv[i], a[i*2+i])
		}
	}
	inv = []float64{-1, -1}
	if FactorizeInv(Factorize, 2, []float64{1, 2, 2, 4}, piv, inv) || inv[0] != -1 || inv[1] != -1 {
		t.Errorf("singular matrix: inv = %v, want it untouched and false", inv)
	}
}

// SolveUpper and SolveUpperT solve U x = b and U^T x = b with the upper
// triangle of a Cholesky factor, at sizes on and across the blocks of
// the substitutions: the residuals (the products formed here, the strict
// lower triangle NaN) are at rounding.
func TestSolveUpperHalves(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{1, 2, 15, 16, 17, 40, 100} {
		u := spd(rng, n, 1)
		if !Cholesky(n, u) {
			t.Fatalf("n = %d: Cholesky failed", n)
		}
		for i := range n {
			for j := range i {
				u[i*n+j] = math.NaN()
			}
		}
		b := make([]float64, n)
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		for _, trans := range []bool{false, true} {
			x := append([]float64(nil), b...)
			if trans {
				SolveUpperT(n, u, x)
			} else {
				SolveUpper(n, u, x)
			}
			for i := range n {
				r := -b[i]
				if trans {
					for j := 0; j <= i; j++ {
						r += u[j*n+i] * x[j]
					}
				} else {
					for j := i; j < n; j++ {
						r += u[i*n+j] * x[j]
					}
				}
				if !(math.Abs(r) <= 1e-12*(1+math.Abs(b[i]))) {
					t.Fatalf("n = %d, transposed %v: residual %g in row %d", n, trans, r, i)
				}
			}
		}
	}
}

// Slices shorter than the size given panic with the function's name.
func TestShortSlicesPanic(t *testing.T) {
	cases := map[string]func(){
		"Factorize":     func() { Factorize(3, make([]float64, 8), make([]int, 3)) },
		"SolveLU":       func() { SolveLU(3, make([]float64, 9), make([]int, 3), make([]float64, 3), make([]float64, 2)) },
		"SolveCholesky": func() { SolveCholesky(3, make([]float64, 9), make([]float64, 2)) },
		"SolveUpper":    func() { SolveUpper(3, make([]float64, 8), make([]float64, 3)) },
		"SolveUpperT":   func() { SolveUpperT(3, make([]float64, 9), make([]float64, 2)) },
		"Cholesky":      func() { Cholesky(3, make([]float64, 8)) },
	}
	for name, f := range cases {
		func() {
			defer func() {
				if r, _ := recover().(string); !strings.Contains(r, name) {
					t.Errorf("%s: recovered %q", name, r)
				}
			}()
			f()
		}()
	}
}

// BenchmarkSolveUpper: the two halves of SolveCholesky, at the sizes of
// fixedpoint's preconditioned steps.
func BenchmarkSolveUpper(b *testing.B) {
	for _, n := range []int{64, 200, 512} {
		u := spd(rand.New(rand.NewPCG(1, 2)), n, 1)
		if !Cholesky(n, u) {
			b.Fatal("not positive definite")
		}
		x, one := make([]float64, n), make([]float64, n)
		for i := range one {
			one[i] = 1
		}
		b.Run("U/n="+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				copy(x, one)
				SolveUpper(n, u, x)
			}
		})
		b.Run("UT/n="+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				copy(x, one)
				SolveUpperT(n, u, x)
			}
		})
	}
}
