// Command fpbench runs fixedpoint.Find on a network and prints a JSON
// summary; bench/fp_vs_peers.py drives it. It is a stand-in until the fpfind
// command exists.
//
// Usage:
//
//	fpbench -net net.npz -inits inits.npy [-workers 0] [-out points.npy]
//	fpbench -gen -n 200 -g 1.5 -seed 1 -count 1024
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/internal/backend"
	"github.com/fpfind/fpfind/internal/nettest"
	"github.com/fpfind/fpfind/io/netfile"
	"github.com/fpfind/fpfind/io/numpy"
)

func main() {
	log.SetPrefix("fpbench: ")
	log.SetFlags(0)
	// The dense linear algebra of the fpfind command (its main does the
	// same): gonum's BLAS with internal/kernel's Dgemm.
	backend.Install()
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

type summary struct {
	Seconds    float64          `json:"seconds"`
	Points     int              `json:"points"`
	Fixed      int              `json:"fixed"`
	Slow       int              `json:"slow"`
	Statuses   map[string]int   `json:"statuses"`
	Stats      fixedpoint.Stats `json:"stats"`
	MaxResid   float64          `json:"max_residual_fixed"`
	Symmetric  bool             `json:"symmetric"`
	Deflated   int              `json:"from_deflation"`
	Mirrored   int              `json:"from_symmetry"`
	Multiplies []int            `json:"multiplicity"`
	// IterByStatus sums Run.Iter over the runs of each status.
	IterByStatus map[string]int `json:"iter_by_status"`
}

func run() error {
	var (
		netPath  = flag.String("net", "", "network .npz (docs/DESIGN.md keys)")
		initPath = flag.String("inits", "", "initial states .npy (I x N)")
		out      = flag.String("out", "", "write the fixed points (K x N) to this .npy")
		workers  = flag.Int("workers", 0, "workers (0 = GOMAXPROCS)")
		batch    = flag.Int("batch", 0, "runs per worker in lockstep (0 = default, 1 = none)")
		gen      = flag.Bool("gen", false, "generate a random tanh network and trajectory states")
		n        = flag.Int("n", 200, "units (-gen)")
		g        = flag.Float64("g", 1.5, "gain (-gen)")
		seed     = flag.Uint64("seed", 1, "seed (-gen)")
		count    = flag.Int("count", 1024, "initial states (-gen)")
		method   = flag.String("method", "auto", "auto, newton or speed")
		linear   = flag.String("linear", "auto", "auto, lu or matrix-free (gmres: its old name)")
		defl     = flag.Int("deflation", 0, "deflated restarts (0 default, <0 none)")
		noEarly  = flag.Bool("no-early", false, "disable early exit")
		noSym    = flag.Bool("no-symmetry", false, "disable symmetry")
		maxSpeed = flag.Int("max-speed-iter", 0, "MaxSpeedIter")
		maxIter  = flag.Int("max-iter", 0, "MaxIter")
		slowTol  = flag.Float64("slow-tol", 0, "SlowTol")
		reps     = flag.Int("reps", 1, "repeat Find this many times, report the fastest")
		cpuProf  = flag.String("cpuprofile", "", "write a CPU profile of the Find calls to this file")
	)
	flag.Parse()
	var net *dynamics.Network
	var inits *mat.Dense
	var err error
	if *gen {
		net, inits, err = generate(*n, *g, *seed, *count)
	} else {
		net, err = loadNet(*netPath)
		if err == nil {
			inits, err = loadInits(*initPath)
		}
	}
	if err != nil {
		return err
	}
	m, err := fixedpoint.ParseMethod(*method)
	if err != nil {
		return err
	}
	lin, err := fixedpoint.ParseLinear(*linear)
	if err != nil {
		return err
	}
	s := &fixedpoint.Settings{Workers: *workers, Batch: *batch, Method: m, Linear: lin, Deflation: *defl, NoEarlyExit: *noEarly, NoSymmetry: *noSym, MaxSpeedIter: *maxSpeed, SlowTol: *slowTol, MaxIter: *maxIter}
	if *cpuProf != "" {
		pf, err := os.Create(*cpuProf)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var res *fixedpoint.Result
	best := math.Inf(1)
	for range *reps {
		t0 := time.Now()
		res, err = fixedpoint.Find(context.Background(), net, inits, s)
		if err != nil {
			return err
		}
		best = math.Min(best, time.Since(t0).Seconds())
	}
	sum := summary{Seconds: best, Points: len(res.Points), Statuses: map[string]int{}, Stats: res.Stats, Symmetric: res.Symmetric, IterByStatus: map[string]int{}}
	for _, r := range res.Runs {
		sum.Statuses[r.Status.String()]++
		sum.IterByStatus[r.Status.String()] += r.Iter
	}
	var fixed []float64
	for _, p := range res.Points {
		switch p.Kind {
		case fixedpoint.Fixed:
			sum.Fixed++
			sum.MaxResid = math.Max(sum.MaxResid, p.Residual)
			fixed = append(fixed, p.X...)
		case fixedpoint.Slow:
			sum.Slow++
		}
		switch p.Source {
		case fixedpoint.FromDeflation:
			sum.Deflated++
		case fixedpoint.FromSymmetry:
			sum.Mirrored++
		}
		sum.Multiplies = append(sum.Multiplies, p.Multiplicity)
	}
	if *out != "" {
		rows := numpy.Array{Shape: []int{max(sum.Fixed, 1), net.Dim()}, Data: pad(fixed, net.Dim())}
		if err := numpy.WriteNPY(*out, rows); err != nil {
			return err
		}
	}
	enc := json.NewEncoder(os.Stdout)
	return enc.Encode(sum)
}

func pad(x []float64, n int) []float64 {
	if len(x) == 0 {
		return make([]float64, n)
	}
	return x
}

func loadNet(path string) (*dynamics.Network, error) {
	l, err := netfile.LoadNetwork(path, nil)
	if err != nil {
		return nil, err
	}
	return l.Network, nil
}

func loadInits(path string) (*mat.Dense, error) { return numpy.ReadMatrix(path) }

// generate builds a random tanh network W_ij ~ N(0, g^2/N) and samples
// initial states from RK4 trajectories started at N(0,1) states.
func generate(n int, g float64, seed uint64, count int) (*dynamics.Network, *mat.Dense, error) {
	r := rand.New(rand.NewPCG(seed, 0))
	net, err := dynamics.New(dynamics.Config{W: nettest.GaussianW(r, n, g)})
	if err != nil {
		return nil, nil, err
	}
	inits := mat.NewDense(count, n, nil)
	h := make([]float64, n)
	k1, k2, k3, k4, t := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	const dt = 0.1
	for i := 0; i < count; i++ {
		if i%16 == 0 {
			for j := range h {
				h[j] = r.NormFloat64()
			}
			for range 200 {
				rk4(net, h, dt, k1, k2, k3, k4, t)
			}
		}
		for range 20 {
			rk4(net, h, dt, k1, k2, k3, k4, t)
		}
		for j, v := range h {
			inits.Set(i, j, v+0.01*r.NormFloat64())
		}
	}
	return net, inits, nil
}

func rk4(net *dynamics.Network, h []float64, dt float64, k1, k2, k3, k4, t []float64) {
	net.Field(k1, h)
	for j := range h {
		t[j] = h[j] + dt/2*k1[j]
	}
	net.Field(k2, t)
	for j := range h {
		t[j] = h[j] + dt/2*k2[j]
	}
	net.Field(k3, t)
	for j := range h {
		t[j] = h[j] + dt*k3[j]
	}
	net.Field(k4, t)
	for j := range h {
		h[j] += dt / 6 * (k1[j] + 2*k2[j] + 2*k3[j] + k4[j])
	}
}
