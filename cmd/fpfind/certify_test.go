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
