package train

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/fpfind/fpfind/dynamics"
	"gonum.org/v1/gonum/mat"
)

// Net is the leaky network being trained (docs/DESIGN.md section 1, the
// leaky convention, with tanh):
//
//	h(t) = h(t-1) + alpha (-h(t-1) + tanh(W h(t-1) + W_in x(t) + b)),  h(0) = 0,
//	y(t) = W_out h(t) + b_out.
//
// Its parameters live in one flat vector (Params), so that an optimiser,
// gradient clipping and a checkpoint treat them alike; W, WIn, B, WOut and
// BOut are views into it. The initial state is zero and not learned, so no
// h0 is written.
type Net struct {
	N, M, K int
	Alpha   float64
	// Params holds W (N x N, row i the weights into unit i), W_in (N x M),
	// b (N), W_out (K x N) and b_out (K), in that order, row-major.
	Params []float64
	W      []float64
	WIn    []float64
	B      []float64
	WOut   []float64
	BOut   []float64
}

// Part names one of the parameter arrays of a Net.
type Part int

// The parameter arrays, in the order of Net.Params.
const (
	PartW Part = iota
	PartWIn
	PartB
	PartWOut
	PartBOut
	numParts
)

var partNames = [numParts]string{"W", "W_in", "b", "W_out", "b_out"}

// Learned says, for each Part, whether it learns.
type Learned [numParts]bool

// String returns the array's key in a network file.
func (p Part) String() string {
	if p < 0 || p >= numParts {
		return fmt.Sprintf("Part(%d)", int(p))
	}
	return partNames[p]
}

// ParsePart returns the part of a key (W, W_in, b, W_out, b_out).
func ParsePart(s string) (Part, error) {
	for i, n := range partNames {
		if s == n {
			return Part(i), nil
		}
	}
	return 0, fmt.Errorf("unknown weights %q (want W, W_in, b, W_out or b_out)", s)
}

// Parts returns every part, in the order of Net.Params.
func Parts() []Part { return []Part{PartW, PartWIn, PartB, PartWOut, PartBOut} }

// NumParams returns the length of Params of a network of these sizes.
func NumParams(n, m, k int) int { return n*n + n*m + n + k*n + k }

// offsets returns where each part starts in Params, and the total length.
func offsets(n, m, k int) (off [numParts + 1]int) {
	sizes := [numParts]int{n * n, n * m, n, k * n, k}
	for i, s := range sizes {
		off[i+1] = off[i] + s
	}
	return off
}

// Slice returns the part p of a vector laid out as Params (a gradient, an
// optimiser's moment).
func (net *Net) Slice(v []float64, p Part) []float64 {
	off := offsets(net.N, net.M, net.K)
	return v[off[p]:off[p+1]]
}

// NewNet returns a network of n units, m inputs and k outputs with zero
// weights; alpha must be in (0, 1].
func NewNet(n, m, k int, alpha float64) (*Net, error) {
	if n < 1 || m < 0 || k < 1 {
		return nil, fmt.Errorf("train: sizes N = %d, M = %d, K = %d: want N, K >= 1 and M >= 0", n, m, k)
	}
	if !(alpha > 0 && alpha <= 1) {
		return nil, fmt.Errorf("train: alpha %v: want a value in (0, 1]", alpha)
	}
	net := &Net{N: n, M: m, K: k, Alpha: alpha, Params: make([]float64, NumParams(n, m, k))}
	net.views()
	return net, nil
}

func (net *Net) views() {
	net.W = net.Slice(net.Params, PartW)
	net.WIn = net.Slice(net.Params, PartWIn)
	net.B = net.Slice(net.Params, PartB)
	net.WOut = net.Slice(net.Params, PartWOut)
	net.BOut = net.Slice(net.Params, PartBOut)
}

// Clone returns a deep copy.
func (net *Net) Clone() *Net {
	c := *net
	c.Params = append([]float64(nil), net.Params...)
	c.views()
	return &c
}

// Init are the initialisation options shared by every rule.
type Init struct {
	// Gain g: W_ij ~ N(0, g^2/N) (Sompolinsky et al. 1988: chaotic
	// spontaneous activity above g = 1).
	Gain float64
	// InputScale: W_in ij ~ N(0, InputScale^2).
	InputScale float64
	// OutputScale: W_out ij ~ N(0, OutputScale^2/N).
	OutputScale float64
	// Seed of the stream rand.NewPCG(Seed, 0) the weights are drawn from
	// (b and b_out start at zero).
	Seed uint64
}

// Initialize draws the weights from init's distributions.
func (net *Net) Initialize(init Init) {
	rng := rand.New(rand.NewPCG(init.Seed, 0))
	fill := func(dst []float64, std float64) {
		for i := range dst {
			dst[i] = std * rng.NormFloat64()
		}
	}
	fill(net.W, init.Gain/math.Sqrt(float64(net.N)))
	fill(net.WIn, init.InputScale)
	fill(net.WOut, init.OutputScale/math.Sqrt(float64(net.N)))
	clear(net.B)
	clear(net.BOut)
}

// Network returns the trained network as fpfind analyses it: the leaky
// convention with the same alpha, tanh, and zero constant input (the
// autonomous dynamics, where a flip-flop's memories are fixed points).
func (net *Net) Network() (*dynamics.Network, error) {
	var win mat.Matrix
	if net.M > 0 {
		win = mat.NewDense(net.N, net.M, append([]float64(nil), net.WIn...))
	}
	return dynamics.New(dynamics.Config{
		W:          mat.NewDense(net.N, net.N, append([]float64(nil), net.W...)),
		WIn:        win,
		B:          append([]float64(nil), net.B...),
		Convention: dynamics.Leaky,
		Alpha:      net.Alpha,
	})
}
