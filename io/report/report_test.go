package report

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestFloatJSON(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{1.5, "1.5"},
		{-2e-10, "-2e-10"},
		{1e21, "1e+21"},
		{math.NaN(), "null"},
		{math.Inf(1), "null"},
		{math.Inf(-1), "null"},
	} {
		b, err := json.Marshal(Float(tc.in))
		if err != nil {
			t.Fatalf("Marshal(%v): %v", tc.in, err)
		}
		if string(b) != tc.want {
			t.Errorf("Marshal(%v) = %s, want %s", tc.in, b, tc.want)
		}
		var back Float
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("Unmarshal(%s): %v", b, err)
		}
		if math.IsInf(tc.in, 0) || math.IsNaN(tc.in) {
			if !math.IsNaN(float64(back)) {
				t.Errorf("Unmarshal(%s) = %v, want NaN", b, back)
			}
		} else if float64(back) != tc.in {
			t.Errorf("round trip of %v gave %v", tc.in, back)
		}
	}
}

func TestComplexJSON(t *testing.T) {
	for _, tc := range []struct {
		in   complex128
		want string
	}{
		{complex(1, -2), "[1,-2]"},
		{complex(-0.5, 0), "[-0.5,0]"},
		{complex(math.NaN(), math.Inf(1)), "[null,null]"},
	} {
		b, err := json.Marshal(Complex(tc.in))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tc.want {
			t.Errorf("Marshal(%v) = %s, want %s", tc.in, b, tc.want)
		}
	}
	var c Complex
	if err := json.Unmarshal([]byte("[3, 4.5]"), &c); err != nil || c != Complex(complex(3, 4.5)) {
		t.Errorf("Unmarshal([3, 4.5]) = %v, %v", c, err)
	}
	if err := json.Unmarshal([]byte("[3]"), &c); err == nil {
		t.Error("Unmarshal([3]) gave no error")
	}
}

// A document with NaN, infinities and complex numbers must be valid JSON,
// which Python's strict parser accepts too.
func TestWriteNonFinite(t *testing.T) {
	doc := Find{Header: NewHeader("find")}
	doc.Points = []Point{{Index: 0, Kind: "fixed", Stability: "marginal", Q: Float(math.NaN()),
		Leading: Complex(complex(0, 1)), SlowestTau: Float(math.Inf(1))}}
	var buf bytes.Buffer
	if err := Write(&buf, doc); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(buf.Bytes()) {
		t.Fatalf("invalid JSON:\n%s", buf.Bytes())
	}
	if !bytes.HasSuffix(buf.Bytes(), []byte("}\n")) {
		t.Error("document does not end in a newline")
	}
	var back Find
	if err := Read(bytes.NewReader(buf.Bytes()), &back); err != nil {
		t.Fatal(err)
	}
	if back.SchemaVersion != SchemaVersion || back.Program != "fpfind" || back.Command != "find" {
		t.Errorf("header did not round-trip: %+v", back.Header)
	}
	p := back.Points[0]
	if !math.IsNaN(float64(p.Q)) || !math.IsNaN(float64(p.SlowestTau)) || p.Leading != Complex(complex(0, 1)) {
		t.Errorf("point did not round-trip: %+v", p)
	}
	// Key order is the struct order.
	s := buf.String()
	if i, j := strings.Index(s, `"schema_version"`), strings.Index(s, `"points"`); i < 0 || j < i {
		t.Errorf("schema_version does not come before points:\n%s", s)
	}
	if py := "/usr/bin/python3"; fileExists(py) {
		cmd := exec.Command(py, "-c", "import json,sys; d=json.load(sys.stdin); assert d['points'][0]['q'] is None; assert d['points'][0]['leading_eigenvalue']==[0,1]")
		cmd.Stdin = bytes.NewReader(buf.Bytes())
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("python3 json.load: %v\n%s", err, out)
		}
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func TestReadUnknownKey(t *testing.T) {
	var doc Find
	if err := Read(strings.NewReader(`{"schema_version":1,"bogus":2}`), &doc); err == nil {
		t.Error("unknown key accepted")
	}
}

func TestHashPath(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{"b.npy": "bee", "a.npy": "ay", "B.npy": "Bee", "notes.txt": "ignored"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := HashPath(filepath.Join(dir, "a.npy"))
	if err != nil {
		t.Fatal(err)
	}
	sh, err := exec.LookPath("sha256sum")
	if err != nil {
		t.Skip("no sha256sum")
	}
	out, err := exec.Command(sh, filepath.Join(dir, "a.npy")).Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Fields(string(out))[0]; sum != want {
		t.Errorf("HashPath(file) = %s, sha256sum says %s", sum, want)
	}
	dsum, err := HashPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", "sha256sum *.npy | sha256sum")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err = cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Fields(string(out))[0]; dsum != want {
		t.Errorf("HashPath(folder) = %s, shell says %s", dsum, want)
	}
	if _, err := HashPath(filepath.Join(dir, "missing")); err == nil {
		t.Error("HashPath of a missing file gave no error")
	}
}

func TestVersion(t *testing.T) {
	v, gov := Version()
	if v == "" || !strings.HasPrefix(gov, "go") {
		t.Errorf("Version() = %q, %q", v, gov)
	}
}
