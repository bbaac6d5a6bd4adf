package continuation

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/enum"
)

// Kind is what the continuation parameter p changes.
type Kind int

const (
	// Input: p is the constant input u_K on channel K (Param.Channel);
	// the other channels keep the network's values.
	Input Kind = iota
	// Bias: the bias is b + p v for the direction v (Param.Dir), so p = 0
	// is the network as given.
	Bias
	// Gain: the recurrent weights are p W, so p = 1 is the network as
	// given.
	Gain
	// TauScale: the time constants are p tau, for the leaky convention,
	// whose step dt = alpha tau stays as given: alpha becomes alpha / p
	// (p >= alpha, so that alpha / p <= 1). The fixed points do not move;
	// their stability does (the multipliers are 1 - alpha/p + (alpha/p)
	// mu, mu those of diag(phi') W). In the continuous convention tau's
	// scale moves neither the fixed points nor their stability, and the
	// discrete convention has no tau: NewFamily refuses both.
	TauScale
)

var kindNames = enum.Names[Kind]{Input: "u", Bias: "bias", Gain: "gain", TauScale: "tau"}

// String returns "u", "bias", "gain" or "tau".
func (k Kind) String() string { return kindNames.String(k) }

// Param names the continuation parameter.
type Param struct {
	Kind Kind
	// Channel is the input channel K of Input (0-based).
	Channel int
	// Dir is the direction v of Bias (length N).
	Dir []float64
	// Name is how the parameter is reported (e.g. "bias:dir.npy"); empty
	// means Kind's own spelling ("u:K", "bias", "gain").
	Name string
}

// String returns the parameter's name: Name, or "u:K", "bias", "gain".
func (p Param) String() string {
	switch {
	case p.Name != "":
		return p.Name
	case p.Kind == Input:
		return fmt.Sprintf("u:%d", p.Channel)
	}
	return p.Kind.String()
}

// ParamError reports a parameter that does not fit the network: a channel
// it does not have, a direction of the wrong length or not finite.
type ParamError struct {
	Param   string
	Problem string
}

func (e *ParamError) Error() string { return "continuation: --param " + e.Param + ": " + e.Problem }

// Family is a network as a function of the parameter p: it makes the
// network at any p, and the exact derivative dF/dp at a state. A Family is
// immutable and safe for concurrent use.
type Family struct {
	base  *dynamics.Network
	param Param
	w     blas64.General // the base W (Gain, and the second derivatives of every kind)
	col   []float64      // Input: column K of W_in; Bias: v
	b0    []float64      // Bias: the base bias
	u0    []float64      // Input: the base input
	tau   []float64
}

// NewFamily returns the family of networks that net belongs to along p. It
// returns a *ParamError when p does not fit net (an input channel it does
// not have, a direction of the wrong length or not finite).
func NewFamily(net *dynamics.Network, p Param) (*Family, error) {
	n := net.Dim()
	f := &Family{base: net, param: p, tau: net.TauVec()}
	w := net.W()
	f.w = w.RawMatrix()
	switch p.Kind {
	case Input:
		m := net.Inputs()
		if m == 0 {
			return nil, &ParamError{p.String(), "the network has no inputs (no W_in)"}
		}
		if p.Channel < 0 || p.Channel >= m {
			return nil, &ParamError{p.String(), fmt.Sprintf("no input channel %d: the network has M = %d (channels 0 to %d)", p.Channel, m, m-1)}
		}
		f.col = mat.Col(nil, p.Channel, net.WIn())
		f.u0 = net.U()
	case Bias:
		if len(p.Dir) != n {
			return nil, &ParamError{p.String(), fmt.Sprintf("the direction has %d values, want N = %d", len(p.Dir), n)}
		}
		for i, v := range p.Dir {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, &ParamError{p.String(), fmt.Sprintf("value %d of the direction is %v", i, v)}
			}
		}
		f.col = append([]float64(nil), p.Dir...)
		f.b0 = net.B()
	case Gain:
	case TauScale:
		if net.Convention() != dynamics.Leaky {
			return nil, &ParamError{p.String(), fmt.Sprintf("the %s convention: tau's scale moves neither the fixed points nor their stability (continuous), or there is no tau (discrete); it is a parameter of the leaky convention only", net.Convention())}
		}
	default:
		return nil, &ParamError{p.String(), fmt.Sprintf("unknown kind %d", int(p.Kind))}
	}
	return f, nil
}

// Param returns the parameter.
func (f *Family) Param() Param { return f.param }

// Base returns the network the family was made from.
func (f *Family) Base() *dynamics.Network { return f.base }

// Value returns the parameter's value for the network the family was made
// from: u_K for Input, 0 for Bias, 1 for Gain and TauScale.
func (f *Family) Value() float64 {
	switch f.param.Kind {
	case Input:
		return f.u0[f.param.Channel]
	case Bias:
		return 0
	}
	return 1
}

// At returns the network at p. Along an input or a bias it shares the base
// network's weights (dynamics.Network.WithInput, WithBias) and costs O(N);
// along the gain it copies W scaled by p.
func (f *Family) At(p float64) (*dynamics.Network, error) {
	if math.IsNaN(p) || math.IsInf(p, 0) {
		return nil, fmt.Errorf("continuation: parameter value %v", p)
	}
	switch f.param.Kind {
	case Input:
		u := append([]float64(nil), f.u0...)
		u[f.param.Channel] = p
		return f.base.WithInput(u)
	case Bias:
		b := append([]float64(nil), f.b0...)
		for i, v := range f.col {
			b[i] += p * v
		}
		return f.base.WithBias(b)
	case TauScale:
		c := f.base.Config()
		c.Alpha /= p
		for i := range c.Tau {
			c.Tau[i] *= p
		}
		if !(c.Alpha > 0 && c.Alpha <= 1) {
			return nil, fmt.Errorf("continuation: tau scale %v gives alpha = %v, outside (0, 1]", p, c.Alpha)
		}
		return dynamics.New(c)
	}
	c := f.base.Config()
	w := c.W.(*mat.Dense)
	w.Scale(p, w)
	return dynamics.New(c)
}

// Deriv writes dF/dp at the state h into dst, for net = f.At(p): with
// d = phi'(x(h)) of net,
//
//	Input  d_i W_in[i][K] / tau_i
//	Bias   d_i v_i / tau_i
//	Gain   d_i (W h)_i / tau_i      (W the base weights)
//	Tau    -F_i / p                 (0 at a fixed point)
//
// the analytic derivative, no finite difference.
func (f *Family) Deriv(dst []float64, net *dynamics.Network, h []float64) {
	if f.param.Kind == TauScale {
		net.Field(dst, h)
		p := net.Tau(0) / f.tau[0]
		for i := range dst {
			dst[i] /= -p
		}
		return
	}
	net.PhiPrime(dst, h)
	switch f.param.Kind {
	case Input, Bias:
		for i := range dst {
			dst[i] *= f.col[i] / f.tau[i]
		}
	default:
		wh := f.wVec(h)
		for i := range dst {
			dst[i] *= wh[i] / f.tau[i]
		}
	}
}

// wVec returns W v for the base W.
func (f *Family) wVec(v []float64) []float64 {
	out := make([]float64, len(v))
	blas64.Gemv(blas.NoTrans, 1, f.w, blas64.Vector{N: len(v), Inc: 1, Data: v}, 0, blas64.Vector{N: len(out), Inc: 1, Data: out})
	return out
}

// gainAt returns the factor of the base W in the network at p: p along the
// gain, 1 otherwise.
func (f *Family) gainAt(p float64) float64 {
	if f.param.Kind == Gain {
		return p
	}
	return 1
}
