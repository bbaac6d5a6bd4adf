package attractor

import (
	"context"
	"math"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/fpfind/fpfind/io/netfile"
)

// On the chaotic network of testdata (odd-symmetric), the attractors
// through the points explore finds come in mirror pairs, lines and
// manifolds; the second of each pair, taken as the mirror image of the
// first, must be the attractor that tracing it gives, bit for bit.
func TestMirrorsReused(t *testing.T) {
	l, err := netfile.LoadNetwork(filepath.Join("..", "testdata", "random_g1.5_n200.npz"), nil)
	if err != nil {
		t.Fatal(err)
	}
	net := l.Network
	xs, sps := found(t, net)
	as, err := Find(context.Background(), net, xs, sps, nil)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := Find(context.Background(), net, xs, sps, &Settings{NoMirrors: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != len(ref) {
		t.Fatalf("%d attractors, %d traced without mirrors", len(as), len(ref))
	}
	bits := func(v float64) uint64 { return math.Float64bits(v) }
	for k := range as {
		a, b := as[k], ref[k]
		if bits(a.Length) != bits(b.Length) {
			t.Errorf("attractor %d: length %v, %v traced", k, a.Length, b.Length)
		}
		a.Length, b.Length = 0, 0
		if !reflect.DeepEqual(a, b) {
			t.Errorf("attractor %d (%v, %d samples) differs from the one traced (%v, %d samples)", k, a.Kind, len(a.Samples), b.Kind, len(b.Samples))
		}
	}
	// The mirror pairs among them: the samples of one are those of the
	// other negated.
	kinds := map[Kind]int{}
	for i := range as {
		for j := i + 1; j < len(as); j++ {
			a, b := as[i], as[j]
			if a.Kind != b.Kind || len(a.Samples) != len(b.Samples) {
				continue
			}
			mirrored := true
			for _, x := range a.Samples {
				if !hasSample(b.Samples, x, -1) {
					mirrored = false
				}
			}
			if mirrored {
				kinds[a.Kind]++
			}
		}
	}
	t.Logf("%d attractors; mirror pairs by kind %v", len(as), kinds)
	if kinds[Line] == 0 || kinds[Manifold] == 0 {
		t.Errorf("mirror pairs %v: want lines and manifolds, so that both are tested", kinds)
	}
}

// hasSample reports whether one of samples is sign times x, bit for bit.
func hasSample(samples [][]float64, x []float64, sign float64) bool {
	for _, y := range samples {
		same := true
		for i := range x {
			if math.Float64bits(y[i]) != math.Float64bits(sign*x[i]) {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}
