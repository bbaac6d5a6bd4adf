package train_test

import (
	"fmt"

	"github.com/fpfind/fpfind/train"
)

// Train a small network on the 1-bit flip-flop by BPTT and score it on
// held-out trials.
func Example() {
	net, err := train.NewNet(16, 1, 1, 0.2)
	if err != nil {
		panic(err)
	}
	net.Initialize(train.Init{Gain: 0.9, InputScale: 1, OutputScale: 1, Seed: 1})
	task := &train.FlipFlop{Bits: 1, P: 0.05, Steps: 60}
	tr, err := train.NewTrainer(net, task, train.Settings{
		Rule: train.BPTT, Batch: 16, Optim: train.Optim{LR: 1e-2, Clip: 1},
		Learn: train.LearnAll(), Seed: 1,
	})
	if err != nil {
		panic(err)
	}
	before := train.Evaluate(net, task, 64, 1, 1)
	for range 300 {
		tr.TrainStep()
	}
	after := train.Evaluate(net, task, 64, 1, 1)
	fmt.Printf("held-out accuracy above 95%%: before %v, after %v\n", before.Accuracy > 0.95, after.Accuracy > 0.95)
	// Output: held-out accuracy above 95%: before false, after true
}
