// laqr23 is adapted from gonum's lapack/gonum/dlaqr23.go (v0.17.0),
// Copyright ©2016 The Gonum Authors, used under gonum's BSD 3-Clause
// license.

package eigen

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// laqr23 is LAPACK's DLAQR2 (recur == 0) or DLAQR3 (recur > 0): aggressive
// early deflation on the trailing nw×nw window of the active block [ktop,
// kbot] of the upper Hessenberg h. It returns the number ns of converged but
// undeflatable eigenvalues, which it stores in sr and si for use as shifts,
// and the number nd of deflated ones. The arguments, workspaces and results
// are those of gonum's Dlaqr23 (lwork == -1 is a workspace query, answered in
// work[0]). It is gonum's step for step, with the window's Schur form by this
// package's lahqr (gonum's Dlaqr04 when recur > 0 and the window is larger
// than nmin) and its reordering by this package's trexc, except that v holds
// the transpose V^T of the window's orthogonal matrix: the reflections and
// rotations of lahqr and trexc then update rows of v instead of strided
// columns, and the products with V take it transposed.
func laqr23(wantt, wantz bool, n, ktop, kbot, nw int, h []float64, ldh int, iloz, ihiz int, z []float64, ldz int, sr, si []float64, v []float64, ldv int, nh int, t []float64, ldt int, nv int, wv []float64, ldwv int, work []float64, lwork int, recur int) (ns, nd int) {
	if nw == 0 {
		work[0] = 1
		return 0, 0
	}
	jw := nw
	lwkopt := max(1, 2*nw)
	if jw > 2 {
		// Workspace queries to Dgehrd and Dormhr.
		impl.Dgehrd(jw, 0, jw-2, t, ldt, work, work, -1)
		lwk1 := int(work[0])
		impl.Dormhr(blas.Left, blas.Trans, jw, jw, 0, jw-2, t, ldt, work, v, ldv, work, -1)
		lwk2 := int(work[0])
		lwkopt = jw + max(lwk1, lwk2)
		if recur > 0 {
			impl.Dlaqr04(true, true, jw, 0, jw-1, t, ldt, sr, si, 0, jw-1, v, ldv, work, -1, recur-1)
			lwkopt = max(lwkopt, int(work[0]))
		}
	}
	if lwork == -1 {
		work[0] = float64(lwkopt)
		return 0, 0
	}

	ulp := dlamchP
	smlnum := float64(n) / ulp * dlamchS

	// The deflation window.
	var s float64
	kwtop := kbot - jw + 1
	if kwtop != ktop {
		s = h[kwtop*ldh+kwtop-1]
	}
	if kwtop == kbot {
		// 1×1 deflation window.
		sr[kwtop] = h[kwtop*ldh+kwtop]
		si[kwtop] = 0
		ns = 1
		nd = 0
		if math.Abs(s) <= max(smlnum, ulp*math.Abs(h[kwtop*ldh+kwtop])) {
			ns = 0
			nd = 1
			if kwtop > ktop {
				h[kwtop*ldh+kwtop-1] = 0
			}
		}
		work[0] = 1
		return ns, nd
	}

	// Convert to spike-triangular form. On a rare QR failure, continue
	// with the part of the window that converged (infqr keeps track).
	impl.Dlacpy(blas.Upper, jw, jw, h[kwtop*ldh+kwtop:], ldh, t, ldt)
	bi := blas64.Implementation()
	bi.Dcopy(jw-1, h[(kwtop+1)*ldh+kwtop:], ldh+1, t[ldt:], ldt+1)
	impl.Dlaset(blas.All, jw, jw, 0, 1, v, ldv)
	var infqr int
	if recur > 0 && jw > nmin {
		infqr = impl.Dlaqr04(true, true, jw, 0, jw-1, t, ldt, sr[kwtop:], si[kwtop:], 0, jw-1, v, ldv, work, lwork, recur-1)
		// V^T from gonum's V.
		for i := 0; i < jw; i++ {
			for j := i + 1; j < jw; j++ {
				v[i*ldv+j], v[j*ldv+i] = v[j*ldv+i], v[i*ldv+j]
			}
		}
	} else {
		infqr = lahqr(true, true, true, jw, 0, jw-1, t, ldt, sr[kwtop:kwtop+jw], si[kwtop:kwtop+jw], 0, jw-1, v, ldv)
	}
	// infqr, as an index, points to the first converged eigenvalue.

	// trexc needs a clean margin near the diagonal.
	for j := 0; j < jw-3; j++ {
		t[(j+2)*ldt+j] = 0
		t[(j+3)*ldt+j] = 0
	}
	if jw >= 3 {
		t[(jw-1)*ldt+jw-3] = 0
	}

	ns = jw
	ilst := infqr
	// Deflation detection.
	for ilst < ns {
		bulge := false
		if ns >= 2 {
			bulge = t[(ns-1)*ldt+ns-2] != 0
		}
		if !bulge {
			// Real eigenvalue.
			abst := math.Abs(t[(ns-1)*ldt+ns-1])
			if abst == 0 {
				abst = math.Abs(s)
			}
			if math.Abs(s*v[(ns-1)*ldv]) <= max(smlnum, ulp*abst) {
				// Deflatable.
				ns--
			} else {
				// Undeflatable: move it up out of the way
				// (trexc cannot fail here).
				_, ilst, _ = trexc(true, jw, t, ldt, v, ldv, ns-1, ilst)
				ilst++
			}
			continue
		}
		// Complex conjugate pair.
		abst := math.Abs(t[(ns-1)*ldt+ns-1]) + math.Sqrt(math.Abs(t[(ns-1)*ldt+ns-2]))*math.Sqrt(math.Abs(t[(ns-2)*ldt+ns-1]))
		if abst == 0 {
			abst = math.Abs(s)
		}
		if max(math.Abs(s*v[(ns-1)*ldv]), math.Abs(s*v[(ns-2)*ldv])) <= max(smlnum, ulp*abst) {
			// Deflatable.
			ns -= 2
		} else {
			// Undeflatable: move them up out of the way (trexc
			// does the right thing with ilst on a rare exchange
			// failure).
			_, ilst, _ = trexc(true, jw, t, ldt, v, ldv, ns-1, ilst)
			ilst += 2
		}
	}

	// Return to Hessenberg form.
	if ns == 0 {
		s = 0
	}
	if ns < jw {
		// Sorting the diagonal blocks of T improves accuracy for
		// graded matrices; a bubble sort deals well with exchange
		// failures.
		sorted := false
		i := ns
		for !sorted {
			sorted = true
			kend := i - 1
			i = infqr
			var k int
			if i == ns-1 || t[(i+1)*ldt+i] == 0 {
				k = i + 1
			} else {
				k = i + 2
			}
			for k <= kend {
				var evi float64
				if k == i+1 {
					evi = math.Abs(t[i*ldt+i])
				} else {
					evi = math.Abs(t[i*ldt+i]) + math.Sqrt(math.Abs(t[(i+1)*ldt+i]))*math.Sqrt(math.Abs(t[i*ldt+i+1]))
				}
				var evk float64
				if k == kend || t[(k+1)*ldt+k] == 0 {
					evk = math.Abs(t[k*ldt+k])
				} else {
					evk = math.Abs(t[k*ldt+k]) + math.Sqrt(math.Abs(t[(k+1)*ldt+k]))*math.Sqrt(math.Abs(t[k*ldt+k+1]))
				}
				if evi >= evk {
					i = k
				} else {
					sorted = false
					_, ilst, ok := trexc(true, jw, t, ldt, v, ldv, i, k)
					if ok {
						i = ilst
					} else {
						i = k
					}
				}
				if i == kend || t[(i+1)*ldt+i] == 0 {
					k = i + 1
				} else {
					k = i + 2
				}
			}
		}
	}

	// Restore the shifts (eigenvalues) from T.
	for i := jw - 1; i >= infqr; {
		if i == infqr || t[i*ldt+i-1] == 0 {
			sr[kwtop+i] = t[i*ldt+i]
			si[kwtop+i] = 0
			i--
			continue
		}
		aa := t[(i-1)*ldt+i-1]
		bb := t[(i-1)*ldt+i]
		cc := t[i*ldt+i-1]
		dd := t[i*ldt+i]
		_, _, _, _, sr[kwtop+i-1], si[kwtop+i-1], sr[kwtop+i], si[kwtop+i], _, _ = lanv2(aa, bb, cc, dd)
		i -= 2
	}

	if ns < jw || s == 0 {
		if ns > 1 && s != 0 {
			// Reflect the spike (the first row of V, a column of
			// v) back into the lower triangle.
			bi.Dcopy(ns, v, ldv, work[:ns], 1)
			_, tau := impl.Dlarfg(ns, work[0], work[1:ns], 1)
			work[0] = 1
			impl.Dlaset(blas.Lower, jw-2, jw-2, 0, 0, t[2*ldt:], ldt)
			impl.Dlarf(blas.Left, ns, jw, work[:ns], 1, tau, t, ldt, work[jw:])
			impl.Dlarf(blas.Right, ns, ns, work[:ns], 1, tau, t, ldt, work[jw:])
			impl.Dlarf(blas.Left, ns, jw, work[:ns], 1, tau, v, ldv, work[jw:])
			impl.Dgehrd(jw, 0, ns-1, t, ldt, work[:jw-1], work[jw:], lwork-jw)
		}

		// Copy the updated reduced window into place.
		if kwtop > 0 {
			h[kwtop*ldh+kwtop-1] = s * v[0]
		}
		impl.Dlacpy(blas.Upper, jw, jw, t, ldt, h[kwtop*ldh+kwtop:], ldh)
		bi.Dcopy(jw-1, t[ldt:], ldt+1, h[(kwtop+1)*ldh+kwtop:], ldh+1)

		// Accumulate the orthogonal matrix to update H and Z: V Q, or
		// Q^T V^T.
		if ns > 1 && s != 0 {
			// work[:ns-1] holds the reflectors of Dgehrd above.
			impl.Dormhr(blas.Left, blas.Trans, ns, jw, 0, ns-1,
				t, ldt, work[:ns-1], v, ldv, work[jw:], lwork-jw)
		}

		// Update the vertical slab in H.
		var ltop int
		if !wantt {
			ltop = ktop
		}
		for krow := ltop; krow < kwtop; krow += nv {
			kln := min(nv, kwtop-krow)
			bi.Dgemm(blas.NoTrans, blas.Trans, kln, jw, jw,
				1, h[krow*ldh+kwtop:], ldh, v, ldv,
				0, wv, ldwv)
			lacpy(kln, jw, wv, ldwv, h[krow*ldh+kwtop:], ldh)
		}

		// Update the horizontal slab in H.
		if wantt {
			for kcol := kbot + 1; kcol < n; kcol += nh {
				kln := min(nh, n-kcol)
				bi.Dgemm(blas.NoTrans, blas.NoTrans, jw, kln, jw,
					1, v, ldv, h[kwtop*ldh+kcol:], ldh,
					0, t, ldt)
				lacpy(jw, kln, t, ldt, h[kwtop*ldh+kcol:], ldh)
			}
		}

		// Update the vertical slab in Z.
		if wantz {
			for krow := iloz; krow <= ihiz; krow += nv {
				kln := min(nv, ihiz-krow+1)
				bi.Dgemm(blas.NoTrans, blas.Trans, kln, jw, jw,
					1, z[krow*ldz+kwtop:], ldz, v, ldv,
					0, wv, ldwv)
				lacpy(kln, jw, wv, ldwv, z[krow*ldz+kwtop:], ldz)
			}
		}
	}

	// The number of deflations; the shifts are the converged eigenvalues
	// that could not be deflated (less infqr on a rare QR failure).
	nd = jw - ns
	ns -= infqr
	work[0] = float64(lwkopt)
	return ns, nd
}
