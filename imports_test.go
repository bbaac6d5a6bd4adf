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

// allowed is the import table: for each package of the module, the other
// packages of the module it may import (its tests may import more: see
// allowedInTests). A package that is not listed fails the test, so a new
// package must be placed in the table.
var allowed = map[string][]string{
	"":                  nil,
	"dynamics":          {"internal/kernel", "internal/enum"},                                                                           // internal/kernel: the AVX2 matrix-vector product; internal/enum (here and in ode, fixedpoint, linearize): the names of the enumerations
	"ode":               {"internal/enum", "internal/par"},                                                                              // internal/par (here and in fixedpoint): independent jobs on a number of goroutines
	"fixedpoint":        {"dynamics", "ode", "internal/kernel", "internal/dense", "internal/enum", "internal/par", "internal/lockstep"}, // dynamics: the batched evaluator of lockstep runs; kernel: the L-BFGS and Gram-Schmidt products; dense: the LU, its solves and the Cholesky solve of the Newton steps; lockstep: the scheduler of the runs sharing a batch
	"internal/dense":    {"internal/kernel"},                                                                                            // the trailing update of the LU and the rectangles of the triangular solves
	"linearize":         {"dynamics", "internal/dense", "internal/eigen", "internal/enum", "internal/lockstep"},                         // internal/eigen: the default dense eigen-solver; dense: the LU of inverse iteration's shifted operators; lockstep: the scheduler of LeadingAll's Krylov runs
	"explore":           {"dynamics", "ode", "fixedpoint", "linearize", "internal/par"},                                                 // composes the solver, the spectra and the integrators: the finder itself imports no spectra; par: its jobs on workers (the points' inverse iterations, the maps' trajectories)
	"attractor":         {"dynamics", "linearize", "internal/dense", "internal/eigen", "internal/kernel", "internal/enum"},              // traces continuous attractors through the points it is given, with the spectra of linearize at its samples; kernel and dense: the normal equations of its Gauss-Newton projections; eigen and dense: the eigenvalues nearest zero by shift-invert Krylov-Schur
	"certify":           {"dynamics", "internal/enum", "internal/par"},                                                                  // proves fixed points of a dynamics.Network (the points come from the caller); par: points certified in parallel
	"continuation":      {"dynamics", "fixedpoint", "linearize", "internal/dense", "internal/enum", "internal/par"},                     // follows branches of fixed points: the network at each parameter value, the LU's type (fixedpoint.Factorizer) and blocked LU of the bordered systems, the spectra of the test functions, branches on a number of goroutines
	"internal/lockstep": nil,                                                                                                            // the one scheduler of callers sharing batched calls (fixedpoint's groups, linearize.LeadingAll): it knows nothing of what it schedules
	"io/numpy":          {"internal/sysmem", "internal/atomicfile"},                                                                     // internal/sysmem: arrays larger than the machine are refused; internal/atomicfile: writes are all or nothing
	"io/netfile":        {"dynamics", "io/numpy"},                                                                                       // the network file layouts: a dynamics.Network in the arrays of the codec
	"io/report":         nil,
	"train":             {"dynamics", "io/numpy", "io/netfile", "internal/kernel", "internal/par"}, // learning rules on the leaky network of dynamics: its file layout (netfile, numpy) for the trained network and checkpoints; kernel: the batched products of the passes; par: online RFLO's workers meeting once per time step
	"sweep":             {"io/report", "io/numpy", "internal/atomicfile", "internal/enum"},         // the records of a sweep's folder are report documents, its table an .npz too; the plan is written all or nothing
	"cmd/fpfind":        {"*"},
	"notebooks":         nil,
	"bench/*":           {"*"},
	"internal/nettest":  {"dynamics"},        // random networks for the tests and benchmarks of the packages above dynamics
	"internal/backend":  {"internal/kernel"}, // the pure-Go build's Dgemm for gonum's BLAS is internal/kernel's matrix product
	"internal/eigen":    {"internal/kernel"}, // the reflector updates of the QR sweeps (Reflect3)
	"internal/*":        nil,
}

// allowedInTests lists, for each package, the packages of the module its
// tests may import beyond those of allowed: a test may check a package
// against the code that uses it, or build its inputs with a higher package,
// but the package itself stays below them. A package absent here has tests
// held to allowed.
var allowedInTests = map[string][]string{
	"ode":              {"dynamics", "internal/pythontest"},                                              // integrates the networks of dynamics, the case ode is written for; internal/pythontest (here and below): the Python the cross-checks against numpy, scipy and torch run on
	"fixedpoint":       {"internal/pythontest", "internal/nettest"},                                      // checks the points against scipy.optimize.root; internal/nettest (here and below): random networks
	"linearize":        {"ode", "internal/pythontest", "internal/nettest"},                               // checks the affine field and the spectra against integrated trajectories
	"internal/eigen":   {"dynamics", "internal/pythontest", "internal/nettest", "internal/backend"},      // decomposes the Jacobians of tanh networks, the matrices it is tuned for; backend: BenchmarkGeev runs on the BLAS the command installs
	"internal/backend": {"dynamics", "fixedpoint", "linearize", "internal/eigen", "internal/pythontest"}, // compares the OpenBLAS solvers with the pure-Go ones and shows them handed to fixedpoint and linearize
	"io/numpy":         {"internal/npytest"},                                                             // hand-built .npy and zip bytes, shared with io/netfile's tests
	"explore":          {"io/netfile", "internal/nettest"},                                               // reads the testdata networks whose points are known; the chaotic network of its benchmark
	"certify":          {"internal/nettest", "internal/pythontest", "fixedpoint", "io/netfile"},
	"attractor":        {"explore", "io/netfile", "internal/nettest", "internal/pythontest"}, // finds the points of its test networks with explore, reads the trained integrator, checks the ring against scipy          // random networks; scipy's exhaustive search and fixedpoint's points are the references of the complete sets
	"continuation":     {"internal/pythontest"},                                              // checks a branch against a pseudo-arclength continuation in numpy
	"io/netfile":       {"internal/npytest", "internal/sysmem", "internal/pythontest"},       // hand-built .npy and zip bytes, shared with io/numpy's tests; sysmem: the default limit that refusals quote
	"train":            {"internal/pythontest"},                                              // the gradients against torch autograd
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
			t.Errorf("package %q is not in the import table of imports_test.go", rel)
			continue
		}
		check := func(imports []string, rule []string, what string) {
			for _, imp := range imports {
				if !strings.HasPrefix(imp, module+"/") && imp != module {
					continue
				}
				dep := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
				if dep == rel {
					continue // an external test package imports the package it tests
				}
				if !slices.Contains(rule, "*") && !slices.Contains(rule, dep) {
					t.Errorf("%s%s imports %s: not in its row of the import table of imports_test.go", rel, what, dep)
				}
			}
		}
		check(p.Imports, rule, "")
		testRule := append(slices.Clone(rule), allowedInTests[rel]...)
		check(p.TestImports, testRule, " (tests)")
		check(p.XTestImports, testRule, " (tests)")
	}
	if seen < 2 {
		t.Fatalf("go list saw %d packages", seen)
	}
}
