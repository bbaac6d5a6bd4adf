package linearize

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// centered returns the rows of x minus their mean, and the mean. It
// returns an error for fewer than two rows or a non-finite entry.
func centered(x mat.Matrix) (*mat.Dense, []float64, error) {
	t, n := x.Dims()
	if t < 2 || n == 0 {
		return nil, nil, fmt.Errorf("linearize: need at least 2 states of dimension >= 1, have %d x %d", t, n)
	}
	c := mat.DenseCopyOf(x)
	r := c.RawMatrix()
	mean := make([]float64, n)
	for i := 0; i < t; i++ {
		row := r.Data[i*r.Stride : i*r.Stride+n]
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, nil, fmt.Errorf("linearize: state %d has non-finite value %v at [%d]", i, v, j)
			}
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(t)
	}
	for i := 0; i < t; i++ {
		row := r.Data[i*r.Stride : i*r.Stride+n]
		for j := range row {
			row[j] -= mean[j]
		}
	}
	return c, mean, nil
}

// covariance returns X_c^T X_c / (T-1) for centered X_c (T x N).
func covariance(xc *mat.Dense) *mat.SymDense {
	t, n := xc.Dims()
	c := mat.NewSymDense(n, nil)
	blas64.Syrk(blas.Trans, 1/float64(t-1), xc.RawMatrix(), 0, c.RawSymmetric())
	return c
}

// ParticipationRatio returns the participation ratio of a set of states,
// the rows of x (T x N, T >= 2):
//
//	PR = (sum_i mu_i)^2 / sum_i mu_i^2 = tr(C)^2 / tr(C^2),
//
// where mu_i are the eigenvalues of the states' covariance C. It lies in
// [1, min(T-1, N)] and counts the dimensions the states spread over
// (Gao et al. 2017, "A theory of multineuronal dimensionality"). It is NaN
// when every state is the same. x is not modified.
func ParticipationRatio(x mat.Matrix) (float64, error) {
	xc, _, err := centered(x)
	if err != nil {
		return 0, err
	}
	t, n := xc.Dims()
	// tr C and tr C^2 from the smaller of X^T X (N x N) and X X^T (T x T):
	// they share their nonzero eigenvalues.
	g := mat.NewSymDense(min(t, n), nil)
	tr := blas.Trans
	if t < n {
		tr = blas.NoTrans
	}
	blas64.Syrk(tr, 1, xc.RawMatrix(), 0, g.RawSymmetric())
	var s1, s2 float64
	m := g.SymmetricDim()
	for i := 0; i < m; i++ {
		s1 += g.At(i, i)
		for j := 0; j < m; j++ {
			v := g.At(i, j)
			s2 += v * v
		}
	}
	return s1 * s1 / s2, nil
}

// PCA holds the leading principal components of a set of states.
type PCA struct {
	// Mean is the mean state (length N).
	Mean []float64
	// Components holds the principal directions in its columns (N x K),
	// orthonormal, in decreasing order of variance; each column's entry of
	// largest magnitude is positive, so the signs are reproducible.
	Components *mat.Dense
	// Variances are the variances along the components (length K,
	// decreasing, with the 1/(T-1) normalisation).
	Variances []float64
	// Total is the total variance, the trace of the covariance: the
	// explained fraction of component k is Variances[k] / Total.
	Total float64
}

// ErrNoComponents is returned by [PrincipalComponents] for a k that is
// negative or larger than the state dimension.
var ErrNoComponents = errors.New("linearize: number of components out of range")

// PrincipalComponents returns the k leading principal components of the
// rows of x (T x N, T >= 2), e.g. the stacked states of trajectories or the
// fixed points, for projecting and plotting them. k = 0 means all N. It
// diagonalises the covariance (N x N), so variances far below the largest
// one times 1e-16 are not resolved. x is not modified.
func PrincipalComponents(x mat.Matrix, k int) (*PCA, error) {
	_, n := x.Dims()
	if k < 0 || k > n {
		return nil, fmt.Errorf("%w: k = %d, N = %d", ErrNoComponents, k, n)
	}
	if k == 0 {
		k = n
	}
	xc, mean, err := centered(x)
	if err != nil {
		return nil, err
	}
	c := covariance(xc)
	var es mat.EigenSym
	if !es.Factorize(c, true) {
		return nil, errors.New("linearize: covariance eigen-decomposition did not converge")
	}
	vals := es.Values(nil) // ascending
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	p := &PCA{Mean: mean, Components: mat.NewDense(n, k, nil), Variances: make([]float64, k)}
	for i := 0; i < n; i++ {
		p.Total += c.At(i, i)
	}
	for j := 0; j < k; j++ {
		src := n - 1 - j
		p.Variances[j] = max(vals[src], 0)
		big, sign := 0.0, 1.0
		for i := 0; i < n; i++ {
			if v := vecs.At(i, src); math.Abs(v) > big {
				big = math.Abs(v)
				sign = math.Copysign(1, v)
			}
		}
		for i := 0; i < n; i++ {
			p.Components.Set(i, j, sign*vecs.At(i, src))
		}
	}
	return p, nil
}

// Project writes the coordinates of the rows of x (T x N) along the
// components, (x - Mean) Components, into dst (T x K) and returns it. An
// empty or nil dst is allocated; a dst of another shape panics.
func (p *PCA) Project(dst *mat.Dense, x mat.Matrix) *mat.Dense {
	t, n := x.Dims()
	if n != len(p.Mean) {
		panic("linearize: dimension mismatch")
	}
	_, k := p.Components.Dims()
	if dst == nil {
		dst = &mat.Dense{}
	}
	if dst.IsEmpty() {
		dst.ReuseAs(t, k)
	} else if r, c := dst.Dims(); r != t || c != k {
		panic("linearize: bad destination shape")
	}
	xc := mat.DenseCopyOf(x)
	r := xc.RawMatrix()
	for i := 0; i < t; i++ {
		row := r.Data[i*r.Stride : i*r.Stride+n]
		for j := range row {
			row[j] -= p.Mean[j]
		}
	}
	dst.Mul(xc, p.Components)
	return dst
}
