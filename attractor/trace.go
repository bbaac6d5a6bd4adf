package attractor

import (
	"cmp"
	"math"
	"math/cmplx"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/dense"
	"github.com/fpfind/fpfind/internal/kernel"
	"github.com/fpfind/fpfind/linearize"
)

// Tracing: from a point x on the attractor and a unit slow direction v
// (in the span of the orthonormal slow directions B at x), the next sample
// is the point y that minimises |tau F(y)| on the plane through the
// prediction x + s v orthogonal to B (Gauss-Newton on the N + dim
// equations tau F(y) = 0, B (y - x - s v) = 0: a pseudo-arclength step,
// exact on a set of fixed points, the slow manifold's point on a set of
// slow points; constraining every slow direction keeps the step along v
// on a manifold of two or more dimensions). It is kept while
//
//   - its operator still has a slow mode (else the attractor ends there),
//   - the chord from x is tangent to the slow modes (its projection on
//     their span is at least cosTangent of it),
//   - the flow there is slow: |F(y)| SlowTime is at most driftMax times
//     the scale of the states (the largest Euclidean norm of the points,
//     at least 1),
//   - it lies within Settings.Bound;
//
// the next direction is the chord projected on the slow span. The step
// halves where the direction turns by more than turnMax and grows by half
// where it turns by less than turnMin. A trace that comes back within 1.5
// steps of its start, heading the same way, is closed (a ring). A trace
// starts only from a point whose own flow is slow in that sense.
const (
	cosTangent  = 0.9
	turnMax     = 0.3
	turnMin     = 0.1
	newtonIter  = 40
	hopelessMax = 3
	chordRatio  = 0.25
	driftMax    = 0.05
)

// sample is one state on an attractor with what Find reports of it.
type sample struct {
	x     []float64
	speed float64
	slow  []complex128
}

// trace is the outcome of one trace: the attractor (before its points are
// assigned; nil when there is none), the number of samples of each curve
// after the first sample (in the order of Attractor.Samples), and whether
// the backward curve of a line came back to its start.
type trace struct {
	a       *Attractor
	curves  []int
	closedB bool
}

// traceFrom traces the attractor through x0 (whose spectrum the caller
// gave as known) and returns it, or a nil attractor when it has fewer
// than MinSamples samples (x0 is then an isolated slow point).
func (t *tracer) traceFrom(x0 []float64, known *linearize.Spectrum) trace {
	f := make([]float64, t.n)
	t.net.Field(f, x0)
	if !t.slowFlow(f) {
		return trace{}
	}
	sp, basis, err := t.slowBasis(x0, known)
	if err != nil || len(basis) == 0 {
		return trace{}
	}
	first := t.sampleAt(x0, sp, len(basis))
	a := &Attractor{Dim: len(basis), Length: math.NaN()}
	var tr trace
	var all []sample
	if len(basis) == 1 {
		fwd, closed, truncF := t.curve(x0, basis[0], basis, t.maxS/2)
		if closed {
			all = append([]sample{first}, fwd...)
			a.Kind, a.Closed, a.Truncated = Ring, true, truncF
			tr.curves = []int{len(fwd)}
		} else {
			back := make([]float64, t.n)
			for i, v := range basis[0] {
				back[i] = -v
			}
			bwd, closedB, truncB := t.curve(x0, back, basis, t.maxS/2)
			slices.Reverse(bwd)
			all = append(append(bwd, first), fwd...)
			a.Kind, a.Truncated = Line, truncF || truncB
			tr.curves, tr.closedB = []int{len(bwd), len(fwd)}, closedB
		}
	} else {
		a.Kind = Manifold
		all = []sample{first}
		per := max(t.maxS/(2*len(basis)), 1)
		for _, v := range basis {
			for _, sign := range []float64{1, -1} {
				d := make([]float64, t.n)
				for i := range v {
					d[i] = sign * v[i]
				}
				c, _, trunc := t.curve(x0, d, basis, per)
				all = append(all, c...)
				tr.curves = append(tr.curves, len(c))
				a.Truncated = a.Truncated || trunc
			}
		}
	}
	if len(all) < t.minS {
		return trace{}
	}
	for _, s := range all {
		a.Samples = append(a.Samples, s.x)
		a.Speeds = append(a.Speeds, s.speed)
		a.Slow = append(a.Slow, s.slow)
	}
	a.setLength()
	tr.a = a
	return tr
}

// setLength sets the length of a line or a ring along its samples (a
// ring's with the step that closes it).
func (a *Attractor) setLength() {
	if a.Kind == Manifold {
		return
	}
	a.Length = 0
	for k := 1; k < len(a.Samples); k++ {
		a.Length += dist(a.Samples[k], a.Samples[k-1])
	}
	if a.Closed {
		a.Length += dist(a.Samples[len(a.Samples)-1], a.Samples[0])
	}
}

// mirrored returns the trace through the exact mirror -x0 of the point
// that tr was traced from, and whether it can be had without tracing. The
// operator at -h is the one at h (dynamics.Network.Mirrors), so the slow
// basis is the same, and the curve from -x0 along v is the negation of
// the curve from x0 along -v, bit for bit: a line's samples are its
// mirror's negated in reverse order (unless its backward curve closed,
// when the mirror's forward curve would make it a ring), a manifold's the
// same curves with the two directions along each slow mode swapped, and a
// trace with too few samples has a mirror with no more. A ring's mirror,
// which would run the other way round from its start, is traced.
func (tr trace) mirrored() (trace, bool) {
	a := tr.a
	switch {
	case a == nil:
		return trace{}, true
	case a.Kind == Ring || a.Kind == Line && tr.closedB:
		return trace{}, false
	}
	m := &Attractor{Kind: a.Kind, Dim: a.Dim, Closed: a.Closed, Truncated: a.Truncated, Length: math.NaN()}
	add := func(k int) {
		x := make([]float64, len(a.Samples[k]))
		for i, v := range a.Samples[k] {
			x[i] = -v
		}
		m.Samples = append(m.Samples, x)
		m.Speeds = append(m.Speeds, a.Speeds[k])
		m.Slow = append(m.Slow, a.Slow[k])
	}
	out := trace{a: m}
	if a.Kind == Line {
		for k := len(a.Samples) - 1; k >= 0; k-- {
			add(k)
		}
		out.curves = []int{tr.curves[1], tr.curves[0]}
	} else {
		add(0)
		at := make([]int, len(tr.curves)) // where each curve's samples begin
		for c := range tr.curves {
			at[c] = 1
			if c > 0 {
				at[c] = at[c-1] + tr.curves[c-1]
			}
		}
		for c := range tr.curves {
			o := c ^ 1 // the other direction along the same mode
			for k := range tr.curves[o] {
				add(at[o] + k)
			}
			out.curves = append(out.curves, tr.curves[o])
		}
	}
	m.setLength()
	return out, true
}

// slowFlow reports whether the flow f at a state is slow enough for the
// state to lie on a continuous attractor: |F| SlowTime at most driftMax
// times the scale of the states. Every sample passes it, the point a
// trace starts from included.
func (t *tracer) slowFlow(f []float64) bool {
	return norm(f) <= driftMax*t.scale*t.rateMax
}

// sampleAt records x with its speed and its dim slowest eigenvalues and
// the next two (by the modulus of their rates).
func (t *tracer) sampleAt(x []float64, values []complex128, dim int) sample {
	f := make([]float64, t.n)
	t.net.Field(f, x)
	vals := slices.Clone(values)
	slices.SortStableFunc(vals, func(a, b complex128) int { return cmp.Compare(cmplx.Abs(t.rate(a)), cmplx.Abs(t.rate(b))) })
	return sample{x: x, speed: mat.Norm(mat.NewVecDense(t.n, f), math.Inf(1)), slow: vals[:min(len(vals), dim+2)]}
}

// curve follows the attractor from x0 along the unit direction v0 for at
// most max samples, and returns them (x0 not among them), whether it
// closed on x0 and whether it stopped at max or Bound.
func (t *tracer) curve(x0, v0 []float64, basis0 [][]float64, max int) (out []sample, closed, truncated bool) {
	x, v, bx := x0, v0, basis0
	s := t.step
	f := make([]float64, t.n)
	travelled := 0.0
	for len(out) < max {
		var y []float64
		ok := false
		for s >= t.step/16 {
			pred := make([]float64, t.n)
			for i := range pred {
				pred[i] = x[i] + s*v[i]
			}
			y, ok = t.project(pred, bx)
			if d := dist(y, x); ok && d > 0.5*s && d < 2*s {
				break
			}
			ok = false
			s /= 2
		}
		if !ok {
			return out, false, false
		}
		if mat.Norm(mat.NewVecDense(t.n, y), math.Inf(1)) > t.bound {
			return out, false, true
		}
		// The flow's test first: it costs one field, the spectrum a
		// dense decomposition.
		t.net.Field(f, y)
		if !t.slowFlow(f) {
			return out, false, false
		}
		sp, basis, err := t.slowBasis(y, nil)
		if err != nil || len(basis) == 0 {
			return out, false, false
		}
		d := dist(y, x)
		c := make([]float64, t.n)
		for i := range c {
			c[i] = (y[i] - x[i]) / d
		}
		p := make([]float64, t.n)
		for _, b := range basis {
			w := dot(c, b)
			for i := range p {
				p[i] += w * b[i]
			}
		}
		np := norm(p)
		if np < cosTangent {
			return out, false, false
		}
		for i := range p {
			p[i] /= np
		}
		out = append(out, t.sampleAt(y, sp, len(basis)))
		travelled += d
		turn := math.Acos(math.Max(-1, math.Min(1, dot(v, p))))
		switch {
		case turn > turnMax:
			s = math.Max(s/2, t.step/16)
		case turn < turnMin:
			s = math.Min(1.5*s, 4*t.step)
		}
		t.maxSteps = math.Max(t.maxSteps, s)
		if len(out) >= 3 && travelled > 4*s && dist(y, x0) <= 1.5*s && dot(p, v0) > 0.5 {
			return out, true, false
		}
		x, v, bx = y, p, basis
	}
	return out, false, true
}

// projector is the workspace of project: the Gauss-Newton system
// A = [tau J; B] ((N+d) x N, row-major), its transpose, the normal matrix
// A^T A, the residual r = -[tau F; B (y - pred)] and the step A^T r
// solved in place.
type projector struct {
	f, r, step, v []float64
	a, at, g      []float64
	j             mat.Dense
}

// project returns the point y with B (y - pred) = 0 (B the rows of
// basis) that minimises |tau F(y)|, by Gauss-Newton from pred, and
// whether the iteration converged: its step fell to 1e-13 max(1,
// |y|inf), or to 1e-9 of it by the last iteration.
//
// Each step solves the normal equations A^T A dy = A^T r by Cholesky
// (the product A^T A by internal/kernel: 2-5x faster at N = 200 than a
// Householder least-squares solve; A is well conditioned here, its rows
// B covering the slow directions where tau J is near singular). While
// the steps shrink by chordRatio or more per iteration, the next one
// keeps the factors and forms only the gradient A(y)^T r(y) (J^T v
// without J, O(N^2)): the iteration still stops only where the true
// Gauss-Newton gradient vanishes, at the same point, and a step that
// shrinks less refactorises at the next. An
// iteration that cannot meet the test is given up early: when for
// hopelessMax iterations in a row the step, shrinking at its last rate
// step_k/step_k-1 for the iterations left, would still not reach 1e-9 of
// the scale (steps that grow, or fall by 0.8 per iteration, where the
// plane misses the set or the set is not a minimum of |tau F|; converging
// projections shrink their steps 4x or more per iteration).
func (t *tracer) project(pred []float64, basis [][]float64) ([]float64, bool) {
	n, d := t.n, len(basis)
	m := n + d
	p := &t.proj
	if len(p.f) != n || len(p.r) != m {
		p.f, p.step, p.v = make([]float64, n), make([]float64, n), make([]float64, n)
		p.r, p.a, p.at = make([]float64, m), make([]float64, m*n), make([]float64, m*n)
		p.g = make([]float64, n*n)
	}
	y := slices.Clone(pred)
	step, prev := math.Inf(1), 0.0
	hopeless := 0
	fresh := true
	for it := range newtonIter {
		t.net.Field(p.f, y)
		for i := range n {
			p.r[i] = -t.tau[i] * p.f[i]
		}
		for q, b := range basis {
			var c float64
			for k := range n {
				c += b[k] * (y[k] - pred[k])
			}
			p.r[n+q] = -c
		}
		if fresh {
			t.net.Jacobian(&p.j, y)
			jr := p.j.RawMatrix()
			for i := range n {
				row := jr.Data[i*jr.Stride : i*jr.Stride+n]
				for k, v := range row {
					p.a[i*n+k] = t.tau[i] * v
				}
			}
			for q, b := range basis {
				copy(p.a[(n+q)*n:(n+q+1)*n], b)
			}
			for i := range m {
				for k := range n {
					p.at[k*m+i] = p.a[i*n+k]
				}
			}
			// Its upper triangle alone: all that dense.Cholesky reads.
			kernel.GemmUpper(n, m, p.at, m, p.a, n, p.g, n)
			kernel.GemvT(p.step, 0, p.a, n, p.r)
			if !dense.Cholesky(n, p.g) {
				return y, false
			}
		} else {
			// A(y)^T r with A's factors from an earlier iteration:
			// (tau J)^T (-tau F) = J^T (-tau^2 F), without forming J.
			for i := range n {
				p.v[i] = t.tau[i] * p.r[i]
			}
			t.net.JacTVec(p.step, y, p.v)
			for q, b := range basis {
				for k := range n {
					p.step[k] += b[k] * p.r[n+q]
				}
			}
		}
		dense.SolveCholesky(n, p.g, p.step)
		prev, step = step, 0
		for k, v := range p.step {
			y[k] += v
			step = math.Max(step, math.Abs(v))
		}
		fresh = step > chordRatio*prev
		scale := math.Max(1, mat.Norm(mat.NewVecDense(n, y), math.Inf(1)))
		if step <= 1e-13*scale {
			return y, true
		}
		if left := newtonIter - 1 - it; it > 0 && step*math.Pow(step/prev, float64(left)) > 1e-9*scale {
			if hopeless++; hopeless == hopelessMax {
				return y, false
			}
		} else {
			hopeless = 0
		}
	}
	return y, step <= 1e-9*math.Max(1, mat.Norm(mat.NewVecDense(n, y), math.Inf(1)))
}

// pointsOn returns the points (not yet on an attractor, with a slow mode)
// within the largest step of a sample of a, ordered by their nearest
// sample, and marks them on.
func (t *tracer) pointsOn(a *Attractor, spectra []*linearize.Spectrum, on []bool) []int {
	tol := math.Max(t.maxSteps, t.step)
	type hit struct{ point, sample int }
	var hits []hit
	for k := range on {
		if on[k] || spectra[k] == nil || t.slowCount(spectra[k].Values) == 0 {
			continue
		}
		best, at := math.Inf(1), -1
		for s, x := range a.Samples {
			if d := dist(x, t.points[k]); d < best {
				best, at = d, s
			}
		}
		if best <= tol {
			hits = append(hits, hit{k, at})
		}
	}
	slices.SortStableFunc(hits, func(p, q hit) int { return cmp.Compare(p.sample, q.sample) })
	var idx []int
	for _, h := range hits {
		idx = append(idx, h.point)
		on[h.point] = true
	}
	return idx
}

// grow adds to the points of a manifold (members, through the point
// start) every candidate of the same dimension joined to a member by a
// chord that is tangent to the slow modes at both ends (see cosTangent),
// repeatedly, and marks them on: a plane attractor's points lie far from
// the curves its samples follow.
func (t *tracer) grow(members []int, start int, spectra []*linearize.Spectrum, on []bool) []int {
	if !slices.Contains(members, start) {
		members = append([]int{start}, members...)
		on[start] = true
	}
	dim := t.slowCount(spectra[start].Values)
	bases := map[int][][]float64{}
	basis := func(k int) [][]float64 {
		if b, ok := bases[k]; ok {
			return b
		}
		_, b, err := t.slowBasis(t.points[k], spectra[k])
		if err != nil {
			b = nil
		}
		bases[k] = b
		return b
	}
	tangent := func(c []float64, b [][]float64) bool {
		var p2 float64
		for _, v := range b {
			w := dot(c, v)
			p2 += w * w
		}
		return math.Sqrt(p2) >= cosTangent
	}
	for changed := true; changed; {
		changed = false
		for q := range on {
			if on[q] || spectra[q] == nil || t.slowCount(spectra[q].Values) != dim {
				continue
			}
			for _, m := range members {
				d := dist(t.points[q], t.points[m])
				if d == 0 {
					continue
				}
				c := make([]float64, t.n)
				for i := range c {
					c[i] = (t.points[q][i] - t.points[m][i]) / d
				}
				if tangent(c, basis(m)) && tangent(c, basis(q)) {
					members = append(members, q)
					on[q], changed = true, true
					break
				}
			}
		}
	}
	return members
}
