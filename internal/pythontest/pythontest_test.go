package pythontest_test

import (
	"strings"
	"testing"

	"github.com/fpfind/fpfind/internal/pythontest"
)

// Run passes the arguments and the standard input to the script and
// returns what it prints.
func TestRun(t *testing.T) {
	pythontest.Need(t)
	got := pythontest.Run(t, "import sys; print(sys.argv[1], sys.stdin.read().upper())", "in", "arg")
	if strings.TrimSpace(got) != "arg IN" {
		t.Errorf("Run printed %q, want %q", got, "arg IN\n")
	}
}
