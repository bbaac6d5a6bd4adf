// lanv2 is adapted from gonum's lapack/gonum/dlanv2.go (v0.17.0),
// Copyright ©2016 The Gonum Authors, used under gonum's BSD 3-Clause
// license.

package eigen

import "math"

// lanv2Safmn2 is DLANV2's scaling factor, as gonum computes it (gonum's
// Dlanv2 evaluates it with math.Pow and math.Log at every call that meets a
// complex or nearly equal pair).
var lanv2Safmn2 = math.Pow(2, math.Log(dlamchS/dlamchE)/math.Log(2)/2)

// lanv2 is LAPACK's DLANV2, the Schur factorisation of the real 2×2 matrix
// [a b; c d] in standard form, with the arguments and results of gonum's
// Dlanv2 and gonum's arithmetic.
func lanv2(a, b, c, d float64) (aa, bb, cc, dd float64, rt1r, rt1i, rt2r, rt2i float64, cs, sn float64) {
	switch {
	case c == 0: // Already upper triangular.
		aa, bb, cc, dd = a, b, 0, d
		cs, sn = 1, 0
	case b == 0: // Lower triangular: swap rows and columns.
		aa, bb, cc, dd = d, -c, 0, a
		cs, sn = 0, 1
	case a == d && math.Signbit(b) != math.Signbit(c): // Already standard.
		aa, bb, cc, dd = a, b, c, d
		cs, sn = 1, 0
	default:
		temp := a - d
		p := temp / 2
		bcmax := max(math.Abs(b), math.Abs(c))
		bcmis := min(math.Abs(b), math.Abs(c))
		if b*c < 0 {
			bcmis *= -1
		}
		scale := max(math.Abs(p), bcmax)
		z := p/scale*p + bcmax/scale*bcmis
		eps := dlamchP

		if z >= 4*eps {
			// Real eigenvalues.
			if p > 0 {
				z = p + math.Sqrt(scale)*math.Sqrt(z)
			} else {
				z = p - math.Sqrt(scale)*math.Sqrt(z)
			}
			aa = d + z
			dd = d - bcmax/z*bcmis
			tau := math.Hypot(c, z)
			cs = z / tau
			sn = c / tau
			bb = b - c
			cc = 0
		} else {
			// Complex or (almost) equal real eigenvalues: make the
			// diagonal entries equal.
			safmn2 := lanv2Safmn2
			safmx2 := 1 / safmn2
			sigma := b + c
		loop:
			for iter := 0; iter < 20; iter++ {
				scale = max(math.Abs(temp), math.Abs(sigma))
				switch {
				case scale >= safmx2:
					sigma *= safmn2
					temp *= safmn2
				case scale <= safmn2:
					sigma *= safmx2
					temp *= safmx2
				default:
					break loop
				}
			}
			p = temp / 2
			tau := math.Hypot(sigma, temp)
			cs = math.Sqrt((1 + math.Abs(sigma)/tau) / 2)
			sn = -p / (tau * cs)
			if sigma < 0 {
				sn *= -1
			}
			// [aa bb; cc dd] = [a b; c d] [cs -sn; sn cs]
			aa = a*cs + b*sn
			bb = -a*sn + b*cs
			cc = c*cs + d*sn
			dd = -c*sn + d*cs
			// [a b; c d] = [cs sn; -sn cs] [aa bb; cc dd]
			a = aa*cs + cc*sn
			b = bb*cs + dd*sn
			c = -aa*sn + cc*cs
			d = -bb*sn + dd*cs

			temp = (a + d) / 2
			aa, bb, cc, dd = temp, b, c, temp
			if cc != 0 {
				if bb != 0 {
					if math.Signbit(bb) == math.Signbit(cc) {
						// Real eigenvalues: reduce to upper
						// triangular form.
						sab := math.Sqrt(math.Abs(bb))
						sac := math.Sqrt(math.Abs(cc))
						p = sab * sac
						if cc < 0 {
							p *= -1
						}
						tau = 1 / math.Sqrt(math.Abs(bb+cc))
						aa = temp + p
						bb = bb - cc
						cc = 0
						dd = temp - p
						cs1 := sab * tau
						sn1 := sac * tau
						cs, sn = cs*cs1-sn*sn1, cs*sn1+sn*cs1
					}
				} else {
					bb = -cc
					cc = 0
					cs, sn = -sn, cs
				}
			}
		}
	}
	// The eigenvalues.
	rt1r = aa
	rt2r = dd
	if cc != 0 {
		rt1i = math.Sqrt(math.Abs(bb)) * math.Sqrt(math.Abs(cc))
		rt2i = -rt1i
	}
	return
}
