package fixedpoint

import (
	"math"
	"math/rand/v2"
	"testing"
)

// twoLoop is the textbook two-loop recursion (Nocedal and Wright 2006,
// Alg. 7.4) on the pairs given oldest first: d = -H g.
func twoLoop(d, g []float64, ss, ys [][]float64) {
	for i, v := range g {
		d[i] = -v
	}
	k := len(ss)
	if k == 0 {
		return
	}
	alpha := make([]float64, k)
	for j := k - 1; j >= 0; j-- {
		alpha[j] = dotPlain(ss[j], d) / dotPlain(ss[j], ys[j])
		for i := range d {
			d[i] -= alpha[j] * ys[j][i]
		}
	}
	gamma := dotPlain(ss[k-1], ys[k-1]) / dotPlain(ys[k-1], ys[k-1])
	for i := range d {
		d[i] *= gamma
	}
	for j := 0; j < k; j++ {
		b := dotPlain(ys[j], d) / dotPlain(ss[j], ys[j])
		for i := range d {
			d[i] += (alpha[j] - b) * ss[j][i]
		}
	}
}

// The compact form gives the two-loop recursion's direction along an
// L-BFGS run on a convex quadratic, through the wrap-around of the pair
// memory, the sliding of its window and a reset.
func TestLBFGSCompactMatchesTwoLoop(t *testing.T) {
	const n, m, steps = 60, 40, 200
	rng := rand.New(rand.NewPCG(1, 2))
	// A = B^T B + I, gradient A x - b.
	bm := make([]float64, n*n)
	for i := range bm {
		bm[i] = rng.NormFloat64() / math.Sqrt(n)
	}
	grad := func(dst, x []float64) {
		tmp := make([]float64, n)
		for i := 0; i < n; i++ {
			tmp[i] = dotPlain(bm[i*n:(i+1)*n], x)
		}
		for j := 0; j < n; j++ {
			var v float64
			for i := 0; i < n; i++ {
				v += bm[i*n+j] * tmp[i]
			}
			dst[j] = 100*v + 1e-3*x[j] - 1
		}
	}
	l := newLBFGS(n, m)
	x, g, d, want := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	grad(g, x)
	var ss, ys [][]float64
	for it := 0; it < steps; it++ {
		if it == 150 {
			l.reset()
			ss, ys = nil, nil
		}
		l.direction(d, g)
		twoLoop(want, g, ss, ys)
		scale := math.Sqrt(dotPlain(want, want))
		for i := range d {
			if math.Abs(d[i]-want[i]) > 1e-10*scale {
				t.Fatalf("step %d (%d pairs): d[%d] = %v, two-loop %v", it, len(ss), i, d[i], want[i])
			}
		}
		// A damped step, so the run does not converge within the test.
		s, y, gn := make([]float64, n), make([]float64, n), make([]float64, n)
		a := 0.05 + 0.2*rng.Float64()
		for i := range x {
			s[i] = a * d[i]
			x[i] += s[i]
		}
		grad(gn, x)
		for i := range y {
			y[i] = gn[i] - g[i]
		}
		copy(g, gn)
		if dotPlain(s, y) <= 0 {
			t.Fatalf("step %d: no curvature", it)
		}
		l.add(s, y)
		ss, ys = append(ss, s), append(ys, y)
		if len(ss) > m {
			ss, ys = ss[1:], ys[1:]
		}
	}
}
