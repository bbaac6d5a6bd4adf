package continuation

import (
	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/internal/enum"
	"github.com/fpfind/fpfind/linearize"
)

// Defaults of Settings.
const (
	DefaultTol         = 1e-10
	DefaultParamTol    = 1e-10
	DefaultMaxSteps    = 2000
	DefaultMaxBranches = 64
	DefaultEigs        = 10
	// DefaultFullMax is the largest N at which every eigenvalue is
	// computed (linearize.Decompose); above it the Eigs leading ones
	// (linearize.Leading, Krylov-Schur). At N = 256 a full decomposition
	// takes about as long as the leading 10.
	DefaultFullMax = 256
	// DefaultKrylovMin is the smallest N whose bordered systems are solved
	// matrix-free (GMRES on products with W) rather than by a dense LU.
	DefaultKrylovMin = 512
	// DefaultStepFraction times |To - From| is the default StepMax.
	DefaultStepFraction = 0.05
	// maxNewton bounds the corrector's Newton iterations per step.
	maxNewton = 8
	// minCos is the cosine of the largest turn of the tangent accepted in
	// one step (about 20 degrees): a step that turns more is retried
	// shorter, so that a step cannot jump to another branch nearby.
	minCos = 0.94
)

// Settings configure Continue. The zero value of each field means the
// default given with it.
type Settings struct {
	// From and To bound the parameter: branches start at From and are
	// followed while p stays in [min(From, To), max(From, To)]. They must
	// differ.
	From, To float64
	// Start, when not nil, is the parameter of the start points (in
	// [From, To]); nil means From. From a start strictly inside the
	// interval the branch is followed both ways, so that a closed branch
	// (an isola) can be followed from a point on it.
	Start *float64
	// Tol is the largest max_i |F_i| of a point on a branch; 0 means
	// DefaultTol (1e-10, as fixedpoint's).
	Tol float64
	// ParamTol is the accuracy to which special points are located in p;
	// 0 means DefaultParamTol (1e-10).
	ParamTol float64
	// StepMax and StepMin bound the arclength step (in the weighted norm
	// of the package doc); Step is the first. 0 means StepMax =
	// DefaultStepFraction |To - From|, StepMin = 1e-6 StepMax, Step =
	// StepMax / 4.
	StepMax, StepMin, Step float64
	// MaxSteps bounds the steps of one branch; 0 means DefaultMaxSteps.
	MaxSteps int
	// MaxBranches bounds the branches, those switched onto at branch
	// points included; 0 means DefaultMaxBranches.
	MaxBranches int
	// NoSwitch disables branch switching at branch points.
	NoSwitch bool
	// FullMax is the largest N whose spectra are computed in full; 0 means
	// DefaultFullMax. Above it the Eigs leading eigenvalues are computed by
	// Krylov-Schur, and only they enter the test functions.
	FullMax int
	// Eigs is the number of leading eigenvalues kept per point (and
	// computed above FullMax, doubled at a point until one of them is
	// stable, so that the crossing eigenvalue is among them); 0 means
	// DefaultEigs.
	Eigs int
	// KrylovMin is the smallest N whose bordered systems are solved by
	// GMRES on products with W (no N x N matrix; the dense LU only where
	// GMRES stalls, near branch points); 0 means DefaultKrylovMin, -1
	// never.
	KrylovMin int
	// Eps is the stability tolerance of the classes (linearize.Settings);
	// 0 means linearize's default.
	Eps float64
	// LU factorises the bordered Jacobians; nil means internal/dense's
	// blocked LU. A program built with LAPACK passes dgetrf here.
	LU fixedpoint.Factorizer
	// Solver is the dense eigen-solver; nil means linearize's default.
	Solver linearize.Eigensolver
	// Workers is the number of branches followed at once; 0 means
	// GOMAXPROCS. The result does not depend on it.
	Workers int
}

// End says why a branch ended.
type End int

const (
	// EndBoundary: the branch reached an end of the parameter interval
	// (its last point is on it, to Tol).
	EndBoundary End = iota
	// EndDiverged: the state left every bound (|h|_inf > 1e6) or the
	// network at p could not be made.
	EndDiverged
	// EndClosed: the branch came back to its first point (an isola, or a
	// loop through a start point).
	EndClosed
	// EndMaxSteps: MaxSteps steps were taken.
	EndMaxSteps
	// EndStalled: the corrector failed even at the smallest step.
	EndStalled
	// EndCancelled: the context was cancelled.
	EndCancelled
)

var endNames = enum.Names[End]{EndBoundary: "boundary", EndDiverged: "diverged", EndClosed: "closed", EndMaxSteps: "max-steps", EndStalled: "stalled", EndCancelled: "cancelled"}

// String returns the name of the end: boundary, diverged, closed,
// max-steps, stalled or cancelled.
func (e End) String() string { return endNames.String(e) }

// Type is the type of a special point.
type Type int

const (
	// Fold: a limit point, a real eigenvalue through 0 (1 for maps) where
	// the branch turns back in p.
	Fold Type = iota
	// Hopf: a complex pair through the imaginary axis (continuous).
	Hopf
	// BranchPoint: a real eigenvalue through 0 (1 for maps) where the
	// branch goes on in p: another branch crosses (a pitchfork, a
	// transcritical point).
	BranchPoint
	// PeriodDoubling: a real eigenvalue through -1 (maps).
	PeriodDoubling
	// NeimarkSacker: a complex pair through the unit circle (maps).
	NeimarkSacker
)

var typeNames = enum.Names[Type]{Fold: "fold", Hopf: "hopf", BranchPoint: "branch", PeriodDoubling: "period-doubling", NeimarkSacker: "neimark-sacker"}

// String returns "fold", "hopf", "branch", "period-doubling" or
// "neimark-sacker", the names of the output files.
func (t Type) String() string { return typeNames.String(t) }

// Label returns the diagram's label: LP, H, BP, PD or NS.
func (t Type) Label() string {
	return [...]string{"LP", "H", "BP", "PD", "NS"}[t]
}

// Point is one point of a branch.
type Point struct {
	// P is the parameter, H the state (max_i |F_i| <= Tol there).
	P float64
	H []float64
	// Values are the leading eigenvalues of the convention's operator
	// (at most Eigs), sorted as linearize sorts them.
	Values []complex128
	// NUnstable, NMarginal, Class, MoreUnstable are the linearisation's
	// counts and class (linearize.Spectrum), from all N eigenvalues up to
	// FullMax and from the computed ones above.
	NUnstable, NMarginal int
	Class                linearize.Class
	MoreUnstable         bool
	// Special is the index into Result.Specials of the special point this
	// point is, or -1.
	Special int
}

// Branch is one branch followed from a start point or switched onto at a
// branch point.
type Branch struct {
	Points []Point
	// Start is the index of the start point the branch was followed from,
	// or -1 for a branch switched onto at the branch point Parent (an
	// index into Result.Specials).
	Start, Parent int
	// Sign is the direction the branch left its start in: +1 towards To,
	// -1 towards From; for a switched branch, the side of the branch point
	// (+1, -1).
	Sign int
	// End says why the branch ended.
	End End
}

// Special is a located special point.
type Special struct {
	Type Type
	// Branch is the branch it lies on, P and H where.
	Branch int
	P      float64
	H      []float64
	// Eigenvalue is the critical eigenvalue at the located point (the
	// member with positive imaginary part of a pair).
	Eigenvalue complex128
	// Frequency is the frequency of the critical pair of a Hopf or
	// Neimark-Sacker point, in cycles per unit of model time
	// (linearize.Spectrum.Frequencies); NaN for the others.
	Frequency float64
	// Coefficient is the fold's normal-form coefficient a, or the first
	// Lyapunov coefficient l1 of a Hopf point (up to LyapunovMaxN units;
	// see the package doc); NaN for the others.
	Coefficient float64
	// PError is the width in p of the final bracket of the location.
	PError float64
	// Switched lists the branches switched onto at a branch point.
	Switched []int
}

// Stats counts the work of Continue, summed over its branches (it does not
// depend on Workers).
type Stats struct {
	// Newton counts the corrector's Newton iterations, Factorizations the
	// dense LU factorisations (bordered systems below KrylovMin and GMRES's
	// fallbacks, the null vectors and Lyapunov coefficients at special
	// points), Products the matrix-free products of GMRES, Fallbacks the
	// GMRES solves that fell back to the dense LU, and Spectra the
	// linearisations (one per point, and per trial of a location).
	Newton, Factorizations, Products, Fallbacks, Spectra int
}

// add adds the counts of o to s.
func (s *Stats) add(o Stats) {
	s.Newton += o.Newton
	s.Factorizations += o.Factorizations
	s.Products += o.Products
	s.Fallbacks += o.Fallbacks
	s.Spectra += o.Spectra
}

// Result is the outcome of Continue.
type Result struct {
	// Stats counts the work.
	Stats    Stats
	Branches []Branch
	Specials []Special
	// Duplicates counts the start points dropped because an earlier
	// branch passes through them; Unfollowed those left when MaxBranches
	// branches were followed.
	Duplicates, Unfollowed int
	// Settings are the settings used, every default applied.
	Settings Settings
}
