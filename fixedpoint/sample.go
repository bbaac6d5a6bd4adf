package fixedpoint

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/par"
	"github.com/fpfind/fpfind/ode"
)

// Flow is what TrajectoryInits needs of a system: its dimension and vector
// field (at its constant input). *dynamics.Network and every System
// satisfy it. A *dynamics.Network is sampled faster, through its
// evaluator, and by its own map under the leaky and discrete conventions
// (see TrajectoryInits).
type Flow interface {
	Dim() int
	Field(dst, h []float64)
}

// sampleGroup is the number of trajectories integrated in lockstep: a
// group shares its steps (each the step of its hardest trajectory) and one
// product with W per stage. At N = 4096 a product of 16 states costs about
// what 4 single ones do.
const sampleGroup = 16

// SampleSettings configure TrajectoryInits. Zero fields mean the defaults
// given with each.
type SampleSettings struct {
	// Count is the number of initial states to return; required > 0.
	Count int
	// Trajectories is the number of simulated trajectories; 0 means
	// min(Count, 64).
	Trajectories int
	// Start is the standard deviation of the Gaussian starting states; 0
	// means 1.
	Start float64
	// Burn is the time simulated before the first sample (transients die
	// out); 0 means 20. Span is the time over which each trajectory is
	// sampled after Burn, at equal intervals; 0 means 20.
	Burn, Span float64
	// Noise is the standard deviation of the Gaussian noise added to each
	// sampled state (0 means none).
	Noise float64
	// Seed seeds every draw: trajectory j starts at Start times standard
	// normal draws from rand.New(rand.NewPCG(Seed, uint64(j))), and the
	// noise of returned row i comes from rand.New(rand.NewPCG(Seed,
	// 1<<32+uint64(i))).
	Seed uint64
	// Workers is the number of goroutines simulating trajectories; 0 means
	// GOMAXPROCS. The result does not depend on it.
	Workers int
}

// TrajectoryInits returns initial states sampled from trajectories of the
// system's own dynamics (its constant input included): Trajectories runs
// from random Gaussian states, each sampled at Burn + k Span/(per-1),
// k = 0..per-1 (per = ceil(Count / Trajectories); one sample at Burn when
// per = 1). Which dynamics run:
//
//   - a *dynamics.Network under the leaky or discrete convention: its map
//     h <- Network.Map(h), each step TimeStep() time units, sampled at the
//     step nearest each time;
//   - a *dynamics.Network under the continuous convention: dh/dt = F(h),
//     integrated with the Dormand-Prince method of package ode (relative
//     tolerance 1e-6: the states are only starting points, and Noise is
//     added to them) in lockstep groups of 16 trajectories sharing their
//     steps, each stage one dynamics.Evaluator.FieldRows call for the
//     group;
//   - any other Flow: dh/dt = F(h) with the same integrator, one
//     trajectory at a time on its Field.
//
// Row i of the result is
// sample i / Trajectories of trajectory i % Trajectories, plus Gaussian
// noise of standard deviation Noise. The error reports bad settings, a
// trajectory that failed (for example one that blew up), or a cancelled
// ctx.
func TrajectoryInits(ctx context.Context, sys Flow, s *SampleSettings) (*mat.Dense, error) {
	if sys == nil {
		panic("fixedpoint: nil Flow")
	}
	if s == nil || s.Count <= 0 {
		return nil, fmt.Errorf("fixedpoint: SampleSettings.Count must be > 0")
	}
	c := *s
	if c.Trajectories < 0 || c.Start < 0 || c.Burn < 0 || c.Span < 0 || c.Noise < 0 || c.Workers < 0 {
		return nil, fmt.Errorf("fixedpoint: negative SampleSettings field in %+v", c)
	}
	for _, v := range []float64{c.Start, c.Burn, c.Span, c.Noise} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("fixedpoint: non-finite SampleSettings field in %+v", c)
		}
	}
	if c.Trajectories == 0 {
		c.Trajectories = min(c.Count, 64)
	}
	c.Trajectories = min(c.Trajectories, c.Count)
	if c.Start == 0 {
		c.Start = 1
	}
	if c.Burn == 0 {
		c.Burn = 20
	}
	if c.Span == 0 {
		c.Span = 20
	}
	n := sys.Dim()
	nt := c.Trajectories
	per := (c.Count + nt - 1) / nt
	times := make([]float64, per)
	for k := range times {
		if per > 1 {
			times[k] = c.Burn + float64(k)*c.Span/float64(per-1)
		} else {
			times[k] = c.Burn
		}
	}
	y0 := mat.NewDense(nt, n, nil)
	for j := 0; j < nt; j++ {
		r := rand.New(rand.NewPCG(c.Seed, uint64(j)))
		row := y0.RawRowView(j)
		for i := range row {
			row[i] = c.Start * r.NormFloat64()
		}
	}
	samples := make([]*mat.Dense, nt) // trajectory j: per x N
	net, _ := sys.(*dynamics.Network)
	if net != nil && net.TimeStep() > 0 {
		var err error
		if samples, err = iterateMap(ctx, net, y0, times, c.Workers); err != nil {
			return nil, err
		}
	} else {
		set := &ode.Settings{Times: times, RelTol: 1e-6, AbsTol: 1e-8, Workers: c.Workers, Group: sampleGroup}
		var res []*ode.Result
		var err error
		if net != nil {
			ev := net.NewEvaluator(1)
			f := func(dst *mat.Dense, _ float64, y *mat.Dense) { ev.FieldRows(dst, y) }
			res, err = ode.SolveLockstep(ctx, f, y0, 0, times[per-1], set)
		} else {
			f := func(dst []float64, _ float64, y []float64) { sys.Field(dst, y) }
			res, err = ode.SolveBatch(ctx, f, y0, 0, times[per-1], set)
		}
		if err != nil {
			return nil, fmt.Errorf("fixedpoint: sampling trajectories: %w", err)
		}
		for j, r := range res {
			if err := r.Err(); err != nil {
				return nil, fmt.Errorf("fixedpoint: trajectory %d: %w", j, err)
			}
			samples[j] = r.Y
		}
	}
	out := mat.NewDense(c.Count, n, nil)
	for i := 0; i < c.Count; i++ {
		row := out.RawRowView(i)
		copy(row, samples[i%nt].RawRowView(i/nt))
		if c.Noise > 0 {
			r := rand.New(rand.NewPCG(c.Seed, 1<<32+uint64(i)))
			for k := range row {
				row[k] += c.Noise * r.NormFloat64()
			}
		}
	}
	return out, nil
}

// RandomInits returns count states of dimension dim drawn uniformly from
// [lo, hi]^dim, row i from rand.New(rand.NewPCG(seed, uint64(i))). For a
// network, [lo, hi] is usually the activation's range (fixed points lie in
// it, as h = phi(x)); an unbounded range needs finite bounds chosen by the
// caller.
func RandomInits(count, dim int, lo, hi float64, seed uint64) (*mat.Dense, error) {
	if count <= 0 || dim <= 0 {
		return nil, fmt.Errorf("fixedpoint: RandomInits: count %d and dim %d must be > 0", count, dim)
	}
	if !(lo <= hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return nil, fmt.Errorf("fixedpoint: RandomInits: bounds [%v, %v] must be finite with lo <= hi", lo, hi)
	}
	m := mat.NewDense(count, dim, nil)
	for i := 0; i < count; i++ {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		row := m.RawRowView(i)
		for j := range row {
			row[j] = lo + (hi-lo)*r.Float64()
		}
	}
	return m, nil
}

// iterateMap runs the map of net from each row of y0 and returns, for each,
// the states at the steps nearest the times (a per x N matrix), one job of
// par.Each per trajectory on workers goroutines (0: GOMAXPROCS), so the
// result does not depend on their number.
func iterateMap(ctx context.Context, net *dynamics.Network, y0 *mat.Dense, times []float64, workers int) ([]*mat.Dense, error) {
	nt, n := y0.Dims()
	dt := net.TimeStep()
	out := make([]*mat.Dense, nt)
	err := par.Each(ctx, nt, workers, func(j int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, t := make([]float64, n), make([]float64, n)
		copy(h, y0.RawRowView(j))
		m := mat.NewDense(len(times), n, nil)
		step := 0
		for k, tk := range times {
			for target := int(math.Round(tk / dt)); step < target; step++ {
				if step%64 == 0 && ctx.Err() != nil {
					return ctx.Err()
				}
				net.Map(t, h)
				h, t = t, h
			}
			if !(normInf(h) < math.Inf(1)) { // NaN or Inf
				return fmt.Errorf("fixedpoint: trajectory %d: non-finite state at step %d", j, step)
			}
			copy(m.RawRowView(k), h)
		}
		out[j] = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
