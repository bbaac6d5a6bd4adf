package krylov_test

import (
	"fmt"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/krylov"
)

// attractorState returns a state of the random g = 1.5 tanh network after
// t = 20 time units of forward Euler (dt = 0.1) from a random state in
// (-1,1)^N: a state on the chaotic attractor, of the kind fpfind samples
// initial states from and Newton passes through (mean phi' about 0.6, as at
// its fixed points).
func attractorState(net *dynamics.Network, seed uint64) []float64 {
	n := net.Dim()
	rnd := newRand(seed, 0)
	h, f := make([]float64, n), make([]float64, n)
	for i := range h {
		h[i] = 2*rnd.Float64() - 1
	}
	for range 200 {
		net.Field(f, h)
		for i := range h {
			h[i] += 0.1 * f[i]
		}
	}
	return h
}

// BenchmarkNewtonStep times one Newton step's linear solve J d = -F at a
// state on the attractor of a random g = 1.5 tanh network: full GMRES
// (m = 400, products through JacVecAt, phi' computed once) at relative
// tolerances 1e-12 and 1e-6, against forming J and solving by gonum's LU.
// iters/op is the GMRES iteration count.
func BenchmarkNewtonStep(b *testing.B) {
	for _, n := range []int{1024, 2048, 4096} {
		net := tanhNet(b, n, 1.5, 1)
		h := attractorState(net, 2)
		f := make([]float64, n)
		net.Field(f, h)
		rhs := make([]float64, n)
		for i := range rhs {
			rhs[i] = -f[i]
		}
		for _, tol := range []float64{1e-12, 1e-6} {
			b.Run(fmt.Sprintf("n=%d/gmres/tol=%g", n, tol), func(b *testing.B) {
				b.ReportAllocs()
				ws := krylov.NewGMRES(n, 400)
				d, x := make([]float64, n), make([]float64, n)
				op := func(dst, v []float64) { net.JacVecAt(dst, d, v) }
				s := &krylov.Settings{Tol: tol, MaxIter: 2000}
				var res krylov.Result
				for b.Loop() {
					net.PhiPrime(d, h)
					clear(x)
					var err error
					res, err = ws.Solve(op, rhs, x, s)
					if err != nil || res.Status != krylov.Converged {
						b.Fatalf("%v %v", res.Status, err)
					}
				}
				b.ReportMetric(float64(res.Iter), "iters/op")
			})
		}
		if n > 2048 {
			continue
		}
		b.Run(fmt.Sprintf("n=%d/lu", n), func(b *testing.B) {
			b.ReportAllocs()
			j := mat.NewDense(n, n, nil)
			x := mat.NewVecDense(n, nil)
			rv := mat.NewVecDense(n, rhs)
			var lu mat.LU
			for b.Loop() {
				net.Jacobian(j, h)
				lu.Factorize(j)
				if err := lu.SolveVecTo(x, false, rv); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkJacVecAt is the unit cost of a GMRES iteration's product.
func BenchmarkJacVecAt(b *testing.B) {
	for _, n := range []int{1024, 2048, 4096} {
		net := tanhNet(b, n, 1.5, 1)
		rnd := newRand(3, 0)
		d, v, dst := make([]float64, n), randVec(rnd, n), make([]float64, n)
		for i := range d {
			d[i] = rnd.Float64()
		}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				net.JacVecAt(dst, d, v)
			}
		})
	}
}
