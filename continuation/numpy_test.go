package continuation

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/pythontest"
)

// numpyArclength is an independent pseudo-arclength continuation in numpy:
// Euclidean arclength, a fixed step, a Newton corrector on the bordered
// system to 1e-13, folds detected by a sign change of the tangent's
// p-component and located by bisection on the step (60 halvings), and the
// branch landed on p = B at the end.
const numpyArclength = `
import sys, json, numpy as np
d = json.load(sys.stdin)
W = np.array(d["W"]); win = np.array(d["win"]); tau = np.array(d["tau"]); A, B = d["from"], d["to"]
n = len(tau)
def F(y):
    return (-y[:n] + np.tanh(W @ y[:n] + win * y[n])) / tau
def G(y):
    s = 1 - np.tanh(W @ y[:n] + win * y[n]) ** 2
    return np.hstack([((s[:, None] * W) - np.eye(n)) / tau[:, None], (s * win / tau)[:, None]])
def correct(y, row, c):
    for _ in range(50):
        r = np.append(F(y), row @ y - c)
        if np.abs(r).max() < 1e-13:
            return y
        y = y - np.linalg.solve(np.vstack([G(y), row]), r)
    raise RuntimeError("corrector")
def tangent(y, prev):
    t = np.linalg.solve(np.vstack([G(y), prev]), np.append(np.zeros(n), 1.0))
    return t / np.linalg.norm(t)
e = np.zeros(n + 1); e[n] = 1
y = correct(np.append(np.array(d["h0"]), A), e, A)
t = tangent(y, e * np.sign(B - A))
ds, folds = 0.01, []
for _ in range(100000):
    yn = correct(y + ds * t, t, t @ y + ds)
    tn = tangent(yn, t)
    if tn[n] * t[n] < 0:
        lo, hi = 0.0, ds
        for _ in range(60):
            s = (lo + hi) / 2
            ys = correct(y + s * t, t, t @ y + s)
            if tangent(ys, t)[n] * t[n] > 0: lo = s
            else: hi = s
        folds.append(ys.tolist())
    if (yn[n] - B) * (y[n] - B) <= 0:
        f = (B - y[n]) / (yn[n] - y[n])
        end = correct(y + f * (yn - y), e, B)
        break
    y, t = yn, tn
json.dump({"folds": folds, "end": end.tolist()}, sys.stdout)
`

// The branch of a 4-unit network along its input, against numpy's
// pseudo-arclength continuation: the same folds (p to 1e-8, the states to
// 1e-6) and the same end state at p = B.
func TestAgainstNumpyArclength(t *testing.T) {
	pythontest.Need(t, "numpy")
	const n = 4
	rng := rand.New(rand.NewPCG(11, 0))
	v := []float64{1, 0.8, -0.6, 1.1}
	w := mat.NewDense(n, n, nil)
	win := make([]float64, n)
	tau := []float64{1, 0.5, 2, 1.5}
	for i := range n {
		win[i] = v[i] + 0.2*rng.NormFloat64()
		for j := range n {
			w.Set(i, j, 1.9*v[i]*v[j]/3.21+0.3*rng.NormFloat64()/2)
		}
	}
	net, err := dynamics.New(dynamics.Config{W: w, WIn: mat.NewDense(n, 1, win), Tau: tau})
	if err != nil {
		t.Fatal(err)
	}
	fam, _ := NewFamily(net, Param{Kind: Input})
	const from, to = -2.0, 2.0
	// The fixed point at u = -2 that the flow reaches from -v.
	h := []float64{-1, -1, 1, -1}
	f := make([]float64, n)
	n2, _ := fam.At(from)
	for range 20000 {
		n2.Field(f, h)
		for i := range h {
			h[i] += 0.05 * f[i]
		}
	}
	res, err := Continue(context.Background(), fam, [][]float64{h}, &Settings{From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	in, _ := json.Marshal(map[string]any{"W": rows(w), "win": win, "tau": tau, "from": from, "to": to, "h0": h})
	var ref struct {
		Folds [][]float64 `json:"folds"`
		End   []float64   `json:"end"`
	}
	if err := json.Unmarshal([]byte(pythontest.Run(t, numpyArclength, string(in))), &ref); err != nil {
		t.Fatal(err)
	}
	folds := specials(res, Fold)
	if len(ref.Folds) < 2 || len(folds) != len(ref.Folds) || len(res.Specials) != len(folds) {
		t.Fatalf("numpy finds %d folds, we find %+v", len(ref.Folds), res.Specials)
	}
	for i, s := range folds {
		r := ref.Folds[i]
		if math.Abs(s.P-r[n]) > 1e-8 {
			t.Errorf("fold %d at u = %.12f, numpy %.12f", i, s.P, r[n])
		}
		for j := range n {
			if math.Abs(s.H[j]-r[j]) > 1e-6 {
				t.Errorf("fold %d: state %v, numpy %v", i, s.H, r[:n])
				break
			}
		}
	}
	b := res.Branches[0]
	end := b.Points[len(b.Points)-1]
	if b.End != EndBoundary || end.P != to {
		t.Fatalf("the branch ends %s at u = %v", b.End, end.P)
	}
	for j := range n {
		if math.Abs(end.H[j]-ref.End[j]) > 1e-9 {
			t.Errorf("end state %v, numpy %v", end.H, ref.End)
			break
		}
	}
	var types []string
	for _, s := range res.Specials {
		types = append(types, s.Type.String())
	}
	t.Logf("%d points, special points %s at %v", len(b.Points), strings.Join(types, ", "), ref.Folds)
}

// rows returns the rows of m.
func rows(m *mat.Dense) [][]float64 {
	r, _ := m.Dims()
	out := make([][]float64, r)
	for i := range out {
		out[i] = m.RawRowView(i)
	}
	return out
}

// The matrix-free path (GMRES on products with W for the bordered systems,
// the leading eigenvalues by Krylov-Schur) follows the same branch as the
// dense one: the same special points to 1e-9, on the network of
// TestAgainstNumpyArclength and on the pitchfork's branch point.
func TestMatrixFreeAgrees(t *testing.T) {
	const n = 4
	rng := rand.New(rand.NewPCG(11, 0))
	v := []float64{1, 0.8, -0.6, 1.1}
	w := mat.NewDense(n, n, nil)
	win := make([]float64, n)
	for i := range n {
		win[i] = v[i] + 0.2*rng.NormFloat64()
		for j := range n {
			w.Set(i, j, 1.9*v[i]*v[j]/3.21+0.3*rng.NormFloat64()/2)
		}
	}
	net, err := dynamics.New(dynamics.Config{W: w, WIn: mat.NewDense(n, 1, win), Tau: []float64{1, 0.5, 2, 1.5}})
	if err != nil {
		t.Fatal(err)
	}
	sym, err := dynamics.New(dynamics.Config{W: mat.NewDense(3, 3, []float64{0.5, 0.3, 0.1, 0.3, 0.4, -0.2, 0.1, -0.2, 0.6})})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		net      *dynamics.Network
		param    Param
		start    []float64
		from, to float64
	}{
		{net, Param{Kind: Input}, nil, -2, 2},
		{sym, Param{Kind: Gain}, []float64{0, 0, 0}, 0.8, 1.6},
	} {
		fam, _ := NewFamily(c.net, c.param)
		start := c.start
		if start == nil {
			// The lower branch's point at u = -2, by Newton from the dense run.
			res, err := Continue(context.Background(), fam, [][]float64{{-0.99, -0.95, 0.9, -0.99}}, &Settings{From: c.from, To: c.to})
			if err != nil {
				t.Fatal(err)
			}
			start = res.Branches[0].Points[0].H
		}
		dense, err := Continue(context.Background(), fam, [][]float64{start}, &Settings{From: c.from, To: c.to})
		if err != nil {
			t.Fatal(err)
		}
		free, err := Continue(context.Background(), fam, [][]float64{start}, &Settings{From: c.from, To: c.to, KrylovMin: 1, FullMax: 1, Eigs: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(dense.Specials) == 0 || len(free.Specials) != len(dense.Specials) || len(free.Branches) != len(dense.Branches) {
			t.Fatalf("%v: dense %d special points on %d branches, matrix-free %d on %d", c.param.Kind, len(dense.Specials), len(dense.Branches), len(free.Specials), len(free.Branches))
		}
		for i, s := range dense.Specials {
			f := free.Specials[i]
			if f.Type != s.Type || math.Abs(f.P-s.P) > 1e-9 {
				t.Errorf("%v: special point %d: dense %s at %.12f, matrix-free %s at %.12f", c.param.Kind, i, s.Type, s.P, f.Type, f.P)
			}
		}
	}
}

// numpyLyapunov computes the first Lyapunov coefficient of the Hopf point
// it is given with numpy alone: q and p from numpy.linalg.eig of J and J^T
// (not inverse iteration), the solves with complex numpy matrices (not the
// real 2N forms), and the formula of Kuznetsov (2004, eq. (3.20)).
const numpyLyapunov = `
import sys, json, numpy as np
d = json.load(sys.stdin)
W = np.array(d["W"]) * d["g"]; b = np.array(d["b"]); h = np.array(d["h"]); tau = np.array(d["tau"])
x = W @ h + b; t = np.tanh(x)
d1, d2, d3 = 1 - t**2, -2*t*(1 - t**2), -2*(1 - t**2)*(1 - 3*t**2)
J = (d1[:, None] * W - np.eye(len(h))) / tau[:, None]
ev, V = np.linalg.eig(J)
k = np.argmax(ev.imag); om = ev[k].imag; q = V[:, k] / np.linalg.norm(V[:, k])
evt, U = np.linalg.eig(J.T)
p = U[:, np.argmin(np.abs(evt + 1j * om))]
p = p / np.conj(np.vdot(p, q))
B = lambda u, v: d2 * (W @ u) * (W @ v) / tau
C = lambda u, v, z: d3 * (W @ u) * (W @ v) * (W @ z) / tau
qb = np.conj(q)
a = np.linalg.solve(J, B(q, qb))
c = np.linalg.solve(2j * om * np.eye(len(h)) - J, B(q, q))
l1 = (np.vdot(p, C(q, q, qb)) - 2 * np.vdot(p, B(q, a)) + np.vdot(p, B(qb, c))).real / (2 * om)
json.dump({"l1": l1, "omega": om, "re": ev[k].real}, sys.stdout)
`

// The first Lyapunov coefficient at a Hopf point away from the origin
// (the bias makes every derivative of phi count), against numpy.
func TestLyapunovAgainstNumpy(t *testing.T) {
	pythontest.Need(t, "numpy")
	w := mat.NewDense(3, 3, []float64{0.6, -1.1, 0.2, 1.0, 0.5, -0.3, 0.1, 0.4, -0.5})
	b := []float64{0.3, -0.2, 0.1}
	tau := []float64{1, 0.7, 1.3}
	net, err := dynamics.New(dynamics.Config{W: w, B: b, Tau: tau})
	if err != nil {
		t.Fatal(err)
	}
	fam, _ := NewFamily(net, Param{Kind: Gain})
	n0, _ := fam.At(0.5)
	h := make([]float64, 3)
	f := make([]float64, 3)
	for range 5000 {
		n0.Field(f, h)
		for i := range h {
			h[i] += 0.05 * f[i] * tau[i]
		}
	}
	res, err := Continue(context.Background(), fam, [][]float64{h}, &Settings{From: 0.5, To: 4})
	if err != nil {
		t.Fatal(err)
	}
	hopf := specials(res, Hopf)
	if len(hopf) == 0 {
		t.Fatalf("no Hopf point; special points %+v", res.Specials)
	}
	s := hopf[0]
	in, _ := json.Marshal(map[string]any{"W": rows(w), "g": s.P, "b": b, "h": s.H, "tau": tau})
	var ref struct{ L1, Omega, Re float64 }
	if err := json.Unmarshal([]byte(pythontest.Run(t, numpyLyapunov, string(in))), &ref); err != nil {
		t.Fatal(err)
	}
	if math.Abs(ref.Re) > 1e-8 || math.Abs(ref.Omega-imag(s.Eigenvalue)) > 1e-8 {
		t.Errorf("numpy's critical eigenvalue at the Hopf point: %v + %vi; ours %v", ref.Re, ref.Omega, s.Eigenvalue)
	}
	if math.Abs(s.Coefficient-ref.L1) > 1e-6*max(1, math.Abs(ref.L1)) || math.IsNaN(s.Coefficient) {
		t.Errorf("first Lyapunov coefficient %v, numpy %v", s.Coefficient, ref.L1)
	}
	t.Logf("Hopf at g = %.10f, h = %v, l1 = %v (numpy %v)", s.P, s.H, s.Coefficient, ref.L1)
}
