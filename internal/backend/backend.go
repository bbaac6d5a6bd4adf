package backend

import "gonum.org/v1/gonum/blas/blas64"

// Geever is the method set of linearize.Eigensolver, repeated here so that
// this package need not import linearize: any Geever can be given as
// linearize.Settings.Solver. Geev overwrites the row-major square matrix a,
// writes its eigenvalues into wr and wi and, when vl.Rows or vr.Rows > 0,
// its left or right eigenvectors in LAPACK's dgeev layout.
type Geever interface {
	Geev(a blas64.General, wr, wi []float64, vl, vr blas64.General) error
}

// transposeConj turns LAPACK's column-major eigenvectors, written into the
// row-major n x n matrix data (stride ld), into row-major columns: it
// transposes in place and negates the imaginary part of each complex pair
// (the second column of the pair, marked by wi[j] != 0 at its first).
func transposeConj(n int, data []float64, ld int, wi []float64) {
	transpose(n, data, ld)
	for j := 0; j < n; j++ {
		if wi[j] == 0 {
			continue
		}
		// Columns j and j+1 hold re and im of the vector for wr[j]+i wi[j].
		for i := 0; i < n; i++ {
			data[i*ld+j+1] = -data[i*ld+j+1]
		}
		j++
	}
}

// transpose transposes in place the n x n matrix in data (stride ld), in
// blocks of 64 x 64 so that both sides of a swap stay in cache.
func transpose(n int, data []float64, ld int) {
	const bs = 64
	for ib := 0; ib < n; ib += bs {
		ie := min(ib+bs, n)
		for jb := ib; jb < n; jb += bs {
			je := min(jb+bs, n)
			for i := ib; i < ie; i++ {
				j0 := jb
				if jb == ib {
					j0 = i + 1
				}
				for j := j0; j < je; j++ {
					data[i*ld+j], data[j*ld+i] = data[j*ld+i], data[i*ld+j]
				}
			}
		}
	}
}
