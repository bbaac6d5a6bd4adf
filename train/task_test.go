package train

import (
	"math"
	"strings"
	"testing"
)

// The flip-flop's targets and mask follow from its inputs as the contract
// defines them, re-derived here channel by channel; pulses come at rate P,
// half of each sign.
func TestFlipFlopDefinition(t *testing.T) {
	task := &FlipFlop{Bits: 3, P: 0.05, Steps: 200}
	bt := NewBatch(task.Steps, 50, 3, 3, true)
	Fill(task, bt, 7, func(i int) uint64 { return uint64(i) })
	pos, neg := 0, 0
	for i := range bt.B {
		for k := range 3 {
			last := 0.0
			for s := range task.Steps {
				x := bt.X[(s*bt.B+i)*3+k]
				switch x {
				case 1:
					pos++
				case -1:
					neg++
				case 0:
				default:
					t.Fatalf("input %v, want -1, 0 or 1", x)
				}
				if x != 0 {
					last = x
				}
				y, m := bt.Y[(s*bt.B+i)*3+k], bt.Mask[(s*bt.B+i)*3+k]
				if last == 0 && (m != 0 || y != 0) || last != 0 && (m != 1 || y != last) {
					t.Fatalf("trial %d channel %d step %d: target %v mask %v after last pulse %v", i, k, s, y, m, last)
				}
			}
		}
	}
	n := float64(bt.B * 3 * task.Steps)
	// 30000 draws: the rate is within 5 standard deviations of P.
	if rate, sd := float64(pos+neg)/n, math.Sqrt(0.05*0.95/n); math.Abs(rate-0.05) > 5*sd || math.Abs(float64(pos-neg)) > 5*math.Sqrt(float64(pos+neg)) {
		t.Errorf("%d +1 and %d -1 pulses in %v draws, want rate 0.05 split evenly", pos, neg, n)
	}
	// Accuracy scores exactly the masked steps by sign.
	y := make([]float64, len(bt.Y))
	for i := range y {
		y[i] = 0.5 * bt.Y[i]
	}
	if a := Accuracy(bt, y); a != 1 {
		t.Errorf("accuracy of outputs with the targets' signs: %v, want 1", a)
	}
	for i := range y {
		y[i] = -y[i]
	}
	if a := Accuracy(bt, y); a != 0 {
		t.Errorf("accuracy of outputs of the opposite signs: %v, want 0", a)
	}
}

// The context task's target is the sign of the cued input's coherence,
// scored only after the stimulus.
func TestContextTarget(t *testing.T) {
	task := &Context{Steps: 50, Fix: 5, Stim: 35, Noise: 0, Coherences: []float64{0.1, 0.2}}
	bt := NewBatch(50, 40, 4, 1, true)
	Fill(task, bt, 3, func(i int) uint64 { return uint64(i) })
	for i := range bt.B {
		mid := (20*bt.B + i) * 4
		cue := 0
		if bt.X[mid+3] == 1 {
			cue = 1
		}
		want := math.Copysign(1, bt.X[mid+cue])
		for s := range 50 {
			y, m := bt.Y[s*bt.B+i], bt.Mask[s*bt.B+i]
			if s < 40 && m != 0 || s >= 40 && (m != 1 || y != want) {
				t.Fatalf("trial %d step %d: target %v mask %v, want %v from step 40", i, s, y, m, want)
			}
		}
	}
}

// A data task's shapes are checked with messages naming the key.
func TestDataShapes(t *testing.T) {
	x := make([]float64, 4*2*3)
	y := make([]float64, 4*2*1)
	for _, c := range []struct {
		xs, ys, ms []int
		mask       []float64
		want       string
	}{
		{[]int{4, 2}, []int{4, 2, 1}, nil, nil, "inputs: shape [4 2]"},
		{[]int{4, 2, 3}, []int{4, 3, 1}, nil, nil, "targets: shape [4 3 1] does not match"},
		{[]int{4, 2, 3}, []int{4, 2, 1}, []int{4, 3}, make([]float64, 12), "mask: shape [4 3]"},
	} {
		_, err := NewData(x, c.xs, y, c.ys, c.mask, c.ms)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("shapes %v %v %v: error %v, want %q", c.xs, c.ys, c.ms, err, c.want)
		}
	}
	y[3] = math.NaN()
	if _, err := NewData(x, []int{4, 2, 3}, y, []int{4, 2, 1}, nil, nil); err == nil || !strings.Contains(err.Error(), "targets: element 3") {
		t.Errorf("NaN target: error %v", err)
	}
}
