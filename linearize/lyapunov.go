package linearize

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/gonum"
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
)

// ErrNotStable is returned (wrapped) by [Lyapunov] and
// [StationaryCovariance] when the operator has an eigenvalue with
// Re lambda >= 0, so no stationary covariance exists.
var ErrNotStable = fmt.Errorf("linearize: operator is not stable: no stationary covariance")

// Lyapunov solves the continuous Lyapunov equation
//
//	A S + S A^T + Q = 0
//
// for the symmetric S and writes it into dst (an empty dst is resized; a dst
// of another size panics). A is N x N and must be stable (every
// Re lambda < 0), otherwise the error wraps [ErrNotStable]; Q is symmetric
// N x N. It uses the Bartels-Stewart method: the real Schur form
// A = Z T Z^T (Hessenberg reduction and Francis QR), then the triangular
// equation T X + X T^T = -Z^T Q Z solved block by block from the bottom
// right, and S = Z X Z^T. Its cost is O(N^3). a and q are not modified.
func Lyapunov(dst *mat.SymDense, a mat.Matrix, q mat.Symmetric) error {
	n, c := a.Dims()
	if n != c {
		panic("linearize: matrix not square")
	}
	if q.SymmetricDim() != n {
		panic("linearize: dimension mismatch")
	}
	if dst.IsEmpty() {
		dst.ReuseAsSym(n)
	} else if dst.SymmetricDim() != n {
		panic("linearize: bad destination shape")
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if v := a.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return &NonFiniteError{Row: i, Col: j, Value: v}
			}
			if v := q.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("linearize: Q has non-finite value %v at [%d, %d]", v, i, j)
			}
		}
	}
	t, z, wr, err := schur(a)
	if err != nil {
		return err
	}
	for k, v := range wr {
		if !(v < 0) {
			return fmt.Errorf("%w (eigenvalue %d has real part %v)", ErrNotStable, k, v)
		}
	}
	// C = -Z^T Q Z.
	qd := mat.DenseCopyOf(q)
	var tmp, cm mat.Dense
	tmp.Mul(z.T(), qd)
	cm.Mul(&tmp, z)
	cm.Scale(-1, &cm)
	x := sylvesterSchur(t, &cm)
	var s mat.Dense
	tmp.Mul(z, x)
	s.Mul(&tmp, z.T())
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			dst.SetSym(i, j, (s.At(i, j)+s.At(j, i))/2)
		}
	}
	return nil
}

// schur returns the real Schur form T (quasi-upper triangular, 2 x 2 blocks
// in standard form), the orthogonal Z with A = Z T Z^T, and the real parts
// of the eigenvalues.
func schur(a mat.Matrix) (t, z *mat.Dense, wr []float64, err error) {
	var impl gonum.Implementation
	n, _ := a.Dims()
	t = mat.DenseCopyOf(a)
	h := t.RawMatrix()
	tau := make([]float64, n-1)
	work := []float64{0}
	impl.Dgehrd(n, 0, n-1, h.Data, h.Stride, tau, work, -1)
	lw := max(int(work[0]), n)
	impl.Dorghr(n, 0, n-1, h.Data, h.Stride, tau, work, -1)
	lw = max(lw, int(work[0]))
	work = make([]float64, lw)
	impl.Dgehrd(n, 0, n-1, h.Data, h.Stride, tau, work, lw)
	z = mat.DenseCopyOf(t)
	zr := z.RawMatrix()
	impl.Dorghr(n, 0, n-1, zr.Data, zr.Stride, tau, work, lw)
	for i := 0; i < n; i++ {
		for j := 0; j < i-1; j++ {
			h.Data[i*h.Stride+j] = 0
		}
	}
	wr = make([]float64, n)
	wi := make([]float64, n)
	hw := []float64{0}
	impl.Dhseqr(lapack.EigenvaluesAndSchur, lapack.SchurOrig, n, 0, n-1, h.Data, h.Stride, wr, wi, zr.Data, zr.Stride, hw, -1)
	hw = make([]float64, max(int(hw[0]), n, 1))
	if un := impl.Dhseqr(lapack.EigenvaluesAndSchur, lapack.SchurOrig, n, 0, n-1, h.Data, h.Stride, wr, wi, zr.Data, zr.Stride, hw, len(hw)); un != 0 {
		return nil, nil, nil, fmt.Errorf("linearize: Schur iteration did not converge")
	}
	return t, z, wr, nil
}

// sylvesterSchur solves T X + X T^T = C for X, T quasi-upper triangular.
// Partitioned into T's diagonal blocks (1 x 1 or 2 x 2),
//
//	T_kk X_kl + X_kl T_ll^T = C_kl - sum_{m>k} T_km X_ml - sum_{m>l} X_km T_lm^T,
//
// solved for k and l from the last block up, each block by a small
// Kronecker system (T_kk (x) I + I (x) T_ll) vec(X_kl) = vec(RHS).
func sylvesterSchur(t, c *mat.Dense) *mat.Dense {
	n, _ := t.Dims()
	tr := t.RawMatrix()
	T := func(i, j int) float64 { return tr.Data[i*tr.Stride+j] }
	x := mat.NewDense(n, n, nil)
	xr := x.RawMatrix()
	X := xr.Data
	ld := xr.Stride
	var starts, sizes []int
	for i := 0; i < n; {
		if i+1 < n && T(i+1, i) != 0 {
			starts, sizes = append(starts, i), append(sizes, 2)
			i += 2
		} else {
			starts, sizes = append(starts, i), append(sizes, 1)
			i++
		}
	}
	var rhs [4]float64
	var k4 [16]float64
	for kb := len(starts) - 1; kb >= 0; kb-- {
		k0, p := starts[kb], sizes[kb]
		for lb := len(starts) - 1; lb >= 0; lb-- {
			l0, q := starts[lb], sizes[lb]
			for a := 0; a < p; a++ {
				i := k0 + a
				for b := 0; b < q; b++ {
					j := l0 + b
					s := c.At(i, j)
					// sum_{m >= k0+p} T[i][m] X[m][j]
					for m := k0 + p; m < n; m++ {
						s -= T(i, m) * X[m*ld+j]
					}
					// sum_{m >= l0+q} X[i][m] T[j][m]
					xi := X[i*ld:]
					tj := tr.Data[j*tr.Stride:]
					for m := l0 + q; m < n; m++ {
						s -= xi[m] * tj[m]
					}
					rhs[a*q+b] = s
				}
			}
			// K = T_kk (x) I_q + I_p (x) T_ll, row-major vec.
			d := p * q
			for r := 0; r < d*d; r++ {
				k4[r] = 0
			}
			for a := 0; a < p; a++ {
				for b := 0; b < q; b++ {
					r := a*q + b
					for a2 := 0; a2 < p; a2++ {
						k4[r*d+a2*q+b] += T(k0+a, k0+a2)
					}
					for b2 := 0; b2 < q; b2++ {
						k4[r*d+a*q+b2] += T(l0+b, l0+b2)
					}
				}
			}
			solveSmall(k4[:d*d], rhs[:d], d)
			for a := 0; a < p; a++ {
				for b := 0; b < q; b++ {
					X[(k0+a)*ld+l0+b] = rhs[a*q+b]
				}
			}
		}
	}
	return x
}

// solveSmall solves the d x d system k x = b in place by Gaussian
// elimination with partial pivoting. k is nonsingular when T is stable
// (its eigenvalues are sums lambda_i + lambda_j).
func solveSmall(k, b []float64, d int) {
	for c := 0; c < d; c++ {
		p := c
		for r := c + 1; r < d; r++ {
			if math.Abs(k[r*d+c]) > math.Abs(k[p*d+c]) {
				p = r
			}
		}
		if p != c {
			for j := 0; j < d; j++ {
				k[c*d+j], k[p*d+j] = k[p*d+j], k[c*d+j]
			}
			b[c], b[p] = b[p], b[c]
		}
		for r := c + 1; r < d; r++ {
			f := k[r*d+c] / k[c*d+c]
			for j := c; j < d; j++ {
				k[r*d+j] -= f * k[c*d+j]
			}
			b[r] -= f * b[c]
		}
	}
	for c := d - 1; c >= 0; c-- {
		for j := c + 1; j < d; j++ {
			b[c] -= k[c*d+j] * b[j]
		}
		b[c] /= k[c*d+c]
	}
}

// StationaryCovariance returns the stationary covariance of the
// fluctuations around the stable fixed point h0 of the network driven by
// white noise of intensity sigma (docs/DESIGN.md section 1: dh = F(h) dt +
// (sigma/tau) dW), to first order in sigma: the solution S of
//
//	J S + S J^T + diag(sigma/tau_i)^2 = 0,   J = J(h0),
//
// by [Lyapunov]. The continuous-time J is used whatever the network's
// convention, as the noise model is the continuous one. It returns an error
// wrapping ErrNotStable when J is not stable, and for a non-finite h0 or a
// sigma that is negative or not finite. The autocorrelation of mode k's
// coordinate u_k^H (h - h0) is exp(lambda_k t), so its correlation time is
// the mode's time constant -1/Re lambda_k ([Spectrum.TimeConstants]), and
// its variance is u_k^H S u_k ([ModeVariances]).
func StationaryCovariance(net *dynamics.Network, h0 []float64, sigma float64) (*mat.SymDense, error) {
	n := net.Dim()
	if len(h0) != n {
		panic("linearize: state length mismatch")
	}
	if !(sigma >= 0) || math.IsInf(sigma, 0) {
		return nil, fmt.Errorf("linearize: sigma %v is not a finite number >= 0", sigma)
	}
	for i, v := range h0 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("linearize: state has non-finite value %v at [%d]", v, i)
		}
	}
	var j mat.Dense
	net.Jacobian(&j, h0)
	q := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		g := sigma / net.Tau(i)
		q.SetSym(i, i, g*g)
	}
	var s mat.SymDense
	if err := Lyapunov(&s, &j, q); err != nil {
		return nil, err
	}
	return &s, nil
}

// ModeVariances writes the stationary variance of each mode's coordinate,
// E|u_k^H d|^2 = u_k^H S u_k, into dst and returns it (nil dst is
// allocated). It needs the spectrum's left vectors, and panics without them
// or on a size mismatch.
func ModeVariances(dst []float64, sp *Spectrum, s mat.Symmetric) []float64 {
	if sp.Left == nil {
		panic("linearize: spectrum has no left vectors")
	}
	n := len(sp.Values)
	if s.SymmetricDim() != n {
		panic("linearize: dimension mismatch")
	}
	if dst == nil {
		dst = make([]float64, n)
	} else if len(dst) != n {
		panic("linearize: slice length mismatch")
	}
	sd := mat.DenseCopyOf(s)
	sr := sd.RawMatrix()
	L := sp.Left.RawCMatrix()
	re := make([]float64, n)
	im := make([]float64, n)
	sre := make([]float64, n)
	sim := make([]float64, n)
	for k := 0; k < n; k++ {
		for i := 0; i < n; i++ {
			v := L.Data[i*L.Stride+k]
			re[i], im[i] = real(v), imag(v)
		}
		blas64.Gemv(blas.NoTrans, 1, sr, blas64.Vector{N: n, Inc: 1, Data: re}, 0, blas64.Vector{N: n, Inc: 1, Data: sre})
		blas64.Gemv(blas.NoTrans, 1, sr, blas64.Vector{N: n, Inc: 1, Data: im}, 0, blas64.Vector{N: n, Inc: 1, Data: sim})
		// (re - i im)^T S (re + i im) = re S re + im S im (S symmetric).
		v := 0.0
		for i := 0; i < n; i++ {
			v += re[i]*sre[i] + im[i]*sim[i]
		}
		dst[k] = v
	}
	return dst
}
