// trevcRight is adapted from the right-eigenvector part of gonum's
// lapack/gonum/dtrevc3.go (v0.17.0), Copyright ©2016 The Gonum Authors,
// used under gonum's BSD 3-Clause license.

package eigen

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// trevcRight is LAPACK's DTREVC3 with side = 'R' and howmny = 'B': on entry
// vr (n×n, row-major) holds the orthogonal Q of the Schur factorisation
// A = Q T Q^T with T (upper quasi-triangular, in standard form) in t; on
// return its columns hold the right eigenvectors of A, in dgeev's layout
// (a complex pair's vector as two columns, real and imaginary part), each
// scaled to largest component 1 in magnitude (|re| + |im| for a pair).
//
// It is gonum's blocked version step for step (the back-substitution of
// each vector with LAPACK's scaling against overflow, and the
// back-transformation of up to 128 vectors at a time by one matrix
// product), with the storage turned for row-major memory: the solves
// subtract multiples of T's columns from each vector, which gonum's
// translation does with a stride of n on both, so here T's columns are
// copied once as the rows of tt, and the vectors being solved are held as
// rows of bt. The 2×2 systems go to gonum's Dlaln2 through small arrays
// whose leading dimension is that of its solution, so its bug with ldb !=
// ldx (UPSTREAM.md) cannot arise.
func trevcRight(n int, t []float64, ldt int, vr []float64, ldvr int) {
	if n == 0 {
		return
	}
	const nbmax = 128
	nb := max(2, min(nbmax, n))

	// The workspace: T's strictly upper columns as rows, the column
	// norms, the block of vectors (as rows) and the product's result.
	ws := make([]float64, n*n+n+2*nb*n)
	tt := ws[:n*n]
	norms := ws[n*n : n*n+n]
	bt := ws[n*n+n : n*n+n+nb*n]
	out := ws[n*n+n+nb*n:]
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			tt[j*n+i] = t[i*ldt+j]
		}
	}
	// The 1-norms of the strictly upper columns of T, against overflow.
	for j := 0; j < n; j++ {
		var cn float64
		for _, x := range tt[j*n : j*n+j] {
			cn += math.Abs(x)
		}
		norms[j] = cn
	}

	ulp := dlamchP
	smlnum := float64(n) / ulp * dlamchS
	bignum := (1 - ulp) / smlnum

	bi := blas64.Implementation()
	// col returns the first m entries of column j of T.
	col := func(j, m int) []float64 { return tt[j*n : j*n+m] }
	var (
		rhs, x    [4]float64
		iscomplex [nbmax]int // per row of bt: 0 real, 1 and -1 the two parts of a pair
	)
	// scaleAll multiplies the first m entries of the vectors in rows r0
	// to r1 of bt by s.
	scaleAll := func(r0, r1, m int, s float64) {
		for r := r0; r <= r1; r++ {
			bi.Dscal(m, s, bt[r*n:r*n+m], 1)
		}
	}

	iv := nb - 1
	ip := 0
	for ki := n - 1; ki >= 0; ki-- {
		if ip == -1 {
			// ki is the first of the pair just done.
			ip = 1
			continue
		}
		if ki == 0 || t[ki*ldt+ki-1] == 0 {
			ip = 0 // a real eigenvalue
		} else {
			ip = -1 // the second of a conjugate pair
		}
		wr := t[ki*ldt+ki]
		var wi float64
		if ip != 0 {
			wi = math.Sqrt(math.Abs(t[ki*ldt+ki-1])) * math.Sqrt(math.Abs(t[(ki-1)*ldt+ki]))
		}
		smin := max(ulp*(math.Abs(wr)+math.Abs(wi)), smlnum)

		if ip == 0 {
			// A real right eigenvector: solve
			// (T[0:ki,0:ki] - wr) x = scale b.
			v := bt[iv*n : iv*n+n]
			v[ki] = 1
			for k := 0; k < ki; k++ {
				v[k] = -t[k*ldt+ki]
			}
			for j := ki - 1; j >= 0; {
				if j == 0 || t[j*ldt+j-1] == 0 {
					// 1×1 diagonal block.
					rhs[0] = v[j]
					scale, xnorm, _ := impl.Dlaln2(false, 1, 1, smin, 1, t[j*ldt+j:], ldt,
						1, 1, rhs[:], 2, wr, 0, x[:1], 2)
					if xnorm > 1 && norms[j] > bignum/xnorm {
						x[0] /= xnorm
						scale /= xnorm
					}
					if scale != 1 {
						scaleAll(iv, iv, ki+1, scale)
					}
					v[j] = x[0]
					bi.Daxpy(j, -x[0], col(j, j), 1, v[:j], 1)
					j--
					continue
				}
				// 2×2 diagonal block.
				rhs[0], rhs[2] = v[j-1], v[j]
				scale, xnorm, _ := impl.Dlaln2(false, 2, 1, smin, 1, t[(j-1)*ldt+j-1:], ldt,
					1, 1, rhs[:3], 2, wr, 0, x[:3], 2)
				if xnorm > 1 {
					beta := max(norms[j-1], norms[j])
					if beta > bignum/xnorm {
						x[0] /= xnorm
						x[2] /= xnorm
						scale /= xnorm
					}
				}
				if scale != 1 {
					scaleAll(iv, iv, ki+1, scale)
				}
				v[j-1] = x[0]
				v[j] = x[2]
				bi.Daxpy(j-1, -x[0], col(j-1, j-1), 1, v[:j-1], 1)
				bi.Daxpy(j-1, -x[2], col(j, j-1), 1, v[:j-1], 1)
				j -= 2
			}
			clear(v[ki+1:])
			iscomplex[iv] = 0
		} else {
			// A complex right eigenvector (real part in row iv-1,
			// imaginary part in row iv): the initial solve
			// [T[ki-1:ki+1, ki-1:ki+1] - (wr + i wi)] x = 0.
			vre := bt[(iv-1)*n : (iv-1)*n+n]
			vim := bt[iv*n : iv*n+n]
			if math.Abs(t[(ki-1)*ldt+ki]) >= math.Abs(t[ki*ldt+ki-1]) {
				vre[ki-1] = 1
				vim[ki] = wi / t[(ki-1)*ldt+ki]
			} else {
				vre[ki-1] = -wi / t[ki*ldt+ki-1]
				vim[ki] = 1
			}
			vre[ki] = 0
			vim[ki-1] = 0
			for k := 0; k < ki-1; k++ {
				vre[k] = -vre[ki-1] * t[k*ldt+ki-1]
				vim[k] = -vim[ki] * t[k*ldt+ki]
			}
			// Solve (T[0:ki-1,0:ki-1] - (wr + i wi)) x = scale b.
			for j := ki - 2; j >= 0; {
				if j == 0 || t[j*ldt+j-1] == 0 {
					// 1×1 diagonal block.
					rhs[0], rhs[1] = vre[j], vim[j]
					scale, xnorm, _ := impl.Dlaln2(false, 1, 2, smin, 1, t[j*ldt+j:], ldt,
						1, 1, rhs[:2], 2, wr, wi, x[:2], 2)
					if xnorm > 1 && norms[j] > bignum/xnorm {
						x[0] /= xnorm
						x[1] /= xnorm
						scale /= xnorm
					}
					if scale != 1 {
						scaleAll(iv-1, iv, ki+1, scale)
					}
					vre[j] = x[0]
					vim[j] = x[1]
					bi.Daxpy(j, -x[0], col(j, j), 1, vre[:j], 1)
					bi.Daxpy(j, -x[1], col(j, j), 1, vim[:j], 1)
					j--
					continue
				}
				// 2×2 diagonal block.
				rhs = [4]float64{vre[j-1], vim[j-1], vre[j], vim[j]}
				scale, xnorm, _ := impl.Dlaln2(false, 2, 2, smin, 1, t[(j-1)*ldt+j-1:], ldt,
					1, 1, rhs[:], 2, wr, wi, x[:], 2)
				if xnorm > 1 {
					beta := max(norms[j-1], norms[j])
					if beta > bignum/xnorm {
						rec := 1 / xnorm
						x[0] *= rec
						x[1] *= rec
						x[2] *= rec
						x[3] *= rec
						scale *= rec
					}
				}
				if scale != 1 {
					scaleAll(iv-1, iv, ki+1, scale)
				}
				vre[j-1], vim[j-1], vre[j], vim[j] = x[0], x[1], x[2], x[3]
				bi.Daxpy(j-1, -x[0], col(j-1, j-1), 1, vre[:j-1], 1)
				bi.Daxpy(j-1, -x[1], col(j-1, j-1), 1, vim[:j-1], 1)
				bi.Daxpy(j-1, -x[2], col(j, j-1), 1, vre[:j-1], 1)
				bi.Daxpy(j-1, -x[3], col(j, j-1), 1, vim[:j-1], 1)
				j -= 2
			}
			clear(vre[ki+1:])
			clear(vim[ki+1:])
			iscomplex[iv-1] = 1
			iscomplex[iv] = -1
			iv--
		}

		// The blocked back-transformation: rows iv to nb-1 of bt are
		// solved vectors; when there is no room for another pair, or
		// this was the last, multiply them by Q's first columns.
		ki2 := ki
		if ip != 0 {
			ki2--
		}
		if iv >= 2 && ki2 != 0 {
			iv--
			continue
		}
		m := nb - iv  // vectors in the block
		kk := ki2 + m // the longest one's length
		bi.Dgemm(blas.NoTrans, blas.Trans, n, m, kk,
			1, vr, ldvr, bt[iv*n:], n,
			0, out, m)
		// Normalise: largest component 1 in magnitude (|re| + |im|
		// for a pair).
		var remax float64
		for c := 0; c < m; c++ {
			switch iscomplex[iv+c] {
			case 0:
				var e float64
				for i := 0; i < n; i++ {
					e = max(e, math.Abs(out[i*m+c]))
				}
				remax = 1 / e
			case 1:
				var e float64
				for i := 0; i < n; i++ {
					e = max(e, math.Abs(out[i*m+c])+math.Abs(out[i*m+c+1]))
				}
				remax = 1 / e
			}
			for i := 0; i < n; i++ {
				out[i*m+c] *= remax
			}
		}
		lacpy(n, m, out, m, vr[ki2:], ldvr)
		iv = nb - 1
	}
}
