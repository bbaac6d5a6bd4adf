package fixedpoint

import (
	"context"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/nettest"
)

// Polish leaves the state where the speed phase left it when it fails,
// with dense and with matrix-free Newton steps (whose GMRES right-hand side
// once shared the scratch vector polish keeps the state in).
func TestPolishFailureRestoresState(t *testing.T) {
	const n = 60
	rng := rand.New(rand.NewPCG(5, 6))
	net := nettest.Must(t, dynamics.Config{W: nettest.GaussianW(rng, n, 1.5)})
	for _, lin := range []Linear{LinearLU, LinearMatrixFree} {
		wk, x := testWorker(t, net, &Settings{Linear: lin}, rng) // x far from any fixed point
		want := append([]float64(nil), x...)
		// Polish keeps the state in w.bx while Newton steps run; they must
		// leave it alone (they once kept GMRES's right-hand side there).
		copy(wk.bx, x)
		y := append([]float64(nil), x...)
		wk.newton(y, polishIter, false)
		for i := range x {
			if wk.bx[i] != want[i] {
				t.Fatalf("%v: Newton steps changed the saved state at [%d]", lin, i)
			}
		}
		// From a far state polish does not try, and leaves x and w.f as
		// they were.
		net.Field(wk.f, x)
		if e := wk.polish(x, endLimit); e != endLimit {
			t.Fatalf("%v: polish from a far state ended %v", lin, e)
		}
		for i := range x {
			if x[i] != want[i] {
				t.Fatalf("%v: polish changed x[%d] from %v to %v", lin, i, want[i], x[i])
			}
		}
		f := make([]float64, n)
		net.Field(f, x)
		for i := range f {
			if f[i] != wk.f[i] {
				t.Fatalf("%v: w.f is not F(x) after polish", lin)
			}
		}
	}
}

// A matrix-free run that starts next to an unstable fixed point whose
// Jacobian's spectrum surrounds the origin (the origin of a chaotic g = 1.5
// network, N = 600) ends fixed to Tol: hooksteps in a Krylov space of 100
// products and L-BFGS on the ill-conditioned q both stall there (without
// the dense polish, 3 of the 4 runs of the first network and 3 of the
// second ended not converged at max|F| 1.1-2e-10), and the dense polish
// resolves it with one LU factorisation per run.
func TestMatrixFreeDensePolish(t *testing.T) {
	for _, seed := range []uint64{2, 6} {
		densePolishCase(t, seed)
	}
}

func densePolishCase(t *testing.T, seed uint64) {
	const n, starts = 600, 4
	rng := rand.New(rand.NewPCG(seed, 1))
	net := nettest.Must(t, dynamics.Config{W: nettest.GaussianW(rng, n, 1.5)})
	inits := mat.NewDense(starts, n, nil)
	for i := range starts {
		for j := range n {
			inits.Set(i, j, 1e-6*rng.NormFloat64())
		}
	}
	res, err := Find(context.Background(), net, inits, &Settings{Linear: LinearMatrixFree, MaxIter: 20, Deflation: -1, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res.Runs {
		if r.Status != Fixed || !(r.Residual <= DefaultTol) {
			t.Errorf("seed %d run %d: %v, max|F| %.2g", seed, i, r.Status, r.Residual)
		}
		if d := normInf(r.Final); d > 1e-6 {
			t.Errorf("seed %d run %d: fixed point %.2g from the origin", seed, i, d)
		}
	}
	if res.Stats.Factorizations == 0 {
		t.Errorf("seed %d: no LU factorisation: %+v", seed, res.Stats)
	}
}
