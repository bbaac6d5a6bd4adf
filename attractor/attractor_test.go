package attractor

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/explore"
	"github.com/fpfind/fpfind/internal/nettest"
	"github.com/fpfind/fpfind/io/netfile"
	"github.com/fpfind/fpfind/linearize"
)

// found returns the points explore finds on net (64 sampled initial
// states) and their spectra.
func found(t *testing.T, net *dynamics.Network) ([][]float64, []*linearize.Spectrum) {
	t.Helper()
	r, err := explore.Find(context.Background(), net, &explore.Settings{Sample: explore.Sample{Count: 64, Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	var xs [][]float64
	for _, p := range r.Points {
		xs = append(xs, p.X)
	}
	return xs, r.Spectra
}

func attractors(t *testing.T, net *dynamics.Network, xs [][]float64, sps []*linearize.Spectrum) []Attractor {
	t.Helper()
	as, err := Find(context.Background(), net, xs, sps, nil)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

// ringNet is n tanh units with W_ij = (g/n) cos(theta_i - theta_j).
func ringNet(t testing.TB, n int, g float64) *dynamics.Network {
	w := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			w.Set(i, j, g/float64(n)*math.Cos(2*math.Pi*float64(i-j)/float64(n)))
		}
	}
	return nettest.Must(t, dynamics.Config{W: w})
}

// TestRing: the cosine ring network's bumps h_i = tanh(A cos(theta_i -
// psi)) form a ring of fixed points of length 2 pi |dh/dpsi|, with
// |dh/dpsi|^2 = sum_i (A sin(theta_i - psi) (1 - h_i^2))^2 the same at
// every psi; every bump found lies on the one ring reported, the origin
// does not.
func TestRing(t *testing.T) {
	const n = 48
	net := ringNet(t, n, 4)
	xs, sps := found(t, net)
	as := attractors(t, net, xs, sps)
	if len(as) != 1 {
		t.Fatalf("%d attractors, want one ring", len(as))
	}
	a := as[0]
	if a.Kind != Ring || a.Dim != 1 || !a.Closed || a.Truncated {
		t.Fatalf("%s dim %d closed %v truncated %v, want a closed ring of dimension 1", a.Kind, a.Dim, a.Closed, a.Truncated)
	}
	// The analytic length, from the amplitude and phase of x = W h at one
	// sample.
	h := a.Samples[0]
	x := make([]float64, n)
	net.PreActivation(x, h)
	var c, s, x2 float64
	for i, v := range x {
		th := 2 * math.Pi * float64(i) / n
		c, s, x2 = c+v*math.Cos(th), s+v*math.Sin(th), x2+v*v
	}
	amp, psi := math.Sqrt(2*x2/n), math.Atan2(s, c)
	var d2 float64
	for i, v := range h {
		th := 2 * math.Pi * float64(i) / n
		d := amp * math.Sin(th-psi) * (1 - v*v)
		d2 += d * d
	}
	want := 2 * math.Pi * math.Sqrt(d2)
	if math.Abs(a.Length-want) > 0.01*want {
		t.Errorf("ring length %.4f, want 2 pi |dh/dpsi| = %.4f", a.Length, want)
	}
	for k, sp := range a.Speeds {
		if sp > 1e-10 {
			t.Errorf("sample %d: |F|inf = %g, not a fixed point", k, sp)
		}
		if r := math.Abs(real(a.Slow[k][0])); r > 1e-8 {
			t.Errorf("sample %d: slowest eigenvalue %v, want 0", k, a.Slow[k][0])
		}
	}
	for k, p := range xs {
		origin := slices.Max(p) < 1e-6 && slices.Min(p) > -1e-6
		if on := slices.Contains(a.Points, k); on == origin {
			t.Errorf("point %d (origin %v): on the ring %v", k, origin, on)
		}
	}
}

// orthoW returns Q diag(eig) Q^T for a random orthogonal Q.
func orthoW(n int, eig []float64, seed uint64) (*mat.Dense, *mat.Dense) {
	rng := rand.New(rand.NewPCG(seed, 1))
	a := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			a.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var q, tmp, w mat.Dense
	qr.QTo(&q)
	tmp.Mul(&q, mat.NewDiagDense(n, eig))
	w.Mul(&tmp, q.T())
	return &w, &q
}

// TestLinearLine: a linear network whose I - W has a one-dimensional null
// space q_1 (and b orthogonal to it) has the line of fixed points h0 + t
// q_1: the line reported is straight (its length is the distance between
// its ends), its samples lie on it, and it is truncated (it has no end).
func TestLinearLine(t *testing.T) {
	w, q := orthoW(6, []float64{1, 0.5, 0.3, 0.2, 0.1, -0.4}, 1)
	b := make([]float64, 6)
	for i := range b {
		b[i] = 0.3*q.At(i, 1) - 0.2*q.At(i, 3) // in the range of I - W
	}
	net := nettest.Must(t, dynamics.Config{W: w, B: b, Activation: dynamics.Linear})
	xs, sps := found(t, net)
	as := attractors(t, net, xs, sps)
	if len(as) != 1 || as[0].Kind != Line || as[0].Dim != 1 || !as[0].Truncated {
		t.Fatalf("%+v, want one truncated line", as)
	}
	a := as[0]
	ends := dist(a.Samples[0], a.Samples[len(a.Samples)-1])
	if math.Abs(a.Length-ends) > 1e-9*ends {
		t.Errorf("length %g, distance between the ends %g: not straight", a.Length, ends)
	}
	for k, y := range a.Samples {
		// y - h0 is along q_1: its components along q_2..q_6 are those of
		// h0, the same at every sample.
		for j := 1; j < 6; j++ {
			var c0, c float64
			for i := range 6 {
				c0 += q.At(i, j) * a.Samples[0][i]
				c += q.At(i, j) * y[i]
			}
			if math.Abs(c-c0) > 1e-9 {
				t.Fatalf("sample %d leaves the line along q_%d by %g", k, j+1, c-c0)
			}
		}
	}
	if len(a.Points) != len(xs) {
		t.Errorf("%d of the %d points on the line", len(a.Points), len(xs))
	}
}

// TestPlane: with a two-dimensional null space the fixed points fill a
// plane: one manifold of dimension 2 holding every point found.
func TestPlane(t *testing.T) {
	w, _ := orthoW(6, []float64{1, 1, 0.3, 0.2, 0.1, -0.4}, 2)
	net := nettest.Must(t, dynamics.Config{W: w, Activation: dynamics.Linear})
	xs, sps := found(t, net)
	as := attractors(t, net, xs, sps)
	if len(as) != 1 || as[0].Kind != Manifold || as[0].Dim != 2 || !math.IsNaN(as[0].Length) {
		t.Fatalf("%d attractors (%+v), want one manifold of dimension 2", len(as), as)
	}
	if len(as[0].Points) != len(xs) {
		t.Errorf("%d of the %d points on the plane", len(as[0].Points), len(xs))
	}
}

// TestIntegrator: the network trained to integrate pulses
// (testdata/integrator.npz, scripts/train_integrator.py) holds its
// running sum on a line attractor through its fixed points: one line, on
// which the readout W_out h + b_out takes the values of the sums it was
// trained on (within [-0.9, 0.9], over at least [-0.5, 0.5]).
func TestIntegrator(t *testing.T) {
	l, err := netfile.LoadNetwork(filepath.Join("..", "testdata", "integrator.npz"), nil)
	if err != nil {
		t.Fatal(err)
	}
	net := l.Network
	xs, sps := found(t, net)
	as := attractors(t, net, xs, sps)
	if len(as) != 1 || as[0].Kind != Line || as[0].Dim != 1 {
		t.Fatalf("%d attractors, want one line: %+v", len(as), as)
	}
	a := as[0]
	if len(a.Points) != len(xs) {
		t.Errorf("%d of the %d fixed points on the line", len(a.Points), len(xs))
	}
	wout, _ := l.OtherArray("W_out").Float64s()
	bout, _ := l.OtherArray("b_out").Float64s()
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, y := range a.Samples {
		v := bout[0]
		for i, h := range y {
			v += wout[i] * h
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	t.Logf("line of %d samples, length %.3f, readout over [%.3f, %.3f]", len(a.Samples), a.Length, lo, hi)
	if lo > -0.5 || hi < 0.5 || lo < -1.2 || hi > 1.2 {
		t.Errorf("the readout along the line covers [%.3f, %.3f], want at least [-0.5, 0.5] within [-1.2, 1.2]", lo, hi)
	}
}

// TestIsolated: networks whose points are isolated report none: the
// flip-flop and Hopfield networks (no slow mode), and a linear network
// whose one fixed point has a slow mode (tau = 33) along which the flow
// speeds up at once.
func TestIsolated(t *testing.T) {
	for _, name := range []string{"flipflop.npz", "hopfield.npz"} {
		l, err := netfile.LoadNetwork(filepath.Join("..", "testdata", name), nil)
		if err != nil {
			t.Fatal(err)
		}
		xs, sps := found(t, l.Network)
		if as := attractors(t, l.Network, xs, sps); len(as) != 0 {
			t.Errorf("%s: %d attractors: %+v", name, len(as), as[0])
		}
	}
	w, _ := orthoW(3, []float64{0.97, 0.2, -0.5}, 3)
	net := nettest.Must(t, dynamics.Config{W: w, B: []float64{0.1, -0.2, 0.3}, Activation: dynamics.Linear})
	xs, sps := found(t, net)
	if n := linearize.Classify(sps[0].NUnstable, sps[0].NMarginal, 3); len(xs) != 1 || n != linearize.Stable {
		t.Fatalf("%d points, class %s", len(xs), n)
	}
	if as := attractors(t, net, xs, sps); len(as) != 0 {
		t.Errorf("an isolated point with a slow mode: %+v", as[0])
	}
}

// TestWorkersSameResult: tracing ahead on several goroutines gives the
// attractors of tracing one candidate after another, bit for bit: on the
// ring network every bump after the first is covered by the ring traced
// from it (the workers' traces from them are dropped), and on the
// integrator every point is on the one line.
func TestWorkersSameResult(t *testing.T) {
	l, err := netfile.LoadNetwork(filepath.Join("..", "testdata", "integrator.npz"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, net := range map[string]*dynamics.Network{"ring": ringNet(t, 32, 4), "integrator": l.Network} {
		xs, sps := found(t, net)
		var want string
		for _, w := range []int{1, 2, 3, 5} {
			as, err := Find(context.Background(), net, xs, sps, &Settings{Workers: w})
			if err != nil {
				t.Fatal(err)
			}
			if len(as) == 0 {
				t.Fatalf("%s: no attractor", name)
			}
			got := fmt.Sprintf("%v", as) // floats printed exactly (shortest round-trip form)
			if w == 1 {
				want = got
			} else if got != want {
				t.Errorf("%s: %d workers give other attractors than 1", name, w)
			}
		}
		if n := len(xs); n < 3 {
			t.Errorf("%s: %d points, too few for candidates to be covered", name, n)
		}
	}
}
