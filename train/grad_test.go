package train

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/fpfind/fpfind/internal/par"
	"github.com/fpfind/fpfind/internal/pythontest"
)

// randomProblem returns a small network with every weight non-zero and a
// batch of random inputs, targets and a 0/1 mask.
func randomProblem(n, m, k, t, b int, seed uint64) (*Net, *Batch) {
	net, err := NewNet(n, m, k, 0.3)
	if err != nil {
		panic(err)
	}
	net.Initialize(Init{Gain: 1.2, InputScale: 1, OutputScale: 1, Seed: seed})
	rng := rand.New(rand.NewPCG(seed, 99))
	for i := range net.B {
		net.B[i] = 0.3 * rng.NormFloat64()
	}
	for i := range net.BOut {
		net.BOut[i] = 0.3 * rng.NormFloat64()
	}
	bt := NewBatch(t, b, m, k, true)
	for i := range bt.X {
		bt.X[i] = rng.NormFloat64()
	}
	for i := range bt.Y {
		bt.Y[i] = rng.NormFloat64()
		if rng.IntN(4) > 0 {
			bt.Mask[i] = 1
		}
	}
	return net, bt
}

// torchGradient computes the loss and its gradient with torch autograd in
// float64, from the model as the issue writes it, in its own code.
const torchGradient = `
import json, sys, torch
torch.set_default_dtype(torch.float64)
d = json.load(sys.stdin)
N, M, K, T, B, a = d["N"], d["M"], d["K"], d["T"], d["B"], d["alpha"]
W = torch.tensor(d["W"]).reshape(N, N).requires_grad_()
Win = torch.tensor(d["W_in"]).reshape(N, M).requires_grad_()
b = torch.tensor(d["b"]).requires_grad_()
Wout = torch.tensor(d["W_out"]).reshape(K, N).requires_grad_()
bout = torch.tensor(d["b_out"]).requires_grad_()
X = torch.tensor(d["X"]).reshape(T, B, M)
Y = torch.tensor(d["Y"]).reshape(T, B, K)
mask = torch.tensor(d["mask"]).reshape(T, B, K)
h = torch.zeros(B, N)
L = 0
for t in range(T):
    h = h + a * (-h + torch.tanh(h @ W.T + X[t] @ Win.T + b))
    y = h @ Wout.T + bout
    L = L + (mask[t] * (Y[t] - y) ** 2).sum()
L = L / (2 * T * B)
L.backward()
params = (W, Win, b, Wout, bout)
g = torch.cat([p.grad.reshape(-1) for p in params])
# Three steps of Adam with gradient-norm clipping on the same batch.
opt = torch.optim.Adam(params, lr=d["lr"])
for step in range(3):
    opt.zero_grad()
    h = torch.zeros(B, N)
    L2 = 0
    for t in range(T):
        h = h + a * (-h + torch.tanh(h @ W.T + X[t] @ Win.T + b))
        L2 = L2 + (mask[t] * (Y[t] - h @ Wout.T - bout) ** 2).sum()
    (L2 / (2 * T * B)).backward()
    # Clipping to norm exactly (clip_grad_norm_ divides by norm + 1e-6).
    norm = torch.sqrt(sum((p.grad ** 2).sum() for p in params))
    if norm > d["clip"]:
        for p in params:
            p.grad *= d["clip"] / norm
    opt.step()
after = torch.cat([p.detach().reshape(-1) for p in params])
print(json.dumps({"loss": L.item(), "grad": g.tolist(), "adam": after.tolist()}))
`

func problemJSON(net *Net, bt *Batch) string {
	doc := map[string]any{"N": net.N, "M": net.M, "K": net.K, "T": bt.T, "B": bt.B, "alpha": net.Alpha,
		"W": net.W, "W_in": net.WIn, "b": net.B, "W_out": net.WOut, "b_out": net.BOut,
		"X": bt.X, "Y": bt.Y, "mask": bt.Mask, "lr": 0.01, "clip": 0.5}
	s, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return string(s)
}

// relErr is max |a - b| / max |b|.
func relErr(a, b []float64) float64 {
	num, den := 0.0, 0.0
	for i := range b {
		num = max(num, math.Abs(a[i]-b[i]))
		den = max(den, math.Abs(b[i]))
	}
	return num / den
}

// The gradients of BPTT and RTRL agree with torch autograd's to 1e-10
// relative, and with each other; RTRL without the term that couples the
// units is RFLO with B = W_out^T, element for element; three steps of Adam
// with clipping on BPTT's gradients are torch.optim.Adam's on the
// clipped gradients.
func TestGradientsMatchTorch(t *testing.T) {
	pythontest.Need(t, "torch")
	net, bt := randomProblem(7, 3, 2, 12, 4, 1)
	var ref struct {
		Loss       float64
		Grad, Adam []float64
	}
	if err := json.Unmarshal([]byte(pythontest.Run(t, torchGradient, problemJSON(net, bt))), &ref); err != nil {
		t.Fatal(err)
	}
	lossB, gB := bpttGrad(net, bt, 2)
	lossR, gR := onlineGrad(&Online{Exact: true, Workers: 2}, net, bt)
	for _, c := range []struct {
		rule string
		loss float64
		g    []float64
	}{{"BPTT", lossB, gB}, {"RTRL", lossR, gR}} {
		if d := math.Abs(c.loss-ref.Loss) / ref.Loss; d > 1e-12 {
			t.Errorf("%s loss %v, torch %v (relative difference %.2g)", c.rule, c.loss, ref.Loss, d)
		}
		for _, part := range Parts() {
			if e := relErr(net.Slice(c.g, part), net.Slice(ref.Grad, part)); e > 1e-10 {
				t.Errorf("%s dL/d%s: relative difference %.2g from torch, want <= 1e-10", c.rule, part, e)
			}
		}
	}
	for _, part := range Parts() {
		if e := relErr(net.Slice(gR, part), net.Slice(gB, part)); e > 1e-12 {
			t.Errorf("RTRL dL/d%s: relative difference %.2g from BPTT", part, e)
		}
	}

	bT := make([]float64, net.N*net.K) // W_out^T as an explicit B
	for a := range net.N {
		for q := range net.K {
			bT[a*net.K+q] = net.WOut[q*net.N+a]
		}
	}
	_, gDrop := onlineGrad(&Online{Exact: true, DropCoupling: true}, net, bt)
	_, gF := onlineGrad(&Online{Feedback: bT, Workers: 3}, net, bt)
	for _, part := range Parts() {
		if e := relErr(net.Slice(gF, part), net.Slice(gDrop, part)); e > 1e-13 {
			t.Errorf("RFLO with B = W_out^T, d/d%s: relative difference %.2g from RTRL without the coupling term", part, e)
		}
	}
	// The coupling term matters here: RFLO's dW is not the gradient.
	if e := relErr(net.Slice(gF, PartW), net.Slice(gR, PartW)); e < 1e-3 {
		t.Errorf("RFLO's dW is within %.2g of the exact gradient: the test problem does not tell them apart", e)
	}

	opt := NewOptimizer(Optim{Method: Adam, LR: 0.01, Clip: 0.5}, LearnAll(), len(net.Params))
	p := &Pass{Workers: 2}
	g := make([]float64, len(net.Params))
	for range 3 {
		p.Forward(net, bt)
		p.Backward(net, bt, g)
		opt.Apply(net, g)
	}
	if e := relErr(net.Params, ref.Adam); e > 1e-12 {
		t.Errorf("after 3 Adam steps the weights differ from torch's by %.2g relative", e)
	}
}

// gradients returns the batch gradient of each rule on one problem.
func bpttGrad(net *Net, bt *Batch, workers int) (float64, []float64) {
	p := &Pass{Workers: workers}
	loss := p.Forward(net, bt)
	g := make([]float64, len(net.Params))
	p.Backward(net, bt, g)
	return loss, g
}

func onlineGrad(o *Online, net *Net, bt *Batch) (float64, []float64) {
	g := make([]float64, len(net.Params))
	loss := o.Run(net, bt, g, nil)
	return loss, g
}

// RunSGD, which changes RFLO's weights inside the pass over the traces
// (with one trial, on rows split between workers that meet once per step),
// is Run with an SGD update after every step, to the bit, whatever the
// number of workers and with either feedback; and so is RTRL's.
func TestRunSGDIsRunWithSGD(t *testing.T) {
	// Enough processors for every split below (RunSGD uses no more workers
	// than processors).
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for _, c := range []struct {
		exact    bool
		trials   int
		feedback bool
		workers  int
		frozen   Part // the part that does not learn
	}{{false, 1, true, 1, PartWIn}, {false, 1, true, 2, PartWIn}, {false, 1, true, 4, PartWIn}, {false, 1, false, 2, PartWIn}, {false, 1, false, 3, PartWIn},
		{false, 1, true, 2, PartW}, {false, 1, false, 2, PartB}, {false, 3, true, 2, PartWIn}, {true, 2, true, 2, PartWIn}} {
		exact := c.exact
		net, bt := randomProblem(9, 2, 2, 15, c.trials, 4)
		learn := LearnAll()
		learn[c.frozen] = false
		var fb []float64
		if c.feedback {
			fb = make([]float64, 9*2)
			for i := range fb {
				fb[i] = 0.1 * float64(i%5-2)
			}
		}
		a, b := net.Clone(), net.Clone()
		g := make([]float64, len(net.Params))
		opt := NewOptimizer(Optim{Method: SGD, LR: 0.3}, learn, len(net.Params))
		la := (&Online{Exact: exact, Feedback: fb}).Run(a, bt, g, func(g []float64) { opt.Apply(a, g) })
		lb := (&Online{Exact: exact, Feedback: fb, Workers: c.workers}).RunSGD(b, bt, g, 0.3, learn)
		if la != lb {
			t.Errorf("%+v: loss %v with Run, %v with RunSGD", c, la, lb)
		}
		for i := range a.Params {
			if a.Params[i] != b.Params[i] {
				t.Fatalf("%+v: parameter %d is %v after Run, %v after RunSGD", c, i, a.Params[i], b.Params[i])
			}
		}
		if relErr(a.Params, net.Params) < 1e-3 || relErr(net.Slice(a.Params, c.frozen), net.Slice(net.Params, c.frozen)) != 0 {
			t.Errorf("%+v: the weights did not change as asked", c)
		}
	}
}

// Online RFLO's fused path keeps Run's bits while its rows move between
// the workers (a clock that makes each worker look slow in turn, window
// after window, moves rows back and forth), over two trials with the same
// workspaces, the second starting from the division the first left.
func TestRunSGDMovingRows(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	net, bt := randomProblem(9, 2, 2, 15, 1, 5)
	learn := LearnAll()
	a, b := net.Clone(), net.Clone()
	g := make([]float64, len(net.Params))
	opt := NewOptimizer(Optim{Method: SGD, LR: 0.3}, learn, len(net.Params))
	ra, o := &Online{}, &Online{Workers: 2}
	var ticks, calls [2]time.Duration
	seen := [2]map[int]bool{{}, {}}
	o.balance, o.balanceN = par.NewBalance(9, 2, 1, 2, func(w int) time.Duration {
		// Start's call, then two a step (before and after the barrier):
		// step s's first is call 2s + 2, in window s/2.
		calls[w]++
		window := max(calls[w]-2, 0) / 4
		ticks[w] += 1 + 4*time.Duration((int(window)+w)%2)
		lo, _ := o.balance.Rows(w)
		seen[w][lo] = true
		return ticks[w]
	}), 9
	for trial := range 2 {
		la := ra.Run(a, bt, g, func(g []float64) { opt.Apply(a, g) })
		lb := o.RunSGD(b, bt, g, 0.3, learn)
		if la != lb {
			t.Errorf("trial %d: loss %v with Run, %v with RunSGD", trial, la, lb)
		}
		for i := range a.Params {
			if a.Params[i] != b.Params[i] {
				t.Fatalf("trial %d: parameter %d is %v after Run, %v after RunSGD", trial, i, a.Params[i], b.Params[i])
			}
		}
	}
	if lo, _ := o.balance.Rows(1); len(seen[1]) < 3 {
		t.Errorf("worker 1's rows started at %v during the run (now %d): they did not move back and forth", seen[1], lo)
	}
}

// A network without inputs (the periodic task's kind) takes the same path
// with an empty input term: the bias alone.
func TestRunSGDNoInputs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	for _, frozen := range []Part{PartWIn, PartW} {
		net, bt := randomProblem(10, 0, 2, 12, 1, 6)
		learn := LearnAll()
		learn[frozen] = false
		a, b := net.Clone(), net.Clone()
		g := make([]float64, len(net.Params))
		opt := NewOptimizer(Optim{Method: SGD, LR: 0.3}, learn, len(net.Params))
		la := (&Online{}).Run(a, bt, g, func(g []float64) { opt.Apply(a, g) })
		lb := (&Online{Workers: 2}).RunSGD(b, bt, g, 0.3, learn)
		if la != lb {
			t.Errorf("part %d frozen: loss %v with Run, %v with RunSGD", frozen, la, lb)
		}
		for i := range a.Params {
			if a.Params[i] != b.Params[i] {
				t.Fatalf("part %d frozen: parameter %d is %v after Run, %v after RunSGD", frozen, i, a.Params[i], b.Params[i])
			}
		}
		if relErr(a.B, net.B) == 0 {
			t.Errorf("part %d frozen: b did not learn", frozen)
		}
	}
}
