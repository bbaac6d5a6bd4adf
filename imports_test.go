package fpfind

import (
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// allowed is STYLE.md section 2: for each package of the module, the other
// packages of the module it may import (tests aside). A package that is not
// listed fails the test, so a new package must be placed in the table.
var allowed = map[string][]string{
	"":           nil,
	"dynamics":   {"internal/kernel"}, // internal/kernel: the AVX2 matrix-vector product
	"ode":        nil,
	"fixedpoint": {"dynamics", "ode", "internal/kernel"},                                            // dynamics: the batched evaluator of lockstep runs; kernel: the L-BFGS and Gram-Schmidt products
	"linearize":  {"dynamics", "internal/eigen"},                                                    // internal/eigen: the default dense eigen-solver
	"io/numpy":   {"dynamics", "fixedpoint", "linearize", "internal/sysmem", "internal/atomicfile"}, // internal/sysmem: arrays larger than the machine are refused; internal/atomicfile: writes are all or nothing
	"io/report":  {"dynamics", "fixedpoint", "linearize"},
	"cmd/fpfind": {"*"},
	"notebooks":  nil,
	"bench/*":    {"*"},
	"internal/*": nil,
}

// banned imports, anywhere in the module, tests included.
var banned = map[string]string{
	"math/rand":             "use math/rand/v2 with an explicit seeded source",
	"golang.org/x/exp/rand": "deprecated; use math/rand/v2",
}

type goPackage struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

func TestImportDirections(t *testing.T) {
	// Stat every Go file so that go test's cache notices any change to them
	// (the go list below runs in a child process, which the cache cannot see).
	filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") {
			os.Stat(path)
		}
		return nil
	})
	cmd := exec.Command("go", "list", "-json", "./...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const module = "github.com/fpfind/fpfind"
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for {
		var p goPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		seen++
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		for _, list := range [][]string{p.Imports, p.TestImports, p.XTestImports} {
			for _, imp := range list {
				if why, bad := banned[imp]; bad {
					t.Errorf("%s imports %s: %s", rel, imp, why)
				}
			}
		}
		rule, ok := allowed[rel]
		if !ok {
			for k, v := range allowed {
				if strings.HasSuffix(k, "/*") && strings.HasPrefix(rel, strings.TrimSuffix(k, "*")) {
					rule, ok = v, true
				}
			}
		}
		if !ok {
			t.Errorf("package %q is not in the import table of imports_test.go (STYLE.md section 2)", rel)
			continue
		}
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			dep := strings.TrimPrefix(imp, module+"/")
			if !slices.Contains(rule, "*") && !slices.Contains(rule, dep) {
				t.Errorf("%s imports %s: not allowed by STYLE.md section 2", rel, dep)
			}
		}
	}
	if seen < 2 {
		t.Fatalf("go list saw %d packages", seen)
	}
}
