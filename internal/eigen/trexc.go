// trexc and laexc are adapted from gonum's lapack/gonum/dtrexc.go and
// dlaexc.go (v0.17.0), Copyright ©2016 The Gonum Authors, used under
// gonum's BSD 3-Clause license.

package eigen

import "math"

// trexc is LAPACK's DTREXC with compq = 'V' when wantq: it reorders the real
// Schur form T (n×n, row-major) by an orthogonal similarity so that the
// diagonal block starting at row ifst moves to row ilst, and accumulates the
// transformation Q into q, which holds the transpose Q^T (so that each swap
// updates rows of q, not columns: laqr23 keeps its window's Schur vectors
// transposed). Its other arguments and results are those of gonum's Dtrexc
// (ok is false when a swap was rejected as too ill-conditioned; T is then
// valid and ilstOut is where the block stopped), without its workspace. The aggressive early deflation of laqr23 calls it
// hundreds of times per decomposition, so the block swaps (laexc) work on
// the stack: gonum's allocate at each call.
func trexc(wantq bool, n int, t []float64, ldt int, q []float64, ldq int, ifst, ilst int) (ifstOut, ilstOut int, ok bool) {
	if n <= 1 {
		return ifst, ilst, true
	}
	// The first rows of the first and last blocks, and their orders.
	if ifst > 0 && t[ifst*ldt+ifst-1] != 0 {
		ifst--
	}
	nbf := 1
	if ifst+1 < n && t[(ifst+1)*ldt+ifst] != 0 {
		nbf = 2
	}
	if ilst > 0 && t[ilst*ldt+ilst-1] != 0 {
		ilst--
	}
	nbl := 1
	if ilst+1 < n && t[(ilst+1)*ldt+ilst] != 0 {
		nbl = 2
	}
	if ifst == ilst {
		return ifst, ilst, true
	}
	swap := func(j1, n1, n2 int) bool { return laexc(wantq, n, t, ldt, q, ldq, j1, n1, n2) }

	if ifst < ilst {
		switch {
		case nbf == 2 && nbl == 1:
			ilst--
		case nbf == 1 && nbl == 2:
			ilst++
		}
		here := ifst
		for here < ilst {
			// Swap the block with the next one below.
			if nbf == 1 || nbf == 2 {
				nbnext := 1
				if here+nbf+1 < n && t[(here+nbf+1)*ldt+here+nbf] != 0 {
					nbnext = 2
				}
				if !swap(here, nbf, nbnext) {
					return ifst, here, false
				}
				here += nbnext
				// Did a 2×2 block split into two 1×1 blocks?
				if nbf == 2 && t[(here+1)*ldt+here] == 0 {
					nbf = 3
				}
				continue
			}
			// The block is two 1×1 blocks, each swapped on its own.
			nbnext := 1
			if here+3 < n && t[(here+3)*ldt+here+2] != 0 {
				nbnext = 2
			}
			if !swap(here+1, 1, nbnext) {
				return ifst, here, false
			}
			if nbnext == 1 {
				// Two 1×1 blocks: no problem possible.
				swap(here, 1, nbnext)
				here++
				continue
			}
			// Did the 2×2 block split?
			if t[(here+2)*ldt+here+1] == 0 {
				nbnext = 1
			}
			if nbnext == 2 {
				if !swap(here, 1, nbnext) {
					return ifst, here, false
				}
			} else {
				swap(here, 1, 1)
				swap(here+1, 1, 1)
			}
			here += 2
		}
		return ifst, here, true
	}

	here := ifst
	for here > ilst {
		// Swap the block with the next one above.
		nbnext := 1
		if here >= 2 && t[(here-1)*ldt+here-2] != 0 {
			nbnext = 2
		}
		if nbf == 1 || nbf == 2 {
			if !swap(here-nbnext, nbnext, nbf) {
				return ifst, here, false
			}
			here -= nbnext
			// Did a 2×2 block split into two 1×1 blocks?
			if nbf == 2 && t[(here+1)*ldt+here] == 0 {
				nbf = 3
			}
			continue
		}
		// The block is two 1×1 blocks, each swapped on its own.
		if !swap(here-nbnext, nbnext, 1) {
			return ifst, here, false
		}
		if nbnext == 1 {
			swap(here, nbnext, 1)
			here--
			continue
		}
		// Did the 2×2 block split?
		if t[here*ldt+here-1] == 0 {
			nbnext = 1
		}
		if nbnext == 2 {
			if !swap(here-1, 2, 1) {
				return ifst, here, false
			}
		} else {
			swap(here, 1, 1)
			swap(here-1, 1, 1)
		}
		here -= 2
	}
	return ifst, here, true
}

// laexc is LAPACK's DLAEXC: it swaps the adjacent diagonal blocks T11 (order
// n1, at row j1) and T22 (order n2) of the upper quasi-triangular T by an
// orthogonal similarity, accumulated into q (which holds Q^T, as in trexc)
// when wantq. It returns false
// when the swap was rejected because the transformed T would be too far from
// quasi-triangular (T and q are then unchanged). It is gonum's Dlaexc with
// gonum's arithmetic, its small arrays on the stack and its reflections and
// rotations inline.
func laexc(wantq bool, n int, t []float64, ldt int, q []float64, ldq int, j1, n1, n2 int) bool {
	if n == 0 || n1 == 0 || n2 == 0 || j1+n1 >= n {
		return true
	}
	j2 := j1 + 1
	j3 := j1 + 2

	if n1 == 1 && n2 == 1 {
		// Swap two 1×1 blocks.
		t11 := t[j1*ldt+j1]
		t22 := t[j2*ldt+j2]
		cs, sn, _ := impl.Dlartg(t[j1*ldt+j2], t22-t11)
		if n-j3 > 0 {
			rotRows(t[j1*ldt+j3:j1*ldt+n], t[j2*ldt+j3:], cs, sn)
		}
		rotCols(t, ldt, 0, j1, j1, cs, sn)
		t[j1*ldt+j1] = t22
		t[j2*ldt+j2] = t11
		if wantq {
			rotRows(q[j1*ldq:j1*ldq+n], q[j2*ldq:], cs, sn)
		}
		return true
	}

	// At least one 2×2 block: copy the diagonal block of order n1+n2 to
	// d and take its norm.
	nd := n1 + n2
	var d [16]float64
	const ldd = 4
	dnorm := 0.0
	for i := 0; i < nd; i++ {
		for j := 0; j < nd; j++ {
			x := t[(j1+i)*ldt+j1+j]
			d[i*ldd+j] = x
			dnorm = max(dnorm, math.Abs(x))
		}
	}
	eps := dlamchP
	thresh := max(10*eps*dnorm, dlamchS/eps)

	// Solve T11 X - X T22 = scale T12 for X.
	var x [4]float64
	const ldx = 2
	scale, _, _ := impl.Dlasy2(false, false, -1, n1, n2, d[:], ldd, d[n1*ldd+n1:], ldd, d[n1:], ldd, x[:], ldx)

	switch {
	case n1 == 1 && n2 == 2:
		// The reflector H with (scale, X11, X12) H = (0, 0, *).
		_, tau, u0, u1 := larfg3(x[1], scale, x[0])
		u := [3]float64{u0, u1, 1}
		t11 := t[j1*ldt+j1]

		// The swap, provisionally, on d.
		reflectLeft(d[:], ldd, 0, 3, u, tau)
		reflectRight(d[:], ldd, 0, 3, 0, u, tau)
		if max(math.Abs(d[2*ldd]), math.Abs(d[2*ldd+1]), math.Abs(d[2*ldd+2]-t11)) > thresh {
			return false
		}
		// Accepted: on the whole of T.
		reflectLeft(t[j1*ldt:], ldt, j1, n, u, tau)
		reflectRight(t, ldt, 0, j2+1, j1, u, tau)
		t[j3*ldt+j1] = 0
		t[j3*ldt+j2] = 0
		t[j3*ldt+j3] = t11
		if wantq {
			reflectLeft(q[j1*ldq:], ldq, 0, n, u, tau)
		}

	case n1 == 2 && n2 == 1:
		// The reflector H with H (-X11, -X21, scale)^T = (*, 0, 0)^T.
		_, tau, u1, u2 := larfg3(-x[0], -x[ldx], scale)
		u := [3]float64{1, u1, u2}
		t33 := t[j3*ldt+j3]

		reflectLeft(d[:], ldd, 0, 3, u, tau)
		reflectRight(d[:], ldd, 0, 3, 0, u, tau)
		if max(math.Abs(d[ldd]), math.Abs(d[2*ldd]), math.Abs(d[0]-t33)) > thresh {
			return false
		}
		reflectRight(t, ldt, 0, j3+1, j1, u, tau)
		reflectLeft(t[j1*ldt:], ldt, j2, n, u, tau)
		t[j1*ldt+j1] = t33
		t[j2*ldt+j1] = 0
		t[j3*ldt+j1] = 0
		if wantq {
			reflectLeft(q[j1*ldq:], ldq, 0, n, u, tau)
		}

	default: // n1 == 2 && n2 == 2
		// Reflectors H1 and H2 with
		//  H2 H1 (  -X11  -X12 ) = (  *  * )
		//        (  -X21  -X22 )   (  0  * )
		//        ( scale    0  )   (  0  0 )
		//        (    0  scale )   (  0  0 )
		_, tau1, u11, u12 := larfg3(-x[0], -x[ldx], scale)
		u1 := [3]float64{1, u11, u12}
		temp := -tau1 * (x[1] + u1[1]*x[ldx+1])
		_, tau2, u21, u22 := larfg3(-temp*u1[1]-x[ldx+1], -temp*u1[2], scale)
		u2 := [3]float64{1, u21, u22}

		reflectLeft(d[:], ldd, 0, 4, u1, tau1)
		reflectRight(d[:], ldd, 0, 4, 0, u1, tau1)
		reflectLeft(d[ldd:], ldd, 0, 4, u2, tau2)
		reflectRight(d[:], ldd, 0, 4, 1, u2, tau2)
		if max(math.Abs(d[2*ldd]), math.Abs(d[2*ldd+1]), math.Abs(d[3*ldd]), math.Abs(d[3*ldd+1])) > thresh {
			return false
		}
		j4 := j1 + 3
		reflectLeft(t[j1*ldt:], ldt, j1, n, u1, tau1)
		reflectRight(t, ldt, 0, j4+1, j1, u1, tau1)
		reflectLeft(t[j2*ldt:], ldt, j1, n, u2, tau2)
		reflectRight(t, ldt, 0, j4+1, j2, u2, tau2)
		t[j3*ldt+j1] = 0
		t[j3*ldt+j2] = 0
		t[j4*ldt+j1] = 0
		t[j4*ldt+j2] = 0
		if wantq {
			reflectLeft(q[j1*ldq:], ldq, 0, n, u1, tau1)
			reflectLeft(q[j2*ldq:], ldq, 0, n, u2, tau2)
		}
	}

	if n2 == 2 {
		// The new T11.
		standardize(wantq, n, t, ldt, q, ldq, j1)
	}
	if n1 == 2 {
		// The new T22.
		standardize(wantq, n, t, ldt, q, ldq, j1+n2)
	}
	return true
}

// standardize brings the 2×2 diagonal block of T at row j to standard form
// (lanv2) and applies the rotation to the rest of T and, when wantq, to the
// rows of q (Q^T).
func standardize(wantq bool, n int, t []float64, ldt int, q []float64, ldq int, j int) {
	k := j + 1
	a, b := t[j*ldt+j], t[j*ldt+k]
	c, d := t[k*ldt+j], t[k*ldt+k]
	var cs, sn float64
	t[j*ldt+j], t[j*ldt+k], t[k*ldt+j], t[k*ldt+k], _, _, _, _, cs, sn = lanv2(a, b, c, d)
	if n-j-2 > 0 {
		rotRows(t[j*ldt+j+2:j*ldt+n], t[k*ldt+j+2:], cs, sn)
	}
	rotCols(t, ldt, 0, j, j, cs, sn)
	if wantq {
		rotRows(q[j*ldq:j*ldq+n], q[k*ldq:], cs, sn)
	}
}

// reflectLeft applies H = I - tau u u^T (u of 3 elements) from the left to
// columns lo to hi-1 of the 3 rows of a starting at a[0], as gonum's Dlarfx
// does (sum = u0 x0 + u1 x1 + u2 x2).
func reflectLeft(a []float64, lda, lo, hi int, u [3]float64, tau float64) {
	t0, t1, t2 := tau*u[0], tau*u[1], tau*u[2]
	r0 := a[lo:hi]
	r1 := a[lda+lo : lda+hi]
	r2 := a[2*lda+lo : 2*lda+hi]
	for j, x := range r0 {
		sum := u[0]*x + u[1]*r1[j] + u[2]*r2[j]
		r0[j] = x - sum*t0
		r1[j] -= sum * t1
		r2[j] -= sum * t2
	}
}

// reflectRight applies H = I - tau u u^T from the right to columns c, c+1,
// c+2 of rows lo to hi-1 of a.
func reflectRight(a []float64, lda, lo, hi, c int, u [3]float64, tau float64) {
	t0, t1, t2 := tau*u[0], tau*u[1], tau*u[2]
	for j := lo; j < hi; j++ {
		r := a[j*lda+c : j*lda+c+3 : j*lda+c+3]
		sum := u[0]*r[0] + u[1]*r[1] + u[2]*r[2]
		r[0] -= sum * t0
		r[1] -= sum * t1
		r[2] -= sum * t2
	}
}

// rotRows applies the plane rotation (cs, sn) to the rows x and y (y at
// least as long as x) as gonum's Drot does: x, y = cs x + sn y, cs y - sn x.
func rotRows(x, y []float64, cs, sn float64) {
	y = y[:len(x)]
	for i, vx := range x {
		vy := y[i]
		x[i], y[i] = cs*vx+sn*vy, cs*vy-sn*vx
	}
}

// rotCols applies the rotation to columns c and c+1 of rows lo to hi-1 of a.
func rotCols(a []float64, lda, lo, hi, c int, cs, sn float64) {
	for i := lo; i < hi; i++ {
		r := a[i*lda+c : i*lda+c+2 : i*lda+c+2]
		vx, vy := r[0], r[1]
		r[0], r[1] = cs*vx+sn*vy, cs*vy-sn*vx
	}
}
