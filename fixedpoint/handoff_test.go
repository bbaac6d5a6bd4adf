package fixedpoint

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fpfind/fpfind/internal/nettest"
)

// The speed phase hands a run to Newton's method (speedMin.handOff): from
// next to a slow point of a chaotic network, the exact-Hessian refinement
// ends the phase on the point, certified, after a few evaluations; a
// failed Newton polish on the way (F is not small enough there for Newton
// on F) leaves the state where it was; and from next to a fixed point the
// polish ends the phase at once.
func TestSpeedHandOff(t *testing.T) {
	const n = 80
	net := nettest.Tanh(t, n, 1.5, 5)
	rng := rand.New(rand.NewPCG(3, 4))
	inits, err := RandomInits(64, n, -1, 1, 7)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Find(context.Background(), net, inits, &Settings{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	var slow, fixed []float64
	for _, p := range res.Points {
		if p.Kind == Slow && slow == nil {
			slow = p.X
		}
		if p.Kind == Fixed && fixed == nil && normInf(p.X) > 0.1 {
			fixed = p.X
		}
	}
	if slow == nil || fixed == nil {
		t.Fatalf("want a slow point and a fixed point off the origin, got %d points", len(res.Points))
	}
	perturbed := func(p []float64, size float64) []float64 {
		x := append([]float64(nil), p...)
		for i := range x {
			x[i] += size * (2*rng.Float64() - 1)
		}
		return x
	}

	// Next to the slow point: the phase ends refined, on the point.
	w, _ := testWorker(t, net, &Settings{}, rng)
	x := perturbed(slow, 1e-3)
	w.startRun(x)
	if e := w.minimise(x); e != endStationary || !w.refined {
		t.Fatalf("from next to a slow point: ended %v, refined %v after %d evaluations", e, w.refined, w.c.speed)
	}
	if d := distInf(x, slow, math.Inf(1)); d > 1e-9 {
		t.Errorf("refined %g from the slow point", d)
	}
	f, g := make([]float64, n), make([]float64, n)
	net.SpeedGrad(g, f, x)
	if r := norm2(g) / norm2(f); !(r <= 1e-9) {
		t.Errorf("refined slow point: |J^T F|/|F| = %.2g", r)
	}
	if w.c.hess == 0 || w.c.speed > 200 {
		t.Errorf("%d Hessians, %d speed evaluations", w.c.hess, w.c.speed)
	}

	// A polish forced at the slow point fails and leaves x at the
	// iterate; the refinement then ends the phase.
	w.startRun(x)
	p := w.speed
	x = perturbed(slow, 1e-3)
	w.evalSpeed(x)
	p.polishAt, p.refineAt = math.Inf(1), math.Inf(1)
	before := append([]float64(nil), w.cx...)
	e, stop := p.handOff(x)
	if w.c.newton == 0 {
		t.Fatal("no Newton polish tried")
	}
	if !stop || e != endStationary || !w.refined {
		t.Fatalf("forced hand-off at a slow point: %v, %v, refined %v", e, stop, w.refined)
	}
	if d := distInf(x, slow, math.Inf(1)); d > 1e-9 {
		t.Errorf("after a failed polish, refined %g from the slow point", d)
	}
	// Without the refinement (not due yet) x stays at the iterate.
	w.startRun(x)
	x = append(x[:0], before...)
	w.evalSpeed(x)
	p.polishAt, p.refineAt = math.Inf(1), 0
	if _, stop := p.handOff(x); stop {
		t.Fatal("a failed polish ended the phase")
	}
	if d := distInf(x, before, math.Inf(1)); d != 0 {
		t.Errorf("a failed polish moved x by %g", d)
	}

	// Next to a fixed point: the polish ends the phase after the first
	// evaluation.
	w.startRun(x)
	x = perturbed(fixed, 1e-5)
	if e := w.minimise(x); e != endFixed || w.c.speed != 1 {
		t.Fatalf("from next to a fixed point: ended %v after %d evaluations", e, w.c.speed)
	}
	net.Field(f, x)
	if r := normInf(f); r > w.s.Tol {
		t.Errorf("polished to max|F| = %.2g", r)
	}
}
