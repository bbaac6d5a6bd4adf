package linearize

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/nettest"
	"github.com/fpfind/fpfind/internal/pythontest"
)

// python runs script with Debian's python3 (internal/pythontest), feeding
// it stdin, once it imports modules (numpy when none are given).
func python(t *testing.T, script, stdin string, modules ...string) string {
	t.Helper()
	if len(modules) == 0 {
		modules = []string{"numpy"}
	}
	pythontest.Need(t, modules...)
	return pythontest.Run(t, script, stdin)
}

func matrixText(m mat.Matrix) string {
	r, c := m.Dims()
	var b strings.Builder
	fmt.Fprintf(&b, "%d %d\n", r, c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			b.WriteString(strconv.FormatFloat(m.At(i, j), 'g', -1, 64))
			b.WriteByte(' ')
		}
		b.WriteByte('\n')
	}
	return b.String()
}

const readMatrixPy = `
import sys, numpy as np
d = sys.stdin.read().split()
r, c = int(d[0]), int(d[1])
A = np.array([float(x) for x in d[2:2+r*c]]).reshape(r, c)
`

// TestNumpyEig compares the eigenvalues with numpy.linalg.eigvals (LAPACK
// dgeev) on Jacobians of random networks at N = 10, 100, 500.
func TestNumpyEig(t *testing.T) {
	for _, n := range []int{10, 100, 500} {
		w := randDense(n, n, 1.5/math.Sqrt(float64(n)), uint64(1000+n))
		net := nettest.Must(t, dynamics.Config{W: w, B: randVec(n, 0.2, uint64(n))})
		h := randVec(n, 0.5, uint64(n)+1)
		var j mat.Dense
		net.Jacobian(&j, h)
		out := python(t, readMatrixPy+`
for v in np.linalg.eigvals(A):
    print(repr(float(v.real)), repr(float(v.imag)))
`, matrixText(&j))
		f := strings.Fields(out)
		if len(f) != 2*n {
			t.Fatalf("n=%d: python printed %d numbers", n, len(f))
		}
		ref := make([]complex128, n)
		for k := range ref {
			re, _ := strconv.ParseFloat(f[2*k], 64)
			im, _ := strconv.ParseFloat(f[2*k+1], 64)
			ref[k] = complex(re, im)
		}
		sp, err := At(net, h, &Settings{Vectors: ValuesOnly})
		if err != nil {
			t.Fatal(err)
		}
		// Random non-normal matrices have eigenvalue condition numbers of
		// order sqrt(N); both solvers are backward stable.
		tol := 1e-14 * sp.Scale * float64(n)
		d := matchValues(sp.Values, ref)
		t.Logf("n=%d: max eigenvalue difference from numpy %.3g (tol %.3g)", n, d, tol)
		if d > tol {
			t.Errorf("n=%d: eigenvalues differ from numpy by %.3g (tol %.3g)", n, d, tol)
		}
		if sp.Right != nil || sp.Left != nil {
			t.Error("vectors computed for ValuesOnly")
		}
	}
}
