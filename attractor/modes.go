package attractor

import (
	"cmp"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/dense"
	"github.com/fpfind/fpfind/internal/eigen"
)

// inverseIteration computes the right eigenvector of an operator A for an
// eigenvalue lambda that a values-only decomposition gave: two steps of
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
// vectors.
//
// The vector is scaled to unit norm with its largest component real and
// positive. The result is accepted when max_i |(A x - lambda x)_i| <=
// 1e-8 |A|inf;
// otherwise (a defective lambda, whose eigenvectors the dense solver
// does not resolve either) the caller falls back to the dense
// decomposition.
type inverseIteration struct {
	op       mat.Dense // the operator at the state, formed by the caller
	m, inv   []float64 // the shifted matrix and its LU factors; 1/diag(U)
	piv      []int
	x, start []float64
	ax       []float64
	// nearZero's LU factors of op.
	lu, luInv []float64
	luPiv     []int
}

// eigenvector returns the real and imaginary parts of the unit right
// eigenvector of op for lambda (im nil for a real lambda) and whether it
// met the residual test.
func (w *inverseIteration) eigenvector(lambda complex128) (re, im []float64, ok bool) {
	return w.solve(lambda, false)
}

// solve is eigenvector, shifted says lambda was moved off an exactly
// singular A - lambda I already.
func (w *inverseIteration) solve(lambda complex128, shifted bool) (re, im []float64, ok bool) {
	n, _ := w.op.Dims()
	a, b := real(lambda), imag(lambda)
	k := n
	if b != 0 {
		k = 2 * n
	}
	if cap(w.m) < k*k {
		w.m, w.inv, w.piv = make([]float64, k*k), make([]float64, k), make([]int, k)
		w.x, w.start = make([]float64, k), make([]float64, k)
		r := rand.New(rand.NewPCG(1, 0))
		for i := range w.start {
			w.start[i] = r.NormFloat64()
		}
		w.ax = make([]float64, n)
	}
	m, inv, piv, x := w.m[:k*k], w.inv[:k], w.piv[:k], w.x[:k]
	op := w.op.RawMatrix()
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
		return w.solve(complex(a+1e-15*math.Max(scale, 1), b), true)
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

// nearZeroCond is the largest estimate of |J^{-1}| at which nearZero's
// eigenvalues are used (see there).
const nearZeroCond = 1e4

// nearZeroMin is the smallest N at which nearZero is used: below it the
// dense decomposition costs little.
const nearZeroMin = 100

// nearZero returns the eigenvalues of the operator op (the continuous
// convention's Jacobian J, whose rates are its eigenvalues) nearest zero:
// every slow one (modulus at most rateMax) and at least two more, the k
// of smallest modulus for some k, by Krylov–Schur on J^{-1}
// (shift-invert at 0, eigen.Leading with LargestModulus; mu = 1/lambda)
// with the LU factors of J. A sample needs only these (its slow modes
// and the next two), and at N = 200 they cost 3-5 ms against 22 ms for
// all N by the dense decomposition. It reports false, and the caller
// decomposes densely, when J is singular to working precision, the
// iteration does not converge or 32 eigenvalues are all slow.
//
// The tolerance of the iteration is relative to |J^{-1}|, which is large
// near a slow point (J is singular at one): a Ritz value mu is accurate
// to about 1e-13 |J^{-1}|, so lambda to 1e-13 |lambda|^2 |J^{-1}|. Where
// the iteration's estimate of |J^{-1}| exceeds nearZeroCond (an
// eigenvalue within about 1e-4 of zero, as on a line of fixed points)
// the eigenvalues would be known to less than 1e-9 |lambda|^2 and the
// caller decomposes densely.
func (w *inverseIteration) nearZero(rateMax float64) ([]complex128, bool) {
	n, _ := w.op.Dims()
	if len(w.lu) != n*n {
		w.lu, w.luPiv, w.luInv = make([]float64, n*n), make([]int, n), make([]float64, n)
	}
	op := w.op.RawMatrix()
	for i := range n {
		copy(w.lu[i*n:(i+1)*n], op.Data[i*op.Stride:i*op.Stride+n])
	}
	if !dense.FactorizeInv(dense.Factorize, n, w.lu, w.luPiv, w.luInv) {
		return nil, false
	}
	solve := func(dst, v []float64) {
		copy(dst, v)
		dense.SolveLU(n, w.lu, w.luPiv, w.luInv, dst)
	}
	for k := 6; k <= min(32, n-3); k *= 2 {
		p, err := eigen.Leading(n, k, solve, eigen.LargestModulus, &eigen.ArnoldiSettings{Tol: 1e-13, Seed: 1})
		if err != nil || p.Status != eigen.Converged || p.NormA > nearZeroCond {
			return nil, false
		}
		vals := make([]complex128, 0, len(p.Values))
		slow := 0
		for _, mu := range p.Values {
			if mu == 0 {
				return nil, false
			}
			l := 1 / mu
			vals = append(vals, l)
			if cmplx.Abs(l) <= rateMax {
				slow++
			}
		}
		// A pair that straddles the k-th place comes with one member:
		// drop it, so that the values are the len(vals) nearest zero.
		if l := vals[len(vals)-1]; imag(l) != 0 && !slices.Contains(vals, cmplx.Conj(l)) {
			if vals = vals[:len(vals)-1]; cmplx.Abs(l) <= rateMax {
				slow--
			}
		}
		if slow+2 <= len(vals) {
			// The dense decomposition's order (linearize's for the
			// continuous convention): decreasing real part, then
			// decreasing imaginary part, a pair's positive member first.
			slices.SortFunc(vals, func(a, b complex128) int {
				return cmp.Or(cmp.Compare(real(b), real(a)), cmp.Compare(imag(b), imag(a)))
			})
			return vals, true
		}
	}
	return nil, false
}
