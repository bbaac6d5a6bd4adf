package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fpfind/fpfind/internal/atomicfile"
	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/io/report"
	"github.com/fpfind/fpfind/train"
	"github.com/spf13/pflag"
)

// trainOptions are train's flags. Those with the tag `run` define the run:
// a checkpoint records them and a resumed run keeps them.
type trainOptions struct {
	output outputOptions
	memory memoryOption

	task       string
	bits       int
	pulseProb  float64
	trialSteps int
	period     int
	data       string
	n          int
	alpha      float64
	gain       float64
	inScale    float64
	outScale   float64
	rule       string
	online     bool
	batch      int
	optimizer  string
	lr         float64
	clip       float64
	learn      []string
	seed       uint64
	evalEvery  int
	evalTrials int

	steps      int
	checkpoint int
	resume     string
	workers    int
	plot       string

	given func(string) bool
}

// runFlags are the flags that define a run, which a checkpoint records.
var runFlags = []string{"task", "bits", "pulse-prob", "trial-steps", "period", "data", "n", "alpha", "gain",
	"input-scale", "output-scale", "rule", "online", "batch", "optimizer", "lr", "clip", "learn", "seed",
	"eval-every", "eval-trials"}

func (o *trainOptions) register(fs *pflag.FlagSet) {
	fs.StringVar(&o.task, "task", "", "`NAME`: flipflop, periodic, context (Mante et al. 2013) or data (--data FILE) (required)")
	fs.IntVar(&o.bits, "bits", 3, "flipflop: number of bits (inputs and outputs)")
	fs.Float64Var(&o.pulseProb, "pulse-prob", 0.05, "flipflop: probability `P` of a pulse per step and channel (+1 or -1, P/2 each)")
	fs.IntVar(&o.trialSteps, "trial-steps", 0, "time steps `T` of a trial (0: the task's default: flipflop 100, periodic 120, context 100)")
	fs.IntVar(&o.period, "period", 60, "periodic: period of the target in steps")
	fs.StringVar(&o.data, "data", "", "data: an .npz `FILE` with inputs (T x B x M), targets (T x B x K) and optionally mask (T x B or T x B x K)")
	fs.IntVar(&o.n, "n", 64, "number of units N")
	fs.Float64Var(&o.alpha, "alpha", 0.2, "dt/tau of the leaky update h <- h + alpha (-h + tanh(W h + W_in x + b)), in (0, 1]")
	fs.Float64Var(&o.gain, "gain", 0.9, "gain g of the initial W: W_ij ~ N(0, g^2/N)")
	fs.Float64Var(&o.inScale, "input-scale", 1, "initial W_in ij ~ N(0, `S`^2)")
	fs.Float64Var(&o.outScale, "output-scale", 1, "initial W_out ij ~ N(0, `S`^2/N)")
	fs.StringVar(&o.rule, "rule", "bptt", "learning `RULE`: bptt (backpropagation through time), rtrl (real-time recurrent learning, exact, O(N^4) per step) or rflo (Murray 2019)")
	fs.BoolVar(&o.online, "online", false, "rtrl, rflo: change the weights at every time step instead of after each batch")
	fs.IntVar(&o.batch, "batch", 0, "trials per training step (0: bptt 32, rflo 16, rtrl 8; 1 with --online or --task periodic, whose trials are all the same)")
	fs.StringVar(&o.optimizer, "optimizer", "adam", "`NAME`: adam or sgd")
	fs.Float64Var(&o.lr, "lr", 0, "learning rate (0: adam 3e-3, or 3e-4 with --online; sgd 0.1)")
	fs.Float64Var(&o.clip, "clip", 1, "rescale a gradient whose norm exceeds `C` to C (0: no clipping)")
	fs.StringSliceVar(&o.learn, "learn", []string{"W", "W_in", "b", "W_out", "b_out"}, "the weights that learn, among W, W_in, b, W_out and b_out")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed of the weights, the trials and RFLO's feedback: the same seed gives the same network, whatever --workers")
	fs.IntVar(&o.evalEvery, "eval-every", 100, "evaluate on the held-out trials every `K` steps (and at the end)")
	fs.IntVar(&o.evalTrials, "eval-trials", 256, "number of held-out trials")
	fs.IntVar(&o.steps, "steps", 0, "train until this many training steps in all (0: bptt 2000, rflo 8000, rtrl 300; online 20000)")
	fs.IntVar(&o.checkpoint, "checkpoint-every", 500, "write PREFIX.stepNNNNNN.npz every `K` steps (0: none)")
	fs.StringVar(&o.resume, "resume", "", "continue the run of a checkpoint `FILE` (its settings; flags given must agree with them, but --steps)")
	fs.IntVarP(&o.workers, "workers", "j", 0, "goroutines (0: all CPUs); the output does not depend on it")
	o.memory.register(fs)
	o.output.registerOut(fs, "`PREFIX`.npz (the trained network: W, W_in, b, alpha, convention, W_out, b_out, and the loss curve), PREFIX.json and checkpoints PREFIX.stepNNNNNN.npz (required)")
	fs.StringVar(&o.plot, "plot", "", "draw the loss curve into `FILE`.png, .svg or .pdf")
	o.output.registerStreams(fs, true)
	fs.Bool("version", false, "print the version and exit")
}

// Validate checks the flags that need no file.
func (o *trainOptions) Validate(given func(flag string) bool) error {
	o.given = given
	if o.output.out == "" {
		return fmt.Errorf("-o PREFIX is required: the network goes to PREFIX.npz")
	}
	if o.task == "" && o.resume == "" {
		return fmt.Errorf("--task is required: flipflop, periodic, context or data")
	}
	if err := o.output.validate(); err != nil {
		return err
	}
	if err := checkPlot(o.plot); err != nil {
		return err
	}
	if o.workers < 0 {
		return fmt.Errorf("--workers %d: want 0 (all CPUs) or more", o.workers)
	}
	if o.steps < 0 || o.checkpoint < 0 {
		return fmt.Errorf("--steps %d, --checkpoint-every %d: want 0 (the default, none) or more", o.steps, o.checkpoint)
	}
	if o.resume == "" {
		return o.validateRun()
	}
	return nil
}

// validateRun checks the flags that define the run.
func (o *trainOptions) validateRun() error {
	switch o.task {
	case "flipflop", "periodic", "context":
		if o.data != "" {
			return fmt.Errorf("--data is for --task data, not %s", o.task)
		}
	case "data":
		if o.data == "" {
			return fmt.Errorf("--task data needs --data FILE")
		}
	default:
		return fmt.Errorf("--task %q: want flipflop, periodic, context or data", o.task)
	}
	if o.bits < 1 {
		return fmt.Errorf("--bits %d: want at least 1", o.bits)
	}
	if !(o.pulseProb > 0 && o.pulseProb <= 1) {
		return fmt.Errorf("--pulse-prob %v: want a probability in (0, 1]", o.pulseProb)
	}
	if o.trialSteps < 0 || o.trialSteps == 0 && o.given("trial-steps") {
		return fmt.Errorf("--trial-steps %d: want at least 1", o.trialSteps)
	}
	if o.period < 2 {
		return fmt.Errorf("--period %d: want at least 2", o.period)
	}
	if o.n < 1 {
		return fmt.Errorf("--n %d: want at least 1", o.n)
	}
	if !(o.alpha > 0 && o.alpha <= 1) {
		return fmt.Errorf("--alpha %v: want a value in (0, 1]", o.alpha)
	}
	for _, c := range []struct {
		name string
		v    float64
	}{{"gain", o.gain}, {"input-scale", o.inScale}, {"output-scale", o.outScale}, {"lr", o.lr}, {"clip", o.clip}} {
		if err := finite(c.name, c.v, false); err != nil {
			return err
		}
	}
	rule, err := train.ParseRule(o.rule)
	if err != nil {
		return fmt.Errorf("--rule %q: want bptt, rtrl or rflo", o.rule)
	}
	if o.online && rule == train.BPTT {
		return fmt.Errorf("--online is for rtrl and rflo; bptt learns from whole trials")
	}
	if o.batch < 0 {
		return fmt.Errorf("--batch %d: want 1 or more (0: the rule's default)", o.batch)
	}
	if _, err := train.ParseMethod(o.optimizer); err != nil {
		return fmt.Errorf("--optimizer %q: want adam or sgd", o.optimizer)
	}
	if len(o.learn) == 0 {
		return fmt.Errorf("--learn: name at least one of W, W_in, b, W_out, b_out")
	}
	for _, l := range o.learn {
		if _, err := train.ParsePart(l); err != nil {
			return fmt.Errorf("--learn %q: want W, W_in, b, W_out or b_out", l)
		}
	}
	if o.evalEvery < 1 || o.evalTrials < 1 {
		return fmt.Errorf("--eval-every %d, --eval-trials %d: want at least 1", o.evalEvery, o.evalTrials)
	}
	return nil
}

// resolveDefaults fills in the rule's defaults of the flags left at 0.
func (o *trainOptions) resolveDefaults() {
	rule, _ := train.ParseRule(o.rule)
	if o.batch == 0 {
		o.batch = map[train.Rule]int{train.BPTT: 32, train.RFLO: 16, train.RTRL: 8}[rule]
		if o.online || o.task == "periodic" { // periodic: every trial is the same
			o.batch = 1
		}
	}
	if o.lr == 0 {
		switch {
		case o.optimizer == "sgd":
			o.lr = 0.1
		case o.online:
			o.lr = 3e-4
		default:
			o.lr = 3e-3
		}
	}
	if o.trialSteps == 0 {
		o.trialSteps = map[string]int{"flipflop": 100, "periodic": 120, "context": 100}[o.task]
	}
}

// defaultSteps is the rule's number of training steps.
func (o *trainOptions) defaultSteps() int {
	if o.online {
		return 20000
	}
	rule, _ := train.ParseRule(o.rule)
	return map[train.Rule]int{train.BPTT: 2000, train.RFLO: 8000, train.RTRL: 300}[rule]
}

var trainCommand = &command{
	name:     "train",
	synopsis: "train --task NAME -o PREFIX [flags]",
	summary:  "train a leaky network by BPTT, RTRL or RFLO",
	about: `Train a leaky network

    h(t) = h(t-1) + alpha (-h(t-1) + tanh(W h(t-1) + W_in x(t) + b)),  h(0) = 0,
    y(t) = W_out h(t) + b_out,   L = 1/(2 T B) sum over t, trials of mask |y*(t) - y(t)|^2,

on a task, with backpropagation through time (bptt, the exact gradient of
each batch, Adam with gradient-norm clipping), real-time recurrent learning
(rtrl, the same gradient carried forward, O(N^4) per step) or random
feedback local online learning (rflo, Murray 2019: eligibility traces per
synapse, the error fed back through a fixed random matrix). rtrl and rflo
change the weights after each batch, or at every time step with --online.

Tasks: flipflop (Sussillo and Barak 2013: each of --bits channels pulses +1
or -1 with probability --pulse-prob per step; each output holds the sign of
its channel's last pulse, scored from the first pulse on), periodic (Murray
2019: a sum of sines of --period steps after a pulse at the start), context
(Mante et al. 2013: two noisy evidence inputs and two context cues; report
the sign of the cued one at the end) and data (trials from --data FILE).

PREFIX.npz is a network in fpfind's layout (leaky convention, alpha, W,
W_in, b) with W_out, b_out, the loss of each step (train_loss) and the
held-out evaluations (eval_step, eval_loss, eval_accuracy); fpfind find
reads it as it is. PREFIX.json holds the settings, the loss curve and the
evaluations. Every --checkpoint-every steps PREFIX.stepNNNNNN.npz is
written, all or nothing, with the optimiser's state too; --resume FILE
continues from one with the same result as an uninterrupted run. Ctrl-C
stops the run and leaves the last complete checkpoint.

stdout shows the held-out evaluations (step, training loss, held-out loss
and accuracy); progress goes to stderr on a terminal.`,
	examples: `  fpfind train --task flipflop --bits 3 --n 64 --rule bptt --seed 1 -o ff
  fpfind ff.npz                                  # its fixed points: 8 memories
  fpfind train --task periodic --rule rflo --online --optimizer sgd --clip 0 --lr 0.3 --gain 1.5 --steps 20000 -o per --plot per.png
  fpfind train --resume ff.step000500.npz --steps 4000 -o ff
`,
	options: func() options { return &trainOptions{} },
}

// readCheckpoint reads a checkpoint's arrays and the flags it records.
func readCheckpoint(path string, limit int64) (map[string]*numpy.Array, map[string]string, error) {
	arrays, err := numpy.ReadNPZLimit(path, limit)
	if err != nil {
		return nil, nil, inputError(tooLarge(err))
	}
	byKey := map[string]*numpy.Array{}
	for _, a := range arrays {
		byKey[a.Name] = a
	}
	a := byKey[keyTrainFlags]
	s, ok := []string(nil), false
	if a != nil {
		s, ok = a.Strings()
	}
	if !ok || len(s) != 1 {
		return nil, nil, inputError(fmt.Errorf("%s: no %s key: not a checkpoint of fpfind train", path, keyTrainFlags))
	}
	flags := map[string]string{}
	if err := json.Unmarshal([]byte(s[0]), &flags); err != nil {
		return nil, nil, inputError(fmt.Errorf("%s: key %s: %v", path, keyTrainFlags, err))
	}
	return byKey, flags, nil
}

// keyTrainFlags holds, in a trained network and its checkpoints, the JSON
// of the flags that define the run.
const keyTrainFlags = "train_flags"

func (o *trainOptions) run(ctx context.Context, e *env, name string, args []string) error {
	if o.output.quiet {
		e.log.SetOutput(io.Discard)
	}
	if len(args) > 0 {
		return usageErrorf(name, "unexpected argument %q: train reads no network (the task makes the trials)", args[0])
	}
	// A flag set bound to o, at o's values, to read and set the run's flags
	// by name (flagsFor sets the defaults, so o is put back).
	saved := *o
	fs := trainCommand.flagsFor(o)
	*o = saved
	value := func(flag string) string {
		f := fs.Lookup(flag)
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			return strings.Join(sv.GetSlice(), ",")
		}
		return f.Value.String()
	}

	var ckArrays map[string]*numpy.Array
	if o.resume != "" {
		arrays, flags, err := readCheckpoint(o.resume, o.memory.readLimit())
		if err != nil {
			return err
		}
		for _, f := range runFlags {
			v, ok := flags[f]
			if !ok {
				return inputError(fmt.Errorf("%s: key %s does not record --%s", o.resume, keyTrainFlags, f))
			}
			if o.given(f) && value(f) != v {
				return usageErrorf(name, "--%s %s differs from the checkpoint's %s: a resumed run keeps the settings it started with", f, value(f), v)
			}
			if err := fs.Set(f, v); err != nil {
				return inputError(fmt.Errorf("%s: key %s: --%s %q: %v", o.resume, keyTrainFlags, f, v, err))
			}
		}
		if err := o.validateRun(); err != nil {
			return inputError(fmt.Errorf("%s: key %s: %v", o.resume, keyTrainFlags, err))
		}
		ckArrays = arrays
	}
	o.resolveDefaults()
	steps := o.steps
	if steps == 0 {
		steps = o.defaultSteps()
	}
	config := map[string]string{}
	for _, f := range runFlags {
		config[f] = value(f)
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return err
	}

	task, err := o.makeTask()
	if err != nil {
		return err
	}
	m, k := task.Dims()
	rule, _ := train.ParseRule(o.rule)
	t := task.Len()
	est := train.PassBytes(o.n, m, k, t, o.evalTrials) + 8*float64(o.evalTrials*t*(m+2*k))
	if rule == train.BPTT {
		est += train.PassBytes(o.n, m, k, t, o.batch)
	} else {
		est += train.OnlineBytes(rule == train.RTRL, o.n, m, k, o.batch)
	}
	est += 8 * float64(o.batch*t*(m+2*k))
	if err := o.memory.check(est, fmt.Sprintf("train %s with N = %d units, batches of %d trials of %d steps and %d held-out trials", o.rule, o.n, o.batch, t, o.evalTrials)); err != nil {
		return err
	}

	outs, npzPath, jsonPath, err := o.output.create(o.data, o.plot)
	if err != nil {
		return err
	}
	defer outs.abort()

	net, err := train.NewNet(o.n, m, k, o.alpha)
	if err != nil {
		return usageErrorf(name, "%v", err)
	}
	net.Initialize(train.Init{Gain: o.gain, InputScale: o.inScale, OutputScale: o.outScale, Seed: o.seed})
	method, _ := train.ParseMethod(o.optimizer)
	var learn train.Learned
	for _, l := range o.learn {
		p, _ := train.ParsePart(l)
		learn[p] = true
	}
	tr, err := train.NewTrainer(net, task, train.Settings{
		Rule: rule, Online: o.online, Batch: o.batch,
		Optim: train.Optim{Method: method, LR: o.lr, Clip: o.clip},
		Learn: learn, Seed: o.seed, Workers: effectiveWorkers(o.workers, o.batch*o.n),
	})
	if err != nil {
		return usageErrorf(name, "%v", err)
	}
	var evals []train.Eval
	if ckArrays != nil {
		if evals, err = tr.Restore(ckArrays); err != nil {
			return inputError(fmt.Errorf("%s: %v", o.resume, err))
		}
		if tr.Step > steps {
			return usageErrorf(name, "--steps %d: the checkpoint %s is at step %d already", steps, o.resume, tr.Step)
		}
	}
	resumedAt := tr.Step

	// The checkpoints this run will write must not replace files without
	// --force, nor the checkpoint it resumes from.
	ckPath := func(step int) string { return fmt.Sprintf("%s.step%06d.npz", o.output.out, step) }
	if o.checkpoint > 0 {
		for s := (tr.Step/o.checkpoint + 1) * o.checkpoint; s <= steps; s += o.checkpoint {
			p := ckPath(s)
			if sameFile(p, o.resume) || sameFile(p, o.data) {
				return inputError(fmt.Errorf("%s: refusing to write over the input", p))
			}
			if exists(p) && !o.output.force {
				return inputError(fmt.Errorf("%s exists (use --force to replace it)", p))
			}
		}
	}

	pr := newProgress(e, o.output.showProgress(e))
	start := time.Now()
	evaluate := func() {
		sc := train.Evaluate(net, task, o.evalTrials, o.seed, tr.Workers)
		evals = append(evals, train.Eval{Step: tr.Step, Loss: sc.Loss, Accuracy: sc.Accuracy})
	}
	arrays := func(withOptimizer bool) ([]numpy.Array, error) {
		a, err := tr.Arrays(evals, withOptimizer)
		if err != nil {
			return nil, err
		}
		return append(a, numpy.Array{Name: keyTrainFlags, Shape: []int{}, Data: []string{string(configJSON)}}), nil
	}
	var written []string
	for tr.Step < steps {
		if ctx.Err() != nil {
			pr.finish()
			last := "no checkpoint was written"
			if len(written) > 0 {
				last = "the last checkpoint is " + written[len(written)-1] + " (continue with --resume)"
			}
			e.log.Printf("stopped at step %d of %d; %s", tr.Step, steps, last)
			return ctx.Err()
		}
		loss := tr.TrainStep()
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			pr.finish()
			return fmt.Errorf("the training loss is %v at step %d: the run diverged (try a smaller --lr or --clip)", loss, tr.Step)
		}
		if tr.Step%o.evalEvery == 0 || tr.Step == steps {
			evaluate()
		}
		if o.checkpoint > 0 && tr.Step%o.checkpoint == 0 {
			a, err := arrays(true)
			if err != nil {
				return err
			}
			p := ckPath(tr.Step)
			if err := atomicfile.Write(p, o.output.force, func(w io.Writer) error { return numpy.WriteNPZTo(w, a) }); err != nil {
				return writeError(p, err)
			}
			written = append(written, p)
		}
		if pr.on {
			what := fmt.Sprintf("training steps (loss %.3g", loss)
			if len(evals) > 0 && !math.IsNaN(evals[len(evals)-1].Accuracy) {
				what += fmt.Sprintf(", held-out accuracy %.1f%%", 100*evals[len(evals)-1].Accuracy)
			}
			pr.update(what+")", tr.Step, steps)
		}
	}
	pr.finish()
	if len(evals) == 0 || evals[len(evals)-1].Step != tr.Step {
		evaluate()
	}
	seconds := time.Since(start).Seconds()

	doc := report.Train{
		Header: report.NewHeader("train"),
		Settings: report.TrainSettings{Flags: config, Steps: steps, CheckpointEvery: o.checkpoint,
			ResumedFrom: o.resume, ResumedAtStep: resumedAt},
		Loss:    report.Floats(tr.Losses),
		Outputs: report.Outputs{NPZ: npzPath, JSON: jsonPath, Plot: o.plot},
	}
	if o.data != "" {
		h, err := report.HashPath(o.data)
		if err != nil {
			return inputError(fmt.Errorf("%s: %v", o.data, err))
		}
		doc.Input = report.Input{Path: o.data, SHA256: h}
	}
	doc.Network = report.Network{N: net.N, M: net.M, Convention: "leaky", Activation: "tanh", Alpha: report.Float(net.Alpha), TauMin: 1, TauMax: 1}
	for _, ev := range evals {
		doc.Evals = append(doc.Evals, report.TrainEval{Step: ev.Step, Loss: report.Float(ev.Loss), Accuracy: report.Float(ev.Accuracy)})
	}
	last := evals[len(evals)-1]
	doc.Summary = report.TrainSummary{Steps: tr.Step, FinalLoss: report.Float(last.Loss), FinalAcc: report.Float(last.Accuracy),
		Seconds: report.Float(seconds), Checkpoints: append([]string{}, written...)}
	final, err := arrays(false)
	if err != nil {
		return err
	}
	if err := writeResults(outs, npzPath, func() []numpy.Array { return final }, jsonPath, doc); err != nil {
		return err
	}
	if o.plot != "" {
		if err := writeLossPlot(outs, o.plot, tr.Losses, evals, fmt.Sprintf("%s, %s, N = %d", o.task, o.rule, o.n)); err != nil {
			return err
		}
	}
	return finish(ctx, e, outs, o.output.format, doc, func(w io.Writer) error { return trainTable(w, doc) }, npzPath, jsonPath, o.plot)
}

// makeTask returns the task of the flags (reading --data).
func (o *trainOptions) makeTask() (train.Task, error) {
	switch o.task {
	case "flipflop":
		return &train.FlipFlop{Bits: o.bits, P: o.pulseProb, Steps: o.trialSteps}, nil
	case "periodic":
		return &train.Periodic{Steps: o.trialSteps, Period: o.period, Pulse: 5}, nil
	case "context":
		t := o.trialSteps
		fix := max(1, t/10)
		return &train.Context{Steps: t, Fix: fix, Stim: max(1, t*7/10), Noise: 0.5, Coherences: []float64{0.025, 0.05, 0.1, 0.2}}, nil
	}
	arrays, err := numpy.ReadNPZLimit(o.data, o.memory.readLimit())
	if err != nil {
		return nil, inputError(tooLarge(err))
	}
	byKey := map[string]*numpy.Array{}
	for _, a := range arrays {
		byKey[a.Name] = a
	}
	get := func(key string, required bool) ([]float64, []int, error) {
		a := byKey[key]
		if a == nil {
			if required {
				return nil, nil, inputError(fmt.Errorf("%s: no key %s (want inputs T x B x M, targets T x B x K, optional mask)", o.data, key))
			}
			return nil, nil, nil
		}
		v, ok := a.Float64s()
		if !ok {
			return nil, nil, inputError(fmt.Errorf("%s: key %s: want numbers, found %s", o.data, key, a.Dtype))
		}
		return v, a.Shape, nil
	}
	x, xs, err := get("inputs", true)
	if err != nil {
		return nil, err
	}
	y, ys, err := get("targets", true)
	if err != nil {
		return nil, err
	}
	mk, ms, err := get("mask", false)
	if err != nil {
		return nil, err
	}
	d, err := train.NewData(x, xs, y, ys, mk, ms)
	if err != nil {
		return nil, inputError(fmt.Errorf("%s: %v", o.data, err))
	}
	if o.given("trial-steps") && o.trialSteps != d.Len() {
		return nil, usageErrorf("train", "--trial-steps %d: the trials of %s have %d steps", o.trialSteps, o.data, d.Len())
	}
	return d, nil
}

// trainTable prints the held-out evaluations.
func trainTable(w io.Writer, doc report.Train) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "step\ttrain_loss\theldout_loss\taccuracy\t\n")
	for _, ev := range doc.Evals {
		tl := math.NaN()
		if ev.Step >= 1 && ev.Step <= len(doc.Loss) {
			tl = float64(doc.Loss[ev.Step-1])
		}
		acc := "-"
		if a := float64(ev.Accuracy); !math.IsNaN(a) {
			acc = strconv.FormatFloat(100*a, 'f', 2, 64) + "%"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t\n", ev.Step, num(tl), num(float64(ev.Loss)), acc)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	s := doc.Summary
	acc := ""
	if a := float64(s.FinalAcc); !math.IsNaN(a) {
		acc = fmt.Sprintf(", accuracy %.2f%%", 100*a)
	}
	_, err := fmt.Fprintf(w, "\n%s on %s after %d steps: held-out loss %s%s\n", doc.Settings.Flags["rule"], doc.Settings.Flags["task"], s.Steps, num(float64(s.FinalLoss)), acc)
	return err
}
