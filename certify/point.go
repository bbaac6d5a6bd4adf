package certify

import (
	"context"
	"fmt"
	"math"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/enum"
	"github.com/fpfind/fpfind/internal/par"
)

// Reason says why a point was or was not certified.
type Reason int

// The reasons.
const (
	Certified      Reason = iota // a box around the point holds exactly one fixed point
	TooLarge                     // N is above Settings.MaxN
	NotFinite                    // the point or the bounds computed at it are not finite
	Singular                     // the Jacobian at the point is singular to working precision
	IllConditioned               // the rounding errors of the linear algebra alone exceed the contraction (||Y|| ||J|| too large)
	NoContraction                // no radius passes Krawczyk's test: the residual is too large for the curvature there (a slow point, or a point off the root)
)

var reasonNames = enum.Names[Reason]{
	Certified:      "certified",
	TooLarge:       "too-large",
	NotFinite:      "not-finite",
	Singular:       "singular",
	IllConditioned: "ill-conditioned",
	NoContraction:  "no-contraction",
}

// String returns the reason's name, as the .npz and the .json write it.
func (r Reason) String() string { return reasonNames.String(r) }

// MarshalText returns the reason's name.
func (r Reason) MarshalText() ([]byte, error) { return reasonNames.Text(r) }

// DefaultMaxN is the largest N that Points certifies by default: the
// dense work (an inverse and a matrix product, about 4.7 N^3 flops, and
// five N x N matrices per worker) takes seconds per point there.
const DefaultMaxN = 2048

// Settings configure Points. The zero value is usable.
type Settings struct {
	// MaxN is the largest N certified (0: DefaultMaxN); larger networks'
	// points get TooLarge.
	MaxN int
	// Workers is the number of points certified at once (0: GOMAXPROCS).
	// The results do not depend on it.
	Workers int
}

// Result is the outcome of certifying one point x.
type Result struct {
	Reason Reason
	// Radius: when certified, the box {h : max_i |h_i - x_i| <= Radius}
	// holds exactly one fixed point of the network; 0 otherwise.
	Radius float64
	// Error: when certified, that fixed point lies within Error of x
	// (max norm); 0 otherwise.
	Error float64
	// Cond estimates the condition number ||Y||inf ||J||inf of the
	// Jacobian of h -> -h + phi(x(h)) at x (0 when not computed).
	Cond float64
}

// Certified reports whether the point was certified.
func (r Result) Certified() bool { return r.Reason == Certified }

// Explain returns the reason in words, with the numbers that decided it.
func (r Result) Explain() string {
	switch r.Reason {
	case Certified:
		return fmt.Sprintf("certified: one fixed point within %.3g, unique within %.3g", r.Error, r.Radius)
	case IllConditioned:
		return fmt.Sprintf("not certified: ill-conditioned Jacobian (condition about %.2g)", r.Cond)
	case NoContraction:
		return fmt.Sprintf("not certified: no box passes Krawczyk's test (residual too large for the curvature; condition about %.2g)", r.Cond)
	case Singular:
		return "not certified: singular Jacobian"
	case TooLarge:
		return "not certified: network too large for the dense test"
	case NotFinite:
		return "not certified: the point or its bounds are not finite"
	}
	return r.Reason.String()
}

// Point certifies one point x of net (Settings' defaults).
func Point(net *dynamics.Network, x []float64) Result {
	if net.Dim() > DefaultMaxN {
		return Result{Reason: TooLarge}
	}
	return certifyPoint(newSystem(net), x)
}

// Points certifies every point of xs, Settings.Workers at a time. It
// returns ctx's error when ctx is done first.
func Points(ctx context.Context, net *dynamics.Network, xs [][]float64, s Settings) ([]Result, error) {
	out := make([]Result, len(xs))
	maxN := s.MaxN
	if maxN <= 0 {
		maxN = DefaultMaxN
	}
	if net.Dim() > maxN {
		for i := range out {
			out[i] = Result{Reason: TooLarge}
		}
		return out, nil
	}
	sys := newSystem(net)
	err := par.Each(ctx, len(xs), s.Workers, func(i int) error {
		if ctx.Err() != nil {
			return nil
		}
		out[i] = certifyPoint(sys, xs[i])
		return nil
	})
	return out, err
}

// radius search: the tested radii grow from the smallest that can pass by
// factors of 2 up to rMax (2 max(1, |x|inf): for a bounded activation the
// whole range of phi), then the largest passing one is refined by
// bisection in log scale.
const bisections = 12

// illCond is the condition number from which a point that no radius
// certifies is said to fail for its conditioning: past 1/sqrt(u) the
// residual's error bound (about cond u) times the curvature term (about
// cond r) leaves no radius r that both encloses the root and contracts.
const illCond = 1e8

// certifyPoint runs Krawczyk's test on boxes x +- r (max norm) around x.
func certifyPoint(s *system, x []float64) Result {
	n := s.n
	xi := 0.0
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Result{Reason: NotFinite}
		}
		xi = max(xi, math.Abs(v))
	}
	c, ok := newCentre(s, x)
	if !ok {
		return Result{Reason: Singular}
	}
	res := Result{Cond: c.cond}
	ones := make([]float64, n)
	for i := range ones {
		ones[i] = 1
	}
	lin := make([]float64, n) // the linear part for rho = e; scaled by r
	c.linearRows(lin, ones)
	zeta := make([]float64, n)
	var s0, zmax float64
	for i := range n {
		zeta[i] = addUp(math.Abs(c.zm[i]), c.zr[i])
		s0 = max(s0, lin[i])
		zmax = max(zmax, zeta[i])
	}
	if math.IsNaN(s0) || math.IsNaN(zmax) || math.IsInf(zmax, 0) {
		return Result{Reason: NotFinite, Cond: c.cond}
	}
	if s0 >= 1 {
		res.Reason = IllConditioned
		return res
	}
	rho := make([]float64, n)
	rows := make([]float64, n)
	// pass reports whether K(x +- r) lies inside x +- r, and the radius
	// that K's box has around x (where the fixed point is).
	pass := func(r float64) (bool, float64) {
		for i := range rho {
			rho[i] = r
		}
		// linearRows is linear in rho but for the additive eta terms of
		// absMatVecUp (products that underflow), which scaling by r < 1
		// would shrink: they are added back unscaled.
		slack := float64(8*n+8) * eta
		for i := range rows {
			rows[i] = addUp(mulUp(lin[i], r), slack)
		}
		c.slopeRows(rows, rho)
		var e float64
		for i := range n {
			k := addUp(zeta[i], rows[i])
			if !(k < r) {
				return false, 0
			}
			e = max(e, k)
		}
		return true, e
	}
	rMax := 2 * max(1, xi)
	r := up(2 * zmax / (1 - s0))
	r = max(r, unit*max(1, xi)) // below it Error would claim more than float64 can hold
	var lastPass, firstFail, errBound float64
	for ; r <= rMax; r *= 2 {
		ok, e := pass(r)
		if ok {
			if lastPass == 0 {
				errBound = e
			}
			lastPass = r
		} else if lastPass > 0 {
			firstFail = r
			break
		}
	}
	if lastPass == 0 {
		res.Reason = NoContraction
		if c.cond >= illCond {
			res.Reason = IllConditioned
		}
		return res
	}
	if firstFail > 0 {
		lo, hi := lastPass, firstFail
		for range bisections {
			mid := math.Sqrt(lo * hi)
			if ok, _ := pass(mid); ok {
				lo = mid
			} else {
				hi = mid
			}
		}
		lastPass = lo
	}
	res.Reason, res.Radius, res.Error = Certified, lastPass, errBound
	return res
}
