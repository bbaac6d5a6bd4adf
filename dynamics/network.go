package dynamics

import (
	"encoding/binary"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Config describes a network for [New]. Matrices are read, never kept: New
// copies everything it needs.
type Config struct {
	// W is the N x N recurrent weight matrix; row i holds the weights into
	// unit i, so the product is W h. Required.
	W mat.Matrix
	// WIn is the N x M input weight matrix. Nil means no input (M = 0).
	WIn mat.Matrix
	// U is the constant input (length M). Nil means zeros.
	U []float64
	// B is the bias (length N). Nil means zeros.
	B []float64
	// Tau holds the time constants: nil or empty means 1 for every unit,
	// length 1 one value for all, length N one per unit. All must be > 0.
	Tau []float64
	// Activation is phi; the zero value is Tanh.
	Activation Activation
	// Convention is the time convention; the zero value is Continuous.
	Convention Convention
	// Alpha is dt/tau of the Leaky convention, in (0, 1]. It must be 0 for
	// the other conventions.
	Alpha float64
}

// ConfigError reports an invalid field of a [Config].
type ConfigError struct {
	Field   string // the Config field: "W", "WIn", "U", "B", "Tau", "Activation", "Convention" or "Alpha"
	Problem string // what is wrong, e.g. "not square (3 x 4)"
}

func (e *ConfigError) Error() string { return "dynamics: " + e.Field + ": " + e.Problem }

// Network is a recurrent network with its constant input. It is immutable
// after [New] and safe for concurrent use.
type Network struct {
	n, m    int
	w       blas64.General // N x N, row-major
	win     blas64.General // N x M, row-major; Rows = 0 when M = 0
	u       []float64      // M
	b       []float64      // N
	c       []float64      // N: W_in u + b
	tau     []float64      // N
	invTau  []float64      // N
	act     Activation
	conv    Convention
	alpha   float64
	uniform bool     // every tau equal
	pk      *packedW // W^T and W packed for the batched products, built on first use
}

// New validates c and returns the network it describes. The error is a
// *[ConfigError] naming the field at fault.
func New(c Config) (*Network, error) {
	bad := func(field, format string, args ...any) (*Network, error) {
		return nil, &ConfigError{Field: field, Problem: fmt.Sprintf(format, args...)}
	}
	if c.W == nil {
		return bad("W", "missing")
	}
	n, nc := c.W.Dims()
	if n != nc {
		return bad("W", "not square (%d x %d)", n, nc)
	}
	if n == 0 {
		return bad("W", "empty (0 x 0)")
	}
	net := &Network{n: n, act: c.Activation, conv: c.Convention, alpha: c.Alpha, pk: new(packedW)}
	net.w = copyMatrix(c.W)
	if i, j, ok := firstNonFinite(net.w); !ok {
		return bad("W", "non-finite value %v at [%d, %d]", net.w.Data[i*net.w.Stride+j], i, j)
	}
	if c.WIn != nil {
		r, m := c.WIn.Dims()
		if r != n {
			return bad("WIn", "has %d rows, want N = %d", r, n)
		}
		net.m = m
		if m > 0 {
			net.win = copyMatrix(c.WIn)
			if i, j, ok := firstNonFinite(net.win); !ok {
				return bad("WIn", "non-finite value %v at [%d, %d]", net.win.Data[i*net.win.Stride+j], i, j)
			}
		}
	}
	net.u = make([]float64, net.m)
	if c.U != nil {
		if len(c.U) != net.m {
			return bad("U", "has length %d, want M = %d (the columns of WIn)", len(c.U), net.m)
		}
		copy(net.u, c.U)
		if i, ok := finite(net.u); !ok {
			return bad("U", "non-finite value %v at [%d]", net.u[i], i)
		}
	}
	net.b = make([]float64, n)
	if c.B != nil {
		if len(c.B) != n {
			return bad("B", "has length %d, want N = %d", len(c.B), n)
		}
		copy(net.b, c.B)
		if i, ok := finite(net.b); !ok {
			return bad("B", "non-finite value %v at [%d]", net.b[i], i)
		}
	}
	net.tau = make([]float64, n)
	switch len(c.Tau) {
	case 0:
		for i := range net.tau {
			net.tau[i] = 1
		}
	case 1:
		for i := range net.tau {
			net.tau[i] = c.Tau[0]
		}
	case n:
		copy(net.tau, c.Tau)
	default:
		return bad("Tau", "has length %d, want 1 or N = %d", len(c.Tau), n)
	}
	net.invTau = make([]float64, n)
	net.uniform = true
	for i, t := range net.tau {
		if !(t > 0) || math.IsInf(t, 0) {
			return bad("Tau", "value %v at [%d] is not a finite number > 0", t, i)
		}
		net.invTau[i] = 1 / t
		if t != net.tau[0] {
			net.uniform = false
		}
	}
	if !activationNames.Valid(c.Activation) {
		return bad("Activation", "unknown activation %d", int(c.Activation))
	}
	switch c.Convention {
	case Continuous, Discrete:
		if c.Alpha != 0 {
			return bad("Alpha", "is %v, but only the leaky convention takes alpha", c.Alpha)
		}
	case Leaky:
		if !(c.Alpha > 0 && c.Alpha <= 1) {
			return bad("Alpha", "is %v, want a value in (0, 1] for the leaky convention", c.Alpha)
		}
		if !net.uniform {
			return bad("Tau", "differs between units, but the leaky convention (one step dt = alpha tau) needs one tau")
		}
	default:
		return bad("Convention", "unknown convention %d", int(c.Convention))
	}
	net.setOffset()
	return net, nil
}

func copyMatrix(a mat.Matrix) blas64.General {
	r, c := a.Dims()
	g := blas64.General{Rows: r, Cols: c, Stride: c, Data: make([]float64, r*c)}
	if rm, ok := a.(mat.RawMatrixer); ok {
		src := rm.RawMatrix()
		for i := 0; i < r; i++ {
			copy(g.Data[i*c:(i+1)*c], src.Data[i*src.Stride:i*src.Stride+c])
		}
		return g
	}
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			g.Data[i*c+j] = a.At(i, j)
		}
	}
	return g
}

func firstNonFinite(g blas64.General) (int, int, bool) {
	for i := 0; i < g.Rows; i++ {
		if j, ok := finite(g.Data[i*g.Stride : i*g.Stride+g.Cols]); !ok {
			return i, j, false
		}
	}
	return 0, 0, true
}

func finite(x []float64) (int, bool) {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return i, false
		}
	}
	return 0, true
}

// Dim returns N, the number of units.
func (n *Network) Dim() int { return n.n }

// Inputs returns M, the number of input channels.
func (n *Network) Inputs() int { return n.m }

// Activation returns phi.
func (n *Network) Activation() Activation { return n.act }

// Convention returns the time convention.
func (n *Network) Convention() Convention { return n.conv }

// Alpha returns dt/tau of the Leaky convention, and 0 for the others.
func (n *Network) Alpha() float64 { return n.alpha }

// Tau returns the time constant of unit i.
func (n *Network) Tau(i int) float64 { return n.tau[i] }

// UniformTau reports whether every unit has the same time constant.
func (n *Network) UniformTau() bool { return n.uniform }

// TimeStep returns the time one step of a map convention stands for: alpha
// tau for Leaky, 1 for Discrete, and 0 for Continuous.
func (n *Network) TimeStep() float64 {
	switch n.conv {
	case Leaky:
		return n.alpha * n.tau[0]
	case Discrete:
		return 1
	}
	return 0
}

// Symmetric reports whether the network is odd-symmetric: phi odd, b = 0 and
// W_in u = 0, so that if h* is a fixed point, so is -h*.
func (n *Network) Symmetric() bool {
	if !n.act.Odd() {
		return false
	}
	for _, v := range n.c {
		if v != 0 {
			return false
		}
	}
	return true
}

// Mirrors returns, for each of states, the index of another state that is
// its exact negation (every component -h_i, bit for bit), or -1 when there
// is none; all -1 unless the network is Symmetric. For such a pair the
// field is exactly negated and the Jacobian and the operator of every
// convention are the same matrix, bit for bit: products and sums round
// symmetrically, so W(-h) = -(W h) exactly, and the odd activations
// compute odd functions exactly (tanh from |x|), their derivatives even
// ones. Whatever is computed from the operator alone (a spectrum, its
// vectors, a trajectory's negation) then serves both members of a pair.
// When a state occurs more than once, the first occurrence is the one
// named.
func (n *Network) Mirrors(states [][]float64) []int {
	out := make([]int, len(states))
	for i := range out {
		out[i] = -1
	}
	if !n.Symmetric() {
		return out
	}
	at := make(map[string]int, len(states))
	key := make([]byte, 8*n.n)
	bits := func(h []float64, neg bool) string {
		for i, v := range h {
			if neg {
				v = -v
			}
			binary.LittleEndian.PutUint64(key[8*i:], math.Float64bits(v))
		}
		return string(key)
	}
	for i, h := range states {
		if len(h) != n.n {
			panic("dynamics: Mirrors: state of the wrong length")
		}
		k := bits(h, false)
		if _, ok := at[k]; !ok {
			at[k] = i
		}
	}
	for i, h := range states {
		if j, ok := at[bits(h, true)]; ok && j != i {
			out[i] = j
		}
	}
	return out
}

// W returns a copy of the recurrent weights (N x N).
func (n *Network) W() *mat.Dense {
	return mat.NewDense(n.n, n.n, append([]float64(nil), n.w.Data...))
}

// WIn returns a copy of the input weights (N x M), or nil when M = 0.
func (n *Network) WIn() *mat.Dense {
	if n.m == 0 {
		return nil
	}
	return mat.NewDense(n.n, n.m, append([]float64(nil), n.win.Data...))
}

// U returns a copy of the constant input.
func (n *Network) U() []float64 { return append([]float64(nil), n.u...) }

// B returns a copy of the bias.
func (n *Network) B() []float64 { return append([]float64(nil), n.b...) }

// TauVec returns a copy of the per-unit time constants.
func (n *Network) TauVec() []float64 { return append([]float64(nil), n.tau...) }

// Offset returns a copy of the constant part of the pre-activation, W_in u + b.
func (n *Network) Offset() []float64 { return append([]float64(nil), n.c...) }

// Config returns a Config that rebuilds the network with [New]. Its
// matrices and slices are copies.
func (n *Network) Config() Config {
	c := Config{
		W:          n.W(),
		U:          n.U(),
		B:          n.B(),
		Activation: n.act,
		Convention: n.conv,
		Alpha:      n.alpha,
	}
	if n.m > 0 {
		c.WIn = n.WIn()
	}
	if n.uniform {
		c.Tau = []float64{n.tau[0]}
	} else {
		c.Tau = n.TauVec()
	}
	return c
}

// WithInput returns the network with the constant input u (length M) in
// place of n's. It shares n's weights and their packed copies, which no
// Network ever modifies, so it costs O(N M), not a copy of W: continuation
// makes one per step along an input.
func (n *Network) WithInput(u []float64) (*Network, error) {
	if len(u) != n.m {
		return nil, &ConfigError{Field: "U", Problem: fmt.Sprintf("has length %d, want M = %d (the columns of WIn)", len(u), n.m)}
	}
	if i, ok := finite(u); !ok {
		return nil, &ConfigError{Field: "U", Problem: fmt.Sprintf("non-finite value %v at [%d]", u[i], i)}
	}
	m := *n
	m.u = append([]float64(nil), u...)
	m.setOffset()
	return &m, nil
}

// WithBias returns the network with the bias b (length N) in place of n's,
// sharing n's weights as [Network.WithInput] does.
func (n *Network) WithBias(b []float64) (*Network, error) {
	if len(b) != n.n {
		return nil, &ConfigError{Field: "B", Problem: fmt.Sprintf("has length %d, want N = %d", len(b), n.n)}
	}
	if i, ok := finite(b); !ok {
		return nil, &ConfigError{Field: "B", Problem: fmt.Sprintf("non-finite value %v at [%d]", b[i], i)}
	}
	m := *n
	m.b = append([]float64(nil), b...)
	m.setOffset()
	return &m, nil
}

// setOffset computes the constant part of the pre-activation, c = W_in u + b.
func (n *Network) setOffset() {
	n.c = make([]float64, n.n)
	copy(n.c, n.b)
	if n.m > 0 {
		blas64.Gemv(blas.NoTrans, 1, n.win, blas64.Vector{N: n.m, Inc: 1, Data: n.u}, 1, blas64.Vector{N: n.n, Inc: 1, Data: n.c})
	}
}

const (
	badLen   = "dynamics: slice length mismatch"
	badShape = "dynamics: bad destination shape"
)

func (n *Network) checkLen(xs ...[]float64) {
	for _, x := range xs {
		if len(x) != n.n {
			panic(badLen)
		}
	}
}
