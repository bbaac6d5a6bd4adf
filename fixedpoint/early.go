package fixedpoint

import (
	"math"

	"github.com/fpfind/fpfind/internal/dense"
)

// earlyExit is the state of a run's early-exit tests: the chord test at
// known fixed points (LU) and the radius test at known slow points.
type earlyExit struct {
	point    int       // the known point reached, or -1
	failDist float64   // distance of the last failed chord test
	y, fy    []float64 // the chord iterate and its field
	step     []float64 // a chord step
}

// tryEarly runs the chord test against the nearest known point when x is
// close to one. On success it leaves the converged state in w.early.y (its
// field in w.early.fy), sets w.early.point and returns true.
func (w *worker) tryEarly(x []float64) bool {
	if w.s.NoEarlyExit || len(w.known.x) == 0 {
		return false
	}
	best, bd := -1, math.Inf(1)
	for k, p := range w.known.x {
		if !w.known.luOK[k] {
			continue
		}
		r := chordRadius * math.Max(1, w.known.norm[k])
		if d := distInf(x, p, math.Min(r, bd)); d <= r && d < bd {
			best, bd = k, d
		}
	}
	if best < 0 || bd > w.early.failDist/2 {
		return false
	}
	if w.chord(x, best) {
		w.early.point = best
		w.c.early++
		return true
	}
	w.early.failDist = bd
	return false
}

// chordRadius is the relative max-norm distance to a known point within
// which the chord test is tried. A failed test costs a few field
// evaluations and triangular solves, against an LU factorisation for the
// Newton step it may save, and it never accepts a point the chord iteration
// did not converge to; but a run it stops ends at a known point that Newton
// might have left for a new one. Larger radii save factorisations but lose
// points of the trained flip-flop network that 0.25 finds
// (bench/fp_results.md, "Moved from comments").
const chordRadius = 0.25

// chord iterates y <- y - J(h_k)^{-1} F(y) from x with the factors of the
// Jacobian at the known point h_k. Near a root this converges quadratically
// (the matrix is the Jacobian at the root). It succeeds when max|F(y)| <=
// Tol and y equals h_k within the unique tolerance, with every step
// contracting.
func (w *worker) chord(x []float64, k int) bool {
	e := &w.early
	if e.y == nil {
		e.y, e.fy, e.step = make([]float64, w.n), make([]float64, w.n), make([]float64, w.n)
	}
	y, fy := e.y, e.fy
	copy(y, x)
	lu, piv, inv, hk := w.known.lu[k], w.known.piv[k], w.known.inv[k], w.known.x[k]
	prev := math.Inf(1)
	for it := 0; it < 12; it++ {
		w.c.chord++
		res := w.eval(fy, y)
		if res <= w.s.Tol {
			return same(y, hk, normInf(y), w.known.norm[k], w.s.UniqueTol)
		}
		if !(res < math.Inf(1)) {
			return false
		}
		d := e.step
		for i, v := range fy {
			d[i] = -v
		}
		dense.SolveLU(w.n, lu, piv, inv, d)
		step := normInf(d)
		if !(step <= 0.5*prev) && it > 0 || !(step < math.Inf(1)) {
			return false
		}
		prev = step
		for i := range y {
			y[i] += d[i]
		}
	}
	return false
}

// nearSlow reports whether the speed iterate w.cx is within slowRadius
// (relative, max-norm) of a known slow point whose q is within a factor
// slowQRatio of w.cq; it sets w.early.point to the first such point.
func (w *worker) nearSlow() bool {
	if w.s.NoEarlyExit || w.slow == nil {
		return false
	}
	for k, p := range w.slow.x {
		kq := w.slow.q[k]
		if !(w.cq <= slowQRatio*kq && w.cq*slowQRatio >= kq) {
			continue
		}
		r := slowRadius * math.Max(1, w.slow.norm[k])
		if distInf(w.cx, p, r) <= r {
			w.early.point = k
			w.c.early++
			return true
		}
	}
	return false
}
