package eigen

import (
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Decomposition holds the eigenvalues and, when asked for, the eigenvectors
// of a real square matrix, as computed by [Factorize].
type Decomposition struct {
	// Values are the eigenvalues in the order LAPACK's dgeev returns them
	// (conjugate pairs adjacent, positive imaginary part first).
	Values []complex128
	// Right holds the right eigenvectors (A v = lambda v) in its columns,
	// column j for Values[j], each of unit norm; nil unless asked for.
	Right *mat.CDense
	// Left holds the left eigenvectors (u^H A = lambda u^H) in the same
	// layout; nil unless asked for.
	Left *mat.CDense
}

// Factorize computes the eigenvalues of the square matrix a and, when left or
// right is set, its left or right eigenvectors, with [Solver]'s defaults. a
// is not modified. It returns an error wrapping ErrNotConverged when the QR
// iteration failed (rare) and an error when a has a non-finite entry; it
// panics when a is not square.
func Factorize(a mat.Matrix, left, right bool) (*Decomposition, error) {
	return Solver{}.Factorize(a, left, right)
}

// Factorize is [Factorize] with the settings of s.
func (s Solver) Factorize(a mat.Matrix, left, right bool) (*Decomposition, error) {
	r, c := a.Dims()
	if r != c {
		panic("eigen: matrix not square")
	}
	n := r
	work := mat.DenseCopyOf(a).RawMatrix()
	wr := make([]float64, n)
	wi := make([]float64, n)
	var vl, vr blas64.General
	if left && n > 0 {
		vl = blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
	}
	if right && n > 0 {
		vr = blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
	}
	if err := s.Geev(work, wr, wi, vl, vr); err != nil {
		return nil, err
	}
	d := &Decomposition{Values: make([]complex128, n)}
	for i := range d.Values {
		d.Values[i] = complex(wr[i], wi[i])
	}
	if left && n > 0 {
		d.Left = complexVectors(wi, vl)
	}
	if right && n > 0 {
		d.Right = complexVectors(wi, vr)
	}
	return d, nil
}

// complexVectors unpacks dgeev's real storage of eigenvectors into complex
// columns.
func complexVectors(wi []float64, v blas64.General) *mat.CDense {
	n := v.Rows
	out := mat.NewCDense(n, n, nil)
	for j := 0; j < n; j++ {
		switch {
		case wi[j] == 0:
			for i := 0; i < n; i++ {
				out.Set(i, j, complex(v.Data[i*v.Stride+j], 0))
			}
		case wi[j] > 0 && j+1 < n:
			for i := 0; i < n; i++ {
				re, im := v.Data[i*v.Stride+j], v.Data[i*v.Stride+j+1]
				out.Set(i, j, complex(re, im))
				out.Set(i, j+1, complex(re, -im))
			}
			j++
		}
	}
	return out
}
