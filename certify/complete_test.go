package certify

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/nettest"
	"github.com/fpfind/fpfind/internal/pythontest"
	"github.com/fpfind/fpfind/io/netfile"
)

// m2 is the positive root of m = tanh(2 m).
const m2 = 0.957504024077269

// sameSet checks that Complete proved exactly the points want (within
// tol, and each inside its certified ball), and that it is complete.
func sameSet(t *testing.T, name string, r *CompleteResult, want [][]float64, tol float64) {
	t.Helper()
	if !r.Complete || len(r.Undecided) != 0 {
		t.Errorf("%s: %s", name, r)
	}
	if len(r.Points) != len(want) {
		t.Errorf("%s: %d points, want %d: %v", name, len(r.Points), len(want), r.Points)
		return
	}
	for _, w := range want {
		k := slices.IndexFunc(r.Points, func(p []float64) bool { return maxDist(p, w) <= tol })
		if k < 0 {
			t.Errorf("%s: no point near %v in %v", name, w, r.Points)
			continue
		}
		if c := r.Certs[k]; !c.Certified() || maxDist(r.Points[k], w) > c.Radius {
			t.Errorf("%s: point %v: %+v", name, r.Points[k], c)
		}
	}
}

// TestCompleteKnown: networks whose every fixed point is known in closed
// form (up to m2 and m15, roots of one-dimensional equations).
func TestCompleteKnown(t *testing.T) {
	ctx := context.Background()
	// One unit, w = 2: 0 and +-m2.
	one := nettest.Must(t, dynamics.Config{W: mat.NewDense(1, 1, []float64{2})})
	r, err := Complete(ctx, one, CompleteSettings{})
	if err != nil {
		t.Fatal(err)
	}
	sameSet(t, "one unit", r, [][]float64{{0}, {m2}, {-m2}}, 1e-12)

	// Two units, W = diag(1.5, 0.5): 0 and (+-m15, 0); the origin lies on
	// the first bisection plane.
	const m15 = 0.858559636640110
	two := nettest.Must(t, dynamics.Config{W: mat.NewDense(2, 2, []float64{1.5, 0, 0, 0.5})})
	r, _ = Complete(ctx, two, CompleteSettings{})
	sameSet(t, "two units", r, [][]float64{{0, 0}, {m15, 0}, {-m15, 0}}, 1e-12)

	// A Hopfield network of 6 units storing xi1 = 1 and xi2 = (1, 1, 1,
	// -1, -1, -1) with W = (2/6) sum xi xi^T: units 1-3 share p, 4-6 q,
	// with p = tanh(2p) and q = tanh(2q) independently: 9 points.
	xi := [][]float64{{1, 1, 1, 1, 1, 1}, {1, 1, 1, -1, -1, -1}}
	w := mat.NewDense(6, 6, nil)
	for _, x := range xi {
		for i := range 6 {
			for j := range 6 {
				w.Set(i, j, w.At(i, j)+2*x[i]*x[j]/6)
			}
		}
	}
	hop := nettest.Must(t, dynamics.Config{W: w})
	var want [][]float64
	for _, p := range []float64{0, m2, -m2} {
		for _, q := range []float64{0, m2, -m2} {
			want = append(want, []float64{p, p, p, q, q, q})
		}
	}
	r, _ = Complete(ctx, hop, CompleteSettings{})
	sameSet(t, "Hopfield, 6 units, 2 patterns", r, want, 1e-12)

	// Three units with input and bias, set so that h* is a root, and a
	// stable network (|W| small): h* is the only fixed point.
	hs := []float64{0.3, -0.6, 0.8}
	ws := mat.NewDense(3, 3, []float64{0.2, -0.1, 0.3, 0.1, 0.25, -0.2, -0.3, 0.1, 0.2})
	win := mat.NewDense(3, 1, []float64{1, -0.5, 0.3})
	b := make([]float64, 3)
	for i := range 3 {
		b[i] = math.Atanh(hs[i]) - 0.7*win.At(i, 0)
		for j := range 3 {
			b[i] -= ws.At(i, j) * hs[j]
		}
	}
	three := nettest.Must(t, dynamics.Config{W: ws, WIn: win, U: []float64{0.7}, B: b})
	r, _ = Complete(ctx, three, CompleteSettings{})
	sameSet(t, "three units with input", r, [][]float64{hs}, 1e-14)
}

// TestCompleteRefuses: unbounded activations are refused, and a budget
// too small leaves boxes undecided and the set not complete.
func TestCompleteRefuses(t *testing.T) {
	ctx := context.Background()
	for _, a := range []dynamics.Activation{dynamics.ReLU, dynamics.Linear, dynamics.Softplus} {
		net := nettest.Must(t, dynamics.Config{W: mat.NewDense(1, 1, []float64{0.5}), Activation: a})
		if _, err := Complete(ctx, net, CompleteSettings{}); !errors.Is(err, ErrUnbounded) {
			t.Errorf("%s: %v, want ErrUnbounded", a, err)
		}
	}
	net := randomNet(6, 1)
	r, err := Complete(ctx, net, CompleteSettings{MaxBoxes: 3})
	if err != nil {
		t.Fatal(err)
	}
	if r.Complete || len(r.Undecided) == 0 {
		t.Errorf("3 boxes: %s", r)
	}
	// Sigmoid and rectified-tanh networks have bounded ranges: [0, 1].
	for _, a := range []dynamics.Activation{dynamics.Sigmoid, dynamics.RectifiedTanh} {
		net := nettest.Must(t, dynamics.Config{W: mat.NewDense(2, 2, []float64{4, -1, 0.5, 3}), B: []float64{-2, -1}, Activation: a})
		r, err := Complete(ctx, net, CompleteSettings{})
		if err != nil || !r.Complete {
			t.Fatalf("%s: %v %v", a, r, err)
		}
		f := make([]float64, 2)
		for k, p := range r.Points {
			net.Field(f, p)
			if math.Max(math.Abs(f[0]), math.Abs(f[1])) > 1e-12 || p[0] < 0 || p[1] > 1 {
				t.Errorf("%s: point %d at %v, F = %v", a, k, p, f)
			}
		}
	}
}

// randomNet is a tanh network of n units, W = 2 N(0,1)/sqrt(n) and b =
// 0.3 N(0,1): several fixed points, no symmetry.
func randomNet(n int, seed uint64) *dynamics.Network {
	rng := rand.New(rand.NewPCG(seed, 7))
	w := nettest.GaussianW(rng, n, 2)
	b := make([]float64, n)
	for i := range b {
		b[i] = 0.3 * rng.NormFloat64()
	}
	net, err := dynamics.New(dynamics.Config{W: w, B: b})
	if err != nil {
		panic(err)
	}
	return net
}

// scipyRoots is the exhaustive search of the reference: scipy's root
// (hybr, analytic Jacobian) from every point of a grid of levels^n
// starts, the converged roots (max |F| <= 1e-10) deduplicated at 1e-6.
const scipyRoots = `
import itertools, json, sys
import numpy as np
from scipy.optimize import root
d = json.load(sys.stdin)
W, b, levels = np.array(d["W"]), np.array(d["b"]), d["levels"]
n = len(b)
F = lambda h: -h + np.tanh(W @ h + b)
J = lambda h: -np.eye(n) + (1 - np.tanh(W @ h + b) ** 2)[:, None] * W
roots = []
for s in itertools.product(levels, repeat=n):
    r = root(F, np.array(s), jac=J, method="hybr")
    if r.success and np.max(np.abs(F(r.x))) <= 1e-10:
        if not any(np.max(np.abs(r.x - q)) <= 1e-6 for q in roots):
            roots.append(r.x)
print(json.dumps([list(q) for q in roots]))
`

// TestCompleteAgainstScipy: on random 6- and 7-unit networks (with 5
// fixed points each; larger ones run in bench/certify.py) the complete
// set holds every root scipy finds from a dense grid of starts (each in
// its certified ball), and every point of the set is certified.
func TestCompleteAgainstScipy(t *testing.T) {
	pythontest.Need(t, "numpy", "scipy")
	for _, c := range []struct {
		n      int
		seed   uint64
		levels []float64
	}{
		{6, 3, []float64{-0.9, -0.3, 0.3, 0.9}},
		{6, 11, []float64{-0.9, -0.3, 0.3, 0.9}},
		{7, 9, []float64{-0.8, 0, 0.8}},
	} {
		net := randomNet(c.n, c.seed)
		r, err := Complete(context.Background(), net, CompleteSettings{})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Complete {
			t.Fatalf("N = %d seed %d: %s", c.n, c.seed, r)
		}
		w := net.W()
		rows := make([][]float64, c.n)
		for i := range rows {
			rows[i] = w.RawRowView(i)
		}
		in, _ := json.Marshal(map[string]any{"W": rows, "b": net.B(), "levels": c.levels})
		var roots [][]float64
		if err := json.Unmarshal([]byte(pythontest.Run(t, scipyRoots, string(in))), &roots); err != nil {
			t.Fatal(err)
		}
		for _, q := range roots {
			if !slices.ContainsFunc(r.Points, func(p []float64) bool {
				k := slices.IndexFunc(r.Points, func(x []float64) bool { return &x[0] == &p[0] })
				return maxDist(p, q) <= r.Certs[k].Radius
			}) {
				t.Errorf("N = %d seed %d: scipy's root %v is in no certified ball of the complete set", c.n, c.seed, q)
			}
		}
		for k, p := range r.Points {
			if !r.Certs[k].Certified() {
				t.Errorf("N = %d seed %d: point %v not certified", c.n, c.seed, p)
			}
		}
		t.Logf("N = %d seed %d: %s; scipy found %d roots from %d starts", c.n, c.seed, r, len(roots), int(math.Pow(float64(len(c.levels)), float64(c.n))))
		if len(roots) < 3 {
			t.Errorf("scipy found %d roots: the reference did not run as it should", len(roots))
		}
	}
}

// TestCompleteLowRank: the 16-unit Hopfield network of testdata (W =
// (2/16) sum of xi xi^T over 3 orthogonal +-1 patterns, rank 3) is
// searched over the 3 coordinates V^T h. Its set is complete and is the
// one testdata/README.md lists from scipy's 6000 starts: 51 points, among
// them the 6 memories +-m2 xi_k and the origin, every one certified.
func TestCompleteLowRank(t *testing.T) {
	l, err := netfile.LoadNetwork(filepath.Join("..", "testdata", "hopfield.npz"), nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Complete(context.Background(), l.Network, CompleteSettings{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Complete || r.Rank != 3 || len(r.Points) != 51 {
		t.Fatalf("%s, rank %d; want 51 points, complete, searched in rank 3", r, r.Rank)
	}
	pat, _ := l.OtherArray("patterns").Float64s()
	want := [][]float64{make([]float64, 16)}
	for k := range 3 {
		for _, sign := range []float64{1, -1} {
			x := make([]float64, 16)
			for i := range x {
				x[i] = sign * m2 * pat[k*16+i]
			}
			want = append(want, x)
		}
	}
	for _, w := range want {
		if !slices.ContainsFunc(r.Points, func(p []float64) bool { return maxDist(p, w) < 1e-12 }) {
			t.Errorf("no point at %v", w)
		}
	}
	for k, c := range r.Certs {
		if !c.Certified() {
			t.Errorf("point %d not certified: %+v", k, c)
		}
	}
}

// TestLowRankAgrees: on a Hopfield network of 8 units storing 2 patterns
// (rank 2) the search over V^T h and the search over h prove the same set.
func TestLowRankAgrees(t *testing.T) {
	xi := [][]float64{{1, -1, 1, 1, -1, 1, -1, -1}, {1, 1, -1, 1, -1, -1, 1, -1}}
	w := mat.NewDense(8, 8, nil)
	for _, x := range xi {
		for i := range 8 {
			for j := range 8 {
				w.Set(i, j, w.At(i, j)+1.8*x[i]*x[j]/8)
			}
		}
	}
	net := nettest.Must(t, dynamics.Config{W: w, B: []float64{0.05, 0, 0, -0.02, 0, 0, 0.01, 0}})
	low, _ := Complete(context.Background(), net, CompleteSettings{})
	direct, _ := Complete(context.Background(), net, CompleteSettings{Direct: true})
	if low.Rank != 2 || direct.Rank != 0 || !low.Complete || !direct.Complete {
		t.Fatalf("low rank: %s (rank %d); direct: %s (rank %d)", low, low.Rank, direct, direct.Rank)
	}
	sameSet(t, "low rank vs direct", low, direct.Points, 1e-12)
	t.Logf("%d points; low rank %d boxes, direct %d", len(low.Points), low.Examined, direct.Examined)
}
