package ode

import (
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Interpolation says how an [Input] fills the time between its samples.
type Interpolation int

// The interpolations.
const (
	Hold   Interpolation = iota // piecewise constant: u(t) = u_k for t_k <= t < t_{k+1} (zero-order hold)
	Linear                      // piecewise linear between samples
)

// Input is a time-varying input u(t) given by samples: T times and a T x M
// matrix of values. Before the first time it holds the first sample, after
// the last time the last sample. It is immutable and safe for concurrent
// use.
type Input struct {
	times  []float64
	vals   []float64 // T x M, row-major
	m      int
	interp Interpolation
}

// NewInput returns the input with the given sample times (strictly
// increasing, finite) and values (len(times) x M, finite). Both are copied.
func NewInput(times []float64, values mat.Matrix, interp Interpolation) (*Input, error) {
	if len(times) == 0 {
		return nil, bad("Input.times", "empty")
	}
	if values == nil {
		return nil, bad("Input.values", "nil")
	}
	r, m := values.Dims()
	if r != len(times) {
		return nil, bad("Input.values", "has %d rows, want one per time (%d)", r, len(times))
	}
	if interp != Hold && interp != Linear {
		return nil, bad("Input.interp", "unknown interpolation %d", int(interp))
	}
	for i, t := range times {
		if !isFinite(t) {
			return nil, bad("Input.times", "non-finite value %v at [%d]", t, i)
		}
		if i > 0 && !(t > times[i-1]) {
			return nil, bad("Input.times", "not strictly increasing at [%d] (%v after %v)", i, t, times[i-1])
		}
	}
	in := &Input{times: append([]float64(nil), times...), vals: make([]float64, r*m), m: m, interp: interp}
	for i := 0; i < r; i++ {
		for j := 0; j < m; j++ {
			v := values.At(i, j)
			if !isFinite(v) {
				return nil, bad("Input.values", "non-finite value %v at [%d, %d]", v, i, j)
			}
			in.vals[i*m+j] = v
		}
	}
	return in, nil
}

// Dim returns M, the number of input channels.
func (in *Input) Dim() int { return in.m }

// At writes u(t) into dst (length M).
func (in *Input) At(dst []float64, t float64) {
	if len(dst) != in.m {
		panic("ode: Input.At: dst length mismatch")
	}
	// k: the last sample with times[k] <= t, or -1.
	k := sort.Search(len(in.times), func(i int) bool { return in.times[i] > t }) - 1
	switch {
	case k < 0:
		copy(dst, in.vals[:in.m])
	case k == len(in.times)-1 || in.interp == Hold:
		copy(dst, in.vals[k*in.m:(k+1)*in.m])
	default:
		a := (t - in.times[k]) / (in.times[k+1] - in.times[k])
		u0, u1 := in.vals[k*in.m:(k+1)*in.m], in.vals[(k+1)*in.m:(k+2)*in.m]
		for j := range dst {
			dst[j] = u0[j] + a*(u1[j]-u0[j])
		}
	}
}

// Breaks returns a copy of the sample times: where u(t) or its derivative
// jumps. Integrating piece by piece between them spares an adaptive method
// the rejected steps at the jumps.
func (in *Input) Breaks() []float64 { return append([]float64(nil), in.times...) }
