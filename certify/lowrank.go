package certify

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// space is where Complete branches: over the state h itself (identity),
// or over the r coordinates kappa = V^T h of a low-rank W (lowRank).
type space interface {
	// lift returns an h-box that holds every fixed point whose search
	// coordinates lie in b (within the domain dom), or false when there
	// is none. It may return b itself (then narrowing it narrows b).
	lift(s *system, b, dom []Interval) ([]Interval, bool)
	// pull narrows b by the h-box h that holds its fixed points, and
	// returns false when b becomes empty.
	pull(b, h []Interval) bool
	// split returns the coordinate of b to bisect.
	split(s *system, b []Interval) int
}

// identity is the search over h.
type identity struct{}

func (identity) lift(_ *system, b, _ []Interval) ([]Interval, bool) { return b, true }
func (identity) pull(_, _ []Interval) bool                          { return true }
func (identity) split(s *system, b []Interval) int                  { return s.smear(b) }

// lowRank is the search over kappa = V^T h for W = U V^T + E, U (N x r)
// and V (N x r) from the singular value decomposition of W, r its
// numerical rank, and E the remainder, bounded rigorously: every fixed
// point h = phi(U kappa + E h + c) with |h_i| <= 1 has |(E h)_i| <= e_i =
// sum_j |E_ij|. So the fixed points whose kappa lies in a box K lie in the
// h-box phi(U K + c +- e) (lift), and kappa = V^T h narrows K (pull): the
// branching is in r dimensions, the pruning and the certificates in N. A
// Hopfield network storing r patterns in N units is searched in r.
type lowRank struct {
	n, r int
	u    []float64 // U, N x r row-major
	vt   []float64 // V^T, r x N row-major
	e    []float64 // the bound of |E| e, plus the offset's radius
}

// lowRankMax is the largest rank, as a fraction of N, for which the search
// runs over kappa; lowRankTol is the relative size below which a singular
// value counts as zero.
const (
	lowRankMax = 0.5
	lowRankTol = 1e-12
)

// lowRank returns the low-rank search space of s and the box of kappa
// that holds V^T h for every h in dom, or nil when W's numerical rank is
// above lowRankMax N (or 0, or the decomposition fails).
func (s *system) lowRank(dom []Interval) (*lowRank, []Interval) {
	n := s.n
	if n < 4 {
		return nil, nil
	}
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(n, n, append([]float64(nil), s.w...)), mat.SVDThin) {
		return nil, nil
	}
	sv := svd.Values(nil)
	r := 0
	for _, v := range sv {
		if v > lowRankTol*sv[0] {
			r++
		}
	}
	if r == 0 || float64(r) > lowRankMax*float64(n) {
		return nil, nil
	}
	var pu, pv mat.Dense
	svd.UTo(&pu)
	svd.VTo(&pv)
	lr := &lowRank{n: n, r: r, u: make([]float64, n*r), vt: make([]float64, r*n), e: make([]float64, n)}
	for i := range n {
		for k := range r {
			lr.u[i*r+k] = pu.At(i, k) * sv[k]
			lr.vt[k*n+i] = pv.At(i, k)
		}
	}
	// E = W - U V^T: D = fl(W - fl(U V^T)) is within u |D| (the
	// subtraction) plus gamma_r |U| |V^T| + r eta (the product, as
	// formed) of E, so sum_j |E_ij| <= (1 + 2u) sum_j |D_ij| + gamma_r
	// (|U| |V^T| e)_i + N r eta. |h_j| <= 1 on every bounded activation's
	// range.
	d := make([]float64, n*n)
	for i := range n {
		for j := range n {
			var p float64
			for k := range r {
				p += lr.u[i*r+k] * lr.vt[k*n+j]
			}
			d[i*n+j] = s.w[i*n+j] - p
		}
	}
	ones := make([]float64, n)
	for i := range ones {
		ones[i] = 1
	}
	rowsD := make([]float64, n)
	absMatVecUp(rowsD, d, n, n, ones)
	vte := make([]float64, r)
	absMatVecUp(vte, lr.vt, r, n, ones)
	uvte := make([]float64, n)
	absMatVecUp(uvte, lr.u, n, r, vte)
	g := gamma(r)
	for i := range n {
		lr.e[i] = addUp(addUp(addUp(mulUp(up(1+2*unit), rowsD[i]), mulUp(g, uvte[i])), float64(n*r)*eta), s.cr[i])
	}
	k0 := make([]Interval, r)
	for k := range r {
		k0[k] = Interval{math.Inf(-1), math.Inf(1)}
	}
	if !lr.pull(k0, dom) {
		return nil, nil
	}
	return lr, k0
}

// lift returns phi(U K + c +- e) within dom.
func (lr *lowRank) lift(s *system, b, dom []Interval) ([]Interval, bool) {
	h := make([]Interval, lr.n)
	for i := range lr.n {
		lo, hi := down(s.cm[i]-lr.e[i]), up(s.cm[i]+lr.e[i])
		for k, w := range lr.u[i*lr.r : i*lr.r+lr.r] {
			a, z := w*b[k].Lo, w*b[k].Hi
			if w < 0 {
				a, z = z, a
			}
			lo, hi = down(lo+down(a)), up(hi+up(z))
		}
		p := PhiRange(s.act, lo, hi)
		h[i] = Interval{max(p.Lo, dom[i].Lo), min(p.Hi, dom[i].Hi)}
		if h[i].Lo > h[i].Hi {
			return nil, false
		}
	}
	return h, true
}

// pull narrows K by kappa = V^T h.
func (lr *lowRank) pull(b, h []Interval) bool {
	for k := range lr.r {
		lo, hi := 0.0, 0.0
		for i, v := range lr.vt[k*lr.n : k*lr.n+lr.n] {
			a, z := v*h[i].Lo, v*h[i].Hi
			if v < 0 {
				a, z = z, a
			}
			lo, hi = down(lo+down(a)), up(hi+up(z))
		}
		b[k] = Interval{max(b[k].Lo, lo), min(b[k].Hi, hi)}
		if b[k].Lo > b[k].Hi {
			return false
		}
	}
	return true
}

// split bisects kappa's widest coordinate.
func (lr *lowRank) split(_ *system, b []Interval) int {
	k, _ := widest(b)
	return k
}
