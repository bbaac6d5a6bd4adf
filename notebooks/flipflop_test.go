package notebooks_test

import (
	"math"
	"math/cmplx"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestFlipFlopMemories runs fpfind on the trained 3-bit flip-flop network
// and checks, against the weights themselves (residuals computed here) and
// gonum's eigensolver (not fpfind's), that it finds the 8 stable fixed points
// holding the 8 memories, each with its own readout sign pattern, and the
// saddles between them: a saddle with one unstable direction reads out two
// bits clearly and the third near 0 (it sits between two memories that
// differ in that bit).
func TestFlipFlopMemories(t *testing.T) {
	out := filepath.Join(t.TempDir(), "ff")
	runFpfind(t, "find", flipflopNPZ, "-o", out, "--seed", "1", "-n", "512", "--quiet")
	res := readResult(t, out+".npz")
	net := readNetwork(t, flipflopNPZ)
	if res.N != net.N {
		t.Fatalf("result has N = %d, network %d", res.N, net.N)
	}

	patterns := map[string]int{}
	var saddles1, saddles []int
	for k, h := range res.points {
		if res.kind[k] != "fixed" {
			continue
		}
		if r := net.maxAbsF(h); r > 1e-10 {
			t.Errorf("point %d (%s): max |F| = %.3g from the weights, want <= 1e-10", k, res.stability[k], r)
		}
		nu, moduli := unstableDirections(net, h)
		if nu != res.nUnstable[k] {
			t.Errorf("point %d: n_unstable = %d, gonum's eigenvalues give %d", k, res.nUnstable[k], nu)
		}
		got := make([]float64, res.N)
		for i := range got {
			got[i] = math.Hypot(res.eigRe[k][i], res.eigIm[k][i])
		}
		if !sort.IsSorted(sort.Reverse(sort.Float64Slice(got))) {
			t.Errorf("point %d: eigenvalues not sorted by decreasing modulus", k)
		}
		slices.Sort(got)
		for i := range got {
			if math.Abs(got[i]-moduli[i]) > 1e-8 {
				t.Errorf("point %d: eigenvalue moduli differ from gonum's: %.12g vs %.12g", k, got[i], moduli[i])
				break
			}
		}
		y := net.readout(h)
		switch res.stability[k] {
		case "stable":
			key := ""
			for _, v := range y {
				if math.Abs(v) < 0.5 {
					t.Errorf("stable point %d: readout %.3f does not hold a memory", k, y)
				}
				key += map[bool]string{true: "+", false: "-"}[v > 0]
			}
			patterns[key]++
		case "saddle":
			saddles = append(saddles, k)
			if res.nUnstable[k] != 1 {
				break
			}
			saddles1 = append(saddles1, k)
			small := 0
			for _, v := range y {
				if math.Abs(v) < 0.5 {
					small++
				}
			}
			if small != 1 {
				t.Errorf("1-saddle %d: readout %.3f, want exactly one bit near 0", k, y)
			}
		default:
			t.Errorf("point %d: class %s, want stable or saddle", k, res.stability[k])
		}
	}
	if len(patterns) != 8 {
		t.Errorf("stable points carry %d sign patterns %v, want all 8", len(patterns), patterns)
	}
	for p, c := range patterns {
		if c != 1 {
			t.Errorf("sign pattern %s held by %d stable points, want 1", p, c)
		}
	}
	// 12 saddles with one unstable direction exist (one per edge of the cube
	// of memories); with 512 starts fpfind must find at least half of them.
	if len(saddles1) < 6 || len(saddles1) > 12 {
		t.Errorf("%d saddles with one unstable direction, want 6 to 12", len(saddles1))
	}
	t.Logf("%d unique points: %d stable (%d patterns), %d saddles (%d with one unstable direction)",
		res.K, sum(patterns), len(patterns), len(saddles), len(saddles1))
}

func sum(m map[string]int) int {
	s := 0
	for _, v := range m {
		s += v
	}
	return s
}

// unstableDirections returns the number of eigenvalues of the leaky map's
// operator M = (1-alpha) I + alpha diag(tanh'(x)) W at h with modulus above
// 1 + 1e-8, and all the moduli in increasing order, from gonum's Eigen.
func unstableDirections(net *network, h []float64) (int, []float64) {
	n := net.N
	m := mat.NewDense(n, n, nil)
	for i, row := range net.W {
		x := net.b[i]
		for j, w := range row {
			x += w * h[j]
		}
		d := 1 - math.Tanh(x)*math.Tanh(x)
		for j, w := range row {
			m.Set(i, j, net.alpha*d*w)
		}
		m.Set(i, i, m.At(i, i)+1-net.alpha)
	}
	var eig mat.Eigen
	if !eig.Factorize(m, mat.EigenNone) {
		panic("gonum Eigen failed")
	}
	moduli := make([]float64, n)
	nu := 0
	for i, z := range eig.Values(nil) {
		moduli[i] = cmplx.Abs(z)
		if moduli[i] > 1+1e-8 {
			nu++
		}
	}
	slices.Sort(moduli)
	return nu, moduli
}

// TestTorchLayoutSameFixedPoints checks that the flip-flop network read from
// its torch state dict (float32, b = bias_hh + bias_ih, convention given on
// the command line) and from our own layout (float64 casts of the same
// numbers) give the same fixed points to 1e-10.
func TestTorchLayoutSameFixedPoints(t *testing.T) {
	dir := t.TempDir()
	ours, torch := filepath.Join(dir, "ours"), filepath.Join(dir, "torch")
	runFpfind(t, "find", flipflopNPZ, "-o", ours, "--seed", "3", "-n", "256", "--quiet")
	runFpfind(t, "find", flipflopTorch, "-o", torch, "--convention", "leaky", "--alpha", "0.1",
		"--seed", "3", "-n", "256", "--quiet")
	a, b := readResult(t, ours+".npz"), readResult(t, torch+".npz")
	if a.K != b.K || a.K < 9 {
		t.Fatalf("ours found %d points, torch layout %d; want the same number, at least 9", a.K, b.K)
	}
	worst := 0.0
	for k, p := range a.points {
		best := math.Inf(1)
		j := -1
		for i, q := range b.points {
			if d := maxAbsDiff(p, q); d < best {
				best, j = d, i
			}
		}
		worst = max(worst, best)
		if best > 1e-10 {
			t.Errorf("our point %d: nearest torch-layout point is %.3g away, want <= 1e-10", k, best)
			continue
		}
		if a.stability[k] != b.stability[j] || a.nUnstable[k] != b.nUnstable[j] {
			t.Errorf("point %d: %s/%d from ours, %s/%d from torch", k, a.stability[k], a.nUnstable[k], b.stability[j], b.nUnstable[j])
		}
	}
	t.Logf("%d points, largest distance between matched points %.3g", a.K, worst)
}

func maxAbsDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = max(m, math.Abs(a[i]-b[i]))
	}
	return m
}
