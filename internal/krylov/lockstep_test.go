package krylov_test

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/krylov"
)

// TestLockstepMatchesSolve: three different systems (one with b = 0) in
// lockstep, with a batch operator doing the same per-row products, give
// results bit-identical to separate GMRES.Solve calls.
func TestLockstepMatchesSolve(t *testing.T) {
	const k, n, m = 3, 60, 8
	rnd := newRand(20, 0)
	as := []*mat.Dense{nonsymmetric(rnd, n, 2), nonsymmetric(rnd, n, 1.2), nonsymmetric(rnd, n, 3)}
	b := mat.NewDense(k, n, nil)
	for i := range 2 {
		b.SetRow(i, randVec(rnd, n))
	}
	x := mat.NewDense(k, n, nil)
	batch := func(dst, v *mat.Dense) {
		for i := range k {
			denseOp(as[i])(dst.RawRowView(i), v.RawRowView(i))
		}
	}
	s := &krylov.Settings{Tol: 1e-12}
	l := krylov.NewLockstep(k, n, m)
	res, err := l.Solve(batch, b, x, s)
	if err != nil {
		t.Fatal(err)
	}
	for i := range k {
		xi := make([]float64, n)
		want, err := krylov.NewGMRES(n, m).Solve(denseOp(as[i]), b.RawRowView(i), xi, s)
		if err != nil {
			t.Fatal(err)
		}
		got := res[i]
		if got.Status != want.Status || got.Iter != want.Iter || got.MatVecs != want.MatVecs || math.Float64bits(got.Residual) != math.Float64bits(want.Residual) {
			t.Errorf("system %d: lockstep %v/%d/%d/%g, alone %v/%d/%d/%g", i, got.Status, got.Iter, got.MatVecs, got.Residual, want.Status, want.Iter, want.MatVecs, want.Residual)
		}
		for j, v := range xi {
			if math.Float64bits(v) != math.Float64bits(x.At(i, j)) {
				t.Fatalf("system %d: x[%d] = %v, alone %v", i, j, x.At(i, j), v)
			}
		}
	}
	if res[2].MatVecs != 0 || res[0].Iter == res[1].Iter {
		t.Errorf("expected b = 0 to take no product and the others different counts: %d %d %d", res[0].Iter, res[1].Iter, res[2].MatVecs)
	}
}

// TestLockstepNetwork: Newton systems of one tanh network (g = 0.8) at four
// states, the products of all four by one matrix-matrix product with W,
// against LU on each formed J.
func TestLockstepNetwork(t *testing.T) {
	const k, n = 4, 150
	net := tanhNet(t, n, 0.8, 3)
	w := net.W()
	rnd := newRand(21, 0)
	d := mat.NewDense(k, n, nil)
	b := mat.NewDense(k, n, nil)
	js := make([]*mat.Dense, k)
	h, f := make([]float64, n), make([]float64, n)
	for i := range k {
		for j := range h {
			h[j] = 2*rnd.Float64() - 1
		}
		net.PhiPrime(d.RawRowView(i), h)
		net.Field(f, h)
		for j := range f {
			f[j] = -f[j]
		}
		b.SetRow(i, f)
		js[i] = mat.NewDense(n, n, nil)
		net.Jacobian(js[i], h)
	}
	// Row i of dst = d_i * (W v_i) - v_i: V W^T in one product (tau = 1).
	batch := func(dst, v *mat.Dense) {
		dst.Mul(v, w.T())
		for i := range k {
			di, vi, oi := d.RawRowView(i), v.RawRowView(i), dst.RawRowView(i)
			for j := range oi {
				oi[j] = di[j]*oi[j] - vi[j]
			}
		}
	}
	x := mat.NewDense(k, n, nil)
	res, err := krylov.NewLockstep(k, n, 20).Solve(batch, b, x, &krylov.Settings{Tol: 1e-12})
	if err != nil {
		t.Fatal(err)
	}
	for i := range k {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			want, cond := luSolve(t, js[i], b.RawRowView(i))
			checkSolved(t, res[i], js[i], x.RawRowView(i), b.RawRowView(i), want, cond, 1e-12)
		})
	}
}
