package backend_test

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"

	"github.com/fpfind/fpfind/internal/pythontest"
)

// python runs script with Debian's python3 and numpy (internal/pythontest),
// feeding it stdin.
func python(t *testing.T, script, stdin string) string {
	t.Helper()
	pythontest.Need(t, "numpy")
	return pythontest.Run(t, script, stdin)
}

func text(a blas64.General, b []float64) string {
	var s strings.Builder
	s.WriteString(strconv.Itoa(a.Rows))
	for i := 0; i < a.Rows; i++ {
		for j := 0; j < a.Cols; j++ {
			s.WriteByte(' ')
			s.WriteString(strconv.FormatFloat(a.Data[i*a.Stride+j], 'g', -1, 64))
		}
	}
	for _, v := range b {
		s.WriteByte(' ')
		s.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
	}
	return s.String()
}

func floatsOf(t *testing.T, out string, n int) []float64 {
	t.Helper()
	f := strings.Fields(out)
	if len(f) != n {
		t.Fatalf("python printed %d numbers, want %d", len(f), n)
	}
	v := make([]float64, n)
	for i, s := range f {
		var err error
		if v[i], err = strconv.ParseFloat(s, 64); err != nil {
			t.Fatal(err)
		}
	}
	return v
}

const readPy = `
import sys, numpy as np
d = sys.stdin.read().split()
n = int(d[0])
A = np.array([float(x) for x in d[1:1+n*n]]).reshape(n, n)
rest = np.array([float(x) for x in d[1+n*n:]])
`

// TestNumpyEig compares backend.Solver's eigenvalues with
// numpy.linalg.eigvals (LAPACK dgeev on the row-major A, which numpy hands
// over as the transpose of a Fortran array, the reverse of this package).
func TestNumpyEig(t *testing.T) {
	for _, n := range []int{50, 300} {
		a := randGeneral(n, n, 21)
		out := python(t, readPy+`
for v in np.linalg.eigvals(A):
    print(repr(float(v.real)), repr(float(v.imag)))
`, text(a, nil))
		f := floatsOf(t, out, 2*n)
		ref := make([]complex128, n)
		for k := range ref {
			ref[k] = complex(f[2*k], f[2*k+1])
		}
		wr, wi := make([]float64, n), make([]float64, n)
		if err := solver().Geev(a, wr, wi, blas64.General{}, blas64.General{}); err != nil {
			t.Fatal(err)
		}
		// Entries N(0, 1/n): |A| ~ 2, eigenvalue condition numbers of a
		// random non-normal matrix grow like sqrt(n).
		tol := 1e-14 * float64(n)
		d := matchValues(values(wr, wi), ref)
		t.Logf("n=%d: max eigenvalue difference from numpy %.3g (tol %.3g)", n, d, tol)
		if d > tol {
			t.Errorf("n=%d: eigenvalues differ from numpy by %.3g (tol %.3g)", n, d, tol)
		}
	}
}

// TestNumpySolve compares a solve on the build's LU factors with
// numpy.linalg.solve.
func TestNumpySolve(t *testing.T) {
	const n = 300
	a := randGeneral(n, n, 31)
	b := make([]float64, n)
	for i := range b {
		b[i] = math.Sin(float64(i))
	}
	out := python(t, readPy+`
c = np.linalg.cond(A, 1)
for v in np.linalg.solve(A, rest):
    print(repr(float(v)))
print(repr(float(c)))
`, text(a, b))
	ref := floatsOf(t, out, n+1)
	cond := ref[n]
	if !luSolve(n, a.Data, b) {
		t.Fatal("singular")
	}
	d := floats.Distance(b, ref[:n], math.Inf(1)) / floats.Norm(b, math.Inf(1))
	tol := 1e-15 * float64(n) * cond
	t.Logf("n=%d: relative difference from numpy %.3g (cond %.3g, tol %.3g)", n, d, cond, tol)
	if d > tol {
		t.Errorf("solution differs from numpy.linalg.solve by %.3g (tol %.3g)", d, tol)
	}
}
