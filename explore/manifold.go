package explore

import (
	"context"
	"fmt"
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
	var todo []int
	for i := range x.res.Points {
		if x.explored[i] {
			continue
		}
		x.explored[i] = true
		p, sp := &x.res.Points[i], x.res.Spectra[i]
		if p.Kind != fixedpoint.Fixed || sp == nil || sp.NUnstable == 0 {
			continue
		}
		todo = append(todo, i)
	}
	dirs, err := x.directions(ctx, todo)
	if err != nil {
		return false, err
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
	fates, err := x.flow.settle(ctx, settleRequest{y: y, until: until, calm: calm, observe: minima.observe, cutAtStall: true})
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

// directions returns the leading unstable directions of the points
// todo (at most Modes each, point by point): the eigenvector of a real
// eigenvalue, the real part of that of the positive-imaginary member of a
// complex pair and the imaginary part for the other member, each scaled
// to unit 2-norm.
//
// They come from linearize.Leading with k = dirEigs, whatever the
// caller's Spectra computed, so that the exploration does not depend on
// it: from the point's spectrum when that is one (Partial, with right
// vectors and dirEigs values, as the default Spectra gives above
// DefaultFullMax: the spectrum is then computed once, not twice), and
// otherwise from a run of their own (linearize.LeadingAll, the points'
// runs sharing each pass over W). A mode is unstable when its margin
// exceeds linearize.DefaultEpsFactor times the operator's scale, whatever
// the caller's Eps.
func (x *explorer) directions(ctx context.Context, todo []int) ([]direction, error) {
	k := x.dirEigs()
	sps := make([]*linearize.Spectrum, len(todo))
	var own []int // indexes into todo of the points without a usable spectrum
	var states [][]float64
	for j, i := range todo {
		if sp := x.res.Spectra[i]; sp.Partial && sp.Right != nil && len(sp.Values) == k {
			sps[j] = sp
			continue
		}
		own = append(own, j)
		states = append(states, x.res.Points[i].X)
	}
	if len(own) > 0 {
		got, errs := linearize.LeadingAll(ctx, x.net, states, k, &linearize.Settings{Vectors: linearize.RightVectors}, &linearize.BatchSettings{Workers: x.s.Workers})
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for c, j := range own {
			if got[c] == nil {
				return nil, fmt.Errorf("explore: unstable directions of point %d: %w", todo[j], errs[c])
			}
			sps[j] = got[c]
		}
	}
	n := x.net.Dim()
	var out []direction
	for j, i := range todo {
		sp := sps[j]
		eps := linearize.DefaultEpsFactor * sp.Scale
		found := 0
		for m, v := range sp.Values {
			if found == x.s.Modes || !(margin(sp.Convention, v) > eps) {
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
			found++
		}
		x.dropVectors(i)
	}
	return out, nil
}

// dirEigs is DirectionEigs for this exploration.
func (x *explorer) dirEigs() int { return DirectionEigs(x.net.Dim(), x.s.Modes) }

// DirectionEigs is the number of leading eigenvalues (with right vectors,
// from linearize.Leading) that Find takes the unstable directions of a
// point of an n-unit network from, when it follows modes of them (0:
// DefaultModes): modes+1 up to DefaultFullMax units, and above it that or
// DefaultEigs, whichever is larger, the count of the default Spectra, so
// that one Krylov run serves both (Settings.Spectra).
func DirectionEigs(n, modes int) int {
	if modes == 0 {
		modes = DefaultModes
	}
	if n <= DefaultFullMax {
		return modes + 1
	}
	return max(modes+1, DefaultEigs)
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
