package certify

import (
	"math"

	"github.com/fpfind/fpfind/dynamics"
)

// libRel bounds the relative error of math.Tanh, math.Exp and math.Log1p
// as this package uses them, with a wide margin: 2^-48 = 32 u. Go's
// math.Tanh is Cephes' (a rational approximation below |x| = 0.625, whose
// documented peak relative error is 2.5e-16 = 2.3 u, and 1 - 2/(e^2|x| + 1)
// above, where e^2|x| is within one ulp and the three roundings after it,
// with the cancellation in 1 - q at |x| = 0.625 where q < 0.45, add at
// most 3.4 u); math.Exp and math.Log1p are within one ulp. Enclosures
// widen each computed value by libRel times its magnitude plus eta (for
// results near zero and subnormal), eight times the worst case of that
// analysis; TestTanhEnclosure measures the error against math/big on a
// sweep that covers both branches.
const libRel = 0x1p-48

// widen returns an interval that holds the exact value of a library
// function whose computed value is v (see libRel).
func widen(v float64) Interval {
	w := up(up(math.Abs(v)*libRel) + eta)
	return Interval{down(v - w), up(v + w)}
}

// tanhEnc returns an enclosure of tanh(x), within [-1, 1].
func tanhEnc(x float64) Interval {
	t := widen(math.Tanh(x))
	return Interval{max(t.Lo, -1), min(t.Hi, 1)}
}

// dtanhRange returns an enclosure of the range of tanh' = 1 - tanh^2 over
// [lo, hi]: tanh' is even and decreasing in |x|, so its maximum is at the
// point of the interval nearest 0 and its minimum at the farthest end.
func dtanhRange(lo, hi float64) Interval {
	near := 0.0
	if lo > 0 {
		near = lo
	} else if hi < 0 {
		near = -hi
	}
	far := max(math.Abs(lo), math.Abs(hi))
	tn, tf := tanhEnc(near), tanhEnc(far) // both within [0, 1]
	tn.Lo = max(tn.Lo, 0)
	return Interval{
		Lo: max(0, down(1-up(tf.Hi*tf.Hi))),
		Hi: min(1, up(1-down(tn.Lo*tn.Lo))),
	}
}

// half returns an interval holding x/2 (exact unless x/2 is subnormal).
func half(x float64) Interval {
	h := x / 2
	if h*2 == x {
		return Interval{h, h}
	}
	return Interval{down(h), up(h)}
}

// sigmoidEnc returns an enclosure of the logistic function at x, from
// sigma(x) = (1 + tanh(x/2)) / 2.
func sigmoidEnc(x float64) Interval {
	h := half(x)
	lo, hi := tanhEnc(h.Lo).Lo, tanhEnc(h.Hi).Hi
	return Interval{max(0, down(down(1+lo)/2)), min(1, up(up(1+hi)/2))}
}

// softplusEnc returns an enclosure of log(1 + e^x), computed as dynamics
// computes it (x + log1p(e^-x) above 0), each library call within libRel.
func softplusEnc(x float64) Interval {
	if x > 0 {
		e := widen(math.Exp(-x))
		l := Interval{widen(math.Log1p(e.Lo)).Lo, widen(math.Log1p(e.Hi)).Hi}
		return Interval{down(x + l.Lo), up(x + l.Hi)}
	}
	e := widen(math.Exp(x))
	return Interval{max(0, widen(math.Log1p(max(e.Lo, 0))).Lo), widen(math.Log1p(e.Hi)).Hi}
}

// PhiRange returns an enclosure of phi([lo, hi]), the range of the
// activation over an interval (every activation is non-decreasing, so its
// range is that of the ends).
func PhiRange(a dynamics.Activation, lo, hi float64) Interval {
	switch a {
	case dynamics.Tanh:
		return Interval{tanhEnc(lo).Lo, tanhEnc(hi).Hi}
	case dynamics.ReLU:
		return Interval{max(0, lo), max(0, hi)}
	case dynamics.Softplus:
		return Interval{softplusEnc(lo).Lo, softplusEnc(hi).Hi}
	case dynamics.Sigmoid:
		return Interval{sigmoidEnc(lo).Lo, sigmoidEnc(hi).Hi}
	case dynamics.Linear:
		return Interval{lo, hi}
	case dynamics.RectifiedTanh:
		return Interval{max(0, tanhEnc(lo).Lo), max(0, tanhEnc(hi).Hi)}
	}
	panic("certify: unknown activation " + a.String())
}

// SlopeRange returns an interval that holds every difference quotient
// (phi(p) - phi(q)) / (p - q) with p, q in [lo, hi], and phi' there: the
// range of the derivative (of its one-sided derivatives at the kinks of
// relu and rectified-tanh). It is what the mean-value form of the Krawczyk
// operator needs.
func SlopeRange(a dynamics.Activation, lo, hi float64) Interval {
	switch a {
	case dynamics.Tanh:
		return dtanhRange(lo, hi)
	case dynamics.ReLU, dynamics.RectifiedTanh:
		if hi < 0 {
			return Interval{0, 0}
		}
		if a == dynamics.ReLU {
			if lo >= 0 {
				return Interval{1, 1}
			}
			return Interval{0, 1}
		}
		if lo >= 0 {
			return dtanhRange(lo, hi)
		}
		return Interval{0, 1}
	case dynamics.Softplus:
		// phi' is the logistic function, increasing.
		return Interval{sigmoidEnc(lo).Lo, sigmoidEnc(hi).Hi}
	case dynamics.Sigmoid:
		// sigma' = (1 - tanh^2(x/2)) / 4.
		l, h := half(lo), half(hi)
		d := dtanhRange(l.Lo, h.Hi)
		return Interval{down(d.Lo / 4), up(d.Hi / 4)}
	case dynamics.Linear:
		return Interval{1, 1}
	}
	panic("certify: unknown activation " + a.String())
}

// atanhEnc returns an enclosure of atanh(h) for |h| < 1 (math.Atanh,
// within libRel), and the infinite ends for h <= -1 or h >= 1.
func atanhEnc(h float64) Interval {
	switch {
	case h <= -1:
		return Interval{math.Inf(-1), math.Inf(-1)}
	case h >= 1:
		return Interval{math.Inf(1), math.Inf(1)}
	}
	return widen(math.Atanh(h))
}

// PreimageRange returns an interval that holds every x with phi(x) in
// [lo, hi], for the bounded activations (tanh, sigmoid, rectified-tanh);
// its ends are infinite where phi only approaches them. It panics for the
// others.
func PreimageRange(a dynamics.Activation, lo, hi float64) Interval {
	switch a {
	case dynamics.Tanh:
		return Interval{atanhEnc(lo).Lo, atanhEnc(hi).Hi}
	case dynamics.Sigmoid:
		// sigma(x) = h for x = 2 atanh(2h - 1); 2h - 1 is exact for h in
		// [1/4, 1] and within an ulp below.
		l, h := atanhEnc(down(2*lo-1)), atanhEnc(up(2*hi-1))
		return Interval{down(2 * l.Lo), up(2 * h.Hi)}
	case dynamics.RectifiedTanh:
		x := Interval{math.Inf(-1), atanhEnc(hi).Hi}
		if lo > 0 {
			x.Lo = atanhEnc(lo).Lo
		}
		return x
	}
	panic("certify: PreimageRange of the unbounded activation " + a.String())
}
