package linearize

import (
	"fmt"
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
)

// InputJacobian returns how the input pushes the state at h, in the
// network's convention: dF/du = diag(phi'(x)/tau) W_in (N x M) for
// Continuous, and the derivative of one step of the map, alpha tau dF/du =
// alpha diag(phi') W_in (Leaky) or diag(phi') W_in (Discrete). Its columns
// are what [Spectrum.LeftOverlap] takes. It returns an error when the network
// has no input or h is not finite.
func InputJacobian(net *dynamics.Network, h []float64) (*mat.Dense, error) {
	if len(h) != net.Dim() {
		panic("linearize: state length mismatch")
	}
	if net.Inputs() == 0 {
		return nil, fmt.Errorf("linearize: network has no input (W_in is absent)")
	}
	for i, v := range h {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("linearize: state has non-finite value %v at [%d]", v, i)
		}
	}
	var b mat.Dense
	net.InputJacobian(&b, h)
	switch net.Convention() {
	case dynamics.Leaky:
		b.Scale(net.Alpha()*net.Tau(0), &b)
	case dynamics.Discrete:
		r, c := b.Dims()
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				b.Set(i, j, b.At(i, j)*net.Tau(i))
			}
		}
	}
	return &b, nil
}

// LeftOverlap writes u_k^H v for every mode k into dst and returns it (a nil
// dst is allocated). With biorthonormal left vectors, v = sum_k r_k
// (u_k^H v): the overlap is the amplitude with which a push along v (an
// input direction, a column of [InputJacobian]) excites mode k. It panics
// when the spectrum has no left vectors or on a length mismatch.
func (s *Spectrum) LeftOverlap(dst []complex128, v []float64) []complex128 {
	if s.Left == nil {
		panic("linearize: spectrum has no left vectors")
	}
	return overlap(dst, s.Left, v, true)
}

// RightOverlap writes w^T r_k for every mode k into dst and returns it (a
// nil dst is allocated): how strongly mode k shows in the readout w^T h. r_k
// has unit norm. It panics when the spectrum has no right vectors or on a
// length mismatch.
func (s *Spectrum) RightOverlap(dst []complex128, w []float64) []complex128 {
	if s.Right == nil {
		panic("linearize: spectrum has no right vectors")
	}
	return overlap(dst, s.Right, w, false)
}

func overlap(dst []complex128, m *mat.CDense, v []float64, conj bool) []complex128 {
	n, _ := m.Dims()
	if len(v) != n {
		panic("linearize: slice length mismatch")
	}
	if dst == nil {
		dst = make([]complex128, n)
	} else if len(dst) != n {
		panic("linearize: slice length mismatch")
	}
	r := m.RawCMatrix()
	for k := range dst {
		dst[k] = 0
	}
	for i, x := range v {
		row := r.Data[i*r.Stride : i*r.Stride+n]
		cx := complex(x, 0)
		for k, e := range row {
			if conj {
				e = cmplx.Conj(e)
			}
			dst[k] += e * cx
		}
	}
	return dst
}
