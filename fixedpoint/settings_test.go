package fixedpoint_test

import (
	"context"
	"math"
	"reflect"
	"testing"

	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/internal/nettest"
)

// Resolve decides LinearAuto by N and the lockstep batch by the strategy,
// fills every default, keeps a negative Deflation, gives resolved settings
// back unchanged, and Find returns the settings it resolved.
func TestResolve(t *testing.T) {
	for _, c := range []struct {
		n     int
		in    fixedpoint.Settings
		lin   fixedpoint.Linear
		batch int
	}{
		{fixedpoint.DefaultMatrixFreeN - 1, fixedpoint.Settings{}, fixedpoint.LinearLU, fixedpoint.DefaultBatch},
		{fixedpoint.DefaultMatrixFreeN, fixedpoint.Settings{}, fixedpoint.LinearMatrixFree, fixedpoint.DefaultBatchMF},
		{10, fixedpoint.Settings{Linear: fixedpoint.LinearMatrixFree}, fixedpoint.LinearMatrixFree, fixedpoint.DefaultBatchMF},
		{10, fixedpoint.Settings{Linear: fixedpoint.LinearMatrixFree, Batch: 3}, fixedpoint.LinearMatrixFree, 3},
		{4096, fixedpoint.Settings{Linear: fixedpoint.LinearLU}, fixedpoint.LinearLU, fixedpoint.DefaultBatch},
	} {
		r, err := fixedpoint.Resolve(&c.in, c.n)
		if err != nil {
			t.Fatal(err)
		}
		if r.Linear != c.lin || r.Batch != c.batch {
			t.Errorf("N = %d, %+v: linear %v batch %d, want %v and %d", c.n, c.in, r.Linear, r.Batch, c.lin, c.batch)
		}
		if stall := map[bool]int{true: fixedpoint.DefaultSpeedStall}[c.lin == fixedpoint.LinearMatrixFree]; r.SpeedStall != stall {
			t.Errorf("N = %d, %v: SpeedStall %d, want %d", c.n, c.lin, r.SpeedStall, stall)
		}
		if r.Tol != fixedpoint.DefaultTol || r.MaxIter != fixedpoint.DefaultMaxIter || r.Deflation != fixedpoint.DefaultDeflation ||
			r.Workers < 1 || r.LU == nil || !math.IsInf(r.MaxSlowQ, 1) {
			t.Errorf("N = %d: defaults not filled in: %+v", c.n, r)
		}
		again, err := fixedpoint.Resolve(&r, c.n)
		if err != nil || !sameSettings(again, r) {
			t.Errorf("N = %d: resolving again gave %+v (%v), want %+v", c.n, again, err, r)
		}
	}
	none, err := fixedpoint.Resolve(&fixedpoint.Settings{Deflation: -1}, 5)
	if err != nil || none.Deflation != -1 {
		t.Errorf("Deflation -1 resolved to %d (%v)", none.Deflation, err)
	}
	if _, err := fixedpoint.Resolve(&fixedpoint.Settings{Linear: fixedpoint.Linear(7)}, 5); err == nil {
		t.Error("an unknown Linear resolved")
	}

	net := nettest.Tanh(t, 20, 0.5, 1)
	in := &fixedpoint.Settings{Workers: 1, Deflation: -1}
	res, err := fixedpoint.Find(context.Background(), net, uniformInits(4, 20, -1, 1, 2), in)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := fixedpoint.Resolve(in, 20)
	if !sameSettings(res.Settings, want) {
		t.Errorf("Result.Settings %+v, want %+v", res.Settings, want)
	}
}

// sameSettings compares every field but the functions LU and Recorder.
func sameSettings(a, b fixedpoint.Settings) bool {
	if (a.LU == nil) != (b.LU == nil) || (a.Recorder == nil) != (b.Recorder == nil) {
		return false
	}
	a.LU, b.LU, a.Recorder, b.Recorder = nil, nil, nil, nil
	return reflect.DeepEqual(a, b)
}
