package continuation

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
)

// The maps (docs/DESIGN.md section 1). One discrete unit h <- tanh(w h + u)
// with w = -2: the multiplier w (1 - h^2) passes -1 where 1 - h^2 = 1/2, a
// period doubling at u = atanh(h*) - w h*, h* = sqrt(1/2). Two discrete
// units with W = a R(theta) (gain a): the multipliers at the origin are
// a e^{+-i theta}, a Neimark-Sacker point at a = 1 with frequency
// theta / (2 pi) per step. The leaky unit of tanh1 (w = 2, alpha = 0.1)
// along its input: the continuous unit's folds, at multiplier 1.
func TestMaps(t *testing.T) {
	t.Run("period-doubling", func(t *testing.T) {
		net, err := dynamics.New(dynamics.Config{W: mat.NewDense(1, 1, []float64{-2}), WIn: mat.NewDense(1, 1, []float64{1}), Convention: dynamics.Discrete})
		if err != nil {
			t.Fatal(err)
		}
		fam, _ := NewFamily(net, Param{Kind: Input})
		res, err := Continue(context.Background(), fam, [][]float64{{0}}, &Settings{From: 0, To: 3})
		if err != nil {
			t.Fatal(err)
		}
		hs := math.Sqrt(0.5)
		want := math.Atanh(hs) + 2*hs
		if len(res.Specials) != 1 || res.Specials[0].Type != PeriodDoubling || math.Abs(res.Specials[0].P-want) > 1e-8 {
			t.Fatalf("want one period doubling at u = %.12f, got %+v", want, res.Specials)
		}
		if ev := res.Specials[0].Eigenvalue; math.Abs(real(ev)+1) > 1e-8 || imag(ev) != 0 {
			t.Errorf("critical multiplier %v, want -1", ev)
		}
		b := res.Branches[0]
		if b.Points[0].Class.String() != "unstable" || b.Points[len(b.Points)-1].Class.String() != "stable" {
			t.Errorf("classes %s ... %s, want unstable ... stable", b.Points[0].Class, b.Points[len(b.Points)-1].Class)
		}
	})
	t.Run("neimark-sacker", func(t *testing.T) {
		const theta = 0.9
		r := mat.NewDense(2, 2, []float64{math.Cos(theta), -math.Sin(theta), math.Sin(theta), math.Cos(theta)})
		net, err := dynamics.New(dynamics.Config{W: r, Convention: dynamics.Discrete})
		if err != nil {
			t.Fatal(err)
		}
		fam, _ := NewFamily(net, Param{Kind: Gain})
		res, err := Continue(context.Background(), fam, [][]float64{{0, 0}}, &Settings{From: 0.5, To: 1.5})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Specials) != 1 || res.Specials[0].Type != NeimarkSacker || math.Abs(res.Specials[0].P-1) > 1e-8 {
			t.Fatalf("want one Neimark-Sacker point at a = 1, got %+v", res.Specials)
		}
		if f := res.Specials[0].Frequency; math.Abs(f-theta/(2*math.Pi)) > 1e-8 {
			t.Errorf("frequency %v, want %v", f, theta/(2*math.Pi))
		}
	})
	t.Run("leaky-folds", func(t *testing.T) {
		net, err := dynamics.New(dynamics.Config{W: mat.NewDense(1, 1, []float64{2}), WIn: mat.NewDense(1, 1, []float64{1}), Convention: dynamics.Leaky, Alpha: 0.1})
		if err != nil {
			t.Fatal(err)
		}
		fam, _ := NewFamily(net, Param{Kind: Input})
		res, err := Continue(context.Background(), fam, [][]float64{{-0.995}}, &Settings{From: -1, To: 1})
		if err != nil {
			t.Fatal(err)
		}
		hf := math.Sqrt(0.5)
		u := math.Atanh(hf) - 2*hf
		if len(res.Specials) != 2 || res.Specials[0].Type != Fold || math.Abs(res.Specials[0].P+u) > 1e-8 || math.Abs(res.Specials[1].P-u) > 1e-8 {
			t.Fatalf("want folds at u = %v and %v, got %+v", -u, u, res.Specials)
		}
		if ev := res.Specials[0].Eigenvalue; math.Abs(real(ev)-1) > 1e-8 {
			t.Errorf("critical multiplier %v, want 1", ev)
		}
	})
}

// A branch that runs off to infinity ends as diverged: one linear unit
// h = p w h + u (w = 0.5, u = 1) along the gain p has h = u / (1 - p w),
// which diverges as p -> 2.
func TestDiverges(t *testing.T) {
	net, err := dynamics.New(dynamics.Config{W: mat.NewDense(1, 1, []float64{0.5}), B: []float64{1}, Activation: dynamics.Linear})
	if err != nil {
		t.Fatal(err)
	}
	fam, _ := NewFamily(net, Param{Kind: Gain})
	res, err := Continue(context.Background(), fam, [][]float64{{1}}, &Settings{From: 0, To: 3})
	if err != nil {
		t.Fatal(err)
	}
	b := res.Branches[0]
	last := b.Points[len(b.Points)-1]
	if b.End != EndDiverged || last.P >= 2 || last.P < 1.99 || last.H[0] < 100 {
		t.Errorf("the branch ends %s after %d points at p = %v, h = %v; want diverged near p = 2", b.End, len(b.Points), last.P, last.H)
	}
	for _, p := range b.Points {
		if want := 1 / (1 - 0.5*p.P); math.Abs(p.H[0]-want) > 1e-9*max(1, want) {
			t.Errorf("at p = %v: h = %v, want %v", p.P, p.H[0], want)
			break
		}
	}
}

// A closed branch (an isola) is followed round from a point on it and ends
// as closed, with its two folds. Two tanh units along the bias direction
// v = (1, 1): the fixed points at b0 + p v are the zeros of g(h) = v_perp .
// (atanh(h) - W h - b0) (p = atanh(h_1) - (W h)_1 - b0_1 on them). With
// W = [[2, 0], [2/3, 4/3]], g has a local minimum at h = (-1/2, 1/2); b0 puts
// it at -0.05, so that g = 0 is a small closed curve around it.
func TestIsola(t *testing.T) {
	w := mat.NewDense(2, 2, []float64{2, 0, 2.0 / 3, 4.0 / 3})
	g := func(h []float64, b1 float64) float64 {
		return -(math.Atanh(h[0]) - 2*h[0] - b1) + (math.Atanh(h[1]) - (2.0/3*h[0] + 4.0/3*h[1]))
	}
	b1 := -0.05 - g([]float64{-0.5, 0.5}, 0)
	net, err := dynamics.New(dynamics.Config{W: w, B: []float64{b1, 0}})
	if err != nil {
		t.Fatal(err)
	}
	fam, _ := NewFamily(net, Param{Kind: Bias, Dir: []float64{1, 1}})
	// A point of the curve: on h_1 = -1/2, g = 0 by bisection in h_2 above
	// the minimum.
	lo, hi := 0.5, 0.95
	for range 100 {
		m := (lo + hi) / 2
		if g([]float64{-0.5, m}, b1) < 0 {
			lo = m
		} else {
			hi = m
		}
	}
	h := []float64{-0.5, lo}
	p0 := math.Atanh(h[0]) - 2*h[0] - b1
	res, err := Continue(context.Background(), fam, [][]float64{h}, &Settings{From: p0 - 1, To: p0 + 1, Start: &p0})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Branches) != 1 || res.Branches[0].End != EndClosed {
		for _, b := range res.Branches {
			for _, pt := range b.Points {
				t.Log(pt.P, pt.H, g(pt.H, b1))
			}
		}
		t.Fatalf("want one closed branch, got %d, the first ending %s", len(res.Branches), res.Branches[0].End)
	}
	folds := specials(res, Fold)
	if len(folds) != 2 || len(res.Specials) != 2 {
		t.Fatalf("want two folds, got %+v", res.Specials)
	}
	// Every point lies on the curve and is a fixed point of the network at its p.
	for _, pt := range res.Branches[0].Points {
		if r := g(pt.H, b1); math.Abs(r) > 1e-9 {
			t.Errorf("g = %v at %v", r, pt.H)
			break
		}
		if pp := math.Atanh(pt.H[0]) - 2*pt.H[0] - b1; math.Abs(pp-pt.P) > 1e-9 {
			t.Errorf("point at p = %v, its state gives %v", pt.P, pp)
			break
		}
	}
}

// Along tau's scale p (leaky convention): alpha becomes alpha0 / p, the
// fixed point stays, and the multiplier of one unit with w = -1.5 at the
// origin, 1 - alpha + alpha (-1.5), passes -1 at alpha = 0.8: a period
// doubling at p = alpha0 / 0.8. The other conventions are refused.
func TestTauScale(t *testing.T) {
	net, err := dynamics.New(dynamics.Config{W: mat.NewDense(1, 1, []float64{-1.5}), Convention: dynamics.Leaky, Alpha: 0.4})
	if err != nil {
		t.Fatal(err)
	}
	fam, err := NewFamily(net, Param{Kind: TauScale})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Continue(context.Background(), fam, [][]float64{{0}}, &Settings{From: 1, To: 0.45})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Specials) != 1 || res.Specials[0].Type != PeriodDoubling || math.Abs(res.Specials[0].P-0.5) > 1e-8 {
		t.Fatalf("want a period doubling at p = 0.5, got %+v", res.Specials)
	}
	for _, p := range res.Branches[0].Points {
		if p.H[0] != 0 {
			t.Fatalf("the fixed point moved: %v at p = %v", p.H, p.P)
		}
	}
	for _, conv := range []dynamics.Convention{dynamics.Continuous, dynamics.Discrete} {
		n2, _ := dynamics.New(dynamics.Config{W: mat.NewDense(1, 1, []float64{-1.5}), Convention: conv})
		if _, err := NewFamily(n2, Param{Kind: TauScale}); err == nil {
			t.Errorf("%s: tau's scale accepted as a parameter", conv)
		}
	}
}
