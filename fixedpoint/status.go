package fixedpoint

import (
	"fmt"

	"github.com/fpfind/fpfind/internal/enum"
)

// Status says how a run ended, or what kind of point a unique point is. The
// strings are those of docs/DESIGN.md: "fixed", "slow", "not-converged",
// "diverged".
type Status int

// The statuses, in the order unique points are sorted by.
const (
	// Fixed: max_i |F_i(h)| <= Settings.Tol at the final state.
	Fixed Status = iota
	// Slow: the final state is a local minimum of the speed q with q > 0
	// that could not be polished into a fixed point (its gradient J^T F is
	// numerically zero while F is not).
	Slow
	// NotConverged: the run stopped (iteration limit, stalled line search,
	// cancelled context) without reaching a fixed or slow point.
	NotConverged
	// Diverged: the state left every bounded region or became non-finite.
	Diverged
)

var statusNames = enum.Names[Status]{
	Fixed:        "fixed",
	Slow:         "slow",
	NotConverged: "not-converged",
	Diverged:     "diverged",
}

// String returns the docs/DESIGN.md name of the status.
func (s Status) String() string { return statusNames.String(s) }

// MarshalText implements encoding.TextMarshaler with the docs/DESIGN.md name.
func (s Status) MarshalText() ([]byte, error) { return statusNames.Text(s) }

// UnmarshalText implements encoding.TextUnmarshaler; it accepts the names
// returned by String.
func (s *Status) UnmarshalText(b []byte) error {
	v, err := ParseStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseStatus returns the status named s ("fixed", "slow", "not-converged"
// or "diverged").
func ParseStatus(s string) (Status, error) {
	if v, ok := statusNames.Lookup(s); ok {
		return v, nil
	}
	return 0, fmt.Errorf("fixedpoint: unknown status %q (want fixed, slow, not-converged or diverged)", s)
}

// Source says how a unique point was first found.
type Source int

const (
	// FromRun: the run from an initial state (a sampled one, or one
	// given) reached the point.
	FromRun Source = iota
	// FromSymmetry: the point is -h* of a found point h* of an
	// odd-symmetric system (see Result.Symmetric).
	FromSymmetry
	// FromDeflation: a deflated restart found the point (see Settings.Deflation).
	FromDeflation
	// FromManifold: package explore found the point by following an
	// unstable manifold of a known point.
	FromManifold
	// FromBoundary: package explore found the point on the boundary
	// between the basins of two attractors.
	FromBoundary
	// FromInterval: package certify's branch and prune proved the point
	// (find --complete) where no solve had found it.
	FromInterval
)

var sourceNames = enum.Names[Source]{FromRun: "sample", FromSymmetry: "symmetry", FromDeflation: "deflation", FromManifold: "manifold", FromBoundary: "boundary", FromInterval: "interval"}

// String returns "sample", "symmetry", "deflation", "manifold",
// "boundary" or "interval".
func (s Source) String() string { return sourceNames.String(s) }
