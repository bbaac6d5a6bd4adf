package krylov_test

import (
	"fmt"
	"os"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/kernel"
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
// state on the attractor of a random g = 1.5 tanh network: GMRES with
// m = min(n, 1200) (products through JacVecAt, phi' computed once) at relative
// tolerances 1e-12 and 1e-6, against forming J and solving by gonum's LU.
// iters/op is the GMRES iteration count.
func BenchmarkNewtonStep(b *testing.B) {
	for _, n := range []int{512, 1024, 2048, 4096} {
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
				ws := krylov.NewGMRES(n, min(n, 1200))
				d, x := make([]float64, n), make([]float64, n)
				op := func(dst, v []float64) { net.JacVecAt(dst, d, v) }
				s := &krylov.Settings{Tol: tol, MaxIter: 3000}
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
		if n > 2048 && os.Getenv("FPFIND_KRYLOV_LU4096") == "" {
			continue // about 10 s per LU; opt in with FPFIND_KRYLOV_LU4096=1
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

// BenchmarkLockstep solves the Newton systems of k = 8 states on the
// attractor at once (tolerance 1e-6), the products by one matrix-matrix
// product V W^T per round (gonum's Dgemm), or by the dual AVX2 kernel
// (internal/kernel.Gemv2: one pass over W for two vectors), against the
// same 8 solves one by one through JacVecAt. m = min(n, 1000) so that no
// system restarts.
func BenchmarkLockstep(b *testing.B) {
	const k = 8
	for _, n := range []int{1024, 2048} {
		net := tanhNet(b, n, 1.5, 1)
		w := net.W()
		d := mat.NewDense(k, n, nil)
		rhs := mat.NewDense(k, n, nil)
		f := make([]float64, n)
		for i := range k {
			h := attractorState(net, uint64(10+i))
			net.PhiPrime(d.RawRowView(i), h)
			net.Field(f, h)
			for j := range f {
				f[j] = -f[j]
			}
			rhs.SetRow(i, f)
		}
		s := &krylov.Settings{Tol: 1e-6, MaxIter: 2000}
		b.Run(fmt.Sprintf("n=%d/k=%d/lockstep", n, k), func(b *testing.B) {
			b.ReportAllocs()
			l := krylov.NewLockstep(k, n, min(n, 1000))
			x := mat.NewDense(k, n, nil)
			batch := func(dst, v *mat.Dense) {
				dst.Mul(v, w.T())
				for i := range k {
					di, vi, oi := d.RawRowView(i), v.RawRowView(i), dst.RawRowView(i)
					for j := range oi {
						oi[j] = di[j]*oi[j] - vi[j]
					}
				}
			}
			for b.Loop() {
				x.Zero()
				if _, err := l.Solve(batch, rhs, x, s); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/k=%d/lockstep-gemv2", n, k), func(b *testing.B) {
			b.ReportAllocs()
			l := krylov.NewLockstep(k, n, min(n, 1000))
			x := mat.NewDense(k, n, nil)
			raw := net.RawW()
			batch := func(dst, v *mat.Dense) {
				for i := 0; i < k; i += 2 {
					o1, o2 := dst.RawRowView(i), dst.RawRowView(i+1)
					v1, v2 := v.RawRowView(i), v.RawRowView(i+1)
					kernel.Gemv2(o1, o2, 0, raw.Data, raw.Stride, v1, v2)
					for r, o := range [2][]float64{o1, o2} {
						di, vi := d.RawRowView(i+r), v.RawRowView(i+r)
						for j := range o {
							o[j] = di[j]*o[j] - vi[j]
						}
					}
				}
			}
			for b.Loop() {
				x.Zero()
				if _, err := l.Solve(batch, rhs, x, s); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/k=%d/separate", n, k), func(b *testing.B) {
			b.ReportAllocs()
			ws := krylov.NewGMRES(n, min(n, 1000))
			x := make([]float64, n)
			var di []float64
			op := func(dst, v []float64) { net.JacVecAt(dst, di, v) }
			for b.Loop() {
				for i := range k {
					di = d.RawRowView(i)
					clear(x)
					if _, err := ws.Solve(op, rhs.RawRowView(i), x, s); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
