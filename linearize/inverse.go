package linearize

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/dense"
)

// InverseIteration computes right eigenvectors of a dense operator A for
// eigenvalues that a values-only decomposition gave: two steps of
// inverse iteration, x <- (A - lambda I)^{-1} x, normalised, from a fixed
// start (Wilkinson: with lambda accurate to rounding, A - lambda I is
// singular to working precision and one solve already gives the
// eigenvector to rounding times the condition of lambda; the second makes
// up for an unlucky start). A complex lambda = a + i b is solved in real
// arithmetic through the 2N x 2N system [A - a I, b I; -b I, A - a I]
// [x_re; x_im] = [s_re; s_im]. Asking the dense solver for all N
// eigenvectors instead costs about as much again as the values, and a
// sample needs only its one or two slow ones: at N = 200, 22 ms for the
// values and 1-3 ms for a vector, against 45 ms for the decomposition with
// vectors (attractor's samples). The zero value is ready to use; it
// keeps its workspaces (one 2N x 2N matrix for a complex lambda) between
// calls, so one is used by one goroutine at a time.
//
// The vector is scaled to unit norm with its largest component real and
// positive. The result is accepted when max_i |(A x - lambda x)_i| <=
// 1e-8 |A|inf;
// otherwise (a defective lambda, whose eigenvectors the dense solver
// does not resolve either) the caller falls back to the dense
// decomposition.
type InverseIteration struct {
	m, inv   []float64 // the shifted matrix and its LU factors; 1/diag(U)
	piv      []int
	x, start []float64
	ax       []float64
}

// Eigenvector returns the real and imaginary parts of the unit right
// eigenvector of the square matrix op for lambda (im nil for a real
// lambda) and whether it met the residual test. re and im are new slices.
func (w *InverseIteration) Eigenvector(op *mat.Dense, lambda complex128) (re, im []float64, ok bool) {
	return w.solve(op.RawMatrix(), lambda, false)
}

// solve is eigenvector, shifted says lambda was moved off an exactly
// singular A - lambda I already.
func (w *InverseIteration) solve(op blas64.General, lambda complex128, shifted bool) (re, im []float64, ok bool) {
	n := op.Rows
	a, b := real(lambda), imag(lambda)
	k := n
	if b != 0 {
		k = 2 * n
	}
	if cap(w.m) < k*k || len(w.ax) != n {
		w.m, w.inv, w.piv = make([]float64, k*k), make([]float64, k), make([]int, k)
		w.x, w.start = make([]float64, k), make([]float64, k)
		r := rand.New(rand.NewPCG(1, 0))
		for i := range w.start {
			w.start[i] = r.NormFloat64()
		}
		w.ax = make([]float64, n)
	}
	m, inv, piv, x := w.m[:k*k], w.inv[:k], w.piv[:k], w.x[:k]
	var scale float64
	for i := range n {
		row := op.Data[i*op.Stride : i*op.Stride+n]
		var s float64
		for _, v := range row {
			s += math.Abs(v)
		}
		scale = math.Max(scale, s)
	}
	clear(m)
	for i := range n {
		row := op.Data[i*op.Stride : i*op.Stride+n]
		copy(m[i*k:i*k+n], row)
		m[i*k+i] -= a
		if b != 0 {
			copy(m[(n+i)*k+n:(n+i)*k+2*n], row)
			m[(n+i)*k+n+i] -= a
			m[i*k+n+i] = b
			m[(n+i)*k+i] = -b
		}
	}
	if !dense.FactorizeInv(dense.Factorize, k, m, piv, inv) {
		// Exactly singular: shift by a rounding of |A| more, once.
		if shifted {
			return nil, nil, false
		}
		return w.solve(op, complex(a+1e-15*math.Max(scale, 1), b), true)
	}
	copy(x, w.start[:k])
	for range 2 {
		dense.SolveLU(k, m, piv, inv, x)
		var s float64
		for _, v := range x {
			s += v * v
		}
		s = math.Sqrt(s)
		if s == 0 || math.IsInf(s, 0) || math.IsNaN(s) {
			return nil, nil, false
		}
		for i := range x {
			x[i] /= s
		}
	}
	re = append([]float64(nil), x[:n]...)
	if b != 0 {
		im = append([]float64(nil), x[n:]...)
	}
	// Unit norm, largest component real and positive: multiply by the
	// conjugate phase of that component.
	big, at := -1.0, 0
	for i := range n {
		m2 := re[i] * re[i]
		if im != nil {
			m2 += im[i] * im[i]
		}
		if m2 > big {
			big, at = m2, i
		}
	}
	c, s := re[at], 0.0
	if im != nil {
		s = im[at]
	}
	r := math.Hypot(c, s)
	c, s = c/r, s/r
	for i := range n {
		if im == nil {
			re[i] *= c
			continue
		}
		// (re + i im) (c - i s)
		re[i], im[i] = re[i]*c+im[i]*s, im[i]*c-re[i]*s
	}
	if im != nil {
		im[at] = 0 // what rounding leaves of it
	}
	// The residual |A x - lambda x|, real and imaginary parts.
	res := 0.0
	for part, v := range [][]float64{re, im} {
		if v == nil {
			continue
		}
		ax := w.ax
		for i := range n {
			row := op.Data[i*op.Stride : i*op.Stride+n]
			var sum float64
			for j, e := range row {
				sum += e * v[j]
			}
			ax[i] = sum
		}
		for i := range n {
			// (A - lambda)(re + i im): real part A re - a re + b im,
			// imaginary part A im - a im - b re.
			var d float64
			if part == 0 {
				d = ax[i] - a*re[i]
				if im != nil {
					d += b * im[i]
				}
			} else {
				d = ax[i] - a*im[i] - b*re[i]
			}
			res = math.Max(res, math.Abs(d))
		}
	}
	return re, im, res <= 1e-8*math.Max(scale, 1)
}
