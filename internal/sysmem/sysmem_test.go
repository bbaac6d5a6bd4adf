package sysmem

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestMemTotal(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		text string
		want int64
	}{
		{"MemTotal:       24568424 kB\nMemFree: 1 kB\n", 24568424 << 10},
		{"MemFree: 1 kB\nMemTotal: 1024 kB\n", 1 << 20},
		{"MemTotal: 12 MB\n", 0},
		{"MemTotal: x kB\n", 0},
		{"", 0},
	} {
		p := filepath.Join(dir, "meminfo")
		if err := os.WriteFile(p, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := memTotal(p); got != c.want {
			t.Errorf("memTotal(%q) = %d, want %d", c.text, got, c.want)
		}
	}
	if got := memTotal(filepath.Join(dir, "absent")); got != 0 {
		t.Errorf("memTotal(absent) = %d, want 0", got)
	}
}

func TestReadLimit(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		text string
		want int64
	}{
		{"max\n", 0},
		{"1073741824\n", 1 << 30},
		{"9223372036854771712\n", 0}, // cgroup v1's "unlimited"
		{"-1\n", 0},
	} {
		p := filepath.Join(dir, "limit")
		if err := os.WriteFile(p, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := readLimit(p); got != c.want {
			t.Errorf("readLimit(%q) = %d, want %d", c.text, got, c.want)
		}
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
