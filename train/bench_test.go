package train

import (
	"fmt"
	"testing"
)

// BenchmarkBPTTStep times one training step (forward, backward, Adam) on a
// batch of 32 trials of 100 steps; bench/train_vs_torch.py sets it beside
// torch.
func BenchmarkBPTTStep(b *testing.B) {
	for _, n := range []int{64, 256} {
		b.Run(fmt.Sprint("N=", n), func(b *testing.B) {
			net, bt := randomProblem(n, 3, 3, 100, 32, 1)
			p := &Pass{Workers: 2}
			g := make([]float64, len(net.Params))
			opt := NewOptimizer(Optim{Method: Adam, LR: 1e-4}, LearnAll(), len(net.Params))
			for b.Loop() {
				p.Forward(net, bt)
				p.Backward(net, bt, g)
				opt.Apply(net, g)
			}
		})
	}
}

// BenchmarkRFLOOnline times RFLO online (SGD after every time step) on one
// trial of 100 steps at N = 256, per trial.
func BenchmarkRFLOOnline(b *testing.B) {
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprint("workers=", w), func(b *testing.B) {
			net, bt := randomProblem(256, 3, 3, 100, 1, 1)
			fb := make([]float64, 256*3)
			copy(fb, net.WOut)
			o := &Online{Feedback: fb, Workers: w}
			g := make([]float64, len(net.Params))
			for b.Loop() {
				o.RunSGD(net, bt, g, 1e-4, LearnAll())
			}
		})
	}
}

// BenchmarkRTRLStep times exact RTRL on one trial of 10 steps at N = 64 (the flip-flop default).
func BenchmarkRTRL(b *testing.B) {
	net, bt := randomProblem(64, 3, 3, 10, 1, 1)
	o := &Online{Exact: true, Workers: 2}
	g := make([]float64, len(net.Params))
	for b.Loop() {
		o.Run(net, bt, g, nil)
	}
}
