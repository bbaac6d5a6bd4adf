package continuation

import (
	"context"
	"math"
	"math/cmplx"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
)

// specials returns the special points of r of type typ.
func specials(r *Result, typ Type) []Special {
	var out []Special
	for _, s := range r.Specials {
		if s.Type == typ {
			out = append(out, s)
		}
	}
	return out
}

// One unit h = tanh(w h + u): the branch is an S through two folds where
// w (1 - h^2) = 1, at h = -+sqrt(1 - 1/w), u = +-(atanh(h*) - w h*), with
// a = -h* (1 - h*^2) w^2 / tau.
func TestOneUnitFolds(t *testing.T) {
	for _, tau := range []float64{1, 0.3} {
		const w = 2.0
		net, err := dynamics.New(dynamics.Config{W: mat.NewDense(1, 1, []float64{w}), WIn: mat.NewDense(1, 1, []float64{1}), Tau: []float64{tau}})
		if err != nil {
			t.Fatal(err)
		}
		fam, err := NewFamily(net, Param{Kind: Input})
		if err != nil {
			t.Fatal(err)
		}
		h0 := -0.9 // the only fixed point at u = -1, on the lower branch
		for range 200 {
			h0 = math.Tanh(w*h0 - 1)
		}
		res, err := Continue(context.Background(), fam, [][]float64{{h0}}, &Settings{From: -1, To: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Branches) != 1 || res.Branches[0].End != EndBoundary {
			t.Fatalf("tau %v: want one branch ending on the boundary, got %d (%v)", tau, len(res.Branches), res.Branches[0].End)
		}
		b := res.Branches[0]
		if last := b.Points[len(b.Points)-1]; last.P != 1 || last.H[0] < 0.9 {
			t.Errorf("tau %v: the branch ends at u = %v, h = %v; want u = 1 on the upper branch", tau, last.P, last.H)
		}
		folds := specials(res, Fold)
		if len(folds) != 2 || len(res.Specials) != 2 {
			t.Fatalf("tau %v: want 2 folds and nothing else, got %+v", tau, res.Specials)
		}
		hf := math.Sqrt(1 - 1/w)
		for i, s := range folds {
			hs := hf
			if i == 0 {
				hs = -hf // the lower branch folds first, at u > 0
			}
			u := math.Atanh(hs) - w*hs
			if math.Abs(s.P-u) > 1e-8 {
				t.Errorf("tau %v: fold %d at u = %.12f, want %.12f (error %.1e)", tau, i, s.P, u, s.P-u)
			}
			if math.Abs(s.H[0]-hs) > 1e-6 {
				t.Errorf("tau %v: fold %d at h = %v, want %v", tau, i, s.H[0], hs)
			}
			if a := -hs * (1 - hs*hs) * w * w / tau; math.Abs(s.Coefficient-a) > 1e-6 {
				t.Errorf("tau %v: fold %d coefficient %v, want %v", tau, i, s.Coefficient, a)
			}
			if math.Abs(real(s.Eigenvalue)) > 1e-6 || imag(s.Eigenvalue) != 0 {
				t.Errorf("tau %v: fold %d critical eigenvalue %v, want 0", tau, i, s.Eigenvalue)
			}
		}
		// Stable, then unstable between the folds, then stable.
		var classes []string
		for _, p := range b.Points {
			c := p.Class.String()
			if len(classes) == 0 || classes[len(classes)-1] != c {
				classes = append(classes, c)
			}
		}
		if len(classes) < 3 || classes[0] != "stable" || classes[len(classes)-1] != "stable" {
			t.Errorf("tau %v: classes along the branch %v", tau, classes)
		}
	}
}

// Two units with W = a R(theta): the origin has eigenvalues (-1 + a
// e^{+-i theta}) / tau, a Hopf point at a = 1 / cos(theta) with frequency
// a sin(theta) / (2 pi tau) and first Lyapunov coefficient -1 / sin(2 theta)
// (supercritical).
func TestRotationHopf(t *testing.T) {
	for _, c := range []struct{ theta, tau float64 }{{math.Pi / 4, 1}, {1.2, 0.5}} {
		r := mat.NewDense(2, 2, []float64{math.Cos(c.theta), -math.Sin(c.theta), math.Sin(c.theta), math.Cos(c.theta)})
		net, err := dynamics.New(dynamics.Config{W: r, Tau: []float64{c.tau}})
		if err != nil {
			t.Fatal(err)
		}
		fam, _ := NewFamily(net, Param{Kind: Gain})
		ac := 1 / math.Cos(c.theta)
		res, err := Continue(context.Background(), fam, [][]float64{{0, 0}}, &Settings{From: 0.5, To: ac + 1})
		if err != nil {
			t.Fatal(err)
		}
		hopf := specials(res, Hopf)
		if len(hopf) != 1 || len(res.Specials) != 1 {
			t.Fatalf("theta %v: want one Hopf point, got %+v", c.theta, res.Specials)
		}
		h := hopf[0]
		if math.Abs(h.P-ac) > 1e-8 {
			t.Errorf("theta %v: Hopf at a = %.12f, want %.12f", c.theta, h.P, ac)
		}
		if f := ac * math.Sin(c.theta) / (2 * math.Pi * c.tau); math.Abs(h.Frequency-f) > 1e-8 {
			t.Errorf("theta %v: frequency %v, want %v", c.theta, h.Frequency, f)
		}
		if w := complex(0, ac*math.Sin(c.theta)/c.tau); cmplx.Abs(h.Eigenvalue-w) > 1e-8 {
			t.Errorf("theta %v: eigenvalue %v, want %v", c.theta, h.Eigenvalue, w)
		}
		// With q = (1, -i)/sqrt(2) = p (J is normal), B = 0 (the second
		// derivative of tanh vanishes at 0, the third is -2) and
		// C(q, q, qbar) = -2 a^3 e^{i theta} |q_i|^2 q / tau = -a^3
		// e^{i theta} q / tau: l1 = -a^3 cos(theta) / (2 a sin(theta)),
		// -1 / sin(2 theta) at a = 1 / cos(theta), whatever tau.
		if l1 := -1 / math.Sin(2*c.theta); math.Abs(h.Coefficient-l1) > 1e-7 {
			t.Errorf("theta %v: first Lyapunov coefficient %v, want %v", c.theta, h.Coefficient, l1)
		}
	}
}

// An odd network (tanh, no bias) with symmetric W: the origin loses
// stability at g = 1/lambda_max(W) in a pitchfork, and the two branches
// switched onto there carry the stable points +-h*(g).
func TestPitchfork(t *testing.T) {
	w := mat.NewSymDense(3, []float64{0.5, 0.3, 0.1, 0.3, 0.4, -0.2, 0.1, -0.2, 0.6})
	var eig mat.EigenSym
	if !eig.Factorize(w, false) {
		t.Fatal("eigen")
	}
	vals := eig.Values(nil)
	lmax := vals[len(vals)-1]
	net, err := dynamics.New(dynamics.Config{W: mat.DenseCopyOf(w)})
	if err != nil {
		t.Fatal(err)
	}
	fam, _ := NewFamily(net, Param{Kind: Gain})
	gc := 1 / lmax
	res, err := Continue(context.Background(), fam, [][]float64{{0, 0, 0}}, &Settings{From: 0.5 * gc, To: 1.5 * gc})
	if err != nil {
		t.Fatal(err)
	}
	// A branch point on the origin at every 1/lambda_k in the interval
	// (lambda_k > 0), the first (1/lambda_max) switched at.
	var want []float64
	for k := len(vals) - 1; k >= 0; k-- {
		if g := 1 / vals[k]; vals[k] > 0 && g < 1.5*gc {
			want = append(want, g)
		}
	}
	var bps []Special
	for _, s := range specials(res, BranchPoint) {
		if s.Branch == 0 {
			bps = append(bps, s)
		}
	}
	if len(want) != 2 || len(bps) != len(want) {
		t.Fatalf("want branch points at g = %v on the origin, got %+v", want, res.Specials)
	}
	for i, b := range bps {
		if math.Abs(b.P-want[i]) > 1e-8 || maxAbs(b.H) != 0 {
			t.Errorf("branch point %d at g = %.12f, h = %v; want %.12f on the origin", i, b.P, b.H, want[i])
		}
	}
	if len(bps[0].Switched) != 2 {
		t.Fatalf("want two branches switched onto, got %v of %d", bps[0].Switched, len(res.Branches))
	}
	ends := [2][]float64{}
	for i, b := range bps[0].Switched {
		br := res.Branches[b]
		last := br.Points[len(br.Points)-1]
		if br.End != EndBoundary || math.Abs(last.P-1.5*gc) > 1e-12 || last.Class.String() != "stable" {
			t.Errorf("switched branch %d ends %s at g = %v, class %s", b, br.End, last.P, last.Class)
		}
		// A fixed point of the network at that gain.
		n2, _ := fam.At(last.P)
		f := make([]float64, 3)
		n2.Field(f, last.H)
		if maxAbs(f) > 1e-10 {
			t.Errorf("switched branch %d: max|F| = %v at its end", b, maxAbs(f))
		}
		ends[i] = last.H
	}
	for i := range ends[0] {
		if math.Abs(ends[0][i]+ends[1][i]) > 1e-8 || math.Abs(ends[0][i]) < 1e-3 && i == 0 {
			t.Errorf("the switched branches end at %v and %v, want opposite nonzero points", ends[0], ends[1])
			break
		}
	}
	// The origin is stable before the branch point and a saddle after it.
	tr := res.Branches[0]
	if tr.Points[0].Class.String() != "stable" || tr.Points[len(tr.Points)-1].Class.String() != "saddle" {
		t.Errorf("trivial branch classes %s ... %s", tr.Points[0].Class, tr.Points[len(tr.Points)-1].Class)
	}
}
