package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/io/report"
)

// find on a ring network (32 tanh units, W_ij = (4/32) cos(theta_i -
// theta_j)): one ring in the table, the .json, the .npz and the plot, the
// same bytes whatever -j; none with --attractors=false.
func TestFindRing(t *testing.T) {
	dir := t.TempDir()
	const n = 32
	w := make([]float64, n*n)
	for i := range n {
		for j := range n {
			w[i*n+j] = 4.0 / n * math.Cos(2*math.Pi*float64(i-j)/n)
		}
	}
	netp := filepath.Join(dir, "ring.npz")
	if err := numpy.WriteNPZ(netp, []numpy.Array{{Name: "W", Shape: []int{n, n}, Data: w}}); err != nil {
		t.Fatal(err)
	}
	var npzs [][]byte
	for _, j := range []string{"1", "2"} {
		prefix := filepath.Join(dir, "r"+j)
		r := runArgs(t, "-j", j, "-n", "32", "-o", prefix, "--plot", prefix+".png", netp)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, "continuous attractors") || !strings.Contains(r.stdout, "ring 0: dimension 1") {
			t.Errorf("-j %s: no ring in the table:\n%s", j, r.stdout)
		}
		b, _ := os.ReadFile(prefix + ".npz")
		npzs = append(npzs, b)
		if st, err := os.Stat(prefix + ".png"); err != nil || st.Size() == 0 {
			t.Errorf("no plot: %v", err)
		}
	}
	if !bytes.Equal(npzs[0], npzs[1]) {
		t.Error("-j 1 and -j 2 write different .npz files")
	}
	p := filepath.Join(dir, "r1.npz")
	kind, _ := npzArray(t, p, "attractor_kind").Strings()
	closed, _ := npzArray(t, p, "attractor_closed").Float64s()
	ids, _ := npzArray(t, p, "attractor_sample_id").Float64s()
	on, _ := npzArray(t, p, "attractor").Float64s()
	xs, _ := npzArray(t, p, "fixed_points").Float64s()
	if len(kind) != 1 || kind[0] != "ring" || closed[0] != 1 || len(ids) < 20 {
		t.Fatalf("attractors %v closed %v, %d samples", kind, closed, len(ids))
	}
	for k, a := range on {
		origin := true
		for _, v := range xs[k*n : k*n+n] {
			origin = origin && math.Abs(v) < 1e-6
		}
		if (a == 0) == origin {
			t.Errorf("point %d (origin %v) on attractor %v", k, origin, a)
		}
	}
	var doc report.Find
	b, _ := os.ReadFile(filepath.Join(dir, "r1.json"))
	if err := report.Read(bytes.NewReader(b), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Attractors) != 1 || doc.Attractors[0].Kind != "ring" || !doc.Attractors[0].Closed || doc.Attractors[0].Samples != len(ids) {
		t.Errorf("json attractors %+v", doc.Attractors)
	}

	r := runArgs(t, "--attractors=false", "-n", "32", "--format", "json", netp)
	if r.code != 0 || !strings.Contains(r.stdout, `"attractors": null`) || strings.Contains(r.stdout, `"attractor":`) {
		t.Errorf("--attractors=false: exit %d", r.code)
	}
}
