package ode_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/ode"
)

// bitsEqual reports whether a and b hold the same float64 bit patterns.
func bitsEqual(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

func sameResults(t *testing.T, name string, a, b []*ode.Result) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d vs %d results", name, len(a), len(b))
	}
	for i := range a {
		if a[i].Status != b[i].Status || a[i].Stats != b[i].Stats || !bitsEqual(a[i].T, b[i].T) ||
			!bitsEqual(a[i].Y.RawMatrix().Data, b[i].Y.RawMatrix().Data) {
			t.Fatalf("%s: trajectory %d differs (status %v/%v, stats %+v/%+v)", name, i, a[i].Status, b[i].Status, a[i].Stats, b[i].Stats)
		}
	}
}

// Workers 1 and 8 give bit-identical results, with and without noise.
func TestBatchDeterminism(t *testing.T) {
	net := randomNet(t, 20, 1.5, 3, dynamics.Tanh)
	y0s := randomStates(13, 20, 1, 4)
	times := []float64{0, 0.5, 1, 2, 5}
	for _, s := range []ode.Settings{
		{Times: times},
		{Method: ode.RK4, Step: 0.01, Times: times},
		{Method: ode.EulerMaruyama, Step: 0.01, Noise: &ode.Noise{Diffusion: []float64{0.3}, Seed: 7}},
		{Method: ode.Heun, Step: 0.01, Times: times, Noise: &ode.Noise{Diffusion: []float64{0.3}, Seed: 7}},
	} {
		var prev []*ode.Result
		for _, w := range []int{1, 2, 8} {
			s.Workers = w
			res, err := ode.SolveBatch(context.Background(), field(net), y0s, 0, 5, &s)
			if err != nil {
				t.Fatal(err)
			}
			if prev != nil {
				sameResults(t, s.Method.String(), prev, res)
			}
			prev = res
		}
		// Row i of a batch is Solve on row i with stream i; row 0 equals Solve.
		one, err := ode.Solve(context.Background(), field(net), y0s.RawRowView(0), 0, 5, &s)
		if err != nil {
			t.Fatal(err)
		}
		sameResults(t, s.Method.String()+" vs Solve", prev[:1], []*ode.Result{one})
		if s.Noise != nil && bitsEqual(prev[1].Y.RawRowView(1), prev[2].Y.RawRowView(1)) {
			t.Fatal("rows share their noise")
		}
	}
}

// rowwise is a BatchFunc evaluating f row by row, so SolveLockstep must
// reproduce SolveBatch bit for bit with the fixed-step methods.
func rowwise(f ode.Func) ode.BatchFunc {
	return func(dst *mat.Dense, t float64, y *mat.Dense) {
		r, _ := y.Dims()
		for i := 0; i < r; i++ {
			f(dst.RawRowView(i), t, y.RawRowView(i))
		}
	}
}

func TestLockstepFixed(t *testing.T) {
	net := randomNet(t, 16, 1.5, 5, dynamics.Tanh)
	y0s := randomStates(7, 16, 1, 6)
	for _, s := range []ode.Settings{
		{Method: ode.Euler, Step: 0.01, Times: []float64{0, 0.333, 1, 3}},
		{Method: ode.RK4, Step: 0.05},
		{Method: ode.EulerMaruyama, Step: 0.01, Noise: &ode.Noise{Diffusion: []float64{0.3}, Seed: 9}},
		{Method: ode.Heun, Step: 0.02, Noise: &ode.Noise{Diffusion: []float64{0.3}, Seed: 9}, Times: []float64{1, 2, 3}},
	} {
		want, err := ode.SolveBatch(context.Background(), field(net), y0s, 0, 3, &s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ode.SolveLockstep(context.Background(), rowwise(field(net)), y0s, 0, 3, &s)
		if err != nil {
			t.Fatal(err)
		}
		sameResults(t, s.Method.String(), want, got)
		// Groups of 3 rows (the last one short) on 1 and 3 workers.
		for _, w := range []int{1, 3} {
			gs := s
			gs.Group, gs.Workers = 3, w
			got, err := ode.SolveLockstep(context.Background(), rowwise(field(net)), y0s, 0, 3, &gs)
			if err != nil {
				t.Fatal(err)
			}
			sameResults(t, s.Method.String()+" groups", want, got)
		}
		// FieldRows (one GEMM) agrees to rounding.
		ev := net.NewEvaluator(1)
		gemm := func(dst *mat.Dense, _ float64, y *mat.Dense) { ev.FieldRows(dst, y) }
		got, err = ode.SolveLockstep(context.Background(), gemm, y0s, 0, 3, &s)
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if d := maxAbsDiff(got[i].Y.RawMatrix().Data, want[i].Y.RawMatrix().Data); d > 1e-12 {
				t.Errorf("%v row %d: FieldRows differs by %.3g", s.Method, i, d)
			}
		}
	}
}

// The lockstep Dormand-Prince meets the tolerance on every row: compare with
// per-row solutions at a much tighter tolerance.
func TestLockstepDormandPrince(t *testing.T) {
	net := randomNet(t, 30, 1.5, 8, dynamics.Tanh)
	y0s := randomStates(9, 30, 1, 9)
	times := []float64{0, 0.1, 1, 2.5, 5, 10}
	ev := net.NewEvaluator(1)
	gemm := func(dst *mat.Dense, _ float64, y *mat.Dense) { ev.FieldRows(dst, y) }
	got, err := ode.SolveLockstep(context.Background(), gemm, y0s, 0, 10, &ode.Settings{Times: times, RelTol: 1e-8, AbsTol: 1e-10})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := ode.SolveBatch(context.Background(), field(net), y0s, 0, 10, &ode.Settings{Times: times, RelTol: 1e-12, AbsTol: 1e-14})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{1, 4} {
		again, err := ode.SolveLockstep(context.Background(), gemm, y0s, 0, 10, &ode.Settings{Times: times, RelTol: 1e-8, AbsTol: 1e-10, Group: 4, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if w > 1 {
			sameResults(t, "lockstep workers", got, again)
		}
		got = again
	}
	for i := range got {
		if got[i].Status != ode.Success {
			t.Fatalf("row %d: %v", i, got[i].Err())
		}
		if d := maxAbsDiff(got[i].Y.RawMatrix().Data, ref[i].Y.RawMatrix().Data); d > 1e-6 {
			t.Errorf("row %d: error %.3g", i, d)
		}
	}
	// A row that produces NaN stops alone.
	nanRow := func(dst *mat.Dense, tt float64, y *mat.Dense) {
		ev.FieldRows(dst, y)
		if tt > 2 {
			dst.Set(3, 0, math.NaN())
		}
	}
	got, err = ode.SolveLockstep(context.Background(), nanRow, y0s, 0, 10, &ode.Settings{Times: times})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range got {
		if i == 3 {
			if r.Status != ode.NonFinite || r.End > 2 || len(r.T) != 3 {
				t.Errorf("row 3: status %v end %v T %v", r.Status, r.End, r.T)
			}
			continue
		}
		if r.Status != ode.Success || len(r.T) != len(times) {
			t.Errorf("row %d: status %v, %d samples", i, r.Status, len(r.T))
		}
	}
}

// dynamics.ParallelField is bit-identical to Field for any number of
// parts, and a one-trajectory solve with it to one with Field.
func TestParallelField(t *testing.T) {
	for _, n := range []int{5, 64, 100, 257} {
		net := randomNet(t, n, 1.5, uint64(n), dynamics.Tanh)
		h := randomStates(1, n, 1, 3).RawRowView(0)
		want := make([]float64, n)
		net.Field(want, h)
		for _, parts := range []int{0, 1, 2, 3, 8} {
			got := make([]float64, n)
			for i := range got {
				got[i] = math.NaN()
			}
			pf := net.NewEvaluator(parts).ParallelField()
			pf.Field(got, h)
			pf.Close()
			if !bitsEqual(got, want) {
				t.Fatalf("n=%d parts=%d: differs from Field", n, parts)
			}
		}
	}
	net := randomNet(t, 200, 1.5, 4, dynamics.Tanh)
	h0 := randomStates(1, 200, 1, 5).RawRowView(0)
	s := &ode.Settings{Times: []float64{0, 1, 5}}
	a, err := ode.Solve(context.Background(), field(net), h0, 0, 5, s)
	if err != nil {
		t.Fatal(err)
	}
	pf := net.NewEvaluator(4).ParallelField()
	defer pf.Close()
	par := func(dst []float64, _ float64, h []float64) { pf.Field(dst, h) }
	b, err := ode.Solve(context.Background(), par, h0, 0, 5, s)
	if err != nil {
		t.Fatal(err)
	}
	sameResults(t, "ParallelField", []*ode.Result{a}, []*ode.Result{b})
}

func TestBatchCanceled(t *testing.T) {
	net := randomNet(t, 8, 1.5, 1, dynamics.Tanh)
	y0s := randomStates(5, 8, 1, 2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := ode.SolveBatch(ctx, field(net), y0s, 0, 1, &ode.Settings{Workers: 2})
	if !errors.Is(err, context.Canceled) || len(res) != 5 {
		t.Fatalf("SolveBatch: %v, %d results", err, len(res))
	}
	for i, r := range res {
		if r.Status != ode.Canceled || !errors.Is(r.Err(), context.Canceled) {
			t.Errorf("SolveBatch row %d: %v", i, r.Status)
		}
	}
	ev := net.NewEvaluator(1)
	rows := func(dst *mat.Dense, _ float64, h *mat.Dense) { ev.FieldRows(dst, h) }
	res, err = ode.SolveLockstep(ctx, rows, y0s, 0, 1, nil)
	if !errors.Is(err, context.Canceled) || len(res) != 5 {
		t.Fatalf("SolveLockstep: %v, %d results", err, len(res))
	}
	for i, r := range res {
		if r.Status != ode.Canceled || r.End != 0 || len(r.T) != 1 {
			t.Errorf("SolveLockstep row %d: %v end %v samples %d", i, r.Status, r.End, len(r.T))
		}
	}
	bad := mat.NewDense(2, 8, nil)
	bad.Set(1, 3, math.Inf(1))
	if _, err := ode.SolveBatch(context.Background(), field(net), bad, 0, 1, nil); err == nil {
		t.Error("no error for a non-finite initial state")
	}
}
