package train

import (
	"fmt"
	"math"
	"slices"

	"github.com/fpfind/fpfind/io/netfile"
	"github.com/fpfind/fpfind/io/numpy"
)

// The keys a trained network's file adds to the network layout of
// docs/DESIGN.md section 4 (which fpfind's other commands keep aside), and
// those of a checkpoint's training state.
const (
	KeyWOut     = "W_out"
	KeyBOut     = "b_out"
	KeyFeedback = "feedback"       // RFLO's B, N x K
	KeyStep     = "train_step"     // training steps done
	KeyLosses   = "train_loss"     // the loss of each step
	KeyEvalStep = "eval_step"      // the steps of the held-out evaluations
	KeyEvalLoss = "eval_loss"      // their loss
	KeyEvalAcc  = "eval_accuracy"  // their accuracy (NaN: not defined)
	KeyOptM     = "optimizer_m"    // Adam's first moments, laid out as Params
	KeyOptV     = "optimizer_v"    // Adam's second moments
	KeyOptT     = "optimizer_step" // Adam's step count
)

// Eval is one evaluation on the held-out trials.
type Eval struct {
	Step           int
	Loss, Accuracy float64
}

// Arrays returns net in the network layout (leaky convention, tanh, alpha)
// with its readout W_out and b_out.
func (net *Net) Arrays() ([]numpy.Array, error) {
	dn, err := net.Network()
	if err != nil {
		return nil, err
	}
	return append(netfile.NetworkArrays(dn),
		numpy.Array{Name: KeyWOut, Shape: []int{net.K, net.N}, Data: net.WOut},
		numpy.Array{Name: KeyBOut, Shape: []int{net.K}, Data: net.BOut}), nil
}

// Arrays returns the trained network with its training state: RFLO's
// feedback, the loss curve, the evaluations and, when withOptimizer, the
// optimiser's state (a checkpoint, from which Restore resumes).
func (tr *Trainer) Arrays(evals []Eval, withOptimizer bool) ([]numpy.Array, error) {
	a, err := tr.Net.Arrays()
	if err != nil {
		return nil, err
	}
	if tr.Feedback != nil {
		a = append(a, numpy.Array{Name: KeyFeedback, Shape: []int{tr.Net.N, tr.Net.K}, Data: tr.Feedback})
	}
	es := make([]int64, len(evals))
	el := make([]float64, len(evals))
	ea := make([]float64, len(evals))
	for i, e := range evals {
		es[i], el[i], ea[i] = int64(e.Step), e.Loss, e.Accuracy
	}
	a = append(a,
		numpy.Array{Name: KeyStep, Shape: []int{}, Data: []int64{int64(tr.Step)}},
		numpy.Array{Name: KeyLosses, Shape: []int{len(tr.Losses)}, Data: tr.Losses},
		numpy.Array{Name: KeyEvalStep, Shape: []int{len(es)}, Data: es},
		numpy.Array{Name: KeyEvalLoss, Shape: []int{len(el)}, Data: el},
		numpy.Array{Name: KeyEvalAcc, Shape: []int{len(ea)}, Data: ea})
	if withOptimizer {
		m, v := tr.Opt.M, tr.Opt.V
		if m == nil { // SGD keeps no moments
			m, v = []float64{}, []float64{}
		}
		a = append(a,
			numpy.Array{Name: KeyOptM, Shape: []int{len(m)}, Data: m},
			numpy.Array{Name: KeyOptV, Shape: []int{len(v)}, Data: v},
			numpy.Array{Name: KeyOptT, Shape: []int{}, Data: []int64{int64(tr.Opt.T)}})
	}
	return a, nil
}

// arrayOf returns the numbers of arrays[key], checked: present, numeric,
// of the given shape (nil: any) and finite (but NaN accuracies).
func arrayOf(arrays map[string]*numpy.Array, key string, shape []int) ([]float64, error) {
	a := arrays[key]
	if a == nil {
		return nil, fmt.Errorf("key %s is missing: not a network or checkpoint of fpfind train", key)
	}
	v, ok := a.Float64s()
	if !ok {
		return nil, fmt.Errorf("key %s: want numbers, found %s", key, a.Dtype)
	}
	if shape != nil && !slices.Equal(a.Shape, shape) {
		return nil, fmt.Errorf("key %s: shape %s, want %s (the file is of another network)", key, numpy.ShapeString(a.Shape), numpy.ShapeString(shape))
	}
	for i, x := range v {
		if math.IsInf(x, 0) || math.IsNaN(x) && key != KeyEvalAcc {
			return nil, fmt.Errorf("key %s: element %d is %v", key, i, x)
		}
	}
	return v, nil
}

// NetFromArrays returns the network of a trained file or checkpoint (its
// arrays by key): W, W_in (optional), b, W_out, b_out and alpha. Errors
// name the key and the problem.
func NetFromArrays(arrays map[string]*numpy.Array) (*Net, error) {
	w, wout := arrays[netfile.KeyW], arrays[KeyWOut]
	if w == nil || wout == nil || len(w.Shape) != 2 || len(wout.Shape) != 2 {
		return nil, fmt.Errorf("keys %s and %s: want an N x N and a K x N matrix", netfile.KeyW, KeyWOut)
	}
	m := 0
	if a := arrays[netfile.KeyWIn]; a != nil && len(a.Shape) == 2 {
		m = a.Shape[1]
	}
	alpha, err := arrayOf(arrays, netfile.KeyAlpha, []int{})
	if err != nil {
		return nil, err
	}
	net, err := NewNet(w.Shape[0], m, wout.Shape[0], alpha[0])
	if err != nil {
		return nil, err
	}
	return net, net.load(arrays)
}

// load sets net's weights from arrays, whose shapes must fit net, and
// checks that their alpha is net's.
func (net *Net) load(arrays map[string]*numpy.Array) error {
	get := func(key string, shape ...int) ([]float64, error) { return arrayOf(arrays, key, shape) }
	parts := []struct {
		key   string
		dst   []float64
		shape []int
	}{
		{netfile.KeyW, net.W, []int{net.N, net.N}}, {netfile.KeyB, net.B, []int{net.N}},
		{KeyWOut, net.WOut, []int{net.K, net.N}}, {KeyBOut, net.BOut, []int{net.K}},
	}
	if net.M > 0 {
		parts = append(parts, struct {
			key   string
			dst   []float64
			shape []int
		}{netfile.KeyWIn, net.WIn, []int{net.N, net.M}})
	}
	for _, p := range parts {
		v, err := get(p.key, p.shape...)
		if err != nil {
			return err
		}
		copy(p.dst, v)
	}
	alpha, err := get(netfile.KeyAlpha)
	if err != nil {
		return err
	}
	if len(alpha) != 1 || alpha[0] != net.Alpha {
		return fmt.Errorf("key %s: %v, but the network has alpha %v", netfile.KeyAlpha, alpha, net.Alpha)
	}
	return nil
}

// Restore sets the trainer, made with the checkpoint's settings, to the
// state of a checkpoint (its arrays by key) and returns its evaluations.
// Errors name the key and the problem.
func (tr *Trainer) Restore(arrays map[string]*numpy.Array) ([]Eval, error) {
	get := func(key string, shape ...int) ([]float64, error) { return arrayOf(arrays, key, shape) }
	if err := tr.Net.load(arrays); err != nil {
		return nil, err
	}
	step, err := get(KeyStep)
	if err != nil {
		return nil, err
	}
	if len(step) != 1 || step[0] < 0 || step[0] != math.Trunc(step[0]) {
		return nil, fmt.Errorf("key %s: %v: want one whole number", KeyStep, step)
	}
	tr.Step = int(step[0])
	losses, err := get(KeyLosses, tr.Step)
	if err != nil {
		return nil, err
	}
	tr.Losses = append(tr.Losses[:0], losses...)
	es, err := get(KeyEvalStep)
	if err != nil {
		return nil, err
	}
	el, err := get(KeyEvalLoss, len(es))
	if err != nil {
		return nil, err
	}
	ea, err := get(KeyEvalAcc, len(es))
	if err != nil {
		return nil, err
	}
	evals := make([]Eval, len(es))
	for i := range es {
		evals[i] = Eval{Step: int(es[i]), Loss: el[i], Accuracy: ea[i]}
	}
	ot, err := get(KeyOptT)
	if err != nil {
		return nil, err
	}
	if len(ot) != 1 || ot[0] < 0 {
		return nil, fmt.Errorf("key %s: %v: want one whole number", KeyOptT, ot)
	}
	tr.Opt.T = int(ot[0])
	if tr.Opt.M != nil {
		p := len(tr.Net.Params)
		m, err := get(KeyOptM, p)
		if err != nil {
			return nil, err
		}
		v, err := get(KeyOptV, p)
		if err != nil {
			return nil, err
		}
		copy(tr.Opt.M, m)
		copy(tr.Opt.V, v)
	}
	return evals, nil
}
