package train

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Batch holds the trials of one pass: inputs, targets and the mask, each
// time-major, so that the trials' rows at one time step are contiguous.
// Step t = 1..T reads row t-1: x(t) of trial i is X[((t-1) B + i) M : ... + M].
type Batch struct {
	T, B, M, K int
	X          []float64 // T x B x M inputs
	Y          []float64 // T x B x K targets
	// Mask (T x B x K) weighs each output's error at each step (0: not
	// scored); nil scores every step.
	Mask []float64
}

// NewBatch returns a zero batch of these sizes, with a mask when masked.
func NewBatch(t, b, m, k int, masked bool) *Batch {
	bt := &Batch{T: t, B: b, M: m, K: k, X: make([]float64, t*b*m), Y: make([]float64, t*b*k)}
	if masked {
		bt.Mask = make([]float64, t*b*k)
	}
	return bt
}

// Task makes trials.
type Task interface {
	// Name is the task's name on the command line.
	Name() string
	// Dims returns the number of inputs M and of outputs K.
	Dims() (m, k int)
	// Len returns the number of time steps T of a trial.
	Len() int
	// Masked reports whether trials score only some steps.
	Masked() bool
	// Trial fills trial i of b (its rows of X, Y and Mask, all zero on
	// entry) with numbers from rng only.
	Trial(b *Batch, i int, rng *rand.Rand)
}

// Scorer is a task whose outputs are scored as signs: the fraction of
// scored (output, step) pairs where sign(y) equals the target's sign.
type Scorer interface {
	Task
	// Scored reports that accuracy is defined (every target is +1 or -1
	// where the mask is non-zero).
	Scored()
}

// Fill fills b with the trials of the given streams: trial i draws from
// rand.NewPCG(seed, stream(i)) alone (docs/DESIGN.md section 1), so a batch
// does not depend on how it is split or on the trials before it.
func Fill(task Task, b *Batch, seed uint64, stream func(i int) uint64) {
	clear(b.X)
	clear(b.Y)
	clear(b.Mask)
	for i := range b.B {
		task.Trial(b, i, rand.New(rand.NewPCG(seed, stream(i))))
	}
}

// at returns the index of (step t = 0..T-1, trial i, channel c) in an array
// of width w.
func (b *Batch) at(t, i, c, w int) int { return (t*b.B+i)*w + c }

// FlipFlop is the N-bit flip-flop of Sussillo and Barak (2013): at every
// step each of Bits input channels is +1 or -1 with probability P/2 each,
// else 0; the target of output k is the sign of the most recent non-zero
// input on channel k, scored only from the first pulse on that channel on.
type FlipFlop struct {
	Bits  int
	P     float64
	Steps int
}

func (f *FlipFlop) Name() string     { return "flipflop" }
func (f *FlipFlop) Dims() (int, int) { return f.Bits, f.Bits }
func (f *FlipFlop) Len() int         { return f.Steps }
func (f *FlipFlop) Masked() bool     { return true }
func (f *FlipFlop) Scored()          {}

func (f *FlipFlop) Trial(b *Batch, i int, rng *rand.Rand) {
	for k := range f.Bits {
		state := 0.0
		for t := range f.Steps {
			r := rng.Float64()
			x := 0.0
			switch {
			case r < f.P/2:
				x = 1
			case r < f.P:
				x = -1
			}
			if x != 0 {
				state = x
			}
			b.X[b.at(t, i, k, b.M)] = x
			if state != 0 {
				b.Y[b.at(t, i, k, b.K)] = state
				b.Mask[b.at(t, i, k, b.K)] = 1
			}
		}
	}
}

// Periodic is the periodic-output task of Murray (2019, figure 2): after a
// brief pulse on its one input (the first Pulse steps), the one output
// follows a fixed sum of sines of period Period steps,
//
//	y*(t) = 0.5 sin(w t) + 0.3 sin(2 w t + 1) + 0.2 sin(3 w t + 2),  w = 2 pi / Period,
//
// for the Steps of the trial. Every trial is the same.
type Periodic struct {
	Steps, Period, Pulse int
}

func (p *Periodic) Name() string     { return "periodic" }
func (p *Periodic) Dims() (int, int) { return 1, 1 }
func (p *Periodic) Len() int         { return p.Steps }
func (p *Periodic) Masked() bool     { return false }

// Target returns y*(t).
func (p *Periodic) Target(t int) float64 {
	w := 2 * math.Pi / float64(p.Period)
	ft := float64(t)
	return 0.5*math.Sin(w*ft) + 0.3*math.Sin(2*w*ft+1) + 0.2*math.Sin(3*w*ft+2)
}

func (p *Periodic) Trial(b *Batch, i int, _ *rand.Rand) {
	for t := range p.Steps {
		if t < p.Pulse {
			b.X[b.at(t, i, 0, b.M)] = 1
		}
		b.Y[b.at(t, i, 0, b.K)] = p.Target(t + 1)
	}
}

// Context is the context-dependent integration of Mante et al. (2013):
// two noisy evidence inputs (motion and colour), each a coherence c plus
// Gaussian noise of std Noise during the stimulus steps [Fix, Fix+Stim),
// and two context inputs, one of them 1 for the whole trial; the one
// output must report, during the last Steps-Fix-Stim steps (the only
// scored ones), the sign of the coherence of the cued input and ignore the
// other. Coherences are drawn uniformly from +-Coherences.
type Context struct {
	Steps, Fix, Stim int
	Noise            float64
	Coherences       []float64
}

func (c *Context) Name() string     { return "context" }
func (c *Context) Dims() (int, int) { return 4, 1 }
func (c *Context) Len() int         { return c.Steps }
func (c *Context) Masked() bool     { return true }
func (c *Context) Scored()          {}

func (c *Context) Trial(b *Batch, i int, rng *rand.Rand) {
	coh := func() float64 {
		v := c.Coherences[rng.IntN(len(c.Coherences))]
		if rng.IntN(2) == 0 {
			return -v
		}
		return v
	}
	motion, colour := coh(), coh()
	ctx := rng.IntN(2)
	target := math.Copysign(1, motion)
	if ctx == 1 {
		target = math.Copysign(1, colour)
	}
	for t := range c.Steps {
		if t >= c.Fix && t < c.Fix+c.Stim {
			b.X[b.at(t, i, 0, b.M)] = motion + c.Noise*rng.NormFloat64()
			b.X[b.at(t, i, 1, b.M)] = colour + c.Noise*rng.NormFloat64()
		}
		b.X[b.at(t, i, 2+ctx, b.M)] = 1
		if t >= c.Fix+c.Stim {
			b.Y[b.at(t, i, 0, b.K)] = target
			b.Mask[b.at(t, i, 0, b.K)] = 1
		}
	}
}

// Data is a task given as arrays (a user's .npz): inputs T x B x M,
// targets T x B x K and an optional mask T x B x K (or T x B, the same
// for every output). Trial i of a batch is one of the B stored trials,
// drawn uniformly.
type Data struct {
	steps, trials, m, k int
	x, y, mask          []float64
}

// NewData checks the shapes and values and returns the task; x, y and mask
// (nil: none) are kept, not copied. mask may have K or 1 columns.
func NewData(x []float64, xShape []int, y []float64, yShape []int, mask []float64, maskShape []int) (*Data, error) {
	if len(xShape) != 3 {
		return nil, fmt.Errorf("inputs: shape %v: want T x B x M (3 dimensions)", xShape)
	}
	if len(yShape) != 3 {
		return nil, fmt.Errorf("targets: shape %v: want T x B x K (3 dimensions)", yShape)
	}
	t, b, m, k := xShape[0], xShape[1], xShape[2], yShape[2]
	if t < 1 || b < 1 {
		return nil, fmt.Errorf("inputs: shape %v: want at least one step and one trial", xShape)
	}
	if yShape[0] != t || yShape[1] != b {
		return nil, fmt.Errorf("targets: shape %v does not match inputs %v: want %d x %d x K", yShape, xShape, t, b)
	}
	if k < 1 {
		return nil, fmt.Errorf("targets: shape %v: want at least one output", yShape)
	}
	d := &Data{steps: t, trials: b, m: m, k: k, x: x, y: y}
	if mask != nil {
		switch {
		case len(maskShape) == 2 && maskShape[0] == t && maskShape[1] == b:
			d.mask = make([]float64, t*b*k)
			for r, v := range mask {
				for c := range k {
					d.mask[r*k+c] = v
				}
			}
		case len(maskShape) == 3 && maskShape[0] == t && maskShape[1] == b && maskShape[2] == k:
			d.mask = mask
		default:
			return nil, fmt.Errorf("mask: shape %v: want %d x %d (T x B) or %d x %d x %d (T x B x K)", maskShape, t, b, t, b, k)
		}
	}
	for _, a := range []struct {
		key string
		v   []float64
	}{{"inputs", x}, {"targets", y}, {"mask", d.mask}} {
		for j, v := range a.v {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%s: element %d is %v: want finite values", a.key, j, v)
			}
		}
	}
	return d, nil
}

func (d *Data) Name() string     { return "data" }
func (d *Data) Dims() (int, int) { return d.m, d.k }
func (d *Data) Len() int         { return d.steps }
func (d *Data) Masked() bool     { return d.mask != nil }

// Trials returns the number of stored trials.
func (d *Data) Trials() int { return d.trials }

func (d *Data) Trial(b *Batch, i int, rng *rand.Rand) {
	j := rng.IntN(d.trials)
	for t := range d.steps {
		copy(b.X[b.at(t, i, 0, b.M):b.at(t, i, d.m, b.M)], d.x[(t*d.trials+j)*d.m:(t*d.trials+j+1)*d.m])
		copy(b.Y[b.at(t, i, 0, b.K):b.at(t, i, d.k, b.K)], d.y[(t*d.trials+j)*d.k:(t*d.trials+j+1)*d.k])
		if d.mask != nil {
			copy(b.Mask[b.at(t, i, 0, b.K):b.at(t, i, d.k, b.K)], d.mask[(t*d.trials+j)*d.k:(t*d.trials+j+1)*d.k])
		}
	}
}
