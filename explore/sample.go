package explore

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// sample returns the initial states of the first solve, in this order:
//
//   - Count rows: trajectory j, from Start times standard normal draws of
//     rand.New(rand.NewPCG(Seed, j)), after one largest time constant (in
//     its transient, where the saddles between attractors are still felt),
//     plus Gaussian noise of standard deviation Noise from
//     rand.New(rand.NewPCG(Seed, 1<<32+j)): the states
//     fixedpoint.TrajectoryInits gives with Burn = tau and Trajectories =
//     Count, bit for bit;
//   - unless NoCentre, the centre of those states before the noise (their
//     mean), so that a point as plain as the origin of an odd network is
//     never missed;
//   - from the first Long trajectories, run on until they settle or the
//     stall time passes (LongTime if less; settleRequest with calm 0): the
//     states where their speed max|F|
//     has a local minimum over the chunks of time they are checked at (the
//     slow regions they pass, near saddles), and the states where they
//     settle (near attractors), each kept only if no state kept before is
//     within sampleMergeTol of it.
func (x *explorer) sample(ctx context.Context) (*mat.Dense, error) {
	c, n := x.s.Sample, x.net.Dim()
	y := mat.NewDense(c.Count, n, nil)
	for j := range c.Count {
		r := rand.New(rand.NewPCG(c.Seed, uint64(j)))
		row := y.RawRowView(j)
		for i := range row {
			row[i] = c.Start * r.NormFloat64()
		}
	}
	all := make([]int, c.Count)
	for j := range all {
		all[j] = j
	}
	bad, err := x.flow.advance(ctx, y, all, x.flow.tau, sampleTol)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: %w", ErrSampling, err)
	}
	for j, b := range bad {
		if b || !(normInf(y.RawRowView(j)) <= divergeBound) {
			return nil, fmt.Errorf("%w: trajectory %d blew up", ErrSampling, j)
		}
	}
	centre := make([]float64, n)
	for j := range c.Count {
		for i, v := range y.RawRowView(j) {
			centre[i] += v
		}
	}
	for i := range centre {
		centre[i] /= float64(c.Count)
	}
	extra, err := x.longSamples(ctx, y, c)
	if err != nil {
		return nil, err
	}
	nc := 1
	if c.NoCentre {
		nc = 0
	}
	out := mat.NewDense(c.Count+nc+len(extra), n, nil)
	for j := range c.Count {
		row := out.RawRowView(j)
		copy(row, y.RawRowView(j))
		if c.Noise > 0 {
			r := rand.New(rand.NewPCG(c.Seed, 1<<32+uint64(j)))
			for k := range row {
				row[k] += c.Noise * r.NormFloat64()
			}
		}
	}
	if nc == 1 {
		copy(out.RawRowView(c.Count), centre)
	}
	for k, h := range extra {
		copy(out.RawRowView(c.Count+nc+k), h)
	}
	return out, nil
}

// dipRatio is how deep a local minimum of the speed must be to count.
const dipRatio = 0.25

// sampleMergeTol is the relative max-norm distance within which a state of
// a long trajectory adds nothing to one kept before.
const sampleMergeTol = 1e-2

// longSamples runs the first c.Long rows of y on and returns the states
// sample describes.
func (x *explorer) longSamples(ctx context.Context, y *mat.Dense, c Sample) ([][]float64, error) {
	if c.Long <= 0 || x.res.Stats.NoFlow != "" {
		return nil, nil
	}
	_, n := y.Dims()
	nl := min(c.Long, c.Count)
	yl := mat.DenseCopyOf(y.Slice(0, nl, 0, n))
	until, calm := make([]float64, nl), make([]float64, nl)
	for j := range until {
		until[j] = (c.LongTime - 1) * x.flow.tau
		calm[j] = 0
	}
	minima := newSpeedMinima(nl, n)
	f := make([]float64, n)
	for j := range nl {
		x.net.Field(f, yl.RawRowView(j))
		minima.observe(j, 0, yl.RawRowView(j), normInf(f)*x.flow.tau)
	}
	fates, err := x.flow.settle(ctx, settleRequest{y: yl, until: until, calm: calm, observe: minima.observe})
	if err != nil {
		return nil, err
	}
	var kept [][]float64
	keep := func(h []float64) {
		for _, k := range kept {
			if near(k, h, sampleMergeTol) {
				return
			}
		}
		kept = append(kept, append([]float64(nil), h...))
	}
	for j := range nl {
		for _, h := range minima.found[j] {
			keep(h)
		}
		if fates[j] == settled {
			keep(yl.RawRowView(j))
		}
	}
	return kept, nil
}

// near reports max_i |a_i - b_i| <= tol max(1, |a|inf, |b|inf).
func near(a, b []float64, tol float64) bool {
	t := tol * math.Max(1, math.Max(normInf(a), normInf(b)))
	for i := range a {
		if !(math.Abs(a[i]-b[i]) <= t) {
			return false
		}
	}
	return true
}

// speedMinima records, for each trajectory, the states at which its speed
// (observed chunk by chunk) has a deep local minimum: below both
// neighbours, and at most dipRatio times the larger. A trajectory that passes near a
// saddle slows down by orders of magnitude there; a chaotic one's speed
// wavers by less, and its shallow minima would only feed the solver
// starting states that lead nowhere.
type speedMinima struct {
	prev, prev2 []float64   // the last two speeds (NaN before any)
	state       [][]float64 // the state at the last observation
	found       [][][]float64
}

func newSpeedMinima(rows, n int) *speedMinima {
	m := &speedMinima{prev: make([]float64, rows), prev2: make([]float64, rows), state: make([][]float64, rows), found: make([][][]float64, rows)}
	for r := range rows {
		m.prev[r], m.prev2[r] = math.NaN(), math.NaN()
		m.state[r] = make([]float64, n)
	}
	return m
}

// observe takes row r's state h and speed at time t.
func (m *speedMinima) observe(r int, _ float64, h []float64, speed float64) {
	if m.prev[r] < m.prev2[r] && m.prev[r] < speed && m.prev[r] <= dipRatio*math.Max(m.prev2[r], speed) && m.prev[r] > settleTol {
		m.found[r] = append(m.found[r], append([]float64(nil), m.state[r]...))
	}
	m.prev2[r], m.prev[r] = m.prev[r], speed
	copy(m.state[r], h)
}
