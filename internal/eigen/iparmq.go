package eigen

import "math"

// Tuning parameters of the multishift QR algorithm, as reference LAPACK's
// IPARMQ returns them (LAPACK 3.2 and later, SRC/iparmq.f).
const (
	// nmin: active blocks of order at most nmin go to Dlahqr, the classic
	// double-shift algorithm (ISPEC = 12). Must be at least 11.
	nmin = 75
	// nibble: skip a multishift sweep when aggressive early deflation has
	// deflated at least nibble % of the window (ISPEC = 14).
	nibble = 14
	// knwswp: above this order the deflation window is 3/2 of the number
	// of shifts (ISPEC = 13).
	knwswp = 500
	// kacmin: from this many shifts on, Dlaqr5 accumulates its reflections
	// into a small orthogonal matrix and updates the far-from-diagonal part
	// of H and Z with matrix-matrix products (ISPEC = 16).
	kacmin = 14
	// ntiny: matrices of order at most ntiny must go to Dlahqr, because
	// the multishift code lacks subdiagonal scratch space.
	ntiny = 15
)

// numShifts returns the number of simultaneous shifts for an active block of
// order nh, as LAPACK's IPARMQ (ISPEC = 15) does. In the Fortran the
// conditions are successive IF statements, so the last one that holds wins:
// 2 shifts below order 30, 4 below 60, 10 below 150, then about
// nh/log2(nh), 64 from 590, 128 from 3000 and 256 from 6000. The result is
// even and at least 2.
func numShifts(nh int) int {
	ns := 2
	if nh >= 30 {
		ns = 4
	}
	if nh >= 60 {
		ns = 10
	}
	if nh >= 150 {
		ns = max(10, nh/int(math.Round(math.Log(float64(nh))/math.Ln2)))
	}
	if nh >= 590 {
		ns = 64
	}
	if nh >= 3000 {
		ns = 128
	}
	if nh >= 6000 {
		ns = 256
	}
	return max(2, ns-ns%2)
}

// windowSize returns the recommended aggressive-early-deflation window for an
// active block of order nh (IPARMQ, ISPEC = 13).
func windowSize(nh int) int {
	ns := numShifts(nh)
	if nh <= knwswp {
		return ns
	}
	return 3 * ns / 2
}

// accumulate returns Dlaqr5's kacc22 for ns shifts (IPARMQ, ISPEC = 16):
// 0 updates far-from-diagonal entries with the reflections one by one, 1 (and
// 2, which gonum treats as 1) accumulates them and uses matrix-matrix
// products.
func accumulate(ns int) int {
	if ns >= kacmin {
		return 1
	}
	return 0
}
