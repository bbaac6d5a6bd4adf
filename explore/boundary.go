package explore

import (
	"cmp"
	"context"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/linearize"
)

// boundaryLevels is the number of bisection steps along the segment
// between two attractors: the bracket ends 2^-24 of the segment apart.
const boundaryLevels = 24

// boundaryTime bounds a classifying trajectory, in largest time constants.
const boundaryTime = 200

// arrivalFraction sets the ball around an attractor inside which a
// trajectory counts as arrived there: this fraction of the max-norm
// distance to the nearest other fixed point.
const arrivalFraction = 0.25

// boundaries searches the basin boundary between pairs of stable points
// that no saddle with one unstable mode connects yet (by its edges), the
// nearest pairs first, at most Pairs per round and within the budget: it
// bisects the segment between the two, classifying each midpoint by the
// attractor its trajectory reaches, to a state on the boundary of the
// first one's basin; then it follows that state's trajectory (which stays
// near the boundary for a while, drawn towards the saddle on it) and
// solves from the boundary state and from where that trajectory's speed
// had local minima. It reports whether any pair was searched.
func (x *explorer) boundaries(ctx context.Context) (bool, error) {
	if x.s.Pairs < 0 {
		return false, nil
	}
	var stable []int
	for i, p := range x.res.Points {
		if p.Kind == fixedpoint.Fixed && x.res.Spectra[i].Class == linearize.Stable {
			stable = append(stable, i)
		}
	}
	if len(stable) < 2 {
		return false, nil
	}
	connected := map[[2]int]bool{}
	targets := map[int][]int{}
	for _, e := range x.res.Edges {
		if e.To >= 0 && x.res.Spectra[e.From].NUnstable == 1 && !x.res.Spectra[e.From].MoreUnstable {
			targets[e.From] = append(targets[e.From], e.To)
		}
	}
	for _, ts := range targets {
		for _, a := range ts {
			for _, b := range ts {
				if a < b {
					connected[[2]int{a, b}] = true
				}
			}
		}
	}
	type pair struct {
		a, b int
		d    float64
	}
	var pairs []pair
	for i, a := range stable {
		for _, b := range stable[i+1:] {
			k := [2]int{a, b}
			if connected[k] || x.paired[k] {
				continue
			}
			pairs = append(pairs, pair{a, b, distInf(x.res.Points[a].X, x.res.Points[b].X)})
		}
	}
	slices.SortStableFunc(pairs, func(p, q pair) int { return cmp.Compare(p.d, q.d) })
	cost := boundaryLevels + 1
	pairs = pairs[:min(len(pairs), x.s.Pairs, x.budget/cost)]
	if len(pairs) == 0 {
		return false, nil
	}
	x.budget -= len(pairs) * cost
	for _, p := range pairs {
		x.paired[[2]int{p.a, p.b}] = true
	}
	x.stage(StageBoundaries, len(pairs))
	n := x.net.Dim()
	radius := x.arrivalRadii(stable)
	lo, hi := make([]float64, len(pairs)), make([]float64, len(pairs))
	for j := range hi {
		hi[j] = 1
	}
	at := func(j int, s float64, dst []float64) {
		a, b := x.res.Points[pairs[j].a].X, x.res.Points[pairs[j].b].X
		for i := range dst {
			dst[i] = a[i] + s*(b[i]-a[i])
		}
	}
	var starts [][]float64
	y := mat.NewDense(len(pairs), n, nil)
	for range boundaryLevels {
		for j := range pairs {
			at(j, (lo[j]+hi[j])/2, y.RawRowView(j))
		}
		labels, ends, err := x.classify(ctx, y, stable, radius)
		if err != nil {
			return false, err
		}
		for j := range pairs {
			mid := (lo[j] + hi[j]) / 2
			if labels[j] == pairs[j].a {
				lo[j] = mid
			} else {
				hi[j] = mid
			}
		}
		for _, h := range ends {
			if !anyNear(starts, h) {
				starts = append(starts, h)
			}
		}
	}
	// The boundary states, and their trajectories' slow states.
	until := make([]float64, len(pairs))
	for j := range pairs {
		at(j, (lo[j]+hi[j])/2, y.RawRowView(j))
		starts = append(starts, append([]float64(nil), y.RawRowView(j)...))
		until[j] = boundaryTime * x.flow.tau
	}
	minima := newSpeedMinima(len(pairs), n)
	if _, err := x.flow.settle(ctx, settleRequest{y: y, until: until, calm: make([]float64, len(pairs)), observe: minima.observe}); err != nil {
		return false, err
	}
	for j := range pairs {
		for _, h := range minima.found[j] {
			if !anyNear(starts, h) {
				starts = append(starts, h)
			}
		}
	}
	x.stage(StageSolving, len(starts))
	if _, err := x.solveFrom(ctx, rowsOf(starts, n), fixedpoint.FromBoundary); err != nil {
		return false, err
	}
	return true, nil
}

// arrivalRadii returns, for each stable point, the radius of its arrival
// ball (arrivalFraction of the distance to the nearest other fixed point).
func (x *explorer) arrivalRadii(stable []int) map[int]float64 {
	r := map[int]float64{}
	for _, a := range stable {
		d := math.Inf(1)
		for j, p := range x.res.Points {
			if j != a && p.Kind == fixedpoint.Fixed {
				d = math.Min(d, distInf(x.res.Points[a].X, p.X))
			}
		}
		r[a] = arrivalFraction * d
	}
	return r
}

// classify runs the rows of y (in place) until each arrives at a known
// stable point or settles, and returns each row's attractor (-1 for none
// known) and the ends of the rows that settled where no known point is.
func (x *explorer) classify(ctx context.Context, y *mat.Dense, stable []int, radius map[int]float64) ([]int, [][]float64, error) {
	nr, _ := y.Dims()
	labels := make([]int, nr)
	for j := range labels {
		labels[j] = -1
	}
	until := make([]float64, nr)
	for j := range until {
		until[j] = boundaryTime * x.flow.tau
	}
	arrived := func(r int, h []float64) bool {
		for _, a := range stable {
			if distInf(h, x.res.Points[a].X) <= radius[a] {
				labels[r] = a
				return true
			}
		}
		return false
	}
	fates, err := x.flow.settle(ctx, settleRequest{y: y, until: until, calm: make([]float64, nr), arrived: arrived})
	if err != nil {
		return nil, nil, err
	}
	var ends [][]float64
	for j := range nr {
		if labels[j] < 0 && fates[j] == settled {
			ends = append(ends, append([]float64(nil), y.RawRowView(j)...))
		}
	}
	return labels, ends, nil
}

// distInf is max_i |a_i - b_i|.
func distInf(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}
