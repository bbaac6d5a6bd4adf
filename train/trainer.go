package train

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Rule is a learning rule.
type Rule int

const (
	// BPTT is backpropagation through time: the exact gradient of a batch.
	BPTT Rule = iota
	// RTRL is real-time recurrent learning: the exact gradient too, carried
	// forward in time (O(N^4) per step).
	RTRL
	// RFLO is random feedback local online learning (Murray 2019).
	RFLO
)

func (r Rule) String() string {
	switch r {
	case BPTT:
		return "bptt"
	case RTRL:
		return "rtrl"
	case RFLO:
		return "rflo"
	}
	return fmt.Sprintf("Rule(%d)", int(r))
}

// ParseRule returns the rule named s.
func ParseRule(s string) (Rule, error) {
	for _, r := range []Rule{BPTT, RTRL, RFLO} {
		if s == r.String() {
			return r, nil
		}
	}
	return 0, fmt.Errorf("unknown rule %q (want bptt, rtrl or rflo)", s)
}

// Settings describe a training run.
type Settings struct {
	Rule Rule
	// Online (RTRL and RFLO) changes the weights after every time step;
	// otherwise after each batch, with the batch's summed update.
	Online bool
	// Batch is the number of trials of a training step.
	Batch int
	Optim Optim
	// Learn says which parts learn.
	Learn Learned
	// Seed: the weights draw from rand.NewPCG(Seed, 0), RFLO's feedback
	// from rand.NewPCG(Seed, FeedbackStream), trial i of step s from
	// rand.NewPCG(Seed, 1 + s Batch + i), and the held-out trials from
	// rand.NewPCG(HeldOutSeed(Seed), i).
	Seed uint64
	// Workers is the number of goroutines; results do not depend on it.
	Workers int
}

// FeedbackStream is the stream of RFLO's random feedback matrix.
const FeedbackStream = math.MaxUint64

// HeldOutSeed returns the seed of the held-out trials, which no training
// step draws.
func HeldOutSeed(seed uint64) uint64 { return seed ^ 0x9E3779B97F4A7C15 }

// LearnAll learns every part.
func LearnAll() (l Learned) {
	for i := range l {
		l[i] = true
	}
	return l
}

// Trainer trains a network on a task.
type Trainer struct {
	Net  *Net
	Task Task
	Settings
	// Opt is the optimiser's state.
	Opt *Optimizer
	// Feedback is RFLO's fixed random B (N x K), B_ak ~ N(0, 1/N), the
	// distribution of W_out^T at OutputScale 1.
	Feedback []float64
	// Step counts the training steps done; Losses holds the training loss
	// of each.
	Step   int
	Losses []float64

	pass   Pass
	online Online
	batch  *Batch
	grad   []float64
}

// NewTrainer returns a trainer of net (which it changes) on task.
func NewTrainer(net *Net, task Task, s Settings) (*Trainer, error) {
	m, k := task.Dims()
	if m != net.M || k != net.K {
		return nil, fmt.Errorf("train: task %s has %d inputs and %d outputs, the network %d and %d", task.Name(), m, k, net.M, net.K)
	}
	if s.Batch < 1 {
		return nil, fmt.Errorf("train: batch %d: want at least 1", s.Batch)
	}
	if s.Online && s.Rule == BPTT {
		return nil, fmt.Errorf("train: bptt learns from whole trials, not online")
	}
	tr := &Trainer{Net: net, Task: task, Settings: s}
	tr.Opt = NewOptimizer(s.Optim, s.Learn, len(net.Params))
	if s.Rule == RFLO {
		tr.Feedback = make([]float64, net.N*net.K)
		rng := rand.New(rand.NewPCG(s.Seed, FeedbackStream))
		std := 1 / math.Sqrt(float64(net.N))
		for i := range tr.Feedback {
			tr.Feedback[i] = std * rng.NormFloat64()
		}
	}
	tr.pass.Workers = s.Workers
	tr.online = Online{Exact: s.Rule == RTRL, Feedback: tr.Feedback, Workers: s.Workers}
	tr.batch = NewBatch(task.Len(), s.Batch, m, k, task.Masked())
	tr.grad = make([]float64, len(net.Params))
	return tr, nil
}

// TrainStep runs one training step on the next batch of trials and
// returns its loss.
func (tr *Trainer) TrainStep() float64 {
	step := uint64(tr.Step)
	b := uint64(tr.Batch)
	Fill(tr.Task, tr.batch, tr.Seed, func(i int) uint64 { return 1 + step*b + uint64(i) })
	var loss float64
	switch {
	case tr.Rule == BPTT:
		loss = tr.pass.Forward(tr.Net, tr.batch)
		tr.pass.Backward(tr.Net, tr.batch, tr.grad)
		tr.Opt.Apply(tr.Net, tr.grad)
	case tr.Online && tr.Optim.Method == SGD && tr.Optim.Clip == 0:
		loss = tr.online.RunSGD(tr.Net, tr.batch, tr.grad, tr.Optim.LR, tr.Learn)
	case tr.Online:
		loss = tr.online.Run(tr.Net, tr.batch, tr.grad, func(g []float64) { tr.Opt.Apply(tr.Net, g) })
	default:
		loss = tr.online.Run(tr.Net, tr.batch, tr.grad, nil)
		tr.Opt.Apply(tr.Net, tr.grad)
	}
	tr.Step++
	tr.Losses = append(tr.Losses, loss)
	return loss
}

// Score is how a network does on held-out trials.
type Score struct {
	Loss float64
	// Accuracy is the fraction of scored (output, step) pairs where
	// sign(y) equals the target's sign; NaN for a task that is not a
	// Scorer.
	Accuracy float64
	// Outputs are the network's outputs (T x B x K) on the trials.
	Outputs []float64
	Batch   *Batch
}

// Evaluate runs net on trials held-out trials of task (from
// HeldOutSeed(seed)).
func Evaluate(net *Net, task Task, trials int, seed uint64, workers int) Score {
	m, k := task.Dims()
	bt := NewBatch(task.Len(), trials, m, k, task.Masked())
	Fill(task, bt, HeldOutSeed(seed), func(i int) uint64 { return uint64(i) })
	p := &Pass{Workers: workers}
	s := Score{Loss: p.Forward(net, bt), Accuracy: math.NaN(), Outputs: p.Outputs(), Batch: bt}
	if _, ok := task.(Scorer); ok {
		s.Accuracy = Accuracy(bt, s.Outputs)
	}
	return s
}

// Accuracy returns the fraction of the scored (non-zero mask) outputs y of
// bt whose sign is the target's (NaN when none is scored).
func Accuracy(bt *Batch, y []float64) float64 {
	scored, right := 0, 0
	for i, target := range bt.Y {
		if bt.Mask != nil && bt.Mask[i] == 0 {
			continue
		}
		scored++
		if y[i] > 0 && target > 0 || y[i] < 0 && target < 0 {
			right++
		}
	}
	if scored == 0 {
		return math.NaN()
	}
	return float64(right) / float64(scored)
}
