package linearize

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
)

// Affine is the linearisation of a network's continuous-time field around
// a state h0: for the displacement d = h - h0,
//
//	dd/dt = F(h0) + J(h0) d,
//
// i.e. tau dd/dt = tau F(h0) - d + phi'(x(h0)) * (W d). Around a fixed point
// F(h0) = 0 and the flow is linear; around a slow point the constant term
// is kept, so the flow is affine. Noise enters as dd = ... dt + (sigma/tau)
// dW (see [Affine.Diffusion]). It is immutable and safe for concurrent use.
type Affine struct {
	// H0 is the expansion point and F0 = F(H0).
	H0, F0 []float64
	// J is the Jacobian J(H0), N x N.
	J *mat.Dense

	invTau []float64
}

// NewAffine returns the linearisation of net's field around h0 (copied).
// It returns an error for a non-finite h0.
func NewAffine(net *dynamics.Network, h0 []float64) (*Affine, error) {
	n := net.Dim()
	if len(h0) != n {
		panic("linearize: state length mismatch")
	}
	for i, v := range h0 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("linearize: state has non-finite value %v at [%d]", v, i)
		}
	}
	a := &Affine{H0: append([]float64(nil), h0...), F0: make([]float64, n), J: &mat.Dense{}, invTau: make([]float64, n)}
	net.Field(a.F0, a.H0)
	net.Jacobian(a.J, a.H0)
	for i := range a.invTau {
		a.invTau[i] = 1 / net.Tau(i)
	}
	return a, nil
}

// Field writes F0 + J d into dst: the drift of the displacement d at time t
// (unused). Its signature is that of ode.Func, so a.Field can be handed to
// ode.Solve directly. dst must not alias d; it allocates nothing.
func (a *Affine) Field(dst []float64, _ float64, d []float64) {
	n := len(a.F0)
	if len(dst) != n || len(d) != n {
		panic("linearize: slice length mismatch")
	}
	if n > 0 && &dst[0] == &d[0] {
		panic("linearize: dst aliases d")
	}
	copy(dst, a.F0)
	blas64.Gemv(blas.NoTrans, 1, a.J.RawMatrix(), blas64.Vector{N: n, Inc: 1, Data: d}, 1, blas64.Vector{N: n, Inc: 1, Data: dst})
}

// Diffusion returns the per-unit noise amplitude sigma/tau_i of the
// network's noise of intensity sigma (docs/DESIGN.md section 1), the diagonal
// diffusion an Euler-Maruyama integrator takes (ode.Noise.Diffusion).
func (a *Affine) Diffusion(sigma float64) []float64 {
	g := make([]float64, len(a.invTau))
	for i, it := range a.invTau {
		g[i] = sigma * it
	}
	return g
}
