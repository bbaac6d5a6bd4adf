package certify

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
)

// ErrUnbounded is Complete's error for an activation whose range is
// unbounded (relu, softplus, linear): no box is known to hold every fixed
// point.
var ErrUnbounded = errors.New("certify: complete sets need a bounded activation (tanh, sigmoid or rectified-tanh): the fixed points of an unbounded one need not lie in a box")

// Defaults of CompleteSettings.
const (
	DefaultMaxBoxes = 1 << 20
	DefaultMinWidth = 1e-9
)

// CompleteSettings configure Complete. The zero value is usable.
type CompleteSettings struct {
	// MaxBoxes bounds the boxes examined (0: DefaultMaxBoxes); the boxes
	// still waiting when it is reached are reported undecided.
	MaxBoxes int
	// MinWidth: a box narrower than this in every coordinate that is
	// neither excluded nor certified is not bisected further but
	// reported undecided (0: DefaultMinWidth). A fixed point that is not
	// isolated (a continuum) or whose Jacobian is singular ends there.
	MinWidth float64
	// Direct searches over h even when W has low rank.
	Direct bool
}

// CompleteResult is the outcome of Complete.
type CompleteResult struct {
	// Domain is the box that holds every fixed point: the range of phi in
	// each coordinate, narrowed once by h = phi(W h + c).
	Domain []Interval
	// Points are the fixed points proven, one per certified box, each
	// with its certificate (Certs[i].Certified() is true: the ball of
	// radius Certs[i].Radius around it holds no other fixed point) and
	// the box that encloses it (Boxes[i]).
	Points [][]float64
	Certs  []Result
	Boxes  [][]Interval
	// Undecided are the boxes that could be neither excluded nor
	// certified; none is dropped. Complete is true when there are none:
	// then Points are all the fixed points of the network.
	Undecided [][]Interval
	Complete  bool
	// Examined counts the boxes examined, Excluded those proven to hold
	// no fixed point, Covered those inside a known point's certified ball.
	Examined, Excluded, Covered int
	// Rank is the rank r of W when the search ran over the r coordinates
	// kappa = V^T h of a low-rank W = U V^T (see lowrank.go), and 0 when
	// it ran over h.
	Rank int
}

// Complete proves the set of all fixed points of net by branch and prune
// (over the r coordinates V^T h when W = U V^T has rank r <= N/2, see
// lowRank; over h otherwise) within the box that holds every one of them (h = phi(x) lies in the range
// of phi, docs/DESIGN.md section 1; for tanh, |h_i| <= 1). Each box is
// narrowed by h_i = phi(W_i h + c_i) (interval enclosures of the row sums
// and the monotonicity of phi, unit after unit with the narrowed ranges)
// and by Krawczyk's operator at its centre (X intersected with K(X));
// a box where either is empty holds no fixed point, a box with K(X) in
// its interior holds exactly one (its point is polished by Newton's method
// and certified by Point's test), and other boxes are bisected along
// their widest coordinate. The search is sequential and deterministic.
func Complete(ctx context.Context, net *dynamics.Network, cs CompleteSettings) (*CompleteResult, error) {
	lo, hi := net.Activation().Range()
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil, ErrUnbounded
	}
	maxBoxes, minWidth := cs.MaxBoxes, cs.MinWidth
	if maxBoxes <= 0 {
		maxBoxes = DefaultMaxBoxes
	}
	if minWidth <= 0 {
		minWidth = DefaultMinWidth
	}
	s := newSystem(net)
	n := s.n
	dom := make([]Interval, n)
	for i := range dom {
		dom[i] = Interval{lo, hi}
	}
	res := &CompleteResult{}
	if !s.narrow(dom) {
		// No fixed point at all (cannot happen for a continuous phi with
		// a bounded range, by Brouwer's theorem; kept for the logic).
		res.Domain, res.Complete = dom, true
		return res, nil
	}
	res.Domain = clone(dom)
	var sp space = identity{}
	first := clone(dom)
	if lr, k0 := s.lowRank(dom); lr != nil && !cs.Direct {
		sp, first = lr, k0
		res.Rank = len(k0)
	}
	tryWidth := 1e-3 * max(1, hi-lo)
	stack := [][]Interval{first}
	rho := make([]float64, n)
	m := make([]float64, n)
	ambiguous := false
	// add records the fixed point of a certificate unless a known point's
	// box already holds its enclosure (then it is that point).
	add := func(p []float64, r Result, b []Interval) {
		for k, q := range res.Points {
			if within(p, r.Error, q, res.Certs[k].Radius) {
				return
			}
			if overlap(p, r.Error, q, res.Certs[k].Radius) {
				ambiguous = true
			}
		}
		res.Points, res.Certs, res.Boxes = append(res.Points, p), append(res.Certs, r), append(res.Boxes, clone(b))
	}
	for len(stack) > 0 {
		if res.Examined >= maxBoxes || ctx.Err() != nil {
			for _, b := range stack {
				if h, ok := sp.lift(s, b, dom); ok {
					res.Undecided = append(res.Undecided, clone(h))
				}
			}
			break
		}
		b := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		res.Examined++
		h, ok := sp.lift(s, b, dom)
		if !ok {
			res.Excluded++
			continue
		}
		if res.covered(h) {
			res.Covered++
			continue
		}
		switch s.prune(h, m, rho) {
		case excluded:
			res.Excluded++
			continue
		case unique:
			p, r := s.pointIn(net, h, m, rho)
			add(p, r, h)
			continue
		}
		if !sp.pull(b, h) {
			res.Excluded++
			continue
		}
		_, wh := widest(h)
		if wh < tryWidth {
			// A root on a bisection plane (the origin of an odd network)
			// is in no box's interior: certify the point Newton's method
			// finds from the centre, whose certified ball then covers the
			// boxes around it.
			if p, r, ok := s.newtonPoint(net, h); ok {
				add(p, r, h)
				if res.covered(h) {
					res.Covered++
					continue
				}
			}
		}
		_, w := widest(b)
		if w < minWidth {
			res.Undecided = append(res.Undecided, clone(h))
			continue
		}
		k := sp.split(s, b)
		mid := b[k].Mid()
		left, right := clone(b), b
		left[k].Hi, right[k].Lo = mid, mid
		// Depth first, the lower half on top: a fixed order.
		stack = append(stack, right, left)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res.Complete = len(res.Undecided) == 0 && !ambiguous
	return res, nil
}

// covered reports whether b lies in the certified ball of a known point,
// which holds no other fixed point.
func (r *CompleteResult) covered(b []Interval) bool {
	for k, p := range r.Points {
		rad := r.Certs[k].Radius
		in := true
		for i, x := range b {
			if !(x.Lo >= p[i]-rad && x.Hi <= p[i]+rad) {
				in = false
				break
			}
		}
		if in {
			return true
		}
	}
	return false
}

// within reports whether the box p +- a lies inside q +- b.
func within(p []float64, a float64, q []float64, b float64) bool {
	for i := range p {
		if math.Abs(p[i]-q[i])+a >= b {
			return false
		}
	}
	return true
}

// overlap reports whether the boxes p +- a and q +- b meet.
func overlap(p []float64, a float64, q []float64, b float64) bool {
	for i := range p {
		if math.Abs(p[i]-q[i]) > a+b {
			return false
		}
	}
	return true
}

func clone(b []Interval) []Interval { return append([]Interval(nil), b...) }

// widest returns the coordinate of b's largest width and that width.
func widest(b []Interval) (int, float64) {
	k, w := 0, -1.0
	for i, x := range b {
		if d := x.Hi - x.Lo; d > w {
			k, w = i, d
		}
	}
	return k, w
}

type verdict int

const (
	excluded verdict = iota // no fixed point in the box
	unique                  // exactly one
	split                   // undecided: bisect
)

// prune narrows b in place and decides it when it can: excluded, unique
// (K(X) inside X: b is then an enclosure of the one fixed point of X = m
// +- rho, left in m and rho) or split. m and rho are scratch of length N.
func (s *system) prune(b []Interval, m, rho []float64) verdict {
	for range 32 {
		if !s.narrow(b) {
			return excluded
		}
		_, w0 := widest(b)
		// X = m +- rho holds b (the radius rounded up).
		for i, x := range b {
			m[i], rho[i] = midRad(x.Lo, x.Hi)
		}
		c, ok := newCentre(s, m)
		if !ok {
			return split
		}
		kr := make([]float64, s.n)
		c.linearRows(kr, rho)
		c.slopeRows(kr, rho)
		if strictlyInside(c, m, rho, kr) {
			// X holds exactly one fixed point, in K(X) and X: b becomes
			// that enclosure (rounded out), m +- rho stays X.
			for i := range b {
				r := addUp(c.zr[i], kr[i])
				b[i].Lo = max(down(down(m[i]-c.zm[i])-r), down(m[i]-rho[i]))
				b[i].Hi = min(up(up(m[i]-c.zm[i])+r), up(m[i]+rho[i]))
			}
			return unique
		}
		for i := range b {
			r := addUp(c.zr[i], kr[i])
			// K(X)_i lies in m_i - zm_i +- r.
			klo := down(down(m[i]-c.zm[i]) - r)
			khi := up(up(m[i]-c.zm[i]) + r)
			if math.IsNaN(klo) || math.IsNaN(khi) {
				return split
			}
			b[i].Lo, b[i].Hi = max(b[i].Lo, klo), min(b[i].Hi, khi)
			if b[i].Lo > b[i].Hi {
				return excluded
			}
		}
		if _, w := widest(b); w > 0.75*w0 {
			return split
		}
	}
	return split
}

// strictlyInside reports whether K(X) lies in the interior of X = m +-
// rho, exactly: |zm_i| + zr_i + kr_i < rho_i for every i, each side an
// upper or a lower bound as needed (the test of Point, for a box).
func strictlyInside(c *centre, m, rho, kr []float64) bool {
	for i := range m {
		if !(addUp(addUp(math.Abs(c.zm[i]), c.zr[i]), kr[i]) < rho[i]) {
			return false
		}
	}
	return true
}

// narrow contracts b by h_i in phi(W_i h + c_i), unit after unit with the
// ranges already narrowed (Gauss-Seidel), forwards (the range of phi over
// the enclosure of W_i h + c_i) and backwards (W_ij h_j lies in the
// preimage of b_i under phi, minus c_i and the other terms of the row). It
// returns false when some range becomes empty: no fixed point lies in b.
func (s *system) narrow(b []Interval) bool {
	n := s.n
	terms := make([]Interval, n)
	for range 8 {
		shrunk := false
		for i := range n {
			lo, hi := down(s.cm[i]-s.cr[i]), up(s.cm[i]+s.cr[i])
			row := s.w[i*n : i*n+n]
			for j, w := range row {
				a, z := w*b[j].Lo, w*b[j].Hi
				if w < 0 {
					a, z = z, a
				}
				terms[j] = Interval{down(a), up(z)}
				lo, hi = down(lo+terms[j].Lo), up(hi+terms[j].Hi)
			}
			p := PhiRange(s.act, lo, hi)
			nl, nh := max(b[i].Lo, p.Lo), min(b[i].Hi, p.Hi)
			if nl > nh {
				return false
			}
			if nh-nl < 0.9*(b[i].Hi-b[i].Lo) {
				shrunk = true
			}
			b[i] = Interval{nl, nh}
			// Backwards: x_i = W_i h + c_i lies in the preimage of b_i, so
			// W_ij h_j lies in it minus the rest of the row.
			x := PreimageRange(s.act, b[i].Lo, b[i].Hi)
			if math.IsInf(x.Lo, -1) && math.IsInf(x.Hi, 1) {
				continue
			}
			for j, w := range row {
				if w == 0 {
					continue
				}
				// The rest: [lo - terms_j.Lo, hi - terms_j.Hi], rounded out.
				rlo, rhi := down(lo-terms[j].Lo), up(hi-terms[j].Hi)
				tlo, thi := down(x.Lo-rhi), up(x.Hi-rlo) // W_ij h_j in [tlo, thi]
				var hl, hh float64
				if w > 0 {
					hl, hh = down(tlo/w), up(thi/w)
				} else {
					hl, hh = down(thi/w), up(tlo/w)
				}
				if math.IsNaN(hl) || math.IsNaN(hh) {
					continue
				}
				nl, nh := max(b[j].Lo, hl), min(b[j].Hi, hh)
				if nl > nh {
					return false
				}
				if nh-nl < 0.9*(b[j].Hi-b[j].Lo) {
					shrunk = true
				}
				// terms_j and the row's sum, from the wider b_j, stay
				// valid for the rest of the row.
				b[j] = Interval{nl, nh}
			}
		}
		if !shrunk {
			break
		}
	}
	return true
}

// smear returns the coordinate to bisect: the largest smear w_k sum_i
// |S_ik| (Kearfott's rule), with |S_ik| <= delta_ik + max|D_i| |W_ik| the
// slopes over b: the unit whose width moves G the most.
func (s *system) smear(b []Interval) int {
	n := s.n
	col := make([]float64, n)
	for i := range n {
		lo, hi := s.cm[i], s.cm[i]
		row := s.w[i*n : i*n+n]
		for j, w := range row {
			a, z := w*b[j].Lo, w*b[j].Hi
			if w < 0 {
				a, z = z, a
			}
			lo, hi = lo+a, hi+z
		}
		d := SlopeRange(s.act, lo, hi).Hi
		for j, w := range row {
			col[j] += d * math.Abs(w)
		}
		col[i]++
	}
	k, best := 0, -1.0
	for j, x := range b {
		if v := (x.Hi - x.Lo) * col[j]; v > best {
			k, best = j, v
		}
	}
	return k
}

// newtonFrom runs Newton's method from the centre of b and returns where it
// ends.
func newtonFrom(net *dynamics.Network, b []Interval) []float64 {
	n := len(b)
	y := make([]float64, n)
	for i, v := range b {
		y[i] = v.Mid()
	}
	f := make([]float64, n)
	var j mat.Dense
	for range 30 {
		net.Field(f, y)
		net.Jacobian(&j, y)
		var dx mat.VecDense
		if err := dx.SolveVec(&j, mat.NewVecDense(n, f)); err != nil {
			break
		}
		for i := range y {
			y[i] -= dx.AtVec(i)
		}
	}
	return y
}

// newtonPoint certifies the point Newton's method reaches from b's centre
// when it lies within b's width of b.
func (s *system) newtonPoint(net *dynamics.Network, b []Interval) ([]float64, Result, bool) {
	y := newtonFrom(net, b)
	_, w := widest(b)
	for i, v := range b {
		if !(y[i] >= v.Lo-w && y[i] <= v.Hi+w) {
			return nil, Result{}, false
		}
	}
	r := certifyPoint(s, y)
	return y, r, r.Certified()
}

// pointIn returns the fixed point enclosed by b, the only one of X = m
// +- rho, and its certificate: Newton's method from b's centre, certified
// by Point's test; if that fails, b's centre, within the farthest corner
// of b of the fixed point, which is unique in the largest ball around it
// inside X.
func (s *system) pointIn(net *dynamics.Network, b []Interval, m, rho []float64) ([]float64, Result) {
	y := newtonFrom(net, b)
	in := true
	for i, v := range b {
		in = in && v.Contains(y[i])
	}
	if in {
		if r := certifyPoint(s, y); r.Certified() {
			return y, r
		}
	}
	x := make([]float64, len(b))
	rad, er := math.Inf(1), 0.0
	for i, v := range b {
		x[i] = v.Mid()
		rad = min(rad, down(down(x[i]-m[i])+rho[i]), down(down(m[i]-x[i])+rho[i]))
		er = max(er, up(x[i]-v.Lo), up(v.Hi-x[i]))
	}
	return x, Result{Reason: Certified, Radius: max(rad, 0), Error: er}
}

// String describes the outcome in a line.
func (r *CompleteResult) String() string {
	if r.Complete {
		return fmt.Sprintf("complete: %d fixed points, all of them (%d boxes examined, %d excluded)", len(r.Points), r.Examined, r.Excluded)
	}
	return fmt.Sprintf("not complete: %d fixed points proven, %d boxes undecided (%d examined, %d excluded)", len(r.Points), len(r.Undecided), r.Examined, r.Excluded)
}
