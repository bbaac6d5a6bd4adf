package sysmem

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// memTotal reads the MemTotal line of a meminfo file and readLimit a
// cgroup's memory limit, in bytes; what they cannot read, and a limit that
// means none, is 0.
func TestReaders(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		read func(path string) int64
		text string
		want int64
	}{
		{"memTotal", memTotal, "MemTotal:       24568424 kB\nMemFree: 1 kB\n", 24568424 << 10},
		{"memTotal", memTotal, "MemFree: 1 kB\nMemTotal: 1024 kB\n", 1 << 20},
		{"memTotal", memTotal, "MemTotal: 12 MB\n", 0},
		{"memTotal", memTotal, "MemTotal: x kB\n", 0},
		{"memTotal", memTotal, "", 0},
		{"readLimit", readLimit, "max\n", 0},
		{"readLimit", readLimit, "1073741824\n", 1 << 30},
		{"readLimit", readLimit, "9223372036854771712\n", 0}, // cgroup v1's "unlimited"
		{"readLimit", readLimit, "-1\n", 0},
	} {
		p := filepath.Join(dir, c.name)
		if err := os.WriteFile(p, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := c.read(p); got != c.want {
			t.Errorf("%s(%q) = %d, want %d", c.name, c.text, got, c.want)
		}
	}
	if got := memTotal(filepath.Join(dir, "absent")); got != 0 {
		t.Errorf("memTotal(absent) = %d, want 0", got)
	}
}

func TestTotalOnLinux(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/meminfo")
	}
	got := Total()
	if got < 64<<20 || got > 1<<50 {
		t.Fatalf("Total() = %d bytes: not a plausible machine", got)
	}
}
