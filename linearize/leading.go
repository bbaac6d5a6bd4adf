package linearize

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/eigen"
)

// LeadingTol is the convergence tolerance of [Leading]: a Ritz pair
// (lambda, x), |x| = 1, is accepted when |A x - lambda x| <= LeadingTol
// |A|, |A| estimated from the products. An eigenvalue then carries an
// error of about its condition number times LeadingTol |A|.
const LeadingTol = 1e-12

// ErrNotConverged is returned (wrapped) by [Leading] when the Krylov–Schur
// iteration ran out of restarts before every wanted pair met [LeadingTol].
// The Spectrum is still returned, holding the best approximations found.
var ErrNotConverged = errors.New("linearize: leading eigenvalues did not converge")

// ErrNoLeftVectors is returned (wrapped) by [Leading] when left
// eigenvectors are asked for (Settings.Vectors = LeftRightVectors): it
// computes right eigenvectors only.
var ErrNoLeftVectors = errors.New("linearize: left eigenvectors need the full decomposition (At)")

// Leading returns the k leading eigenvalues of the network's linear
// operator at state h (J, or M for the Leaky and Discrete conventions;
// docs/DESIGN.md section 1): the k rightmost for Continuous, the k of largest
// modulus for the maps, sorted as in [At]. It never forms the N x N
// operator: it runs the Krylov–Schur method (internal/eigen, with a
// subspace of max(2k+10, min(8k, N/16)) vectors) on matrix-vector products with W,
// O(N^2) each, so its cost is several hundred such products (about 700 for
// k = 20 on a random network at N = 2048, 1.6 s on 2 cores) where At's full
// decomposition costs about 10 N^3 flops (12.5 s). [LeadingAll] computes
// the same at many states, faster.
// h has length net.Dim() and is not modified; k must be >= 1.
//
// When k >= N it returns At's full spectrum. Otherwise the Spectrum is
// Partial: Values holds the k leading eigenvalues (when a conjugate pair
// straddles the k-th place, only its positive-imaginary member), and Right,
// unless s.Vectors is ValuesOnly, their unit right eigenvectors (N x k);
// Left is nil, and LeftRightVectors is refused with [ErrNoLeftVectors].
// Eps defaults, as in At, to [DefaultEpsFactor] times the operator's
// infinity norm (Scale), computed exactly from W; Cond is NaN. s.Solver is
// not used.
//
// The counts are those of the computed eigenvalues. They are exact, and so
// is Class, when the last computed eigenvalue is stable; as values beyond
// it are less unstable, the class is also decided when it is not:
//
//   - no computed eigenvalue unstable: Stable or Marginal;
//   - some, but not all, unstable: Saddle;
//   - all unstable (MoreUnstable): Saddle when not every one of the N
//     eigenvalues can be unstable, which is known for Continuous when
//     trace J <= N eps (the trace is the sum of the real parts) and for the
//     maps when |M|_F^2 <= N (1+eps)^2 (Schur's inequality: sum |lambda|^2
//     <= |M|_F^2); otherwise the class is Undecided (and set to Saddle).
//
// Leading returns an error for a non-finite h or invalid settings, and the
// Spectrum with a wrapped [ErrNotConverged] when the iteration did not
// converge. The same arguments give bit-identical results: the start
// vector is drawn from a fixed seed.
func Leading(net *dynamics.Network, h []float64, k int, s *Settings) (*Spectrum, error) {
	return leading(net, h, k, s, net.OperatorVecAt)
}

// checkLeading panics on the caller's mistakes that Leading and
// LeadingAll share: a nil network, a state of the wrong length, k < 1.
func checkLeading(net *dynamics.Network, k int, states ...[]float64) {
	if net == nil {
		panic("linearize: nil network")
	}
	for _, h := range states {
		if len(h) != net.Dim() {
			panic("linearize: state length mismatch")
		}
	}
	if k < 1 {
		panic("linearize: k must be >= 1")
	}
}

// leading is Leading with the product dst = A v for the state whose
// phi'(x) is d given by mul, which must give the bits of
// dynamics.Network.OperatorVecAt.
func leading(net *dynamics.Network, h []float64, k int, s *Settings, mul func(dst, d, v []float64)) (*Spectrum, error) {
	checkLeading(net, k, h)
	n := net.Dim()
	var set Settings
	if s != nil {
		set = *s
	}
	if k >= n {
		return At(net, h, s)
	}
	if set.Vectors == LeftRightVectors {
		return nil, fmt.Errorf("%w (asked for %d of N = %d eigenvalues)", ErrNoLeftVectors, k, n)
	}
	if set.Eps < 0 || math.IsNaN(set.Eps) || math.IsInf(set.Eps, 0) {
		return nil, fmt.Errorf("linearize: eps %v is not a finite number >= 0", set.Eps)
	}
	if set.Vectors < VectorsAuto || set.Vectors > LeftRightVectors {
		return nil, fmt.Errorf("linearize: unknown Vectors setting %d", int(set.Vectors))
	}
	for i, v := range h {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("linearize: state has non-finite value %v at [%d]", v, i)
		}
	}
	conv := net.Convention()
	d := make([]float64, n)
	net.PhiPrime(d, h)
	for i, v := range d {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("linearize: phi'(x) has non-finite value %v at [%d]", v, i)
		}
	}
	scale, trace, frob2 := net.OperatorNorms(d)
	if math.IsNaN(scale) || math.IsInf(scale, 0) {
		return nil, fmt.Errorf("linearize: operator has non-finite entries (infinity norm %v)", scale)
	}

	which := eigen.LargestReal
	if conv.IsMap() {
		which = eigen.LargestModulus
	}
	op := func(dst, v []float64) { mul(dst, d, v) }
	// A few more than k are computed, and the k leading kept: when the
	// wanted eigenvalues crowd, the Ritz values can meet the tolerance
	// before the last wanted eigenvalue has entered the subspace, and the
	// guard makes it far less likely that one is missed.
	kk := min(n, k+leadingGuard(k))
	p, err := eigen.Leading(n, kk, op, which, &eigen.ArnoldiSettings{Tol: LeadingTol, Subspace: leadingSubspace(k, n)})
	if err != nil {
		return nil, fmt.Errorf("linearize: leading eigenvalues: %w", err)
	}

	sp := &Spectrum{Convention: conv, Scale: scale, Eps: set.Eps, Cond: math.NaN(), Partial: true}
	if sp.Eps == 0 {
		sp.Eps = DefaultEpsFactor * scale
	}
	// The order of At (eigen orders ties in modulus differently).
	perm := make([]int, len(p.Values))
	for i := range perm {
		perm[i] = i
	}
	slices.SortStableFunc(perm, func(a, b int) int { return compareValues(p.Values[a], p.Values[b], conv) })
	perm = perm[:min(k, len(perm))]
	sp.Values = make([]complex128, len(perm))
	for c, j := range perm {
		sp.Values[c] = p.Values[j]
	}
	if set.Vectors != ValuesOnly {
		sp.Right = mat.NewCDense(n, len(perm), nil)
		for c, j := range perm {
			for i := 0; i < n; i++ {
				sp.Right.Set(i, c, p.Vectors.At(i, j))
			}
		}
	}

	sp.NUnstable, sp.NMarginal = Count(sp.Values, conv, sp.Eps)
	last := stabilityMargin(sp.Values[len(sp.Values)-1], conv)
	sp.MoreUnstable = last > sp.Eps
	sp.MoreMarginal = last >= -sp.Eps
	switch {
	case !sp.MoreUnstable:
		sp.Class = Classify(sp.NUnstable, sp.NMarginal, n)
	default:
		sp.Class = Saddle
		fn := float64(n)
		if conv.IsMap() {
			sp.Undecided = !(frob2 <= fn*(1+sp.Eps)*(1+sp.Eps))
		} else {
			sp.Undecided = !(trace <= fn*sp.Eps)
		}
	}

	if p.Status != eigen.Converged || len(sp.Values) < k {
		return sp, fmt.Errorf("%w after %d restarts (%d products; largest residual %.3g, tolerance %.3g)",
			ErrNotConverged, p.Restarts, p.MatVecs, slices.Max(p.Residuals), LeadingTol*p.NormA)
	}
	return sp, nil
}

// leadingSubspace is the Krylov subspace dimension [Leading] uses for k
// wanted eigenvalues of an N x N operator: max(2k+10, min(8k, N/16))
// (internal/eigen's default is 2k+10). The rightmost eigenvalues of a
// random network's Jacobian crowd at the edge of its disc, more so as N
// grows, and a larger subspace then needs far fewer restarts, while at
// small N the cost of a restart (O(m^2 N) orthogonalisation, O(m^3) Schur
// form) dominates. Measured for the 20 rightmost of a g = 1.5 tanh network
// on 2 cores: N = 4096, 6466 products (39 s) with m = 50, 1119 (7.5 s) with
// 100, 963 (6.7 s) with 160, 935 (8.6 s) with 240; N = 2048, 803 (1.23 s)
// with 80, 704 (1.11 s) with 120, 685 (1.14 s) with 160, 717 (1.8 s) with
// 240; N = 1024, 1350 (0.46 s) with 50, 649 (0.31 s) with 80, 545 (0.47 s)
// with 160; N = 256, 441 (57 ms) with 50, 266 (109 ms) with 160.
func leadingSubspace(k, n int) int { return max(2*(k+leadingGuard(k))+10, min(8*k, n/16)) }

// leadingGuard is the number of eigenvalues [Leading] computes beyond the
// k asked for: max(4, k/4). (Without it, the 4 of largest modulus at one of
// the 27 fixed points of the leaky flip-flop net, N = 64, missed the fourth,
// a real eigenvalue 2.3e-5 further from 0 than the complex pair returned.)
func leadingGuard(k int) int { return max(4, k/4) }

// stabilityMargin is Re lambda (continuous) or |lambda| - 1 (maps): the
// quantity compared with eps.
func stabilityMargin(v complex128, conv dynamics.Convention) float64 {
	if conv.IsMap() {
		return cmplx.Abs(v) - 1
	}
	return real(v)
}

// compareValues orders eigenvalues as [Decompose] does: by decreasing real
// part (Continuous) or modulus (maps), then decreasing real part, then
// decreasing imaginary part.
func compareValues(a, b complex128, conv dynamics.Convention) int {
	if conv.IsMap() {
		if ma, mb := cmplx.Abs(a), cmplx.Abs(b); ma != mb {
			if ma > mb {
				return -1
			}
			return 1
		}
	}
	switch {
	case real(a) > real(b):
		return -1
	case real(a) < real(b):
		return 1
	case imag(a) > imag(b):
		return -1
	case imag(a) < imag(b):
		return 1
	}
	return 0
}
