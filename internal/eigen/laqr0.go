// laqr0 is adapted from gonum's lapack/gonum/dlaqr04.go (v0.17.0),
// Copyright ©2016 The Gonum Authors, used under gonum's BSD 3-Clause
// license; the changes are the shift, window and kacc22 parameters, the
// recursion into this file's laqr0 and the calls to this package's ports of
// Dlaqr23, Dlaqr5, Dlahqr and Dlanv2.

package eigen

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/lapack/gonum"
)

var impl gonum.Implementation

// laqr0 is LAPACK's DLAQR0 (recur > 0) or DLAQR4 (recur == 0): the small-bulge
// multishift QR algorithm with aggressive early deflation (Braman, Byers and
// Mathias 2002) on the isolated block H[ilo:ihi+1, ilo:ihi+1] of the n×n upper
// Hessenberg matrix h. It follows gonum's Dlaqr04 line by line, except that
// the number of shifts, the deflation window and Dlaqr5's accumulation mode
// come from numShifts, windowSize and accumulate (reference LAPACK's IPARMQ)
// instead of gonum's Iparmq. The arguments mean what they mean for gonum's
// Dlaqr04; n must exceed ntiny and lwork must be at least the value returned
// by laqr0Work. It returns the number of unconverged eigenvalues' upper
// index as Dlaqr04 does (0 on success).
//
// aedRecur is the recursion depth handed to laqr23: when positive and the
// deflation window is larger than nmin, laqr23 computes the window's Schur
// form with gonum's own Dlaqr04 (as DLAQR3 calls DLAQR4); when 0, with lahqr
// (as DLAQR2 does).
func laqr0(wantt, wantz bool, n, ilo, ihi int, h []float64, ldh int, wr, wi []float64, iloz, ihiz int, z []float64, ldz int, work []float64, lwork int, recur, aedRecur int) (unconverged int) {
	const (
		// Exceptional deflation windows after kexnw iterations without
		// a deflation, exceptional shifts every kexsh iterations.
		kexnw = 5
		kexsh = 6
		// Exceptional-shift constants, as in gonum's Dlaqr04.
		wilk1 = 0.75
		wilk2 = -0.4375
	)
	if n <= ntiny {
		return lahqr(wantt, wantz, false, n, ilo, ihi, h, ldh, wr, wi, iloz, ihiz, z, ldz)
	}
	nh := ihi - ilo + 1
	nwr, nsr := recommended(n, ilo, ihi)
	kacc22 := accumulate(nsr)

	// Largest deflation window and number of shifts that fit the
	// workspace.
	nwmax := min((n-1)/3, lwork/2)
	nw := nwmax
	nsmax := min((n-3)/6, 2*lwork/3) &^ 1

	ndfl := 1 // iterations since the last deflation
	ndec := 0 // deflation window size decrement

	itmax := max(30, 2*kexsh) * max(10, nh)
	it := 0
	for kbot := ihi; kbot >= ilo; {
		if it == itmax {
			unconverged = kbot + 1
			break
		}
		it++

		// Locate the active block.
		ktop := ilo
		for k := kbot; k >= ilo+1; k-- {
			if h[k*ldh+k-1] == 0 {
				ktop = k
				break
			}
		}

		// Select the deflation window size (see DLAQR0): nibble the
		// whole active block if possible, otherwise nwr or nwr+1
		// depending on which subdiagonal entry is smaller; after kexnw
		// iterations without a deflation, vary the window.
		nh := kbot - ktop + 1
		nwupbd := min(nh, nwmax)
		if ndfl < kexnw {
			nw = min(nwupbd, nwr)
		} else {
			nw = min(nwupbd, 2*nw)
		}
		if nw < nwmax {
			if nw >= nh-1 {
				nw = nh
			} else {
				kwtop := kbot - nw + 1
				if math.Abs(h[kwtop*ldh+kwtop-1]) > math.Abs(h[(kwtop-1)*ldh+kwtop-2]) {
					nw++
				}
			}
		}
		if ndfl < kexnw {
			ndec = -1
		} else if ndec >= 0 || nw >= nwupbd {
			ndec++
			if nw-ndec < 2 {
				ndec = 0
			}
			nw -= ndec
		}

		// Workspace below the subdiagonal: an nw×nw array V in the
		// lower left corner, an nw×nhv array along the bottom edge and
		// an nve×nw array along the left edge.
		kv := n - nw
		kt := nw
		kwv := nw + 1
		nhv := n - kwv - kt
		// Aggressive early deflation.
		ls, ld := laqr23(wantt, wantz, n, ktop, kbot, nw,
			h, ldh, iloz, ihiz, z, ldz, wr[:kbot+1], wi[:kbot+1],
			h[kv*ldh:], ldh, nhv, h[kv*ldh+kt:], ldh, nhv, h[kwv*ldh:], ldh, work, lwork, aedRecur)

		kbot -= ld
		ks := kbot - ls + 1 // first shift

		// Skip the sweep when many eigenvalues just deflated or the
		// active block is small.
		if ld > 0 && (100*ld > nw*nibble || kbot-ktop+1 <= min(nmin, nwmax)) {
			ndfl = 1
			continue
		}

		ns := min(min(nsmax, nsr), max(2, kbot-ktop)) &^ 1

		if ndfl%kexsh == 0 {
			// Exceptional shifts.
			ks = kbot - ns + 1
			for i := kbot; i > max(ks, ktop+1); i -= 2 {
				ss := math.Abs(h[i*ldh+i-1]) + math.Abs(h[(i-1)*ldh+i-2])
				aa := wilk1*ss + h[i*ldh+i]
				_, _, _, _, wr[i-1], wi[i-1], wr[i], wi[i], _, _ =
					lanv2(aa, ss, wilk2*ss, aa)
			}
			if ks == ktop {
				wr[ks+1] = h[(ks+1)*ldh+ks+1]
				wi[ks+1] = 0
				wr[ks] = wr[ks+1]
				wi[ks] = wi[ks+1]
			}
		} else {
			// With ns/2 or fewer shifts from the deflation window,
			// take the eigenvalues of a trailing ns×ns submatrix,
			// computed in the scratch space below the subdiagonal.
			if kbot-ks+1 <= ns/2 {
				ks = kbot - ns + 1
				kt = n - ns
				impl.Dlacpy(blas.All, ns, ns, h[ks*ldh+ks:], ldh, h[kt*ldh:], ldh)
				if ns > nmin && recur > 0 {
					ks += laqr0(false, false, ns, 1, ns-1, h[kt*ldh:], ldh,
						wr[ks:ks+ns], wi[ks:ks+ns], 0, 0, nil, 0, work, lwork, recur-1, 0)
				} else {
					ks += lahqr(false, false, false, ns, 0, ns-1, h[kt*ldh:], ldh,
						wr[ks:ks+ns], wi[ks:ks+ns], 0, 0, nil, 1)
				}
				// On a rare QR failure use the eigenvalues of the
				// trailing 2×2 block.
				if ks >= kbot {
					aa := h[(kbot-1)*ldh+kbot-1]
					bb := h[(kbot-1)*ldh+kbot]
					cc := h[kbot*ldh+kbot-1]
					dd := h[kbot*ldh+kbot]
					_, _, _, _, wr[kbot-1], wi[kbot-1], wr[kbot], wi[kbot], _, _ =
						lanv2(aa, bb, cc, dd)
					ks = kbot - 1
				}
			}

			if kbot-ks+1 > ns {
				// Sort the shifts by decreasing modulus (a bubble
				// sort keeps conjugate pairs together), so that the
				// ns smallest are used below.
				sorted := false
				for k := kbot; k > ks && !sorted; k-- {
					sorted = true
					for i := ks; i < k; i++ {
						if math.Abs(wr[i])+math.Abs(wi[i]) >= math.Abs(wr[i+1])+math.Abs(wi[i+1]) {
							continue
						}
						sorted = false
						wr[i], wr[i+1] = wr[i+1], wr[i]
						wi[i], wi[i+1] = wi[i+1], wi[i]
					}
				}
			}

			// Shuffle the shifts into pairs of real shifts and pairs
			// of complex conjugate shifts.
			for i := kbot; i > ks+1; i -= 2 {
				if wi[i] == -wi[i-1] {
					continue
				}
				wr[i], wr[i-1], wr[i-2] = wr[i-1], wr[i-2], wr[i]
				wi[i], wi[i-1], wi[i-2] = wi[i-1], wi[i-2], wi[i]
			}
		}

		// Two real shifts: use the one closer to H[kbot,kbot] twice.
		if kbot-ks+1 == 2 && wi[kbot] == 0 {
			if math.Abs(wr[kbot]-h[kbot*ldh+kbot]) < math.Abs(wr[kbot-1]-h[kbot*ldh+kbot]) {
				wr[kbot-1] = wr[kbot]
			} else {
				wr[kbot] = wr[kbot-1]
			}
		}

		// Use up to ns of the smallest-magnitude shifts.
		ns = min(ns, kbot-ks+1) &^ 1
		ks = kbot - ns + 1

		// Workspace below the subdiagonal: a kdu×kdu array U in the
		// lower left corner, a kdu×nhv array WH along the bottom edge
		// and an nhv×kdu array WV along the left edge.
		kdu := 2 * ns
		ku := n - kdu
		kwh := kdu
		kwv = kdu + 3
		nhv = n - kwv - kdu
		// Small-bulge multishift QR sweep.
		laqr5(wantt, wantz, kacc22, n, ktop, kbot, ns,
			wr[ks:ks+ns], wi[ks:ks+ns], h, ldh, iloz, ihiz, z, ldz,
			work, 3, h[ku*ldh:], ldh, nhv, h[kwv*ldh:], ldh, nhv, h[ku*ldh+kwh:], ldh)

		if ld > 0 {
			ndfl = 1
		} else {
			ndfl++
		}
	}
	return unconverged
}

// recommended returns the deflation window nwr and the number of shifts
// nsr that laqr0 recommends for the active block ilo..ihi of an n×n
// matrix (both at least 2, nsr even), as Dlaqr04 computes them.
func recommended(n, ilo, ihi int) (nwr, nsr int) {
	nh := ihi - ilo + 1
	nwr = max(2, windowSize(nh))
	nwr = min(nh, min((n-1)/3, nwr))
	nsr = numShifts(nh)
	nsr = min(nsr, min((n-3)/6, ihi-ilo))
	nsr = max(2, nsr&^1)
	return nwr, nsr
}

// laqr0Work returns the workspace length laqr0 wants for an n×n matrix.
func laqr0Work(wantt, wantz bool, n, ilo, ihi int, aedRecur int) int {
	if n <= ntiny {
		return 1
	}
	nh := ihi - ilo + 1
	nwr, nsr := recommended(n, ilo, ihi)
	// Workspace query to Dlaqr23 with the largest window laqr0 can use
	// (nwr+1); Dlaqr5 needs 3*nsr/2.
	work := []float64{0}
	var dummy [1]float64
	laqr23(wantt, wantz, n, ilo, ihi, min(nwr+1, nh), dummy[:], n, ilo, ihi, dummy[:], n,
		nil, nil, dummy[:], n, n, dummy[:], n, n, dummy[:], n, work, -1, aedRecur)
	lw := max(3*nsr/2, int(work[0]))
	// The window may grow to nwmax = min((n-1)/3, lwork/2) on exceptional
	// iterations; give it room to do so, as LAPACK's callers with an
	// optimal workspace do.
	return max(lw, 2*((n-1)/3), n)
}
