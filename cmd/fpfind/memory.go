package main

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"

	"github.com/fpfind/fpfind/internal/sysmem"
	"github.com/fpfind/fpfind/io/numpy"
	"github.com/spf13/pflag"
)

// memoryOption is --max-memory: the most memory a run may plan to hold. A
// run estimates from its flags and the network what it will hold before it
// allocates anything large, and refuses (exit 2) what exceeds the limit; the
// network and the .npy inputs are read under the same limit.
type memoryOption struct {
	limit int64 // bytes; 0: no limit
	set   bool  // given on the command line (else the machine's memory)
}

// memoryFlag is the pflag.Value of --max-memory.
type memoryFlag memoryOption

func (m *memoryFlag) String() string {
	if !m.set {
		return "the machine's memory"
	}
	return formatBytes(m.limit)
}

func (m *memoryFlag) Set(s string) error {
	v, err := parseSize(s)
	if err != nil {
		return err
	}
	m.limit, m.set = v, true
	return nil
}

func (m *memoryFlag) Type() string { return "SIZE" }

func (m *memoryOption) register(fs *pflag.FlagSet) {
	fs.Var((*memoryFlag)(m), "max-memory", "refuse a run whose estimated memory exceeds `SIZE` (bytes, or with K, M, G, T: powers of 1024, e.g. 512M, 8G, 1.5T, 2GiB); 0: no limit")
	fs.Lookup("max-memory").DefValue = "the machine's memory"
}

// bytes returns the limit in bytes, 0 for none: the flag's value, else the
// machine's memory (0 when unknown).
func (m *memoryOption) bytes() int64 {
	if m.set {
		return m.limit
	}
	return sysmem.Total()
}

// readLimit is the limit for numpy's readers: LoadOptions.MaxBytes and
// ReadMatrixLimit take 0 as the machine's memory and < 0 as none.
func (m *memoryOption) readLimit() int64 {
	if m.set && m.limit == 0 {
		return -1
	}
	return m.bytes()
}

// check refuses an estimate of est bytes above the limit (an input error:
// exit 2), naming what was estimated.
func (m *memoryOption) check(est float64, what string) error {
	lim := m.bytes()
	if lim <= 0 || est <= float64(lim) {
		return nil
	}
	src := "--max-memory"
	if !m.set {
		src = "the memory of this machine"
	}
	return inputError(fmt.Errorf("%s would need about %s of memory, more than the limit of %s (%s); ask for less, or raise the limit with --max-memory SIZE (0: none)",
		what, formatBytes(int64(min(est, math.MaxInt64/2))), formatBytes(lim), src))
}

// parseSize reads a size: a number of bytes, with an optional suffix K, M,
// G, T or P (also KB, KiB, ...), each a power of 1024.
func parseSize(s string) (int64, error) {
	bad := fmt.Errorf("%q: want a size such as 512M, 8G, 1.5T or a number of bytes (0: no limit)", s)
	// The unit: B, or K, M, G, T, P alone or followed by B or iB.
	u, hasB := strings.CutSuffix(strings.ToUpper(strings.TrimSpace(s)), "B")
	u, hasI := strings.CutSuffix(u, "I")
	if hasI && !hasB {
		return 0, bad
	}
	mult := 1.0
	if k := strings.LastIndexAny(u, "KMGTP"); k >= 0 && k == len(u)-1 {
		mult = math.Pow(1024, float64(strings.IndexByte("KMGTP", u[k])+1))
		u = u[:k]
	} else if hasI {
		return 0, bad
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(u), 64)
	if err != nil || math.IsNaN(v) || v < 0 || math.IsInf(v, 0) {
		return 0, bad
	}
	b := v * mult
	if b >= math.MaxInt64 {
		return 0, fmt.Errorf("%q: too large", s)
	}
	return int64(b), nil
}

// formatBytes writes a size with 3 significant digits in KiB, MiB, GiB...
func formatBytes(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d bytes", n)
	}
	v := float64(n)
	units := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	u := -1
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	return strconv.FormatFloat(v, 'g', 3, 64) + " " + units[u]
}

// runtimeBase is what any run holds besides its arrays: the Go runtime,
// the program, the buffers of the output.
const runtimeBase = 16 << 20

// effectiveWorkers caps -j n (0: all CPUs) at what can be used: never more
// than GOMAXPROCS nor than the number of independent work items. Results
// never depend on it.
func effectiveWorkers(n, items int) int {
	w := runtime.GOMAXPROCS(0)
	if n > 0 {
		w = min(w, n)
	}
	return max(1, min(w, items))
}

// tooLarge rewrites numpy's refusal of a file larger than the limit as an
// input error that names --max-memory.
func tooLarge(err error) error {
	if errors.Is(err, numpy.ErrTooLarge) {
		return inputError(fmt.Errorf("%w (raise the limit with --max-memory SIZE, 0: none)", err))
	}
	return inputError(err)
}

// Estimates of what a run holds, in bytes (float64: a request may overflow
// int). f is 8 bytes (a float64), c 16 (a complex128).
const (
	f8  = 8.0
	c16 = 16.0
)

// networkBytes estimates what reading a network of N units and M inputs
// holds at its peak: the decoded arrays and the network's own copy of them.
func networkBytes(n, m int) float64 {
	N, M := float64(n), float64(m)
	return runtimeBase + 2*N*(N+M)*f8
}

// checkNetwork is the check of modelOptions for the commands that need
// nothing but the network before its data is read.
func (m *memoryOption) checkNetwork(n, inputs int) error {
	return m.check(networkBytes(n, inputs), fmt.Sprintf("reading a network of N = %d units", n))
}

// spectrumBytes estimates the linearisation of k points of N units on
// workers goroutines, c eigenvalues each (c < n: the Krylov method), with
// sets of eigenvectors (0, 1 or 2) written: the per-worker workspace, and
// the values and vectors kept for the output (twice: in the spectra and in
// the .npz arrays).
func spectrumBytes(k, n, c, workers, sets int) float64 {
	K, N, C := float64(k), float64(n), float64(c)
	var work float64
	if c < n {
		// Krylov-Schur: a basis of about 2c + 20 vectors and its
		// projected matrix, per state in the lockstep batch.
		m := 2*C + 20
		work = min(K, 8*float64(workers)) * (m*N*f8 + m*m*f8)
	} else {
		// dgeev: the operator, its Hessenberg/Schur form, the
		// workspace, and the real and complex eigenvectors.
		work = float64(workers) * (4*N*N*f8 + float64(sets)*(N*N*f8+N*N*c16))
	}
	out := 2 * K * (C*c16 + float64(sets)*N*C*c16)
	return work + out
}
