package main

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fpfind/fpfind/internal/nettest"
	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/io/report"
)

// npzArray returns the array name of the .npz at p.
func npzArray(t *testing.T, p, name string) *numpy.Array {
	t.Helper()
	arrays, err := numpy.ReadNPZ(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range arrays {
		if a.Name == name {
			return a
		}
	}
	t.Fatalf("%s has no %s", p, name)
	return nil
}

// find --certify on the Hopfield network: every fixed point certified,
// no other point found inside a certified box, the keys of the contract
// in the .npz and the .json, the same bytes whatever -j.
func TestFindCertify(t *testing.T) {
	dir := t.TempDir()
	inits := randomInits(t, dir, "hopfield.npz", 48)
	var npzs [][]byte
	for _, j := range []string{"1", "3"} {
		prefix := filepath.Join(dir, "res"+j)
		r := runArgs(t, "--certify", "-j", j, "--inits-file", inits, "-o", prefix, net("hopfield.npz"))
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, "cert") || !strings.Contains(r.stdout, "certified (Krawczyk") {
			t.Errorf("the table has no cert column or line:\n%s", r.stdout)
		}
		b, err := os.ReadFile(prefix + ".npz")
		if err != nil {
			t.Fatal(err)
		}
		npzs = append(npzs, b)
	}
	if !bytes.Equal(npzs[0], npzs[1]) {
		t.Error("-j 1 and -j 3 write different .npz files")
	}
	p := filepath.Join(dir, "res1.npz")
	ok := npzArray(t, p, "certified")
	rad, _ := npzArray(t, p, "cert_radius").Float64s()
	kind, _ := npzArray(t, p, "kind").Strings()
	xs, _ := npzArray(t, p, "fixed_points").Float64s()
	if ok.Dtype != "|b1" || len(ok.Shape) != 1 || ok.Shape[0] != len(kind) {
		t.Fatalf("certified: dtype %s shape %v, want |b1 (%d,)", ok.Dtype, ok.Shape, len(kind))
	}
	cert, _ := ok.Float64s()
	n := len(xs) / len(kind)
	for i := range kind {
		if kind[i] == "fixed" && cert[i] != 1 {
			t.Errorf("fixed point %d not certified", i)
		}
		if (cert[i] == 1) != (rad[i] > 0) {
			t.Errorf("point %d: certified %v, radius %g", i, cert[i], rad[i])
		}
		// A certified box holds one fixed point: no other point found may
		// lie in it.
		for j := range kind {
			var d float64
			for k := range n {
				d = math.Max(d, math.Abs(xs[i*n+k]-xs[j*n+k]))
			}
			if j != i && kind[j] == "fixed" && d <= rad[i] {
				t.Errorf("point %d lies within the certified radius %g of point %d", j, rad[i], i)
			}
		}
	}
	var doc report.Find
	b, _ := os.ReadFile(filepath.Join(dir, "res1.json"))
	if err := report.Read(bytes.NewReader(b), &doc); err != nil {
		t.Fatal(err)
	}
	if !doc.Settings.Certify || len(doc.Points) != len(kind) {
		t.Fatalf("settings %+v, %d points", doc.Settings, len(doc.Points))
	}
	for i, pt := range doc.Points {
		if pt.Certified == nil || pt.CertRadius == nil || *pt.Certified != (cert[i] == 1) || float64(*pt.CertRadius) != rad[i] {
			t.Errorf("json point %d: certified %v radius %v; npz %v %g", i, pt.Certified, pt.CertRadius, cert[i], rad[i])
		}
	}
	if c := doc.Certification; c == nil || c.Points != len(kind) || c.Certified < 1 || !(float64(c.Seconds) >= 0) {
		t.Errorf("json certification %+v", c)
	}
	if !strings.Contains(string(b), `"certified": true`) {
		t.Errorf("the .json has no \"certified\": true")
	}

	// Above --certify-max-n: nothing certified, and a note says why.
	r := runArgs(t, "--certify", "--certify-max-n", "8", "--inits-file", inits, "--format", "json", net("hopfield.npz"))
	if r.code != 0 || !strings.Contains(r.stderr, "--certify-max-n") || !strings.Contains(r.stdout, `"cert_reason": "too-large"`) {
		t.Errorf("--certify-max-n 8: exit %d, stderr %q", r.code, r.stderr)
	}
	// Without --certify no key is written.
	r = runArgs(t, "--inits-file", inits, "--format", "json", net("hopfield.npz"))
	if strings.Contains(r.stdout, "cert_radius") || strings.Contains(r.stdout, "\tcert") {
		t.Error("cert keys written without --certify")
	}
}

// The ghost of a saddle-node: one tanh unit past its fold leaves a slow
// point, which find reports and --certify refuses.
func TestFindCertifyGhost(t *testing.T) {
	dir := t.TempDir()
	h := 1 / math.Sqrt2
	p := filepath.Join(dir, "ghost.npz")
	if err := numpy.WriteNPZ(p, []numpy.Array{
		{Name: "W", Shape: []int{1, 1}, Data: []float64{2}},
		{Name: "b", Shape: []int{1}, Data: []float64{math.Atanh(h) - 2*h - 1e-3}},
	}); err != nil {
		t.Fatal(err)
	}
	r := runArgs(t, "--certify", "--format", "json", "-n", "16", p)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var doc report.Find
	if err := report.Read(strings.NewReader(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	slow := 0
	for _, pt := range doc.Points {
		if pt.Kind == "slow" {
			slow++
			if pt.Certified == nil || *pt.Certified || pt.CertReason == "certified" {
				t.Errorf("the ghost's slow point at |h| = %g is certified", float64(pt.NormInf))
			}
		}
	}
	if slow == 0 {
		t.Fatalf("no slow point found past the fold:\n%s", r.stdout)
	}
}

func TestCertifyMaxNFlag(t *testing.T) {
	r := runArgs(t, "--certify", "--certify-max-n", "0", net("tanh1.npz"))
	if r.code != 2 || !strings.Contains(r.stderr, "--certify-max-n 0") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// writeRandomNet writes the tanh network of n units with W = 2
// N(0,1)/sqrt(n) and b = 0.3 N(0,1) (certify's tests' randomNet; seed 3
// at n = 6 has 5 fixed points) to dir/name.
func writeRandomNet(t *testing.T, dir, name string, n int, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 7))
	w := nettest.GaussianW(rng, n, 2)
	b := make([]float64, n)
	for i := range b {
		b[i] = 0.3 * rng.NormFloat64()
	}
	p := filepath.Join(dir, name)
	if err := numpy.WriteNPZ(p, []numpy.Array{{Name: "W", Shape: []int{n, n}, Data: w.RawMatrix().Data}, {Name: "b", Shape: []int{n}, Data: b}}); err != nil {
		t.Fatal(err)
	}
	return p
}

// find --complete from too few initial states to find every point: the
// proof adds the missing ones (source interval), the set is complete, the
// .npz has complete and undecided_boxes; with too few boxes it is not, and
// says so; an unbounded activation is refused.
func TestFindComplete(t *testing.T) {
	dir := t.TempDir()
	netp := writeRandomNet(t, dir, "r6.npz", 6, 3)
	var npzs [][]byte
	for _, j := range []string{"1", "2"} {
		prefix := filepath.Join(dir, "c"+j)
		r := runArgs(t, "--complete", "-j", j, "-n", "2", "--explore=false", "--deflation", "-1", "-o", prefix, netp)
		if r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, "complete: these 5 fixed points are all the fixed points") {
			t.Errorf("-j %s:\n%s", j, r.stdout)
		}
		b, _ := os.ReadFile(prefix + ".npz")
		npzs = append(npzs, b)
	}
	if !bytes.Equal(npzs[0], npzs[1]) {
		t.Error("-j 1 and -j 2 write different .npz files")
	}
	p := filepath.Join(dir, "c1.npz")
	c := npzArray(t, p, "complete")
	if v, _ := c.Float64s(); c.Dtype != "|b1" || len(c.Shape) != 0 || v[0] != 1 {
		t.Errorf("complete: %+v", c)
	}
	if u := npzArray(t, p, "undecided_boxes"); len(u.Shape) != 3 || u.Shape[0] != 0 || u.Shape[1] != 6 || u.Shape[2] != 2 {
		t.Errorf("undecided_boxes shape %v, want (0, 6, 2)", u.Shape)
	}
	src, _ := npzArray(t, p, "source").Strings()
	cert, _ := npzArray(t, p, "certified").Float64s()
	kind, _ := npzArray(t, p, "kind").Strings()
	added, fixed := 0, 0
	for i, s := range src {
		if s == "interval" {
			added++
		}
		if kind[i] == "fixed" {
			fixed++
			if cert[i] != 1 {
				t.Errorf("fixed point %d not certified", i)
			}
		}
	}
	if fixed != 5 || added == 0 {
		t.Errorf("%d fixed points, %d added by the proof; want 5, some added (2 initial states, no exploration)", fixed, added)
	}
	var doc report.Find
	b, _ := os.ReadFile(filepath.Join(dir, "c1.json"))
	if err := report.Read(bytes.NewReader(b), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Complete == nil || !*doc.Complete || !strings.Contains(string(b), `"complete": true`) || doc.CompleteSearch.Added != added {
		t.Errorf("json: complete %v, search %+v", doc.Complete, doc.CompleteSearch)
	}

	// Too few boxes: not complete, the boxes listed.
	r := runArgs(t, "--complete", "--max-boxes", "5", "--format", "json", netp)
	if r.code != 0 || !strings.Contains(r.stdout, `"complete": false`) || !strings.Contains(r.stdout, `"undecided_boxes": [`) {
		t.Errorf("--max-boxes 5: exit %d\n%s", r.code, r.stderr)
	}
	r = runArgs(t, "--complete", "--max-boxes", "5", netp)
	if !strings.Contains(r.stdout, "NOT complete") {
		t.Errorf("--max-boxes 5: the table does not say NOT complete:\n%s", r.stdout)
	}

	// relu: refused before any work.
	rp := filepath.Join(dir, "relu.npz")
	numpy.WriteNPZ(rp, []numpy.Array{{Name: "W", Shape: []int{1, 1}, Data: []float64{0.5}}, {Name: "activation", Data: []string{"relu"}}})
	r = runArgs(t, "--complete", rp)
	if r.code != 2 || !strings.Contains(r.stderr, "--complete: the activation relu is unbounded") {
		t.Errorf("relu: exit %d, stderr %q", r.code, r.stderr)
	}
}

// --complete's boxes count in the memory estimate: a --max-boxes that
// could not be held is refused before any work.
func TestCompleteMemory(t *testing.T) {
	r := runArgs(t, "--complete", "--max-boxes", "2000000000", "--max-memory", "1G", net("tanh1.npz"))
	if r.code != 2 || !strings.Contains(r.stderr, "--max-memory") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}
