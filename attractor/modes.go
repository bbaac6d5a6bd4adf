package attractor

import (
	"cmp"
	"math/cmplx"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/dense"
	"github.com/fpfind/fpfind/internal/eigen"
	"github.com/fpfind/fpfind/linearize"
)

// inverseIteration is a sample's operator with the workspaces of its
// eigenvectors (linearize.InverseIteration) and of nearZero.
type inverseIteration struct {
	op  mat.Dense // the operator at the state, formed by the caller
	vec linearize.InverseIteration
	// nearZero's LU factors of op.
	lu, luInv []float64
	luPiv     []int
}

// eigenvector returns the real and imaginary parts of the unit right
// eigenvector of op for lambda (im nil for a real lambda) and whether it
// met linearize.InverseIteration's residual test.
func (w *inverseIteration) eigenvector(lambda complex128) (re, im []float64, ok bool) {
	return w.vec.Eigenvector(&w.op, lambda)
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
