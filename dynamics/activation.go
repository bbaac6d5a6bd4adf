package dynamics

import (
	"fmt"
	"math"
	"strings"

	"github.com/fpfind/fpfind/internal/enum"
)

// Activation is an element-wise nonlinearity phi with its first and second
// derivatives.
type Activation int

// The activations. The zero value is Tanh.
const (
	Tanh          Activation = iota // phi(x) = tanh(x)
	ReLU                            // phi(x) = max(0, x); phi'(0) = 1 (right derivative)
	Softplus                        // phi(x) = log(1 + e^x)
	Sigmoid                         // phi(x) = 1 / (1 + e^-x), the logistic function
	Linear                          // phi(x) = x
	RectifiedTanh                   // phi(x) = max(0, tanh(x)); phi'(0) = 1 (right derivative)
)

var activationNames = enum.Names[Activation]{
	Tanh:          "tanh",
	ReLU:          "relu",
	Softplus:      "softplus",
	Sigmoid:       "sigmoid",
	Linear:        "linear",
	RectifiedTanh: "rectified-tanh",
}

// Activations lists every activation, in declaration order.
func Activations() []Activation {
	return []Activation{Tanh, ReLU, Softplus, Sigmoid, Linear, RectifiedTanh}
}

// String returns the name used in files and on the command line.
func (a Activation) String() string { return activationNames.String(a) }

// ParseActivation returns the activation with the given name (case is
// ignored; "logistic" is accepted for sigmoid and "rectified_tanh" for
// rectified-tanh).
func ParseActivation(s string) (Activation, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	switch name {
	case "logistic":
		return Sigmoid, nil
	case "rectified_tanh", "rectifiedtanh":
		return RectifiedTanh, nil
	case "identity":
		return Linear, nil
	}
	if a, ok := activationNames.Lookup(name); ok {
		return a, nil
	}
	return 0, fmt.Errorf("unknown activation %q (want one of %s)", s, strings.Join(activationNames, ", "))
}

// Odd reports whether phi(-x) = -phi(x), so that a network without bias and
// input is symmetric under h -> -h.
func (a Activation) Odd() bool { return a == Tanh || a == Linear }

// Phi returns phi(x).
func (a Activation) Phi(x float64) float64 {
	switch a {
	case Tanh:
		return math.Tanh(x)
	case ReLU:
		return math.Max(0, x)
	case Softplus:
		if x > 0 {
			return x + math.Log1p(math.Exp(-x))
		}
		return math.Log1p(math.Exp(x))
	case Sigmoid:
		return sigmoid(x)
	case Linear:
		return x
	case RectifiedTanh:
		if x > 0 {
			return math.Tanh(x)
		}
		return 0
	}
	panic(badActivation)
}

// D1 returns phi'(x). At the kink of relu and rectified-tanh (x = 0) it
// returns the right derivative, 1.
func (a Activation) D1(x float64) float64 {
	switch a {
	case Tanh:
		t := math.Tanh(x)
		return 1 - t*t
	case ReLU:
		if x >= 0 {
			return 1
		}
		return 0
	case Softplus:
		return sigmoid(x)
	case Sigmoid:
		s := sigmoid(x)
		return s * (1 - s)
	case Linear:
		return 1
	case RectifiedTanh:
		if x >= 0 {
			t := math.Tanh(x)
			return 1 - t*t
		}
		return 0
	}
	panic(badActivation)
}

// D2 returns phi”(x). At the kink of relu and rectified-tanh it returns the
// right derivative (0 and -2 tanh(0)(1 - tanh(0)^2) = 0).
func (a Activation) D2(x float64) float64 {
	switch a {
	case Tanh:
		t := math.Tanh(x)
		return -2 * t * (1 - t*t)
	case ReLU, Linear:
		return 0
	case Softplus:
		s := sigmoid(x)
		return s * (1 - s)
	case Sigmoid:
		s := sigmoid(x)
		return s * (1 - s) * (1 - 2*s)
	case RectifiedTanh:
		if x >= 0 {
			t := math.Tanh(x)
			return -2 * t * (1 - t*t)
		}
		return 0
	}
	panic(badActivation)
}

// D3 returns the third derivative of phi at x, which the first Lyapunov
// coefficient of a Hopf point needs (package continuation). At the kink of
// relu and rectified-tanh it returns the right derivative.
func (a Activation) D3(x float64) float64 {
	switch a {
	case Tanh:
		t := math.Tanh(x)
		return -2 * (1 - t*t) * (1 - 3*t*t)
	case ReLU, Linear:
		return 0
	case Softplus:
		s := sigmoid(x)
		return s * (1 - s) * (1 - 2*s)
	case Sigmoid:
		s := sigmoid(x)
		return s * (1 - s) * (1 - 6*s + 6*s*s)
	case RectifiedTanh:
		if x >= 0 {
			t := math.Tanh(x)
			return -2 * (1 - t*t) * (1 - 3*t*t)
		}
		return 0
	}
	panic(badActivation)
}

// Range returns the interval that phi maps the real line into (infinite ends
// where phi is unbounded). Fixed points lie in it.
func (a Activation) Range() (lo, hi float64) {
	switch a {
	case Tanh:
		return -1, 1
	case ReLU, Softplus:
		return 0, math.Inf(1)
	case Sigmoid, RectifiedTanh:
		return 0, 1
	}
	return math.Inf(-1), math.Inf(1)
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

const badActivation = "dynamics: unknown activation"

// phiRow prepares a row of pre-activations x for phiD1From: for tanh it
// writes tanh(x) into dst (tanhRow, a row at once); for the other
// activations it leaves dst alone. dst must not overlap x.
func (n *Network) phiRow(dst, x []float64) {
	if n.act == Tanh {
		tanhRow(dst, x)
	}
}

// phiD1From returns phi(x) and phi'(x) as phiD1 does, from the value
// phiRow wrote for x (t, used by tanh only).
func (a Activation) phiD1From(t, x float64) (float64, float64) {
	if a == Tanh {
		return t, 1 - t*t
	}
	return a.phiD1(x)
}

// phiD1 returns phi(x) and phi'(x), bit-identical to Phi and D1, with one
// evaluation of the transcendental function where the two share it.
func (a Activation) phiD1(x float64) (float64, float64) {
	switch a {
	case Tanh:
		t := math.Tanh(x)
		return t, 1 - t*t
	case Sigmoid:
		s := sigmoid(x)
		return s, s * (1 - s)
	case RectifiedTanh:
		if x > 0 {
			t := math.Tanh(x)
			return t, 1 - t*t
		}
		if x == 0 {
			return 0, 1
		}
		return 0, 0
	}
	return a.Phi(x), a.D1(x)
}
