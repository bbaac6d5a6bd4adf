// Command trainbench times package train for bench/train_vs_torch.py, on
// the networks and trials that the script writes, and prints its
// measurements as one JSON object on stdout.
//
// Usage:
//
//	trainbench -mode bptt|rflo-online -in FILE.npz [-steps 5] [-workers 2] [-lr 1e-3]
//
// FILE.npz holds W (N x N), W_in (N x M), b (N), W_out (K x N), b_out (K),
// alpha (), X (T x B x M), Y (T x B x K) and, for rflo-online, feedback
// (N x K). bptt times training steps on that batch (forward, backward,
// Adam without clipping) and reports the loss and the gradient's norm of
// the first; rflo-online runs the batch's first trial once, changing the
// weights by SGD after every time step (Online.RunSGD, the path of
// fpfind train --online --optimizer sgd --clip 0), and reports the seconds per time
// step and the weights at the end.
package main

import (
	"encoding/json"
	"flag"
	"log"
	"math"
	"os"
	"slices"
	"syscall"
	"time"

	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/train"
)

type result struct {
	Mode        string    `json:"mode"`
	N           int       `json:"n"`
	T           int       `json:"t"`
	B           int       `json:"b"`
	Workers     int       `json:"workers"`
	StepSeconds []float64 `json:"step_seconds"` // bptt: each training step; rflo-online: each run of the trial
	PerStep     float64   `json:"per_step"`     // the median, per training step or per time step
	CPUPerStep  float64   `json:"cpu_per_step"` // user + system seconds of the process, per step, over all timed repetitions
	Loss        float64   `json:"loss"`         // bptt: of the first step; rflo-online: of the run
	GradNorm    float64   `json:"grad_norm"`    // bptt: of the first step
	W           []float64 `json:"w,omitempty"`  // rflo-online: W after the first run
}

func main() {
	mode := flag.String("mode", "bptt", "bptt or rflo-online")
	in := flag.String("in", "", "the .npz the script wrote")
	steps := flag.Int("steps", 5, "timed repetitions")
	workers := flag.Int("workers", 2, "goroutines")
	lr := flag.Float64("lr", 1e-3, "learning rate")
	flag.Parse()
	arrays, err := numpy.ReadNPZ(*in)
	if err != nil {
		log.Fatal(err)
	}
	get := map[string]*numpy.Array{}
	for _, a := range arrays {
		get[a.Name] = a
	}
	f := func(k string) []float64 {
		v, ok := get[k].Float64s()
		if !ok {
			log.Fatalf("%s: key %s", *in, k)
		}
		return v
	}
	net, err := train.NetFromArrays(get)
	if err != nil {
		log.Fatal(err)
	}
	m, k := net.M, net.K
	t, b := get["X"].Shape[0], get["X"].Shape[1]
	n := net.N
	bt := train.NewBatch(t, b, m, k, false)
	copy(bt.X, f("X"))
	copy(bt.Y, f("Y"))
	res := result{Mode: *mode, N: n, T: t, B: b, Workers: *workers}
	grad := make([]float64, len(net.Params))
	switch *mode {
	case "bptt":
		var cpu0 float64
		p := &train.Pass{Workers: *workers}
		opt := train.NewOptimizer(train.Optim{Method: train.Adam, LR: *lr}, train.LearnAll(), len(net.Params))
		for s := range *steps + 1 { // the first is a warm-up
			start := time.Now()
			loss := p.Forward(net, bt)
			p.Backward(net, bt, grad)
			norm := train.Norm(grad)
			opt.Apply(net, grad)
			if s == 0 {
				res.Loss, res.GradNorm = loss, norm
				cpu0 = cpuSeconds()
			} else {
				res.StepSeconds = append(res.StepSeconds, time.Since(start).Seconds())
			}
		}
		res.PerStep = median(res.StepSeconds)
		res.CPUPerStep = (cpuSeconds() - cpu0) / float64(*steps)
	case "rflo-online":
		one := train.NewBatch(t, 1, m, k, false)
		for s := range t {
			copy(one.X[s*m:(s+1)*m], bt.X[(s*b)*m:(s*b+1)*m])
			copy(one.Y[s*k:(s+1)*k], bt.Y[(s*b)*k:(s*b+1)*k])
		}
		start := net.Clone()
		var cpu0 float64
		// One workspace for every run, as the Trainer keeps one over its
		// trials (allocated and zeroed before the clock starts, as the
		// numpy implementation's arrays are).
		o := &train.Online{Feedback: f("feedback"), Workers: *workers}
		for s := range *steps + 1 {
			if s == 1 {
				cpu0 = cpuSeconds()
			}
			copy(net.Params, start.Params)
			t0 := time.Now()
			loss := o.RunSGD(net, one, grad, *lr, train.LearnAll())
			if s == 0 {
				res.Loss = loss
				res.W = slices.Clone(net.W)
			} else {
				res.StepSeconds = append(res.StepSeconds, time.Since(t0).Seconds())
			}
		}
		res.PerStep = median(res.StepSeconds) / float64(t)
		res.CPUPerStep = (cpuSeconds() - cpu0) / float64(*steps*t)
	default:
		log.Fatalf("-mode %q: want bptt or rflo-online", *mode)
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		log.Fatal(err)
	}
}

// cpuSeconds returns the user and system time of the process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
