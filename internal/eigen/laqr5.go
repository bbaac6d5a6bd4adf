// laqr5 is adapted from gonum's lapack/gonum/dlaqr5.go (v0.17.0),
// Copyright ©2016 The Gonum Authors, used under gonum's BSD 3-Clause
// license.

package eigen

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/fpfind/fpfind/internal/kernel"
)

// laqr5 is LAPACK's DLAQR5: one small-bulge multishift QR sweep with the
// nshfts shifts sr + i si on the active block [ktop, kbot] of the n×n upper
// Hessenberg matrix h. Its arguments and workspaces are those of gonum's
// Dlaqr5 (v is (nshfts/2)×3, the transpose of LAPACK's; kacc22 > 0
// accumulates each chain's reflections in u and updates the far-from-diagonal
// blocks of H and Z with matrix products through wh and wv). The computation
// is gonum's step for step; the differences are in how: reflectors of 2 and
// 3 elements by larfg2 and larfg3, their applications by the reflect* loops
// on row slices, and u holding the transpose U^T of the accumulated
// transformation, so that accumulating a reflection from the right updates
// three contiguous rows of U^T instead of three columns of U. Argument checks
// are left to the callers in this package.
func laqr5(wantt, wantz bool, kacc22 int, n, ktop, kbot, nshfts int, sr, si []float64, h []float64, ldh int, iloz, ihiz int, z []float64, ldz int, v []float64, ldv int, u []float64, ldu int, nv int, wv []float64, ldwv int, nh int, wh []float64, ldwh int) {
	if nshfts < 2 || ktop >= kbot {
		return
	}
	// Shuffle the shifts into pairs of real shifts and pairs of complex
	// conjugate shifts (conjugate pairs are adjacent on entry).
	for i := 0; i < nshfts-2; i += 2 {
		if si[i] == -si[i+1] {
			continue
		}
		sr[i], sr[i+1], sr[i+2] = sr[i+1], sr[i+2], sr[i]
		si[i], si[i+1], si[i+2] = si[i+1], si[i+2], si[i]
	}
	ns := nshfts

	ulp := dlamchP
	smlnum := dlamchS * float64(n) / ulp

	accum := kacc22 == 1 || kacc22 == 2

	// Clear trash.
	if ktop+2 <= kbot {
		h[(ktop+2)*ldh+ktop] = 0
	}

	nbmps := ns / 2 // 2-shift bulges in the chain
	kdu := 4 * nbmps

	// Create and chase chains of nbmps bulges.
	for incol := ktop - 2*nbmps + 1; incol <= kbot-2; incol += 2 * nbmps {
		// jtop: the first row the updates from the right reach.
		var jtop int
		switch {
		case accum:
			jtop = max(ktop, incol)
		case wantt:
		default:
			jtop = ktop
		}
		ndcol := incol + kdu
		if accum {
			impl.Dlaset(blas.All, kdu, kdu, 0, 1, u, ldu)
		}
		// The last column the updates from the left reach.
		var jbot int
		switch {
		case accum:
			jbot = min(ndcol, kbot)
		case wantt:
			jbot = n - 1
		default:
			jbot = kbot
		}
		// Near-the-diagonal bulge chase: chase the chain of nbmps
		// bulges 2*nbmps columns to the right, within columns incol to
		// ndcol (incol < ktop and ndcol > kbot stand for phantom
		// columns from which bulges are introduced or into which they
		// are chased off).
		for krcol := incol; krcol <= min(incol+2*nbmps-1, kbot-2); krcol++ {
			// Bulges mtop to mbot are active double-shift bulges;
			// there may also be a small 2×2 bulge at the bottom.
			mtop := max(0, (ktop-krcol)/2)
			mbot := min(nbmps, (kbot-krcol-1)/2) - 1
			m22 := mbot + 1
			bmp22 := (mbot < nbmps-1) && (krcol+2*m22 == kbot-2)
			if bmp22 {
				// The 2×2 reflection at the bottom.
				k := krcol + 2*m22
				vm := v[m22*ldv : m22*ldv+3]
				if k == ktop-1 {
					impl.Dlaqr1(2, h[(k+1)*ldh+k+1:], ldh,
						sr[2*m22], si[2*m22], sr[2*m22+1], si[2*m22+1], vm[:2])
					_, vm[0], vm[1] = larfg2(vm[0], vm[1])
				} else {
					var beta float64
					beta, vm[0], vm[1] = larfg2(h[(k+1)*ldh+k], h[(k+2)*ldh+k])
					h[(k+1)*ldh+k] = beta
					h[(k+2)*ldh+k] = 0
				}
				// Update from the right and from the left within
				// the computational window.
				reflectCols2(h, ldh, jtop, min(kbot, k+3), k+1, vm[1], vm[0])
				if k+1 <= jbot {
					reflectRows2(h[(k+1)*ldh+k+1:(k+1)*ldh+jbot+1], h[(k+2)*ldh+k+1:], vm[1], vm[0])
				}
				// Vigilant deflation: the traditional
				// small-compared-to-nearby-diagonals criterion
				// and that of Ahues and Tisseur (LAWN 122, 1997).
				if k >= ktop && h[(k+1)*ldh+k] != 0 {
					deflate(h, ldh, k, ktop, kbot, smlnum, ulp)
				}
				// Accumulate the transformation.
				if accum {
					kms := k - incol - 1
					lo := max(0, ktop-incol-1)
					reflectRows2(u[(kms+1)*ldu+lo:(kms+1)*ldu+kdu], u[(kms+2)*ldu+lo:], vm[1], vm[0])
				} else if wantz {
					reflectCols2(z, ldz, iloz, ihiz, k+1, vm[1], vm[0])
				}
			}
			// The chain of 3×3 reflections.
			for m := mbot; m >= mtop; m-- {
				k := krcol + 2*m
				vm := v[m*ldv : m*ldv+3]
				if k == ktop-1 {
					impl.Dlaqr1(3, h[ktop*ldh+ktop:], ldh,
						sr[2*m], si[2*m], sr[2*m+1], si[2*m+1], vm)
					_, vm[0], vm[1], vm[2] = larfg3(vm[0], vm[1], vm[2])
				} else {
					// The delayed transformation of the row
					// below the m-th bulge (its first two
					// entries are zero).
					t1 := vm[0]
					t2 := t1 * vm[1]
					t3 := t1 * vm[2]
					refsum := vm[2] * h[(k+3)*ldh+k+2]
					h[(k+3)*ldh+k] = -refsum * t1
					h[(k+3)*ldh+k+1] = -refsum * t2
					h[(k+3)*ldh+k+2] -= refsum * t3
					// The reflection that moves the m-th bulge
					// one step.
					beta, tau, v1, v2 := larfg3(h[(k+1)*ldh+k], h[(k+2)*ldh+k], h[(k+3)*ldh+k])
					vm[0], vm[1], vm[2] = tau, v1, v2
					// A bulge may collapse because of vigilant
					// deflation or destructive underflow; in
					// the underflow case try to reinflate it.
					if h[(k+3)*ldh+k] != 0 || h[(k+3)*ldh+k+1] != 0 || h[(k+3)*ldh+k+2] == 0 {
						// Typical case: not collapsed (yet).
						h[(k+1)*ldh+k] = beta
						h[(k+2)*ldh+k] = 0
						h[(k+3)*ldh+k] = 0
					} else {
						// Collapsed: try a new reflector that
						// ignores H[k+1,k] and H[k+2,k], and keep
						// it only if its fill is negligible.
						var vt [3]float64
						impl.Dlaqr1(3, h[(k+1)*ldh+k+1:], ldh,
							sr[2*m], si[2*m], sr[2*m+1], si[2*m+1], vt[:])
						_, vt[0], vt[1], vt[2] = larfg3(vt[0], vt[1], vt[2])
						t1 = vt[0]
						t2 = t1 * vt[1]
						t3 = t1 * vt[2]
						refsum = h[(k+1)*ldh+k] + vt[1]*h[(k+2)*ldh+k]
						dsum := math.Abs(h[k*ldh+k]) + math.Abs(h[(k+1)*ldh+k+1]) + math.Abs(h[(k+2)*ldh+k+2])
						if math.Abs(h[(k+2)*ldh+k]-refsum*t2)+math.Abs(refsum*t3) > ulp*dsum {
							h[(k+1)*ldh+k] = beta
							h[(k+2)*ldh+k] = 0
							h[(k+3)*ldh+k] = 0
						} else {
							h[(k+1)*ldh+k] -= refsum * t1
							h[(k+2)*ldh+k] = 0
							h[(k+3)*ldh+k] = 0
							vm[0], vm[1], vm[2] = vt[0], vt[1], vt[2]
						}
					}
				}
				// The reflection from the right, and the first
				// column of the update from the left, which the
				// vigilant deflation check needs; the rest of
				// the update from the left is delayed.
				reflectCols3(h, ldh, jtop, min(kbot, k+3), k+1, vm[1], vm[2], vm[0])
				t1 := vm[0]
				t2 := t1 * vm[1]
				t3 := t1 * vm[2]
				refsum := h[(k+1)*ldh+k+1] + vm[1]*h[(k+2)*ldh+k+1] + vm[2]*h[(k+3)*ldh+k+1]
				h[(k+1)*ldh+k+1] -= refsum * t1
				h[(k+2)*ldh+k+1] -= refsum * t2
				h[(k+3)*ldh+k+1] -= refsum * t3
				if k < ktop {
					continue
				}
				if h[(k+1)*ldh+k] != 0 {
					deflate(h, ldh, k, ktop, kbot, smlnum, ulp)
				}
			}
			// Multiply H by the reflections from the left.
			for m := mbot; m >= mtop; m-- {
				k := krcol + 2*m
				j0 := max(ktop, krcol+2*(m+1))
				if j0 > jbot {
					continue
				}
				vm := v[m*ldv : m*ldv+3]
				kernel.Reflect3(h[(k+1)*ldh+j0:(k+1)*ldh+jbot+1], h[(k+2)*ldh+j0:], h[(k+3)*ldh+j0:], vm[1], vm[2], vm[0])
			}
			// Accumulate the orthogonal transformations.
			if accum {
				// In U (held transposed); H and Z are updated
				// later by matrix products.
				for m := mbot; m >= mtop; m-- {
					k := krcol + 2*m
					kms := k - incol - 1
					i2 := max(0, ktop-incol-1, kms-(krcol-incol))
					i4 := min(kdu, krcol+2*mbot-incol+5)
					if i2 >= i4 {
						continue
					}
					vm := v[m*ldv : m*ldv+3]
					kernel.Reflect3(u[(kms+1)*ldu+i2:(kms+1)*ldu+i4], u[(kms+2)*ldu+i2:], u[(kms+3)*ldu+i2:], vm[1], vm[2], vm[0])
				}
			} else if wantz {
				// In Z now, from the right.
				for m := mbot; m >= mtop; m-- {
					k := krcol + 2*m
					vm := v[m*ldv : m*ldv+3]
					reflectCols3(z, ldz, iloz, ihiz, k+1, vm[1], vm[2], vm[0])
				}
			}
		}
		if !accum {
			continue
		}
		// Update the far-from-diagonal entries of H, and Z, with U.
		jtop, jbot = ktop, kbot
		if wantt {
			jtop = 0
			jbot = n - 1
		}
		bi := blas64.Implementation()
		k1 := max(0, ktop-incol-1)
		nu := kdu - max(0, ndcol-kbot) - k1
		// Horizontal multiply.
		for jcol := min(ndcol, kbot) + 1; jcol <= jbot; jcol += nh {
			jlen := min(nh, jbot-jcol+1)
			bi.Dgemm(blas.NoTrans, blas.NoTrans, nu, jlen, nu,
				1, u[k1*ldu+k1:], ldu,
				h[(incol+k1+1)*ldh+jcol:], ldh,
				0, wh, ldwh)
			lacpy(nu, jlen, wh, ldwh, h[(incol+k1+1)*ldh+jcol:], ldh)
		}
		// Vertical multiply.
		for jrow := jtop; jrow < max(ktop, incol); jrow += nv {
			jlen := min(nv, max(ktop, incol)-jrow)
			bi.Dgemm(blas.NoTrans, blas.Trans, jlen, nu, nu,
				1, h[jrow*ldh+incol+k1+1:], ldh,
				u[k1*ldu+k1:], ldu,
				0, wv, ldwv)
			lacpy(jlen, nu, wv, ldwv, h[jrow*ldh+incol+k1+1:], ldh)
		}
		// Z multiply (also vertical).
		if wantz {
			for jrow := iloz; jrow <= ihiz; jrow += nv {
				jlen := min(nv, ihiz-jrow+1)
				bi.Dgemm(blas.NoTrans, blas.Trans, jlen, nu, nu,
					1, z[jrow*ldz+incol+k1+1:], ldz,
					u[k1*ldu+k1:], ldu,
					0, wv, ldwv)
				lacpy(jlen, nu, wv, ldwv, z[jrow*ldz+incol+k1+1:], ldz)
			}
		}
	}
}

// deflate is the vigilant deflation test of laqr5 at subdiagonal entry
// H[k+1,k] (nonzero): it sets the entry to zero when both the traditional
// small-compared-to-nearby-diagonals criterion and that of Ahues and
// Tisseur (LAWN 122, 1997) hold. Falling back on an alternate criterion
// when tst1 or tst2 is zero is traditional.
func deflate(h []float64, ldh, k, ktop, kbot int, smlnum, ulp float64) {
	hk1k := math.Abs(h[(k+1)*ldh+k])
	tst1 := math.Abs(h[k*ldh+k]) + math.Abs(h[(k+1)*ldh+k+1])
	if tst1 == 0 {
		if k >= ktop+1 {
			tst1 += math.Abs(h[k*ldh+k-1])
		}
		if k >= ktop+2 {
			tst1 += math.Abs(h[k*ldh+k-2])
		}
		if k >= ktop+3 {
			tst1 += math.Abs(h[k*ldh+k-3])
		}
		if k <= kbot-2 {
			tst1 += math.Abs(h[(k+2)*ldh+k+1])
		}
		if k <= kbot-3 {
			tst1 += math.Abs(h[(k+3)*ldh+k+1])
		}
		if k <= kbot-4 {
			tst1 += math.Abs(h[(k+4)*ldh+k+1])
		}
	}
	if !(hk1k <= max(smlnum, ulp*tst1)) {
		return
	}
	hkk1 := math.Abs(h[k*ldh+k+1])
	h12 := max(hk1k, hkk1)
	h21 := min(hk1k, hkk1)
	diff := math.Abs(h[k*ldh+k] - h[(k+1)*ldh+k+1])
	h11 := max(math.Abs(h[(k+1)*ldh+k+1]), diff)
	h22 := min(math.Abs(h[(k+1)*ldh+k+1]), diff)
	scl := h11 + h12
	tst2 := h22 * (h11 / scl)
	if tst2 == 0 || h21*(h12/scl) <= max(smlnum, ulp*tst2) {
		h[(k+1)*ldh+k] = 0
	}
}
