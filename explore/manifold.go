package explore

import (
	"context"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/linearize"
)

// manifoldEps is the size of the step off a point along an unstable
// direction: eps = manifoldEps sqrt(N) in the 2-norm, manifoldEps per unit
// on average, well inside the linear regime of tanh-like units.
const manifoldEps = 1e-3

// manifoldSettle and manifoldMaxTime bound a manifold trajectory, in
// largest time constants: the time to escape from eps (log(1/manifoldEps)
// over the growth rate, twice) plus manifoldSettle, at most manifoldMaxTime.
const (
	manifoldSettle  = 100
	manifoldMaxTime = 1000
)

// direction is one unstable direction of a point.
type direction struct {
	from, mode int
	v          []float64 // unit 2-norm
	rate       float64   // growth rate per unit time
}

// manifolds follows the unstable directions of every fixed point not
// followed before: from X +- eps v until the trajectory settles, then a
// solve from where it settled (and from where its speed had deep minima),
// recording an edge for each. It reports whether it found anything to
// follow.
func (x *explorer) manifolds(ctx context.Context) (bool, error) {
	if x.s.Modes < 0 {
		return false, nil
	}
	var dirs []direction
	for i := range x.res.Points {
		if x.explored[i] {
			continue
		}
		x.explored[i] = true
		p, sp := &x.res.Points[i], x.res.Spectra[i]
		if p.Kind != fixedpoint.Fixed || sp == nil || sp.NUnstable == 0 {
			continue
		}
		ds, err := x.directions(i)
		if err != nil {
			return false, err
		}
		dirs = append(dirs, ds...)
	}
	if len(dirs) == 0 {
		return false, nil
	}
	n := x.net.Dim()
	eps := manifoldEps * math.Sqrt(float64(n))
	var starts [][]float64
	var until, calm []float64
	var edges []int // index into x.res.Edges of each start
	for _, d := range dirs {
		for _, sign := range []int{1, -1} {
			x.res.Edges = append(x.res.Edges, Edge{From: d.from, Mode: d.mode, Sign: sign, To: ToBudget})
			if x.budget <= 0 {
				continue
			}
			x.budget--
			h := make([]float64, n)
			for k, xk := range x.res.Points[d.from].X {
				h[k] = xk + float64(sign)*eps*d.v[k]
			}
			starts = append(starts, h)
			escape := 2 * math.Log(1/manifoldEps) / d.rate
			until = append(until, math.Min(escape+manifoldSettle*x.flow.tau, manifoldMaxTime*x.flow.tau))
			calm = append(calm, escape)
			edges = append(edges, len(x.res.Edges)-1)
		}
	}
	if len(starts) == 0 {
		return true, nil
	}
	x.stage(StageManifolds, len(starts))
	y := rowsOf(starts, n)
	minima := newSpeedMinima(len(starts), n)
	fates, err := x.flow.settle(ctx, settleRequest{y: y, until: until, calm: calm, observe: minima.observe})
	if err != nil {
		return false, err
	}
	// Solve from where trajectories came to rest: one still moving when
	// its time ran out (chaos, a cycle) ends anywhere, and its end would
	// be a random start.
	ends := make([][]float64, 0, len(starts))
	for j := range starts {
		if fates[j] == settled {
			ends = append(ends, y.RawRowView(j))
		}
	}
	var slow [][]float64
	for j := range starts {
		for _, h := range minima.found[j] {
			if !anyNear(slow, h) {
				slow = append(slow, h)
			}
		}
	}
	var idx []int
	if len(ends)+len(slow) > 0 {
		x.stage(StageSolving, len(ends)+len(slow))
		if idx, err = x.solveFrom(ctx, rowsOf(append(ends, slow...), n), fixedpoint.FromManifold); err != nil {
			return false, err
		}
	}
	k := 0
	for j, e := range edges {
		switch fates[j] {
		case diverged:
			x.res.Edges[e].To = ToDiverged
		case moving:
			x.res.Edges[e].To = ToSlow
		default:
			x.res.Edges[e].To = ToSlow
			if idx[k] >= 0 {
				x.res.Edges[e].To = idx[k]
			}
			k++
		}
	}
	return true, nil
}

// directions returns the leading unstable directions of point i (at most
// Modes): the eigenvector of a real eigenvalue, the real part of that of
// the positive-imaginary member of a complex pair and the imaginary part
// for the other member, each scaled to unit 2-norm.
func (x *explorer) directions(i int) ([]direction, error) {
	// The directions come from a spectrum of their own, whatever the
	// caller's Spectra computed, so that the exploration does not depend
	// on it.
	p := &x.res.Points[i]
	sp, err := linearize.Leading(x.net, p.X, x.s.Modes+1, &linearize.Settings{Vectors: linearize.RightVectors})
	if err != nil && sp == nil {
		return nil, err
	}
	n := x.net.Dim()
	var out []direction
	for m, v := range sp.Values {
		if len(out) == x.s.Modes || !unstable(sp, v) {
			break
		}
		d := make([]float64, n)
		norm := 0.0
		for r := range n {
			c := sp.Right.At(r, m)
			d[r] = real(c)
			if imag(v) < 0 {
				d[r] = imag(c)
			}
			norm += d[r] * d[r]
		}
		if norm == 0 {
			continue
		}
		norm = math.Sqrt(norm)
		for r := range d {
			d[r] /= norm
		}
		out = append(out, direction{from: i, mode: m, v: d, rate: x.rate(v)})
	}
	return out, nil
}

// rowsOf stacks states (at least one) into a matrix.
func rowsOf(states [][]float64, n int) *mat.Dense {
	m := mat.NewDense(len(states), n, nil)
	for j, h := range states {
		copy(m.RawRowView(j), h)
	}
	return m
}

// anyNear reports whether h is within sampleMergeTol of one of states.
func anyNear(states [][]float64, h []float64) bool {
	for _, s := range states {
		if near(s, h, sampleMergeTol) {
			return true
		}
	}
	return false
}
