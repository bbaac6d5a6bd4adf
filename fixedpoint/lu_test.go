package fixedpoint

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
)

// getrf gives the factors (and pivots) of gonum's Dgetrf, to rounding, for
// sizes around the panel width and past getf2Rows (300: its own panel
// factorisation), and its solves agree.
func TestGetrfMatchesLapack(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 5, 31, 32, 33, 64, 100, 200, 300} {
		a := make([]float64, n*n)
		for i := range a {
			a[i] = rng.NormFloat64()
		}
		ours := append([]float64(nil), a...)
		ref := append([]float64(nil), a...)
		pivO, pivR := make([]int, n), make([]int, n)
		okO := getrf(n, ours, pivO)
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
		invDiag(n, ours, inv)
		luSolve(n, ours, pivO, inv, x)
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
	if getrf(3, z, make([]int, 3)) {
		t.Error("zero matrix: ok")
	}
}

func BenchmarkGetrf(b *testing.B) {
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
				getrf(n, w, piv)
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
		invDiag(n, a, inv)
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
		getrf(n, a, piv)
		inv := make([]float64, n)
		invDiag(n, a, inv)
		x := make([]float64, n)
		b.Run("ours/"+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				x[0] = 1
				luSolve(n, a, piv, inv, x)
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

// Find factorises with Settings.LU when it is set: every factorisation of
// the dense path (runs, known points, deflation) goes through it, and the
// result is bit for bit the default's when it is the default LU.
func TestSettingsLU(t *testing.T) {
	const n = 40
	rng := rand.New(rand.NewPCG(9, 10))
	w := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			w.Set(i, j, 1.5*rng.NormFloat64()/math.Sqrt(n))
		}
	}
	net, err := dynamics.New(dynamics.Config{W: w})
	if err != nil {
		t.Fatal(err)
	}
	inits := mat.NewDense(12, n, nil)
	for i := 0; i < 12; i++ {
		for j := 0; j < n; j++ {
			inits.Set(i, j, rng.NormFloat64())
		}
	}
	var calls atomic.Int64
	counting := func(n int, a []float64, piv []int) bool {
		calls.Add(1)
		return getrf(n, a, piv)
	}
	ref, err := Find(context.Background(), net, inits, &Settings{Linear: LinearLU, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Find(context.Background(), net, inits, &Settings{Linear: LinearLU, Workers: 2, LU: counting})
	if err != nil {
		t.Fatal(err)
	}
	// Stats.Factorizations counts the runs' factorisations; the known
	// points' come on top.
	if f := got.Stats.Factorizations; f == 0 || calls.Load() < int64(f)+int64(got.Count(Fixed)) {
		t.Errorf("Settings.LU called %d times for %d factorisations and %d fixed points", calls.Load(), f, got.Count(Fixed))
	}
	if len(got.Points) != len(ref.Points) || got.Stats != ref.Stats {
		t.Fatalf("with Settings.LU = getrf: %d points, stats %+v; default: %d points, %+v", len(got.Points), got.Stats, len(ref.Points), ref.Stats)
	}
	for k := range ref.Points {
		for i, v := range ref.Points[k].X {
			if math.Float64bits(got.Points[k].X[i]) != math.Float64bits(v) {
				t.Fatalf("point %d differs at [%d]", k, i)
			}
		}
	}
}
