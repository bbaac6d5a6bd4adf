// Package sysmem tells how much memory the machine has, so that readers and
// the command line can refuse, before allocating, inputs and requests that
// cannot fit.
package sysmem

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// Total returns the machine's physical memory in bytes, bounded by the
// memory limit of the process's cgroup (a container or a Slurm job) when
// that is lower, or 0 when neither can be read (not Linux).
func Total() int64 {
	total := memTotal("/proc/meminfo")
	if lim := cgroupLimit(); lim > 0 && (total == 0 || lim < total) {
		total = lim
	}
	return total
}

// memTotal reads the MemTotal line of a meminfo file, in bytes.
func memTotal(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil || kb <= 0 || kb > 1<<53 {
			return 0
		}
		return kb << 10
	}
	return 0
}

// cgroupLimit returns the memory limit of the process's cgroup (v2, then
// v1), or 0 when there is none or it cannot be read.
func cgroupLimit() int64 {
	for _, p := range []string{
		"/sys/fs/cgroup/memory.max",
		"/sys/fs/cgroup/memory/memory.limit_in_bytes",
	} {
		if v := readLimit(p); v > 0 {
			return v
		}
	}
	return 0
}

// readLimit parses a cgroup limit file: a byte count, or "max" (no limit).
func readLimit(path string) int64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	s := strings.TrimSpace(string(b))
	v, err := strconv.ParseInt(s, 10, 64)
	// cgroup v1 writes a huge page-aligned number for "no limit".
	if err != nil || v <= 0 || v >= 1<<62 {
		return 0
	}
	return v
}
