package dynamics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// symmetricNet is a network with b = 0 and no input, of gain g.
func symmetricNet(t testing.TB, n int, g float64, act Activation, conv Convention, seed uint64) *Network {
	t.Helper()
	rnd := rand.New(rand.NewPCG(seed, 1))
	w := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			w.Set(i, j, g*rnd.NormFloat64()/math.Sqrt(float64(n)))
		}
	}
	c := Config{W: w, Activation: act, Convention: conv}
	if conv == Leaky {
		c.Alpha = 0.2
	}
	net, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return net
}

func negated(h []float64) []float64 {
	m := make([]float64, len(h))
	for i, v := range h {
		m[i] = -v
	}
	return m
}

func sameBits(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

// TestMirrorExactness checks what Mirrors promises on the odd activations
// and every convention: at -h the field, the map and the products are the
// exact negations of those at h, and the Jacobian, the operator and phi'
// the same bits, on single states and in the Evaluator's batched rows,
// including states with large components (tanh's other branch) and zeros.
func TestMirrorExactness(t *testing.T) {
	const n = 67
	for _, act := range []Activation{Tanh, Linear} {
		for _, conv := range []Convention{Continuous, Leaky, Discrete} {
			net := symmetricNet(t, n, 1.5, act, conv, 3)
			if !net.Symmetric() {
				t.Fatalf("%v %v: not symmetric", act, conv)
			}
			ev := net.NewEvaluator(2)
			for s := range 4 {
				h := randomState(n, uint64(20+s))
				for i := range h {
					h[i] *= float64(1 + 3*s)
				}
				h[s] = 0
				m := negated(h)
				vec := func(f func(dst, h []float64), h []float64) []float64 {
					d := make([]float64, n)
					f(d, h)
					return d
				}
				for _, c := range []struct {
					name string
					f    func(dst, h []float64)
					odd  bool
				}{{"Field", net.Field, true}, {"Map", net.Map, true}, {"PreActivation", net.PreActivation, true}, {"PhiPrime", net.PhiPrime, false}} {
					a, b := vec(c.f, h), vec(c.f, m)
					if c.odd {
						b = negated(b)
					}
					if !sameBits(a, b) {
						t.Errorf("%v %v state %d: %s at -h is not the exact mirror", act, conv, s, c.name)
					}
				}
				ja, jb := mat.NewDense(n, n, nil), mat.NewDense(n, n, nil)
				net.Jacobian(ja, h)
				net.Jacobian(jb, m)
				oa, ob := mat.NewDense(n, n, nil), mat.NewDense(n, n, nil)
				net.Operator(oa, h)
				net.Operator(ob, m)
				if !sameBits(ja.RawMatrix().Data, jb.RawMatrix().Data) || !sameBits(oa.RawMatrix().Data, ob.RawMatrix().Data) {
					t.Errorf("%v %v state %d: J or the operator differs at -h", act, conv, s)
				}
				rows := mat.NewDense(3, n, nil)
				rows.SetRow(0, h)
				rows.SetRow(1, randomState(n, 99))
				rows.SetRow(2, m)
				var f mat.Dense
				ev.FieldRows(&f, rows)
				if !sameBits(f.RawRowView(0), negated(f.RawRowView(2))) {
					t.Errorf("%v %v state %d: FieldRows at -h is not the exact mirror", act, conv, s)
				}
			}
		}
	}
}

func TestMirrors(t *testing.T) {
	const n = 5
	net := symmetricNet(t, n, 1, Tanh, Continuous, 1)
	a := randomState(n, 1)
	b := randomState(n, 2)
	a[2] = 0 // -0 in its mirror: still the exact negation
	near := negated(b)
	near[0] = math.Nextafter(near[0], 0)
	states := [][]float64{a, b, negated(a), near, a, make([]float64, n)}
	got := net.Mirrors(states)
	// a and -a are mirrors (a's first occurrence is the one named), b's
	// near-negation is none, nor is the origin its own.
	if want := []int{2, -1, 0, -1, 2, -1}; !slices.Equal(got, want) {
		t.Errorf("Mirrors = %v, want %v", got, want)
	}
	biased := randomNet(t, n, 0, 1, Tanh, Continuous, false, 1)
	if got := biased.Mirrors(states); slices.ContainsFunc(got, func(i int) bool { return i >= 0 }) {
		t.Errorf("a network with a bias: Mirrors = %v, want all -1", got)
	}
}
