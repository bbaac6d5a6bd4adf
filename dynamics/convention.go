package dynamics

import (
	"fmt"
	"strings"

	"github.com/fpfind/fpfind/internal/enum"
)

// Convention is the time convention of a network: it fixes the linear
// operator at a point and the stability test (see the package doc).
type Convention int

// The conventions. The zero value is Continuous.
const (
	Continuous Convention = iota // tau dh/dt = -h + phi(x); stable when every Re(lambda) < 0
	Leaky                        // h <- h + alpha (-h + phi(x)); stable when every |lambda| < 1
	Discrete                     // h <- phi(x); stable when every |lambda| < 1
)

var conventionNames = enum.Names[Convention]{Continuous: "continuous", Leaky: "leaky", Discrete: "discrete"}

// String returns the name used in files and on the command line.
func (c Convention) String() string { return conventionNames.String(c) }

// ParseConvention returns the convention with the given name (case ignored).
func ParseConvention(s string) (Convention, error) {
	if c, ok := conventionNames.Lookup(strings.ToLower(strings.TrimSpace(s))); ok {
		return c, nil
	}
	return 0, fmt.Errorf("unknown convention %q (want one of %s)", s, strings.Join(conventionNames, ", "))
}

// IsMap reports whether the convention is a discrete-time map (Leaky or
// Discrete), whose stability boundary is the unit circle.
func (c Convention) IsMap() bool { return c == Leaky || c == Discrete }
