// Package nettest builds the networks that the tests and benchmarks of
// several packages run on (Gaussian random weights, rank-2 weights, and
// dynamics.New that fails the test instead of returning an error) and
// compares the spectra they compute. It is imported by tests and benchmarks only (dynamics' own
// tests, below it, keep theirs).
package nettest

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
)

// Must returns the network of c, and fails t when c is invalid.
func Must(t testing.TB, c dynamics.Config) *dynamics.Network {
	t.Helper()
	net, err := dynamics.New(c)
	if err != nil {
		t.Fatal(err)
	}
	return net
}

// GaussianW returns the n x n weights W_ij = g z_ij / sqrt(n), the z_ij ~
// N(0, 1) drawn from rng row by row: a random network of gain g, whose tanh
// dynamics are chaotic above g = 1.
func GaussianW(rng *rand.Rand, n int, g float64) *mat.Dense {
	w := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			w.Set(i, j, g*rng.NormFloat64()/math.Sqrt(float64(n)))
		}
	}
	return w
}

// Rank2W returns the n x n weights W = M S M^T / n of rank 2, the n x 2
// entries of M ~ N(0, 1) drawn from rng row by row and S = [2 1; -1 1.5]: a
// low-rank network, whose operators have one eigenvalue repeated n-2 times
// (-1 for the Jacobian diag(phi') W - I).
func Rank2W(rng *rand.Rand, n int) *mat.Dense {
	m := mat.NewDense(n, 2, nil)
	for i := range n {
		m.Set(i, 0, rng.NormFloat64())
		m.Set(i, 1, rng.NormFloat64())
	}
	var ms, w mat.Dense
	ms.Mul(m, mat.NewDense(2, 2, []float64{2, 1, -1, 1.5}))
	w.Mul(&ms, m.T())
	w.Scale(1/float64(n), &w)
	return &w
}

// Tanh returns the continuous-time tanh network, without bias or input,
// whose weights are GaussianW(rand.New(rand.NewPCG(seed, 0)), n, g).
func Tanh(t testing.TB, n int, g float64, seed uint64) *dynamics.Network {
	t.Helper()
	return Must(t, dynamics.Config{W: GaussianW(rand.New(rand.NewPCG(seed, 0)), n, g)})
}

// MatchValues pairs each of got, in order, with the nearest value of want
// not paired yet (the first at equal distance) and returns the largest
// distance of a pair: 0 for the same values in any order, +Inf when got has
// more values than want.
func MatchValues(got, want []complex128) float64 {
	used := make([]bool, len(want))
	worst := 0.0
	for _, x := range got {
		best, bj := math.Inf(1), -1
		for j, y := range want {
			if !used[j] {
				if d := cmplx.Abs(x - y); d < best {
					best, bj = d, j
				}
			}
		}
		if bj < 0 {
			return math.Inf(1)
		}
		used[bj] = true
		worst = max(worst, best)
	}
	return worst
}
