package certify

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/nettest"
)

// newton polishes x on net's fixed-point equation (Complete's Newton
// iteration, from the box that is the point x).
func newton(t *testing.T, net *dynamics.Network, x []float64) []float64 {
	t.Helper()
	b := make([]Interval, len(x))
	for i, v := range x {
		b[i] = Interval{v, v}
	}
	return newtonFrom(net, b)
}

func maxDist(a, b []float64) float64 {
	var d float64
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// TestClosedForm certifies points known in closed form: the root lies
// within the certified Error of the computed point, and the radius is
// what the network allows.
func TestClosedForm(t *testing.T) {
	// A linear network: h = W h + c has the one root (I - W)^-1 c =
	// (10/3, 10/3), unique in all of R^2.
	lin := nettest.Must(t, dynamics.Config{W: mat.NewDense(2, 2, []float64{0.5, 0.2, 0.1, 0.3}), B: []float64{1, 2}, Activation: dynamics.Linear})
	x := newton(t, lin, []float64{0, 0})
	r := Point(lin, x)
	if !r.Certified() || maxDist(x, []float64{10.0 / 3, 10.0 / 3}) > r.Error || r.Error > 1e-13 || r.Radius < 3 {
		t.Errorf("linear network at %v: %+v, want certified around (10/3, 10/3), radius at least 3", x, r)
	}

	// Three tanh units with two inputs, the bias set so that h* is a
	// root: b = atanh(h*) - W h* - W_in u (the rounding of b moves the
	// root by about 1e-16).
	hs := []float64{0.3, -0.6, 0.8}
	w := mat.NewDense(3, 3, []float64{0.9, -0.4, 0.2, 0.3, 1.1, -0.5, -0.2, 0.6, 0.7})
	win := mat.NewDense(3, 2, []float64{1, 0.5, -0.3, 0.8, 0.2, -1})
	u := []float64{0.4, -0.7}
	b := make([]float64, 3)
	for i := range 3 {
		b[i] = math.Atanh(hs[i])
		for j := range 3 {
			b[i] -= w.At(i, j) * hs[j]
		}
		for j := range 2 {
			b[i] -= win.At(i, j) * u[j]
		}
	}
	net := nettest.Must(t, dynamics.Config{W: w, WIn: win, U: u, B: b})
	x = newton(t, net, hs)
	r = Point(net, x)
	if !r.Certified() || r.Error > 1e-13 || r.Radius < 1e-2 || maxDist(x, hs) > 1e-14 {
		t.Errorf("3 units with input at %v: %+v, want certified within 1e-13 of h* = %v", x, r, hs)
	}

	// Two units, W = diag(1.5, 0.5): the roots 0 and (+-h, 0), h =
	// tanh(1.5 h). The origin is unique within the distance to the others,
	// and no further.
	two := nettest.Must(t, dynamics.Config{W: mat.NewDense(2, 2, []float64{1.5, 0, 0, 0.5})})
	hp := newton(t, two, []float64{0.9, 0})
	for _, p := range [][]float64{{0, 0}, hp, {-hp[0], 0}} {
		r := Point(two, p)
		if !r.Certified() || r.Error > 1e-14 || r.Radius < 0.1 {
			t.Errorf("two units at %v: %+v, want certified", p, r)
		}
	}
	if r := Point(two, []float64{0, 0}); r.Radius >= hp[0] {
		t.Errorf("the origin certified unique within %g, but (%g, 0) is a root", r.Radius, hp[0])
	}
}

// TestPerturbed: a point moved off its root by more than its certified
// radius fails (no box around it contracts); moved by less, it may pass,
// but then its Error covers the distance to the root.
func TestPerturbed(t *testing.T) {
	two := nettest.Must(t, dynamics.Config{W: mat.NewDense(2, 2, []float64{1.5, 0, 0, 0.5})})
	root := newton(t, two, []float64{0.9, 0})
	r := Point(two, root)
	if !r.Certified() {
		t.Fatalf("root %v: %+v", root, r)
	}
	for _, d := range [][]float64{{1.5, 0}, {-1.5, 0}, {0, 1.5}, {1.1, 1.1}} {
		p := []float64{root[0] + d[0]*r.Radius, root[1] + d[1]*r.Radius}
		got := Point(two, p)
		if got.Certified() || got.Reason != NoContraction {
			t.Errorf("root + %v radius = %v: %+v (%s), want no-contraction", d, p, got, got.Explain())
		}
	}
	for _, f := range []float64{1e-12, 1e-6, 1e-3, 0.1} {
		p := []float64{root[0] + f, root[1] - f}
		got := Point(two, p)
		if got.Certified() && got.Error < f {
			t.Errorf("root moved by %g: certified within %g", f, got.Error)
		}
	}
}

// foldNet is one tanh unit, h = tanh(2 h + b), at its saddle-node: at b =
// atanh(1/sqrt 2) - sqrt 2 the two roots near h = 1/sqrt 2 merge (the
// Jacobian -1 + 2 (1 - h^2) vanishes); past it, b lowered by db, they are
// gone and leave a slow point, the ghost.
func foldNet(t *testing.T, db float64) *dynamics.Network {
	h := 1 / math.Sqrt2
	return nettest.Must(t, dynamics.Config{W: mat.NewDense(1, 1, []float64{2}), B: []float64{math.Atanh(h) - 2*h - db}})
}

// TestNearSingular: at the saddle-node the Jacobian is singular to working
// precision, and the point is refused for it.
func TestNearSingular(t *testing.T) {
	net := foldNet(t, 0)
	r := Point(net, []float64{1 / math.Sqrt2})
	if r.Certified() || (r.Reason != IllConditioned && r.Reason != Singular) {
		t.Errorf("saddle-node: %+v (%s), want ill-conditioned or singular", r, r.Explain())
	}
	// Two units, one of them at the fold and one well-behaved: the same.
	w := mat.NewDense(2, 2, []float64{2, 0, 0, 0.5})
	b := []float64{net.B()[0], 0.3}
	two := nettest.Must(t, dynamics.Config{W: w, B: b})
	x := []float64{1 / math.Sqrt2, newton(t, nettest.Must(t, dynamics.Config{W: mat.NewDense(1, 1, []float64{0.5}), B: []float64{0.3}}), []float64{0})[0]}
	if r := Point(two, x); r.Certified() || (r.Reason != IllConditioned && r.Reason != Singular) {
		t.Errorf("two units, one at the fold: %+v (%s)", r, r.Explain())
	}
}

// TestGhost: past the saddle-node, the slow point left by the two roots
// (the minimum of |F|, found here by golden-section search) is not
// certified: there is no fixed point near it.
func TestGhost(t *testing.T) {
	for _, db := range []float64{1e-2, 1e-4, 1e-6} {
		net := foldNet(t, db)
		q := func(h float64) float64 { return math.Abs(-h + math.Tanh(2*h+net.B()[0])) }
		lo, hi := 0.5, 0.9
		for range 200 {
			a, b := lo+(hi-lo)*0.382, lo+(hi-lo)*0.618
			if q(a) < q(b) {
				hi = b
			} else {
				lo = a
			}
		}
		x := []float64{(lo + hi) / 2}
		if q(x[0]) == 0 {
			t.Fatalf("db = %g: the slow point has |F| = 0", db)
		}
		if r := Point(net, x); r.Certified() {
			t.Errorf("ghost of the saddle-node (db = %g) at %g, |F| = %g: certified %+v", db, x[0], q(x[0]), r)
		}
	}
}

// TestPointsWorkers: Points gives the same results whatever the workers,
// and TooLarge above MaxN.
func TestPointsWorkers(t *testing.T) {
	net := nettest.Tanh(t, 40, 1.5, 3)
	var xs [][]float64
	for i := range 6 {
		x := make([]float64, 40)
		x[i] = 0.01 * float64(i)
		xs = append(xs, newton(t, net, x))
	}
	one, err := Points(context.Background(), net, xs, Settings{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	four, _ := Points(context.Background(), net, xs, Settings{Workers: 4})
	for i := range one {
		if one[i] != four[i] {
			t.Errorf("point %d: %+v with 1 worker, %+v with 4", i, one[i], four[i])
		}
		if !one[i].Certified() {
			t.Errorf("point %d: %s", i, one[i].Explain())
		}
	}
	big, _ := Points(context.Background(), net, xs[:1], Settings{MaxN: 10})
	if big[0].Reason != TooLarge {
		t.Errorf("N = 40 > MaxN = 10: %+v", big[0])
	}
}
