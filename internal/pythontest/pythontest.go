// Package pythontest gives tests Debian's python3, the reference that the
// cross-checks against numpy, scipy and torch run on. A test that needs it
// skips where it or one of its modules is missing, and fails instead when
// FPFIND_REQUIRE_PYTHON=1 (as in CI), so that no cross-check may skip
// there. It is imported by tests only.
package pythontest

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Path is Debian's python3, whose numpy, scipy and torch the cross-checks
// use.
const Path = "/usr/bin/python3"

// Need returns Path when it imports every one of modules; otherwise it
// skips t, or fails it when FPFIND_REQUIRE_PYTHON=1.
func Need(t testing.TB, modules ...string) string {
	t.Helper()
	fail := t.Skipf
	if os.Getenv("FPFIND_REQUIRE_PYTHON") == "1" {
		fail = t.Fatalf
	}
	if _, err := os.Stat(Path); err != nil {
		fail("no Python (FPFIND_REQUIRE_PYTHON=1 makes this fail): %v", err)
	}
	if len(modules) > 0 {
		imp := "import " + strings.Join(modules, ", ")
		if out, err := exec.Command(Path, "-c", imp).CombinedOutput(); err != nil {
			fail("%s -c %q (FPFIND_REQUIRE_PYTHON=1 makes this fail): %v\n%s", Path, imp, err, out)
		}
	}
	return Path
}

// Run runs the Python script with the arguments args and stdin as its
// standard input, and returns its standard output; it fails t, showing the
// standard error, when the script fails. Call Need first.
func Run(t testing.TB, script, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(Path, append([]string{"-c", script}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("python: %v\n%s", err, errb.String())
	}
	return out.String()
}
