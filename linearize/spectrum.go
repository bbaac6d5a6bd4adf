package linearize

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"sort"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/eigen"
	"github.com/fpfind/fpfind/internal/enum"
)

// Class is the stability class of a point (docs/DESIGN.md section 3).
type Class int

// The classes. Their strings are the ones written to result files.
const (
	Stable   Class = iota // no unstable and no marginal mode
	Saddle                // 0 < NUnstable < N
	Unstable              // NUnstable = N
	Marginal              // NUnstable = 0 < NMarginal
)

var classNames = enum.Names[Class]{Stable: "stable", Saddle: "saddle", Unstable: "unstable", Marginal: "marginal"}

// String returns "stable", "saddle", "unstable" or "marginal".
func (c Class) String() string { return classNames.String(c) }

// MarshalText implements encoding.TextMarshaler with [Class.String].
func (c Class) MarshalText() ([]byte, error) { return classNames.Text(c) }

// UnmarshalText implements encoding.TextUnmarshaler; it accepts the strings
// of [Class.String].
func (c *Class) UnmarshalText(b []byte) error {
	v, ok := classNames.Lookup(string(b))
	if !ok {
		return fmt.Errorf("linearize: unknown class %q", b)
	}
	*c = v
	return nil
}

// Classify returns the class for nUnstable unstable and nMarginal marginal
// modes out of n (docs/DESIGN.md section 3). A point with both unstable and
// marginal modes and nUnstable < n is a Saddle.
func Classify(nUnstable, nMarginal, n int) Class {
	switch {
	case nUnstable == 0 && nMarginal == 0:
		return Stable
	case nUnstable == 0:
		return Marginal
	case nUnstable == n:
		return Unstable
	}
	return Saddle
}

// Vectors says which eigenvectors [Decompose] computes.
type Vectors int

const (
	// VectorsAuto, the zero value, computes right eigenvectors when
	// N <= AutoVectorsMax and the eigenvalues only above.
	VectorsAuto Vectors = iota
	// ValuesOnly computes the eigenvalues only (the cheapest).
	ValuesOnly
	// RightVectors computes the eigenvalues and right eigenvectors.
	RightVectors
	// LeftRightVectors computes the eigenvalues, right eigenvectors and
	// left eigenvectors, the latter normalised so that Left^H Right = I.
	LeftRightVectors
)

// AutoVectorsMax is the largest N for which [VectorsAuto] computes right
// eigenvectors.
const AutoVectorsMax = 512

// NearDefectiveCond is the eigenvector-basis condition number above which a
// [Spectrum] is flagged NearDefective (about 1/sqrt of the float64 epsilon:
// beyond it the eigenvectors, and left vectors most of all, lose about half
// their digits).
const NearDefectiveCond = 1e8

// DefectiveCond is the eigenvector-basis condition number above which the
// operator counts as numerically defective (1/epsilon of float64): its left
// eigenvectors are not computed and Decompose returns ErrDefective.
const DefectiveCond = 0x1p52

// DefaultEpsFactor times the operator's scale (its infinity norm) is the
// default marginal tolerance eps.
const DefaultEpsFactor = 1e-8

// Settings controls [Decompose] and [At]. A nil *Settings, and the zero
// value of every field, mean the defaults.
type Settings struct {
	// Vectors says which eigenvectors to compute; the zero value is
	// VectorsAuto.
	Vectors Vectors
	// Eps is the tolerance of the stability test: a mode is unstable when
	// Re lambda > Eps (continuous) or |lambda| - 1 > Eps (maps), and
	// marginal when that quantity is within [-Eps, Eps]. 0 means
	// DefaultEpsFactor times the operator's infinity norm. It must not be
	// negative or non-finite.
	Eps float64
	// Solver is the dense eigen-solver of [Decompose] and [At]; nil means
	// internal/eigen's pure-Go dgeev (see [Eigensolver]). [Leading] does not
	// use it.
	Solver Eigensolver
}

// Spectrum is the eigen-decomposition of a linear operator and the
// stability verdict it gives.
type Spectrum struct {
	// Convention is the time convention the operator belongs to: it fixes
	// the ordering, the stability test and the time constants.
	Convention dynamics.Convention
	// Values are the eigenvalues, sorted by decreasing real part
	// (Continuous) or decreasing modulus (Leaky, Discrete); ties are broken
	// by decreasing real part, then decreasing imaginary part, so a complex
	// pair appears with its positive-imaginary member first. For a stable
	// point the slowest modes come first.
	Values []complex128
	// Right holds the right eigenvectors in its columns (N x N, unit
	// Euclidean norm, column k for Values[k]); nil when not computed.
	Right *mat.CDense
	// Left holds the left eigenvectors in its columns, u_k^H A =
	// lambda_k u_k^H, scaled so that Left^H Right = I (biorthonormal);
	// nil when not computed.
	Left *mat.CDense
	// NUnstable and NMarginal count the unstable and marginal modes.
	NUnstable, NMarginal int
	// Class is the stability class.
	Class Class
	// Eps is the tolerance the counts used, and Scale the operator's
	// infinity norm.
	Eps, Scale float64
	// Cond is a 1-norm condition number estimate (LAPACK dgecon) of the
	// eigenvector basis, its columns scaled to unit norm: 1 for a normal
	// operator, large when the operator is close to defective, +Inf when it
	// is numerically defective. It lies within a factor of order N of the
	// 2-norm condition number. NaN when right vectors were not computed.
	Cond float64
	// NearDefective reports Cond > NearDefectiveCond (or Cond = +Inf): the
	// eigenvectors, and the left ones most of all, are unreliable. It is
	// false when right vectors were not computed (Cond is NaN then).
	NearDefective bool

	// The fields below describe a partial spectrum, from [Leading]; they
	// are all false for a full one.

	// Partial reports that Values (and the columns of Right) hold only the
	// leading eigenvalues, the first len(Values) of the full sorted list,
	// not all N. NUnstable and NMarginal then count the computed ones.
	Partial bool
	// MoreUnstable reports that NUnstable is only a lower bound: every
	// computed eigenvalue is unstable, so the ones not computed may be too.
	// MoreMarginal likewise reports that NMarginal is a lower bound (the
	// last computed eigenvalue is not stable).
	MoreUnstable, MoreMarginal bool
	// Undecided reports a partial spectrum whose class the computed
	// eigenvalues do not decide: all are unstable, and the bound on the
	// rest (the trace for Continuous, the Frobenius norm for the maps; see
	// [Leading]) does not rule out that all N are. Class is then Saddle,
	// to be read as "saddle or unstable".
	Undecided bool
}

// ErrDefective is returned (wrapped) by [Decompose] when left vectors were
// asked for but the operator is numerically defective (Cond >
// DefectiveCond), so no biorthonormal left basis exists. The Spectrum is still returned, with Left nil.
var ErrDefective = errors.New("linearize: operator is defective: no biorthonormal left eigenvectors")

// NonFiniteError reports a NaN or infinite entry of an operator.
type NonFiniteError struct {
	Row, Col int
	Value    float64
}

func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("linearize: operator has non-finite value %v at [%d, %d]", e.Value, e.Row, e.Col)
}

// At returns the spectrum of the network's linear operator at state h (J,
// or M for the Leaky and Discrete conventions; docs/DESIGN.md section 1). h has
// length net.Dim() and is not modified.
func At(net *dynamics.Network, h []float64, s *Settings) (*Spectrum, error) {
	if net == nil {
		panic("linearize: nil network")
	}
	if len(h) != net.Dim() {
		panic("linearize: state length mismatch")
	}
	for i, v := range h {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("linearize: state has non-finite value %v at [%d]", v, i)
		}
	}
	var op mat.Dense
	net.Operator(&op, h)
	return decompose(&op, net.Convention(), s)
}

// Decompose returns the spectrum of the square matrix op, read as the
// linear operator of convention conv. op is not modified. It is a pure
// function: the verdict can be checked on matrices built by hand.
//
// It returns a *NonFiniteError for a NaN or infinite entry, an error when
// the settings are invalid or the solver fails, and a Spectrum with a
// wrapped ErrDefective when left vectors were asked for on a defective
// operator.
func Decompose(op mat.Matrix, conv dynamics.Convention, s *Settings) (*Spectrum, error) {
	if op == nil {
		panic("linearize: nil operator")
	}
	r, c := op.Dims()
	if r != c {
		panic("linearize: operator not square")
	}
	a := mat.DenseCopyOf(op)
	return decompose(a, conv, s)
}

// decompose overwrites a.
func decompose(a *mat.Dense, conv dynamics.Convention, s *Settings) (*Spectrum, error) {
	var set Settings
	if s != nil {
		set = *s
	}
	if set.Eps < 0 || math.IsNaN(set.Eps) || math.IsInf(set.Eps, 0) {
		return nil, fmt.Errorf("linearize: eps %v is not a finite number >= 0", set.Eps)
	}
	if set.Vectors < VectorsAuto || set.Vectors > LeftRightVectors {
		return nil, fmt.Errorf("linearize: unknown Vectors setting %d", int(set.Vectors))
	}
	if conv < dynamics.Continuous || conv > dynamics.Discrete {
		return nil, fmt.Errorf("linearize: unknown convention %d", int(conv))
	}
	solver := set.Solver
	if solver == nil {
		solver = eigen.Solver{}
	}
	n, _ := a.Dims()
	raw := a.RawMatrix()
	scale := 0.0
	for i := 0; i < n; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+n]
		sum := 0.0
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, &NonFiniteError{Row: i, Col: j, Value: v}
			}
			sum += math.Abs(v)
		}
		scale = max(scale, sum)
	}
	want := set.Vectors
	if want == VectorsAuto {
		want = RightVectors
		if n > AutoVectorsMax {
			want = ValuesOnly
		}
	}
	var vl, vr blas64.General
	if want >= RightVectors {
		vr = blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
	}
	if want == LeftRightVectors {
		vl = blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
	}
	wr := make([]float64, n)
	wi := make([]float64, n)
	if err := solver.Geev(raw, wr, wi, vl, vr); err != nil {
		return nil, err
	}
	sp := &Spectrum{Convention: conv, Scale: scale, Cond: math.NaN()}
	sp.Eps = set.Eps
	if sp.Eps == 0 {
		sp.Eps = DefaultEpsFactor * scale
	}

	// Sort.
	vals := make([]complex128, n)
	for i := range vals {
		vals[i] = complex(wr[i], wi[i])
	}
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	isMap := conv.IsMap()
	sort.SliceStable(perm, func(x, y int) bool {
		a, b := vals[perm[x]], vals[perm[y]]
		if isMap {
			ma, mb := cmplx.Abs(a), cmplx.Abs(b)
			if ma != mb {
				return ma > mb
			}
		}
		if real(a) != real(b) {
			return real(a) > real(b)
		}
		return imag(a) > imag(b)
	})
	sp.Values = make([]complex128, n)
	for k, j := range perm {
		sp.Values[k] = vals[j]
	}
	sp.NUnstable, sp.NMarginal = Count(sp.Values, conv, sp.Eps)
	sp.Class = Classify(sp.NUnstable, sp.NMarginal, n)

	if vr.Rows > 0 {
		sp.Right = unpack(vr, wi, perm)
		sp.Cond = basisCond(vr, wi)
		sp.NearDefective = !(sp.Cond <= NearDefectiveCond)
	}
	if vl.Rows > 0 {
		sp.Left = unpack(vl, wi, perm)
		if sp.Cond > DefectiveCond || !biorthonormalize(sp.Left, sp.Right, sp.Values, scale) {
			sp.Left = nil
			sp.NearDefective = true
			return sp, fmt.Errorf("%w (eigenvector basis condition %.3g)", ErrDefective, sp.Cond)
		}
	}
	return sp, nil
}

// Count returns the numbers of unstable and marginal eigenvalues for the
// convention with tolerance eps (docs/DESIGN.md section 3): with x = Re lambda
// (Continuous) or |lambda| - 1 (Leaky, Discrete), unstable when x > eps,
// marginal when |x| <= eps.
func Count(values []complex128, conv dynamics.Convention, eps float64) (nUnstable, nMarginal int) {
	for _, v := range values {
		x := real(v)
		if conv.IsMap() {
			x = cmplx.Abs(v) - 1
		}
		switch {
		case x > eps:
			nUnstable++
		case x >= -eps:
			nMarginal++
		}
	}
	return nUnstable, nMarginal
}

// unpack turns dgeev's real storage of eigenvectors into complex columns,
// reordered by perm (new column k is old column perm[k]).
func unpack(v blas64.General, wi []float64, perm []int) *mat.CDense {
	n := v.Rows
	data := make([]complex128, n*n)
	for k, j := range perm {
		var re, im int // columns holding the real and imaginary parts
		sign := 1.0
		switch {
		case wi[j] == 0:
			re, im = j, -1
		case wi[j] > 0:
			re, im = j, j+1
		default:
			re, im, sign = j-1, j, -1
		}
		for i := 0; i < n; i++ {
			row := v.Data[i*v.Stride:]
			x := complex(row[re], 0)
			if im >= 0 {
				x = complex(row[re], sign*row[im])
			}
			data[i*n+k] = x
		}
	}
	return mat.NewCDense(n, n, data)
}

// basisCond returns the 1-norm condition estimate of the real form of the
// eigenvector basis (a pair's columns Re v, Im v scaled by sqrt 2, so that the
// real basis is the complex one times a unitary matrix).
func basisCond(v blas64.General, wi []float64) float64 {
	n := v.Rows
	r := mat.NewDense(n, n, nil)
	rr := r.RawMatrix()
	for i := 0; i < n; i++ {
		copy(rr.Data[i*rr.Stride:i*rr.Stride+n], v.Data[i*v.Stride:i*v.Stride+n])
	}
	for j := 0; j < n; j++ {
		if wi[j] != 0 {
			for i := 0; i < n; i++ {
				rr.Data[i*rr.Stride+j] *= math.Sqrt2
			}
		}
	}
	var lu mat.LU
	lu.Factorize(r)
	c := lu.Cond()
	if math.IsNaN(c) {
		return math.Inf(1)
	}
	return c
}

// biorthonormalize scales the left vectors so that Left^H Right = I. Left
// vectors of distinct eigenvalues are orthogonal to the other right vectors
// already; within a cluster of (nearly) equal eigenvalues the left basis is
// replaced by U G^{-H} with G = U^H V restricted to the cluster. It reports
// false when some G is singular (a defective operator).
func biorthonormalize(left, right *mat.CDense, values []complex128, scale float64) bool {
	n := len(values)
	tol := math.Sqrt(0x1p-52) * max(scale, math.SmallestNonzeroFloat64)
	// Clusters by single linkage on |lambda_i - lambda_j| <= tol.
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if cmplx.Abs(values[i]-values[j]) <= tol {
				if a, b := find(i), find(j); a != b {
					parent[max(a, b)] = min(a, b)
				}
			}
		}
	}
	groups := make(map[int][]int)
	var roots []int
	for i := 0; i < n; i++ {
		r := find(i)
		if _, ok := groups[r]; !ok {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], i)
	}
	L := left.RawCMatrix()
	R := right.RawCMatrix()
	for _, root := range roots {
		idx := groups[root]
		k := len(idx)
		// G[a][b] = u_{idx[a]}^H v_{idx[b]}.
		g := make([]complex128, k*k)
		for a, ia := range idx {
			for b, ib := range idx {
				var s complex128
				for i := 0; i < n; i++ {
					s += cmplx.Conj(L.Data[i*L.Stride+ia]) * R.Data[i*R.Stride+ib]
				}
				g[a*k+b] = s
			}
		}
		if k == 1 {
			if cmplx.Abs(g[0]) == 0 || cmplx.IsNaN(g[0]) {
				return false
			}
			c := 1 / cmplx.Conj(g[0])
			for i := 0; i < n; i++ {
				L.Data[i*L.Stride+idx[0]] *= c
			}
			continue
		}
		// New U_c = U_c G^{-H}, i.e. each row x of U_c becomes y with
		// y G^H = x, i.e. G y^T = x^T ... solve G z = conj-free form:
		// (U_c G^{-H})^H = G^{-1} U_c^H, so solve G Y = U_c^H and take Y^H.
		rhs := make([]complex128, k*n)
		for a, ia := range idx {
			for i := 0; i < n; i++ {
				rhs[a*n+i] = cmplx.Conj(L.Data[i*L.Stride+ia])
			}
		}
		if !csolve(g, k, rhs, n) {
			return false
		}
		for a, ia := range idx {
			for i := 0; i < n; i++ {
				L.Data[i*L.Stride+ia] = cmplx.Conj(rhs[a*n+i])
			}
		}
	}
	for i := range L.Data[:min(len(L.Data), n*L.Stride)] {
		if cmplx.IsNaN(L.Data[i]) || cmplx.IsInf(L.Data[i]) {
			return false
		}
	}
	return true
}

// csolve solves g X = b in place (g is k x k, b is k x m, both row-major)
// by Gaussian elimination with partial pivoting. It reports false when g is
// singular to working precision.
func csolve(g []complex128, k int, b []complex128, m int) bool {
	gmax := 0.0
	for _, v := range g {
		gmax = max(gmax, cmplx.Abs(v))
	}
	for c := 0; c < k; c++ {
		p, pm := c, cmplx.Abs(g[c*k+c])
		for r := c + 1; r < k; r++ {
			if a := cmplx.Abs(g[r*k+c]); a > pm {
				p, pm = r, a
			}
		}
		if pm <= 0x1p-52*gmax*float64(k) || pm == 0 {
			return false
		}
		if p != c {
			for j := 0; j < k; j++ {
				g[c*k+j], g[p*k+j] = g[p*k+j], g[c*k+j]
			}
			for j := 0; j < m; j++ {
				b[c*m+j], b[p*m+j] = b[p*m+j], b[c*m+j]
			}
		}
		for r := c + 1; r < k; r++ {
			f := g[r*k+c] / g[c*k+c]
			if f == 0 {
				continue
			}
			for j := c; j < k; j++ {
				g[r*k+j] -= f * g[c*k+j]
			}
			for j := 0; j < m; j++ {
				b[r*m+j] -= f * b[c*m+j]
			}
		}
	}
	for c := k - 1; c >= 0; c-- {
		for r := c + 1; r < k; r++ {
			f := g[c*k+r]
			for j := 0; j < m; j++ {
				b[c*m+j] -= f * b[r*m+j]
			}
		}
		d := g[c*k+c]
		for j := 0; j < m; j++ {
			b[c*m+j] /= d
		}
	}
	return true
}

// TimeConstants writes each mode's decay time constant into dst and
// returns it (a nil dst is allocated; a dst of another length than the
// number of eigenvalues panics). For Continuous it is -1/Re lambda; for the
// maps it is -dt/ln|lambda|, where dt is the time one step stands for
// (alpha tau for Leaky, 1 for Discrete: [dynamics.Network.TimeStep]); dt is
// ignored for Continuous and must be > 0 for the maps. The values are in the
// model's time units and follow the order of Values, slowest decaying modes
// first. A mode exactly on the stability boundary (Re lambda = 0, or
// |lambda| = 1) gives +Inf, whatever the sign of the zero; a growing mode
// gives a negative value whose magnitude is its e-folding time of growth.
func (s *Spectrum) TimeConstants(dst []float64, dt float64) []float64 {
	dst = s.sized(dst, dt)
	for k, v := range s.Values {
		if s.Convention.IsMap() {
			dst[k] = timeConstant(math.Log(cmplx.Abs(v)), dt)
		} else {
			dst[k] = timeConstant(real(v), 1)
		}
	}
	return dst
}

// timeConstant returns -dt/rate, the time constant of a mode growing at
// rate per dt, and +Inf for a zero rate (-1/0 would give -Inf for +0, which
// reads as a growing mode).
func timeConstant(rate, dt float64) float64 {
	if rate == 0 {
		return math.Inf(1)
	}
	return -dt / rate
}

// Frequencies writes each mode's oscillation frequency, in cycles per unit
// of model time, into dst and returns it: Im lambda / (2 pi) for
// Continuous, arg(lambda) / (2 pi dt) for the maps (so a negative real
// eigenvalue of a map oscillates at the Nyquist frequency 1/(2 dt)). dst and
// dt follow [Spectrum.TimeConstants]. The pair members have opposite signs.
func (s *Spectrum) Frequencies(dst []float64, dt float64) []float64 {
	dst = s.sized(dst, dt)
	for k, v := range s.Values {
		if s.Convention.IsMap() {
			dst[k] = cmplx.Phase(v) / (2 * math.Pi * dt)
		} else {
			dst[k] = imag(v) / (2 * math.Pi)
		}
	}
	return dst
}

func (s *Spectrum) sized(dst []float64, dt float64) []float64 {
	if s.Convention.IsMap() && !(dt > 0) {
		panic("linearize: time step dt must be > 0 for a map convention")
	}
	if dst == nil {
		return make([]float64, len(s.Values))
	}
	if len(dst) != len(s.Values) {
		panic("linearize: slice length mismatch")
	}
	return dst
}

// ValueConds writes the condition number of each eigenvalue, |u_k| |r_k| /
// |u_k^H r_k| = |u_k| for the biorthonormal left vectors and unit right
// vectors, into dst and returns it (a nil dst is allocated). It is 1 for a
// normal operator; a perturbation E of the operator moves lambda_k by up to
// about ValueConds[k] |E|. It panics when the spectrum has no left vectors.
func (s *Spectrum) ValueConds(dst []float64) []float64 {
	if s.Left == nil {
		panic("linearize: spectrum has no left vectors")
	}
	n := len(s.Values)
	if dst == nil {
		dst = make([]float64, n)
	} else if len(dst) != n {
		panic("linearize: slice length mismatch")
	}
	L := s.Left.RawCMatrix()
	for k := range dst {
		dst[k] = 0
	}
	for i := 0; i < n; i++ {
		for k, v := range L.Data[i*L.Stride : i*L.Stride+n] {
			dst[k] += real(v)*real(v) + imag(v)*imag(v)
		}
	}
	for k := range dst {
		dst[k] = math.Sqrt(dst[k])
	}
	return dst
}
