package fixedpoint_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/internal/nettest"
)

func TestTrajectoryInitsAnalytic(t *testing.T) {
	// W = 0: h(t) = phi(b) + (h0 - phi(b)) exp(-t/tau), per unit.
	b := []float64{0.5, -1, 2}
	tau := []float64{0.5, 1, 2}
	net := nettest.Must(t, dynamics.Config{W: mat.NewDense(3, 3, nil), B: b, Tau: tau})
	s := &fixedpoint.SampleSettings{Count: 10, Trajectories: 4, Start: 2, Burn: 0.5, Span: 1.5, Seed: 3, Workers: 1}
	got, err := fixedpoint.TrajectoryInits(context.Background(), net, s)
	if err != nil {
		t.Fatal(err)
	}
	per := 3 // ceil(10/4)
	for i := 0; i < 10; i++ {
		j, k := i%4, i/4
		tt := 0.5 + float64(k)*1.5/float64(per-1)
		r := rand.New(rand.NewPCG(3, uint64(j)))
		for u := 0; u < 3; u++ {
			h0 := 2 * r.NormFloat64()
			want := math.Tanh(b[u]) + (h0-math.Tanh(b[u]))*math.Exp(-tt/tau[u])
			if d := math.Abs(got.At(i, u) - want); d > 1e-5 {
				t.Errorf("row %d unit %d: %.10g, want %.10g", i, u, got.At(i, u), want)
			}
		}
	}
}

func TestTrajectoryInitsDeterministic(t *testing.T) {
	net := nettest.Tanh(t, 30, 1.5, 2)
	s := &fixedpoint.SampleSettings{Count: 50, Noise: 0.1, Seed: 9, Workers: 1}
	a, err := fixedpoint.TrajectoryInits(context.Background(), net, s)
	if err != nil {
		t.Fatal(err)
	}
	s.Workers = 4
	b, err := fixedpoint.TrajectoryInits(context.Background(), net, s)
	if err != nil {
		t.Fatal(err)
	}
	ar, br := a.RawMatrix().Data, b.RawMatrix().Data
	for i := range ar {
		if math.Float64bits(ar[i]) != math.Float64bits(br[i]) {
			t.Fatalf("element %d differs between 1 and 4 workers", i)
		}
	}
	// The states lie in tanh's range up to the noise.
	for _, v := range ar {
		if math.Abs(v) > 1+0.1*6 {
			t.Fatalf("state %v out of range", v)
		}
	}
	if _, err := fixedpoint.TrajectoryInits(context.Background(), net, &fixedpoint.SampleSettings{}); err == nil {
		t.Error("Count 0: no error")
	}
}

func TestRandomInits(t *testing.T) {
	m, err := fixedpoint.RandomInits(100, 5, -1, 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	var mean float64
	for _, v := range m.RawMatrix().Data {
		if v < -1 || v > 1 {
			t.Fatalf("%v outside [-1, 1]", v)
		}
		mean += v / 500
	}
	if math.Abs(mean) > 0.1 {
		t.Errorf("mean %v, want about 0", mean)
	}
	if _, err := fixedpoint.RandomInits(3, 2, 0, math.Inf(1), 1); err == nil {
		t.Error("infinite bound: no error")
	}
}

// A leaky network is sampled along its own map: with W = 0, h_k = phi(b) +
// (h0 - phi(b)) (1 - alpha)^k, at the step k nearest t / (alpha tau).
func TestTrajectoryInitsLeakyMap(t *testing.T) {
	b := []float64{0.5, -1, 2}
	const alpha = 0.3
	net := nettest.Must(t, dynamics.Config{W: mat.NewDense(3, 3, nil), B: b, Convention: dynamics.Leaky, Alpha: alpha})
	s := &fixedpoint.SampleSettings{Count: 10, Trajectories: 4, Start: 2, Burn: 0.5, Span: 1.5, Seed: 3, Workers: 1}
	got, err := fixedpoint.TrajectoryInits(context.Background(), net, s)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		j, k := i%4, i/4
		steps := math.Round((0.5 + float64(k)*0.75) / alpha)
		r := rand.New(rand.NewPCG(3, uint64(j)))
		for u := 0; u < 3; u++ {
			h0 := 2 * r.NormFloat64()
			want := math.Tanh(b[u]) + (h0-math.Tanh(b[u]))*math.Pow(1-alpha, steps)
			if d := math.Abs(got.At(i, u) - want); d > 1e-13 {
				t.Errorf("row %d unit %d: %.15g, want %.15g", i, u, got.At(i, u), want)
			}
		}
	}
}

// A discrete network is sampled along its map, not along the flow of the
// same fixed-point equation: h <- tanh(-2h) settles on the 2-cycle
// h = -+0.957504 (tanh(2 h) = h), where the flow dh/dt = -h + tanh(-2h)
// goes to 0.
func TestTrajectoryInitsDiscreteMap(t *testing.T) {
	net := nettest.Must(t, dynamics.Config{W: mat.NewDense(1, 1, []float64{-2}), Convention: dynamics.Discrete})
	for _, workers := range []int{1, 3} {
		got, err := fixedpoint.TrajectoryInits(context.Background(), net, &fixedpoint.SampleSettings{Count: 20, Seed: 4, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range got.RawMatrix().Data {
			if math.Abs(math.Abs(v)-0.9575040240772687) > 1e-9 {
				t.Errorf("workers %d, row %d: %v, want -+0.957504 (the 2-cycle)", workers, i, v)
			}
		}
	}
}

// fieldOnly is a Flow that is not a *dynamics.Network, so that
// TrajectoryInits integrates its trajectories one by one on its Field.
type fieldOnly struct{ net *dynamics.Network }

func (f fieldOnly) Dim() int               { return f.net.Dim() }
func (f fieldOnly) Field(dst, h []float64) { f.net.Field(dst, h) }

// Trajectories integrated in lockstep groups (a network's) agree with those
// integrated one by one, to the integration tolerance, and stay
// independent of the number of workers.
func TestTrajectoryInitsLockstepMatchesSingle(t *testing.T) {
	net := nettest.Tanh(t, 40, 1.5, 4)
	s := &fixedpoint.SampleSettings{Count: 70, Trajectories: 35, Burn: 1, Span: 1, Seed: 5, Workers: 1}
	group, err := fixedpoint.TrajectoryInits(context.Background(), net, s)
	if err != nil {
		t.Fatal(err)
	}
	single, err := fixedpoint.TrajectoryInits(context.Background(), fieldOnly{net}, s)
	if err != nil {
		t.Fatal(err)
	}
	var worst float64
	for i, v := range group.RawMatrix().Data {
		worst = math.Max(worst, math.Abs(v-single.RawMatrix().Data[i]))
	}
	if worst > 1e-4 || worst == 0 {
		t.Errorf("lockstep and single trajectories differ by %.3g; want (0, 1e-4]", worst)
	}
	s.Workers = 3
	again, err := fixedpoint.TrajectoryInits(context.Background(), net, s)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range again.RawMatrix().Data {
		if math.Float64bits(v) != math.Float64bits(group.RawMatrix().Data[i]) {
			t.Fatalf("element %d differs between 1 and 3 workers", i)
		}
	}
}
