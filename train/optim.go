package train

import (
	"fmt"
	"math"
)

// Method is an optimiser.
type Method int

const (
	// Adam (Kingma and Ba 2015), with bias-corrected moments.
	Adam Method = iota
	// SGD is plain gradient descent, theta -= LR g (Murray 2019 trains
	// RFLO so).
	SGD
)

func (m Method) String() string {
	switch m {
	case Adam:
		return "adam"
	case SGD:
		return "sgd"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// ParseMethod returns the optimiser named s.
func ParseMethod(s string) (Method, error) {
	switch s {
	case "adam":
		return Adam, nil
	case "sgd":
		return SGD, nil
	}
	return 0, fmt.Errorf("unknown optimiser %q (want adam or sgd)", s)
}

// Optim sets how a gradient changes the weights.
type Optim struct {
	Method Method
	// LR is the learning rate.
	LR float64
	// Beta1, Beta2 and Eps are Adam's (0: 0.9, 0.999, 1e-8).
	Beta1, Beta2, Eps float64
	// Clip, when > 0, rescales a gradient whose Euclidean norm (over the
	// learned weights) exceeds Clip to that norm (Pascanu et al. 2013).
	Clip float64
}

// Optimizer is an optimiser's state: Adam's moments and step count.
type Optimizer struct {
	Optim
	// Learn says which parts change; the others keep their values.
	Learn Learned
	M, V  []float64
	T     int
}

// NewOptimizer returns the state of o for a network's parameters.
func NewOptimizer(o Optim, learn Learned, params int) *Optimizer {
	if o.Beta1 == 0 {
		o.Beta1 = 0.9
	}
	if o.Beta2 == 0 {
		o.Beta2 = 0.999
	}
	if o.Eps == 0 {
		o.Eps = 1e-8
	}
	opt := &Optimizer{Optim: o, Learn: learn}
	if o.Method == Adam {
		opt.M = make([]float64, params)
		opt.V = make([]float64, params)
	}
	return opt
}

// Apply changes net's parameters by the gradient g (which it may change:
// the parts not learned are zeroed, and g is clipped). It returns g's norm
// before clipping (over the learned parts), or 0 without clipping.
func (o *Optimizer) Apply(net *Net, g []float64) float64 {
	for _, p := range Parts() {
		if !o.Learn[p] {
			clear(net.Slice(g, p))
		}
	}
	norm := 0.0
	if o.Clip > 0 {
		norm = Norm(g)
	}
	if o.Clip > 0 && norm > o.Clip {
		s := o.Clip / norm
		for i := range g {
			g[i] *= s
		}
	}
	o.T++
	th := net.Params
	switch o.Method {
	case SGD:
		for i, v := range g {
			th[i] -= float64(o.LR * v) // the product rounded (no fused multiply-add), as kernel.TraceSGDDot
		}
	case Adam:
		b1, b2 := o.Beta1, o.Beta2
		c1 := 1 - math.Pow(b1, float64(o.T))
		c2 := 1 - math.Pow(b2, float64(o.T))
		step := o.LR * math.Sqrt(c2) / c1
		eps := o.Eps * math.Sqrt(c2)
		for i, v := range g {
			o.M[i] = b1*o.M[i] + (1-b1)*v
			o.V[i] = b2*o.V[i] + (1-b2)*v*v
			th[i] -= step * o.M[i] / (math.Sqrt(o.V[i]) + eps)
		}
	}
	return norm
}

// Norm returns the Euclidean norm of g.
func Norm(g []float64) float64 {
	sq := 0.0
	for _, v := range g {
		sq += v * v
	}
	return math.Sqrt(sq)
}
