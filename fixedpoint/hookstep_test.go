package fixedpoint

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/nettest"
)

// testWorker returns a worker on net with s resolved for it, set
// for a run of its own (no known or slow points, no divergence bound), and
// a state x drawn from rng uniformly in [-1, 1]^n, with F(x) in w.f.
func testWorker(t *testing.T, net *dynamics.Network, s *Settings, rng *rand.Rand) (*worker, []float64) {
	t.Helper()
	n := net.Dim()
	rs, err := resolve(s, net)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorker(context.Background(), net, &rs)
	w.known, w.slow = &knownSet{n: n}, &slowSet{}
	w.div = math.Inf(1)
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.Float64()*2 - 1
	}
	net.Field(w.f, x)
	return w, x
}

// hookWorker returns a matrix-free worker on a random g = 1.5 tanh network
// of n units, with a random state x and F(x) in w.f.
func hookWorker(t *testing.T, n int, seed uint64) (*worker, *dynamics.Network, []float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	net := nettest.Must(t, dynamics.Config{W: nettest.GaussianW(rng, n, 1.5)})
	w, x := testWorker(t, net, &Settings{Linear: LinearMatrixFree}, rng)
	w.hook = newHookNewton(w)
	net.PhiPrime(w.dphi, x)
	return w, net, x
}

// The Arnoldi process keeps an orthonormal basis with J V_k = V_{k+1} Hbar,
// each product checked against JacVecAt, and the residual it estimates by
// Givens rotations is that of the least-squares solution in the space.
func TestArnoldiRelation(t *testing.T) {
	const n = 80
	w, net, _ := hookWorker(t, n, 3)
	hk := w.hook.space
	k := w.hook.arnoldi(w.f, 1e-3)
	if k < 2 || k > hk.k {
		t.Fatalf("dimension %d", k)
	}
	ld := hk.k + 1
	for i := 0; i <= k && i < n; i++ {
		for j := 0; j <= i; j++ {
			want := 0.0
			if i == j {
				want = 1
			}
			if d := math.Abs(dot(hk.basis(i), hk.basis(j)) - want); d > 1e-12 {
				t.Fatalf("v_%d . v_%d off by %.3g", i, j, d)
			}
		}
	}
	jv := make([]float64, n)
	for j := range k {
		net.JacVecAt(jv, w.dphi, hk.basis(j))
		for i := 0; i <= j+1 && i <= k; i++ {
			axpy(-hk.h[j*ld+i], hk.basis(i), jv)
		}
		if r := norm2(jv); r > 1e-12 {
			t.Fatalf("column %d: |J v_j - V h_j| = %.3g", j, r)
		}
	}
	// The least-squares residual of the unconstrained step, directly.
	beta := norm2(w.f)
	if !hk.factorSpace(k, beta) {
		t.Fatal("SVD failed")
	}
	hk.solve(math.Inf(1))
	d := make([]float64, n)
	hk.step(d)
	r := append([]float64(nil), w.f...)
	net.JacVecAt(jv, w.dphi, d)
	axpy(1, jv, r) // F + J d
	if got, est := norm2(r), math.Abs(hk.g[k]); math.Abs(got-est) > 1e-9*beta {
		t.Fatalf("residual %.6g, Givens estimate %.6g", got, est)
	}
	if got := norm2(r); got > 1e-3*beta*(1+1e-9) && k < hk.k {
		t.Fatalf("residual %.3g above the tolerance at dimension %d", got/beta, k)
	}
}

// The trust-region solve in the singular basis agrees with an independent
// solution of the same problem through the normal equations
// (Hbar^T Hbar + mu I) y = Hbar^T beta e_1, mu found by bisection so that
// |y| = delta, and predicts q exactly.
func TestHookSolve(t *testing.T) {
	const n, k = 50, 12
	rng := rand.New(rand.NewPCG(7, 8))
	hk := newHook(n)
	ld := hk.k + 1
	hb := mat.NewDense(k+1, k, nil)
	for j := range k {
		for i := 0; i <= j+1; i++ {
			v := rng.NormFloat64()
			if i == j+1 {
				v = math.Abs(v) + 0.1
			}
			hk.h[j*ld+i] = v
			hb.Set(i, j, v)
		}
	}
	const beta = 3.0
	if !hk.factorSpace(k, beta) {
		t.Fatal("SVD failed")
	}
	b := mat.NewVecDense(k+1, nil)
	b.SetVec(0, beta)
	var ls mat.VecDense
	if err := ls.SolveVec(hb, b); err != nil {
		t.Fatal(err)
	}
	var ata mat.Dense
	ata.Mul(hb.T(), hb)
	var atb mat.VecDense
	atb.MulVec(hb.T(), b)
	ref := func(mu float64) *mat.VecDense {
		var a mat.Dense
		a.CloneFrom(&ata)
		for i := range k {
			a.Set(i, i, a.At(i, i)+mu)
		}
		var y mat.VecDense
		if err := y.SolveVec(&a, &atb); err != nil {
			t.Fatal(err)
		}
		return &y
	}
	full := mat.Norm(&ls, 2)
	for _, delta := range []float64{2 * full, full / 2, full / 10, 1e-3} {
		zn, qp := hk.solve(delta)
		y := mat.NewVecDense(k, nil)
		for j := range k {
			var s float64
			for i := range k {
				s += hk.vs.At(j, i) * hk.z[i]
			}
			y.SetVec(j, s)
		}
		var want *mat.VecDense
		if delta >= full {
			want = &ls
		} else {
			lo, hi := 0.0, 1e6
			for range 200 {
				mid := (lo + hi) / 2
				if mat.Norm(ref(mid), 2) > delta {
					lo = mid
				} else {
					hi = mid
				}
			}
			want = ref(hi)
			if math.Abs(zn-delta) > 1e-6*delta {
				t.Fatalf("delta %.3g: |z| = %.6g, want it on the boundary", delta, zn)
			}
		}
		var diff mat.VecDense
		diff.SubVec(y, want)
		if e := mat.Norm(&diff, 2); e > 1e-6*math.Max(mat.Norm(want, 2), 1e-3) {
			t.Fatalf("delta %.3g: step off the reference by %.3g", delta, e)
		}
		var r mat.VecDense
		r.MulVec(hb, y)
		r.SubVec(b, &r)
		if q := mat.Dot(&r, &r) / 2; math.Abs(q-qp) > 1e-9*beta*beta {
			t.Fatalf("delta %.3g: predicted q %.12g, direct %.12g", delta, qp, q)
		}
	}
}

// From near a fixed point, hooksteps converge to it in a few steps; from a
// state near a known fixed point of a random network the run reaches the
// tolerance with far fewer products than the dimension allows.
func TestNewtonHookConverges(t *testing.T) {
	const n = 120
	w, net, x := hookWorker(t, n, 11)
	// The origin is a fixed point of these networks (no bias); start near it.
	for i := range x {
		x[i] *= 1e-3
	}
	net.Field(w.f, x)
	if e := w.hook.solve(x, 20); e != endFixed {
		t.Fatalf("ended %v, max|F| = %.3g", e, normInf(w.f))
	}
	if normInf(x) > 1e-8 {
		t.Fatalf("converged to %.3g, not the origin", normInf(x))
	}
	f := make([]float64, n)
	net.Field(f, x)
	if r := normInf(f); r > w.s.Tol {
		t.Fatalf("max|F| = %.3g at the end", r)
	}
	if w.c.newton > 6 {
		t.Fatalf("%d steps from 1e-3", w.c.newton)
	}
}
