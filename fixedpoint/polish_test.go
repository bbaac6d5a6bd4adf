package fixedpoint

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
)

// Polish leaves the state where the speed phase left it when it fails,
// with dense and with matrix-free Newton steps (whose GMRES right-hand side
// once shared the scratch vector polish keeps the state in).
func TestPolishFailureRestoresState(t *testing.T) {
	const n = 60
	rng := rand.New(rand.NewPCG(5, 6))
	w := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			w.Set(i, j, 1.5*rng.NormFloat64()/math.Sqrt(n))
		}
	}
	net, err := dynamics.New(dynamics.Config{W: w})
	if err != nil {
		t.Fatal(err)
	}
	for _, lin := range []Linear{LinearLU, LinearGMRES} {
		rs, err := resolve(&Settings{Linear: lin})
		if err != nil {
			t.Fatal(err)
		}
		rs.mf = lin == LinearGMRES
		wk := newWorker(context.Background(), net, &rs)
		wk.known, wk.slow = &knownSet{n: n}, &slowSet{}
		wk.div = math.Inf(1)
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.Float64()*2 - 1 // far from any fixed point
		}
		want := append([]float64(nil), x...)
		net.Field(wk.f, x)
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
