package continuation

import (
	"context"
	"math"

	"github.com/fpfind/fpfind/linearize"
)

// node is a point of a branch while it is followed: the point, its
// tangent and its eigenvalue counts.
type node struct {
	y, t []float64
	pt   Point
	// vals are every eigenvalue computed (pt.Values keeps Eigs of them),
	// c their counts.
	vals []complex128
	c    counts
}

// traced is a branch as followed, with its special points (Point.Special
// indexes specials until Continue numbers them globally).
type traced struct {
	branch   Branch
	specials []Special
	// tangents at the branch points, for switching.
	bpTangents map[int][]float64
}

// makeNode linearises the point y (on the branch) and returns it.
func (w *work) makeNode(y, t []float64) (*node, error) {
	net, _ := w.evaluate(y)
	if net == nil {
		return nil, errNet
	}
	sp, err := w.spectrum(net, y[:w.n])
	if err != nil && sp == nil {
		return nil, err
	}
	isMap := net.Convention().IsMap()
	nd := &node{y: append([]float64(nil), y...), t: t, vals: sp.Values, c: countOf(sp.Values, isMap)}
	nd.pt = w.point(y, sp)
	return nd, nil
}

// point returns the branch point at y with its spectrum.
func (w *work) point(y []float64, sp *linearize.Spectrum) Point {
	k := min(len(sp.Values), w.s.Eigs)
	return Point{P: y[w.n], H: append([]float64(nil), y[:w.n]...), Values: append([]complex128(nil), sp.Values[:k]...),
		NUnstable: sp.NUnstable, NMarginal: sp.NMarginal, Class: sp.Class, MoreUnstable: sp.MoreUnstable, Special: -1}
}

// trace follows the branch from the node first (on the branch, its tangent
// set) until it leaves the interval, diverges, closes, stalls or has taken
// MaxSteps steps. skipFirst leaves out the detection on the first step (a
// branch switched onto at a branch point starts on the crossing).
func (w *work) trace(ctx context.Context, first *node, skipFirst bool) traced {
	s := w.s
	lo, hi := min(s.From, s.To), max(s.From, s.To)
	tr := traced{bpTangents: map[int][]float64{}}
	tr.branch.Points = []Point{first.pt}
	cur := first
	ds := s.Step
	away := false
	for step := 0; ; step++ {
		if ctx.Err() != nil {
			tr.branch.End = EndCancelled
			return tr
		}
		if step == s.MaxSteps {
			tr.branch.End = EndMaxSteps
			return tr
		}
		y := make([]float64, w.n+1)
		for i := range y {
			y[i] = cur.y[i] + ds*cur.t[i]
		}
		iters, ok := w.correct(y, w.row(cur.t), w.dot(cur.t, cur.y)+ds)
		var t []float64
		if ok {
			t = w.tangent(y, cur.t)
			ok = t != nil && (w.dot(t, cur.t) >= minCos || skipFirst && len(tr.branch.Points) == 1)
		}
		if !ok {
			if maxAbs(y[:w.n]) > maxState {
				tr.branch.End = EndDiverged
				return tr
			}
			ds /= 2
			if ds < s.StepMin {
				tr.branch.End = EndStalled
				return tr
			}
			continue
		}
		// Past an end of the interval: land on it.
		boundary := false
		if p := y[w.n]; p < lo || p > hi {
			bound := hi
			if p < lo {
				bound = lo
			}
			f := (bound - cur.y[w.n]) / (p - cur.y[w.n])
			for i := range y {
				y[i] = cur.y[i] + f*(y[i]-cur.y[i])
			}
			y[w.n] = bound
			if _, ok := w.correct(y, w.pRow(), bound); !ok {
				ds /= 2
				if ds < s.StepMin {
					tr.branch.End = EndStalled
					return tr
				}
				continue
			}
			if t = w.tangent(y, cur.t); t == nil {
				t = cur.t
			}
			boundary = true
		}
		nd, err := w.makeNode(y, t)
		if err != nil {
			tr.branch.End = EndDiverged
			return tr
		}
		if !(skipFirst && len(tr.branch.Points) == 1) {
			evs, ambiguous := events(cur.c, nd.c)
			if ambiguous && ds/2 >= s.StepMin && !boundary {
				ds /= 2
				continue
			}
			if len(evs) > 0 {
				sl := w.dot(cur.t, nd.y) - w.dot(cur.t, cur.y)
				if sp, ok := w.locate(cur, nd, sl, evs[0]); ok {
					idx := len(tr.specials)
					tr.specials = append(tr.specials, sp.Special)
					sp.pt.Special = idx
					tr.branch.Points = append(tr.branch.Points, sp.pt)
					if sp.Type == BranchPoint {
						tr.bpTangents[idx] = sp.tangent
					}
				}
			}
		}
		tr.branch.Points = append(tr.branch.Points, nd.pt)
		if boundary {
			tr.branch.End = EndBoundary
			return tr
		}
		// Closed: back at the first point after having left it.
		d := math.Sqrt(w.dist2(nd.y, first.y))
		if d > 3*ds {
			away = true
		}
		if away && d <= ds {
			tr.branch.Points = append(tr.branch.Points, first.pt)
			tr.branch.End = EndClosed
			return tr
		}
		switch {
		case iters <= 2:
			// StepMax is relative to the state's size beyond 1, so that
			// a branch that runs off to infinity (unbounded activations)
			// gets there in geometric steps.
			ds = min(1.5*ds, s.StepMax*max(1, rms(nd.y[:w.n])))
		case iters >= 5:
			ds = max(ds/2, s.StepMin)
		}
		cur = nd
	}
}

// dist2 is the weighted squared distance of two points.
func (w *work) dist2(a, b []float64) float64 {
	s := 0.0
	for i := range w.n {
		d := a[i] - b[i]
		s += d * d
	}
	dp := a[w.n] - b[w.n]
	return s*w.wgt + dp*dp
}

// rms returns the root mean square of x.
func rms(x []float64) float64 { return math.Sqrt(dotPlain(x, x) / float64(len(x))) }
