// Command odebench times package ode for bench/ode_vs_scipy.py, on networks
// that the script writes, and prints its measurements as one JSON object on
// stdout.
//
// Usage:
//
//	odebench -dir DIR [-single 256,1024] [-batch-n 256] [-batch 1024] [-t1 100] [-rtol 1e-6] [-atol 1e-9] [-repeat 3]
//
// DIR holds raw little-endian float64 files written by the script: for each
// size n, W<n>.f64 (n x n, row-major), b<n>.f64 and h0<n>.f64 (n); and
// H0.f64 (batch x batch-n), the initial states of the batch. The networks
// are tanh with tau = 1: dh/dt = -h + tanh(W h + b).
package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/ode"
)

type single struct {
	N           int       `json:"n"`
	FieldWall   float64   `json:"field_wall"` // seconds, Field (one core)
	FieldNfev   int       `json:"field_nfev"`
	ParWall     float64   `json:"par_wall"` // seconds, ParallelField (every core, persistent helpers)
	ParNfev     int       `json:"par_nfev"`
	Accepted    int       `json:"accepted"`
	Rejected    int       `json:"rejected"`
	GemvSec     float64   `json:"gemv"`      // one bare W h, gonum Dgemv
	FieldSec    float64   `json:"field"`     // one Field call
	FieldParSec float64   `json:"field_par"` // one ParallelField call
	YEnd        []float64 `json:"y_end"`     // h(t1)
}

type batch struct {
	N            int     `json:"n"`
	Count        int     `json:"count"`
	LockstepWall float64 `json:"lockstep_wall"`
	LockstepCPU  float64 `json:"lockstep_cpu"`      // user + system seconds of the process
	LockstepNfev int     `json:"lockstep_nfev"`     // summed over trajectories
	LockstepAcc  int     `json:"lockstep_accepted"` // summed over trajectories
	LockstepRej  int     `json:"lockstep_rejected"` // summed over trajectories
	ParallelWall float64 `json:"parallel_wall"`
	ParallelCPU  float64 `json:"parallel_cpu"`
	ParallelNfev int     `json:"parallel_nfev"` // summed over trajectories
	RK4Wall      float64 `json:"rk4_lockstep_wall"`
	RK4Step      float64 `json:"rk4_step"`
	GemmSec      float64 `json:"gemm"` // one Evaluator.FieldRows on the batch
	MaxDiff      float64 `json:"max_diff_lockstep_vs_parallel"`
}

type report struct {
	GOMAXPROCS int      `json:"gomaxprocs"`
	Single     []single `json:"single"`
	Batch      *batch   `json:"batch,omitempty"`
}

func main() {
	log.SetPrefix("odebench: ")
	log.SetFlags(0)
	dir := flag.String("dir", "", "folder with the networks")
	sizes := flag.String("single", "256,1024", "sizes of the one-trajectory runs")
	bn := flag.Int("batch-n", 256, "size of the batch network (0: no batch run)")
	bc := flag.Int("batch", 1024, "number of trajectories in the batch")
	t1 := flag.Float64("t1", 100, "end time")
	rtol := flag.Float64("rtol", 1e-6, "relative tolerance")
	atol := flag.Float64("atol", 1e-9, "absolute tolerance")
	rk4 := flag.Float64("rk4-step", 0.05, "step of the lockstep RK4 run (0: skip)")
	repeat := flag.Int("repeat", 3, "repetitions of each one-trajectory run (best is kept)")
	samples := flag.Int("samples", 101, "sample times, evenly spaced on [0, t1]")
	flag.Parse()
	if *dir == "" {
		log.Fatal("-dir is required")
	}
	if err := run(*dir, *sizes, *bn, *bc, *t1, *rtol, *atol, *rk4, *repeat, *samples); err != nil {
		log.Fatal(err)
	}
}

func readF64(path string, n int) ([]float64, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(raw) != 8*n {
		return nil, fmt.Errorf("%s: %d bytes, want %d", path, len(raw), 8*n)
	}
	x := make([]float64, n)
	for i := range x {
		x[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
	}
	return x, nil
}

func loadNet(dir string, n int) (*dynamics.Network, []float64, error) {
	w, err := readF64(filepath.Join(dir, fmt.Sprintf("W%d.f64", n)), n*n)
	if err != nil {
		return nil, nil, err
	}
	b, err := readF64(filepath.Join(dir, fmt.Sprintf("b%d.f64", n)), n)
	if err != nil {
		return nil, nil, err
	}
	h0, err := readF64(filepath.Join(dir, fmt.Sprintf("h0%d.f64", n)), n)
	if err != nil {
		return nil, nil, err
	}
	net, err := dynamics.New(dynamics.Config{W: mat.NewDense(n, n, w), B: b})
	return net, h0, err
}

// cpuSeconds returns the user and system time of the process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// perCall returns the seconds per call of fn: the best of 5 rounds of at
// least 40 ms (the machine may be shared).
func perCall(fn func()) float64 {
	fn()
	reps := 1
	for {
		start := time.Now()
		for range reps {
			fn()
		}
		if time.Since(start) > 40*time.Millisecond {
			break
		}
		reps *= 2
	}
	best := math.Inf(1)
	for range 5 {
		start := time.Now()
		for range reps {
			fn()
		}
		best = math.Min(best, time.Since(start).Seconds()/float64(reps))
	}
	return best
}

func run(dir, sizes string, bn, bc int, t1, rtol, atol, rk4 float64, repeat, samples int) error {
	ctx := context.Background()
	rep := report{GOMAXPROCS: runtime.GOMAXPROCS(0)}
	times := make([]float64, samples)
	for i := range times {
		times[i] = t1 * float64(i) / float64(samples-1)
	}
	s := &ode.Settings{RelTol: rtol, AbsTol: atol, Times: times}
	for _, f := range strings.Split(sizes, ",") {
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return err
		}
		net, h0, err := loadNet(dir, n)
		if err != nil {
			return err
		}
		r := single{N: n}
		dst := make([]float64, n)
		w := net.W().RawMatrix()
		r.GemvSec = perCall(func() {
			blas64.Gemv(blas.NoTrans, 1, w, blas64.Vector{N: n, Inc: 1, Data: h0}, 0, blas64.Vector{N: n, Inc: 1, Data: dst})
		})
		r.FieldSec = perCall(func() { net.Field(dst, h0) })
		parts := runtime.GOMAXPROCS(0)
		pf := net.NewEvaluator(parts).ParallelField()
		r.FieldParSec = perCall(func() { pf.Field(dst, h0) })
		one := func(dst []float64, _ float64, h []float64) { net.Field(dst, h) }
		par := func(dst []float64, _ float64, h []float64) { pf.Field(dst, h) }
		r.FieldWall, r.ParWall = math.Inf(1), math.Inf(1)
		for range repeat {
			start := time.Now()
			res, err := ode.Solve(ctx, one, h0, 0, t1, s)
			if err != nil {
				return err
			}
			r.FieldWall = math.Min(r.FieldWall, time.Since(start).Seconds())
			r.FieldNfev = res.Stats.FuncEvals
			start = time.Now()
			res, err = ode.Solve(ctx, par, h0, 0, t1, s)
			if err != nil {
				return err
			}
			r.ParWall = math.Min(r.ParWall, time.Since(start).Seconds())
			r.ParNfev = res.Stats.FuncEvals
			r.Accepted, r.Rejected = res.Stats.Accepted, res.Stats.Rejected
			r.YEnd = res.Y.RawRowView(len(times) - 1)
		}
		pf.Close()
		rep.Single = append(rep.Single, r)
	}
	if bn > 0 && bc > 0 {
		net, _, err := loadNet(dir, bn)
		if err != nil {
			return err
		}
		h, err := readF64(filepath.Join(dir, "H0.f64"), bc*bn)
		if err != nil {
			return err
		}
		y0s := mat.NewDense(bc, bn, h)
		b := &batch{N: bn, Count: bc}
		var dst mat.Dense
		ev := net.NewEvaluator(1)
		b.GemmSec = perCall(func() { dst.Reset(); ev.FieldRows(&dst, y0s) })
		rows := func(dst *mat.Dense, _ float64, h *mat.Dense) { ev.FieldRows(dst, h) }
		start, cpu := time.Now(), cpuSeconds()
		lock, err := ode.SolveLockstep(ctx, rows, y0s, 0, t1, s)
		if err != nil {
			return err
		}
		b.LockstepWall, b.LockstepCPU = time.Since(start).Seconds(), cpuSeconds()-cpu
		for _, r := range lock {
			b.LockstepNfev += r.Stats.FuncEvals
			b.LockstepAcc += r.Stats.Accepted
			b.LockstepRej += r.Stats.Rejected
		}
		one := func(dst []float64, _ float64, h []float64) { net.Field(dst, h) }
		start, cpu = time.Now(), cpuSeconds()
		par, err := ode.SolveBatch(ctx, one, y0s, 0, t1, s)
		if err != nil {
			return err
		}
		b.ParallelWall, b.ParallelCPU = time.Since(start).Seconds(), cpuSeconds()-cpu
		for i, r := range par {
			if r.Status != ode.Success || lock[i].Status != ode.Success {
				return fmt.Errorf("trajectory %d: %v / %v", i, r.Err(), lock[i].Err())
			}
			b.ParallelNfev += r.Stats.FuncEvals
			d := lock[i].Y.RawMatrix().Data
			for j, v := range r.Y.RawMatrix().Data {
				b.MaxDiff = math.Max(b.MaxDiff, math.Abs(v-d[j]))
			}
		}
		if rk4 > 0 {
			b.RK4Step = rk4
			start = time.Now()
			if _, err := ode.SolveLockstep(ctx, rows, y0s, 0, t1, &ode.Settings{Method: ode.RK4, Step: rk4, Times: times}); err != nil {
				return err
			}
			b.RK4Wall = time.Since(start).Seconds()
		}
		rep.Batch = b
	}
	return json.NewEncoder(os.Stdout).Encode(rep)
}
