package continuation

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
)

// A rank-1 network of N = 1024 units, W = s m m^T / N, W_in = m, along its
// input: x = m z with z = u + s phi(z), phi(z) = mean_i m_i tanh(m_i z), so
// the reduced equation gives every fixed point (h = tanh(m z)) and both
// folds exactly: s phi'(z*) = 1, u* = z* - s phi(z*) (and -u*). At this N
// the bordered systems are solved matrix-free and the spectra are the
// leading eigenvalues (Krylov-Schur).
func TestLowRankFolds(t *testing.T) {
	const n, s = 1024, 2.0
	rng := rand.New(rand.NewPCG(5, 0))
	m := make([]float64, n)
	for i := range m {
		m[i] = rng.NormFloat64()
	}
	w := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			w.Set(i, j, s*m[i]*m[j]/n)
		}
	}
	net, err := dynamics.New(dynamics.Config{W: w, WIn: mat.NewDense(n, 1, m)})
	if err != nil {
		t.Fatal(err)
	}
	phi := func(z float64) (v, d float64) {
		for _, mi := range m {
			th := math.Tanh(mi * z)
			v += mi * th / n
			d += mi * mi * (1 - th*th) / n
		}
		return v, d
	}
	z := -2.0 // the reduced fixed point at u = -1, by Newton
	for range 100 {
		v, d := phi(z)
		z -= (z + 1 - s*v) / (1 - s*d)
	}
	start := make([]float64, n)
	for i := range start {
		start[i] = math.Tanh(m[i] * z)
	}
	lo, hi := 0.0, 10.0 // s phi'(z) falls from s mean(m^2) > 1 to 0: bisection
	for range 200 {
		c := (lo + hi) / 2
		if _, d := phi(c); s*d > 1 {
			lo = c
		} else {
			hi = c
		}
	}
	v, _ := phi(lo)
	uf := math.Abs(lo - s*v) // the folds are at -+uf (phi is odd)
	fam, _ := NewFamily(net, Param{Kind: Input})
	res, err := Continue(context.Background(), fam, [][]float64{start}, &Settings{From: -1, To: 1})
	if err != nil {
		t.Fatal(err)
	}
	folds := specials(res, Fold)
	if len(folds) != 2 || len(res.Specials) != 2 {
		t.Fatalf("want 2 folds, got %+v", res.Specials)
	}
	for i, f := range folds {
		want := uf * []float64{1, -1}[i] // the lower branch folds first, at u > 0
		if math.Abs(f.P-want) > 1e-8 {
			t.Errorf("fold %d at u = %.12f, the reduced equation's at %.12f", i, f.P, want)
		}
	}
	b := res.Branches[0]
	if b.End != EndBoundary || b.Points[len(b.Points)-1].P != 1 {
		t.Errorf("the branch ends %s at u = %v", b.End, b.Points[len(b.Points)-1].P)
	}
	if b.Points[0].Class.String() != "stable" || b.Points[len(b.Points)-1].Class.String() != "stable" {
		t.Errorf("classes at the ends %s, %s; want stable", b.Points[0].Class, b.Points[len(b.Points)-1].Class)
	}
}
