package linearize

import (
	"fmt"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// Eigensolver is the one seam between this package and a dense
// eigen-solver. It computes the eigenvalues and, when asked, the eigenvectors
// of a real square matrix in the form of LAPACK's dgeev, so that a backend
// calling LAPACK (for example OpenBLAS's) can replace the pure-Go default,
// given as Settings.Solver. A nil Settings.Solver means internal/eigen's
// pure-Go dgeev: gonum's LAPACK kernels driven with reference LAPACK's
// choice of QR shifts and deflation windows, 2.6x faster than gonum
// v0.17.0's own driver ([Gonum]) for values and 3.1x with vectors at
// N = 2048.
//
// Geev overwrites a (row-major, N x N). It writes the real and imaginary
// parts of the eigenvalues into wr and wi (length N), with complex conjugate
// pairs adjacent and the member with positive imaginary part first. When
// vr.Rows > 0 it writes the right eigenvectors into the columns of vr (N x N,
// row-major): a real eigenvalue's vector in one column, a pair's vector as
// v_j = vr[:,j] + i vr[:,j+1] (and its conjugate for j+1). vl, when
// vl.Rows > 0, holds the left eigenvectors u_j (u_j^H A = lambda_j u_j^H) in
// the same layout. Each vector has unit Euclidean norm. When vl.Rows or
// vr.Rows is 0 those vectors are not computed. Geev returns an error when
// the iteration did not converge.
type Eigensolver interface {
	Geev(a blas64.General, wr, wi []float64, vl, vr blas64.General) error
}

// Gonum is an [Eigensolver] on gonum's own pure-Go dgeev driver (balancing,
// Hessenberg reduction, Francis QR, back-substitution), through
// gonum.org/v1/gonum/lapack/lapack64, so lapack64.Use also redirects it.
// It is not the default (see [Eigensolver]); it is kept as a reference.
// With vectors it inherits two gonum v0.17.0 bugs that the default works
// around (internal/eigen's UPSTREAM.md): on an operator with an eigenvalue
// repeated to working precision, as a network with a low-rank W has, its
// Dtrevc3 can panic and its Dorghr can return a Q that is not orthogonal.
type Gonum struct{}

var _ Eigensolver = Gonum{}

// Geev implements [Eigensolver].
func (Gonum) Geev(a blas64.General, wr, wi []float64, vl, vr blas64.General) error {
	jl, jr := lapack.LeftEVNone, lapack.RightEVNone
	if vl.Rows > 0 {
		jl = lapack.LeftEVCompute
	}
	if vr.Rows > 0 {
		jr = lapack.RightEVCompute
	}
	n := a.Rows
	if n == 0 {
		return nil
	}
	if vl.Data == nil {
		vl = blas64.General{Stride: 1, Data: []float64{0}}
	}
	if vr.Data == nil {
		vr = blas64.General{Stride: 1, Data: []float64{0}}
	}
	work := []float64{0}
	lapack64.Geev(jl, jr, a, wr, wi, vl, vr, work, -1)
	lwork := max(int(work[0]), 4*n)
	work = make([]float64, lwork)
	if first := lapack64.Geev(jl, jr, a, wr, wi, vl, vr, work, lwork); first != 0 {
		return fmt.Errorf("linearize: eigen-solver did not converge (%d of %d eigenvalues found)", n-first, n)
	}
	return nil
}
