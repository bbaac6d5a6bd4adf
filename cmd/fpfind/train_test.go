package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fpfind/fpfind/io/netfile"
	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/train"
)

// small is a quick training run's flags: a few steps of short trials.
func small(prefix string, extra ...string) []string {
	return append([]string{"train", "--task", "flipflop", "--n", "12", "--trial-steps", "30", "--batch", "4",
		"--steps", "20", "--eval-every", "10", "--eval-trials", "8", "--checkpoint-every", "10", "-q", "-o", prefix}, extra...)
}

// The trained network has the contract's keys, and what fpfind's network
// reader makes of the file is the network that was trained: its leaky map
// and the readout reproduce the outputs the training pass computed.
func TestTrainWritesTheNetworkFindReads(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "ff")
	if r := runArgs(t, small(prefix)...); r.code != 0 {
		t.Fatalf("train: exit %d\n%s", r.code, r.stderr)
	}
	keys := readArrays(t, prefix+".npz")
	for _, k := range []string{"W", "W_in", "W_out", "b", "b_out", "alpha", "convention", "train_loss", "eval_accuracy"} {
		if keys[k] == nil {
			t.Errorf("%s.npz has no key %s", prefix, k)
		}
	}
	if c, _ := keys["convention"].Strings(); len(c) != 1 || c[0] != "leaky" {
		t.Errorf("convention %v, want leaky", c)
	}
	for _, s := range []string{"000010", "000020"} {
		if !exists(prefix + ".step" + s + ".npz") {
			t.Errorf("no checkpoint %s.step%s.npz", prefix, s)
		}
	}
	loaded, err := netfile.LoadNetwork(prefix+".npz", nil)
	if err != nil {
		t.Fatal(err)
	}
	net := loaded.Network
	if net.Convention().String() != "leaky" || net.Alpha() != 0.2 || net.Dim() != 12 || net.Inputs() != 3 {
		t.Fatalf("read as %s, alpha %v, N = %d, M = %d", net.Convention(), net.Alpha(), net.Dim(), net.Inputs())
	}
	// Step the map h <- h + alpha (-h + tanh(W h + W_in x + b)) that find
	// analyses (alpha F with tau 1), with the pulses of a trial.
	w, _ := keys["W_out"].Float64s()
	bOut, _ := keys["b_out"].Float64s()
	h := make([]float64, 12)
	f := make([]float64, 12)
	x := [][]float64{{1, 0, 0}, {0, 0, 0}, {0, -1, 1}, {0, 0, 0}}
	var ys []float64
	for _, u := range x {
		net.FieldInput(f, h, u)
		for i := range h {
			h[i] += net.Alpha() * f[i]
		}
		for k := range 3 {
			y := bOut[k]
			for j := range h {
				y += w[k*12+j] * h[j]
			}
			ys = append(ys, y)
		}
	}
	want := trainedOutputs(t, prefix+".npz", x)
	for i := range ys {
		if math.Abs(ys[i]-want[i]) > 1e-12 {
			t.Fatalf("output %d: %v through the file's network, %v through train's", i, ys[i], want[i])
		}
	}
	// find runs on it as it is.
	r := runArgs(t, "find", "-q", "-n", "8", "--explore=false", "--format", "json", prefix+".npz")
	if r.code != 0 || !strings.Contains(r.stdout, `"convention": "leaky"`) {
		t.Errorf("find on the trained network: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// trainedOutputs runs the network of a trained file through train's own
// forward pass on one trial of inputs x and returns its outputs.
func trainedOutputs(t *testing.T, path string, x [][]float64) []float64 {
	t.Helper()
	net, err := train.NetFromArrays(readArrays(t, path))
	if err != nil {
		t.Fatal(err)
	}
	bt := train.NewBatch(len(x), 1, 3, 3, false)
	for i, u := range x {
		copy(bt.X[i*3:], u)
	}
	p := &train.Pass{}
	p.Forward(net, bt)
	return p.Outputs()
}

// The same seed gives the same bytes whatever --workers, for each rule.
func TestTrainSameBytesWhateverWorkers(t *testing.T) {
	dir := t.TempDir()
	for _, rule := range []string{"bptt", "rtrl", "rflo"} {
		var files [2][]byte
		for i, j := range []string{"1", "3"} {
			p := filepath.Join(dir, rule+j)
			if r := runArgs(t, small(p, "--rule", rule, "-j", j, "--steps", "6", "--n", "6")...); r.code != 0 {
				t.Fatalf("train --rule %s -j %s: exit %d\n%s", rule, j, r.code, r.stderr)
			}
			b, err := os.ReadFile(p + ".npz")
			if err != nil {
				t.Fatal(err)
			}
			files[i] = b
		}
		if !bytes.Equal(files[0], files[1]) {
			t.Errorf("--rule %s: -j 1 and -j 3 wrote different networks", rule)
		}
	}
}

// A run resumed from its checkpoint ends with the bytes of the run that
// was not stopped; flags that would change the run are refused.
func TestTrainResume(t *testing.T) {
	dir := t.TempDir()
	whole, part := filepath.Join(dir, "whole"), filepath.Join(dir, "part")
	if r := runArgs(t, small(whole, "--rule", "rflo", "--online")...); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if r := runArgs(t, small(part, "--rule", "rflo", "--online", "--steps", "10")...); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	os.Remove(part + ".npz")
	os.Remove(part + ".json")
	r := runArgs(t, "train", "-q", "--resume", part+".step000010.npz", "--steps", "20", "-o", part)
	if r.code != 0 {
		t.Fatalf("resume: exit %d\n%s", r.code, r.stderr)
	}
	a, _ := os.ReadFile(whole + ".npz")
	b, _ := os.ReadFile(part + ".npz")
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Errorf("the resumed run's network differs from the whole run's")
	}
	r = runArgs(t, "train", "-q", "--resume", part+".step000010.npz", "--lr", "0.5", "-o", filepath.Join(dir, "other"))
	if r.code != 2 || !strings.Contains(r.stderr, "--lr") {
		t.Errorf("resume with another --lr: exit %d, %q; want 2 naming --lr", r.code, r.stderr)
	}
}

// Ctrl-C stops the run: exit 130, no PREFIX.npz, and the last complete
// checkpoint stays, from which the run resumes.
func TestTrainInterruptLeavesCheckpoint(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "ff")
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	go func() {
		for !exists(prefix + ".step000005.npz") {
			time.Sleep(time.Millisecond)
		}
		cancel(&signalError{os.Interrupt})
	}()
	var out, errb bytes.Buffer
	args := slices.DeleteFunc(small(prefix, "--steps", "1000000", "--checkpoint-every", "5"), func(a string) bool { return a == "-q" })
	code := run(ctx, args, &out, &errb)
	if code != 130 {
		t.Fatalf("exit %d, want 130\n%s", code, errb.String())
	}
	if exists(prefix + ".npz") {
		t.Errorf("an interrupted run wrote %s.npz", prefix)
	}
	if !strings.Contains(errb.String(), "the last checkpoint is") {
		t.Errorf("stderr does not name the last checkpoint: %q", errb.String())
	}
	keys := readArrays(t, prefix+".step000005.npz")
	if keys["train_step"] == nil {
		t.Fatalf("checkpoint has no train_step")
	}
	if r := runArgs(t, "train", "-q", "--resume", prefix+".step000005.npz", "--steps", "7", "-o", prefix); r.code != 0 {
		t.Errorf("resume after the interrupt: exit %d\n%s", r.code, r.stderr)
	}
}

// Usage and input errors exit 2 with a message naming the flag or key.
func TestTrainErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.npz")
	if err := numpy.WriteNPZ(bad, []numpy.Array{
		{Name: "inputs", Shape: []int{5, 2, 1}, Data: make([]float64, 10)},
		{Name: "targets", Shape: []int{5, 3, 1}, Data: make([]float64, 15)},
	}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "x")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "-o", out}, "--task is required"},
		{[]string{"train", "--task", "flipflop", "--rule", "bptt", "--online", "-o", out}, "--online"},
		{[]string{"train", "--task", "nope", "-o", out}, "--task"},
		{[]string{"train", "--task", "flipflop", "--learn", "W,V", "-o", out}, "--learn"},
		{[]string{"train", "--task", "data", "-o", out}, "--data"},
		{[]string{"train", "--task", "data", "--data", bad, "-o", out}, "targets: shape [5 3 1] does not match inputs [5 2 1]"},
		{[]string{"train", "--task", "flipflop", "--n", "100000", "-o", out}, "--max-memory"},
	} {
		r := runArgs(t, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

// --progress always draws the progress line on stderr (a terminal gets it
// by default); stdout keeps only the table.
func TestTrainProgressLine(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "ff")
	args := slices.DeleteFunc(small(prefix, "--progress", "always"), func(a string) bool { return a == "-q" })
	r := runArgs(t, args...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "\rfpfind: training steps (loss ") || !strings.Contains(r.stderr, "held-out accuracy") || !strings.Contains(r.stderr, "20/20") {
		t.Errorf("stderr has no progress line: %q", r.stderr)
	}
	if strings.Contains(r.stdout, "\r") || !strings.Contains(r.stdout, "heldout_loss") {
		t.Errorf("stdout: %q", r.stdout)
	}
}

// A user task from an .npz trains, and the .json names the file and its
// hash.
func TestTrainData(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "task.npz")
	const steps, trials = 6, 5
	x := make([]float64, steps*trials*2)
	y := make([]float64, steps*trials)
	for i := range x {
		x[i] = float64(i%3) - 1
	}
	for i := range y {
		y[i] = x[2*i]
	}
	if err := numpy.WriteNPZ(data, []numpy.Array{
		{Name: "inputs", Shape: []int{steps, trials, 2}, Data: x},
		{Name: "targets", Shape: []int{steps, trials, 1}, Data: y},
		{Name: "mask", Shape: []int{steps, trials}, Data: make([]float64, steps*trials)},
	}); err != nil {
		t.Fatal(err)
	}
	prefix := filepath.Join(dir, "d")
	r := runArgs(t, "train", "--task", "data", "--data", data, "--n", "5", "--steps", "3", "--batch", "2", "--checkpoint-every", "0", "--format", "json", "-q", "-o", prefix)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, `"path": "`+data+`"`) || !strings.Contains(r.stdout, `"sha256": "`) {
		t.Errorf("the .json does not name the data file: %s", r.stdout)
	}
	keys := readArrays(t, prefix+".npz")
	if w := keys["W_in"]; w == nil || w.Shape[1] != 2 {
		t.Errorf("W_in: %v, want N x 2", w)
	}
}
