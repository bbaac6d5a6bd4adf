package eigen

import (
	"cmp"
	"errors"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/mat"
)

// Which selects the eigenvalues [Leading] computes.
type Which int

const (
	// LargestReal asks for the rightmost eigenvalues (largest real part):
	// the ones that decide the stability of a continuous-time system.
	LargestReal Which = iota
	// LargestModulus asks for the eigenvalues of largest modulus: the ones
	// that decide the stability of a map.
	LargestModulus
)

// String returns "largest-real" or "largest-modulus".
func (w Which) String() string {
	switch w {
	case LargestReal:
		return "largest-real"
	case LargestModulus:
		return "largest-modulus"
	}
	return "Which(?)"
}

// key orders eigenvalues: a larger key is more wanted. Ties (conjugate
// pairs) are broken by the sign of the imaginary part, positive first.
func (w Which) less(a, b complex128) int {
	var ka, kb float64
	switch w {
	case LargestModulus:
		ka, kb = cmplx.Abs(a), cmplx.Abs(b)
	default:
		ka, kb = real(a), real(b)
	}
	// Descending: a before b when ka > kb.
	return cmp.Or(cmp.Compare(kb, ka), cmp.Compare(imag(b), imag(a)))
}

// ArnoldiSettings configures [Leading]. The zero value and a nil pointer
// mean the defaults given for each field.
type ArnoldiSettings struct {
	// Subspace is the largest dimension of the Krylov subspace, m. Zero
	// means max(2k+10, 30), capped at n. It is raised to k+3 when
	// smaller (and capped at n).
	Subspace int
	// MaxRestarts bounds the number of restarts. Zero means 1000; a
	// negative value means none.
	MaxRestarts int
	// Tol is the convergence tolerance: a Ritz pair (lambda, x), |x| = 1,
	// is accepted when |A x - lambda x| <= Tol * normA, where normA is the
	// largest |A v| over the unit vectors v the method multiplied by A (a
	// lower bound of the 2-norm of A, usually within a small factor of
	// it). Zero means 1e-10.
	Tol float64
	// Seed seeds the start vector, drawn from a normal distribution with
	// math/rand/v2's PCG (stream 0). Ignored when Start is set.
	Seed uint64
	// Start, when not nil, is the start vector (length n, not zero).
	Start []float64
}

// ArnoldiStatus says how a run of [Leading] ended.
type ArnoldiStatus int

const (
	// Converged: every returned pair meets the tolerance.
	Converged ArnoldiStatus = iota
	// NotConverged: MaxRestarts was reached first; the returned values
	// are the best Ritz values at that point and their Residuals say how
	// good they are.
	NotConverged
)

// String returns "converged" or "not-converged".
func (s ArnoldiStatus) String() string {
	if s == Converged {
		return "converged"
	}
	return "not-converged"
}

// Partial holds the result of [Leading].
type Partial struct {
	// Values are the k wanted eigenvalues (Ritz values), most wanted
	// first: by decreasing real part or modulus, conjugate pairs adjacent
	// with the positive imaginary part first. When a pair straddles the
	// k-th place only its first member is returned.
	Values []complex128
	// Vectors holds the matching right eigenvectors (Ritz vectors), n×k,
	// each of unit norm.
	Vectors *mat.CDense
	// Residuals are |A x - lambda x| for each pair, computed afresh with
	// op after the iteration.
	Residuals []float64
	// NormA is the estimate of |A| the tolerance is relative to.
	NormA float64
	// Restarts and MatVecs count the restarts and the products with A.
	Restarts, MatVecs int
	// Status says whether every pair met the tolerance.
	Status ArnoldiStatus
}

// Errors that name bad arguments of Leading.
var (
	errBadK     = errors.New("eigen: k must be in [1, n]")
	errBadStart = errors.New("eigen: start vector has the wrong length or is zero or not finite")
	errNonFin   = errors.New("eigen: operator returned a non-finite value")
)

// Leading computes the k eigenvalues of the n×n real operator A wanted by
// which, and their right eigenvectors, from products with A alone, by the
// Krylov–Schur method (Stewart 2001) with locking: see the package
// documentation. op(dst, v) must write A v into dst without modifying v; dst
// and v do not alias.
//
// Leading returns an error for bad arguments (k outside [1, n], a bad start
// vector) or when op produces a non-finite value; running out of restarts is
// not an error but Status NotConverged.
func Leading(n, k int, op func(dst, v []float64), which Which, s *ArnoldiSettings) (*Partial, error) {
	if n < 1 || k < 1 || k > n {
		return nil, errBadK
	}
	if op == nil {
		panic("eigen: nil operator")
	}
	if which != LargestReal && which != LargestModulus {
		panic("eigen: unknown Which")
	}
	var set ArnoldiSettings
	if s != nil {
		set = *s
	}
	m := set.Subspace
	if m == 0 {
		m = max(2*k+10, 30)
	}
	m = min(n, max(m, k+3))
	maxRestarts := set.MaxRestarts
	if maxRestarts == 0 {
		maxRestarts = 1000
	}
	tol := set.Tol
	if tol == 0 {
		tol = 1e-10
	}

	ks := &krylovSchur{n: n, m: m, op: op, which: which, tol: tol}
	ks.rnd = rand.New(rand.NewPCG(set.Seed, 0))
	ks.v = make([]float64, (m+1)*n)
	ks.b = make([]float64, (m+1)*m)
	ks.h = make([]float64, m+1)
	v0 := ks.v[:n]
	if set.Start != nil {
		if len(set.Start) != n {
			return nil, errBadStart
		}
		copy(v0, set.Start)
	} else {
		for i := range v0 {
			v0[i] = ks.rnd.NormFloat64()
		}
	}
	nrm := blas64.Nrm2(vec(v0))
	if nrm == 0 || math.IsNaN(nrm) || math.IsInf(nrm, 0) {
		return nil, errBadStart
	}
	blas64.Scal(1/nrm, vec(v0))

	// kk wanted values, one more when the k-th is a conjugate pair's first
	// member; fixed after the first Schur form.
	ks.kk = k
	status := NotConverged
	p := 0 // current size of the decomposition
	for {
		if err := ks.expand(p); err != nil {
			return nil, err
		}
		done := ks.restart(k)
		p = ks.keep
		if done {
			status = Converged
			break
		}
		if ks.restarts >= maxRestarts {
			break
		}
		ks.restarts++
	}
	res, err := ks.ritz(k)
	if err != nil {
		return nil, err
	}
	for _, r := range res.Residuals {
		if !(r <= tol*ks.normA) {
			status = NotConverged
		}
	}
	res.Status = status
	return res, nil
}

func vec(x []float64) blas64.Vector { return blas64.Vector{N: len(x), Inc: 1, Data: x} }

// krylovSchur holds the decomposition A V_p = V_{p+1} B[0:p+1, 0:p]: V's rows
// (v, (m+1)×n row-major) are orthonormal basis vectors, B ((m+1)×m,
// row-major) is upper quasi-triangular in its leading keep×keep block after
// a restart, with the residual coefficients in row p.
type krylovSchur struct {
	n, m     int
	op       func(dst, v []float64)
	which    Which
	tol      float64
	rnd      *rand.Rand
	v, b     []float64
	h        []float64
	normA    float64
	kk       int // wanted count (k, or k+1 to keep a pair whole)
	nlock    int // locked (converged) leading Schur vectors
	keep     int // size of the decomposition after the last restart
	restarts int
	matvecs  int
}

func (ks *krylovSchur) row(j int) []float64 { return ks.v[j*ks.n : (j+1)*ks.n] }

// apply writes A v into dst and updates the estimate of |A|.
func (ks *krylovSchur) apply(dst, v []float64) error {
	ks.op(dst, v)
	ks.matvecs++
	nrm := blas64.Nrm2(vec(dst)) / blas64.Nrm2(vec(v))
	if math.IsNaN(nrm) || math.IsInf(nrm, 0) {
		return errNonFin
	}
	ks.normA = max(ks.normA, nrm)
	return nil
}

// orthogonalize makes w orthogonal to rows 0..j of V by classical
// Gram–Schmidt applied twice (DGKS), adding the coefficients into h[0:j+1],
// and returns |w|.
func (ks *krylovSchur) orthogonalize(w []float64, j int, h []float64) float64 {
	n := ks.n
	vj := blas64.General{Rows: j + 1, Cols: n, Stride: n, Data: ks.v[:(j+1)*n]}
	c := ks.h[:j+1]
	for pass := 0; pass < 2; pass++ {
		blas64.Gemv(blas.NoTrans, 1, vj, vec(w), 0, vec(c))
		blas64.Gemv(blas.Trans, -1, vj, vec(c), 1, vec(w))
		if h != nil {
			for i := range c {
				h[i] += c[i]
			}
		}
	}
	return blas64.Nrm2(vec(w))
}

// expand extends the decomposition from size p to m by Arnoldi steps.
func (ks *krylovSchur) expand(p int) error {
	n, m := ks.n, ks.m
	hcol := make([]float64, m+1)
	for j := p; j < m; j++ {
		w := ks.row(j + 1)
		if err := ks.apply(w, ks.row(j)); err != nil {
			return err
		}
		for i := range hcol {
			hcol[i] = 0
		}
		beta := ks.orthogonalize(w, j, hcol)
		for i := 0; i <= j; i++ {
			ks.b[i*m+j] = hcol[i]
		}
		for i := j + 1; i <= m; i++ {
			ks.b[i*m+j] = 0
		}
		if beta > 1e-12*ks.normA {
			ks.b[(j+1)*m+j] = beta
			blas64.Scal(1/beta, vec(w))
			continue
		}
		// Invariant subspace: continue with a random vector orthogonal
		// to the basis; its coefficient in B is 0. When the basis
		// already spans the space (j+1 == n), the residual is 0 and
		// its direction irrelevant.
		ks.b[(j+1)*m+j] = 0
		if j+1 >= n {
			for i := range w {
				w[i] = 0
			}
			continue
		}
		for try := 0; ; try++ {
			for i := range w {
				w[i] = ks.rnd.NormFloat64()
			}
			if nrm := ks.orthogonalize(w, j, nil); nrm > 1e-8 || try == 10 {
				blas64.Scal(1/nrm, vec(w))
				break
			}
		}
	}
	return nil
}

// blocks returns the starting rows of the diagonal blocks of the
// quasi-triangular t (order a, stride ld) from row lo on.
func blockSize(t []float64, ld, a, i int) int {
	if i+1 < a && t[(i+1)*ld+i] != 0 {
		return 2
	}
	return 1
}

// blockValue returns the eigenvalue with nonnegative imaginary part of the
// diagonal block of t starting at row i.
func blockValue(t []float64, ld, a, i int) complex128 {
	if blockSize(t, ld, a, i) == 1 {
		return complex(t[i*ld+i], 0)
	}
	_, _, _, _, rr, ri, _, _, _, _ := impl.Dlanv2(t[i*ld+i], t[i*ld+i+1], t[(i+1)*ld+i], t[(i+1)*ld+i+1])
	return complex(rr, math.Abs(ri))
}

// restart computes the Schur form of the active part of B, orders it with
// the most wanted Ritz values first, locks the leading converged ones and
// truncates the decomposition. It reports whether the k wanted values are
// all locked.
func (ks *krylovSchur) restart(k int) bool {
	n, m, nl := ks.n, ks.m, ks.nlock
	ma := m - nl
	// Active block S = B[nl:m, nl:m] into t; its Schur form t = Q^T S Q.
	t := make([]float64, ma*ma)
	impl.Dlacpy(blas.All, ma, ma, ks.b[nl*m+nl:], m, t, ma)
	q := make([]float64, ma*ma)
	tau := make([]float64, max(0, ma-1))
	lw := max(1, ma) * 64
	work := make([]float64, lw+hseqrWork(true, ma, 0, ma-1, 0))
	impl.Dgehrd(ma, 0, ma-1, t, ma, tau, work, len(work))
	impl.Dlacpy(blas.Lower, ma, ma, t, ma, q, ma)
	orghr(ma, 0, ma-1, q, ma, tau, work, len(work))
	wr := make([]float64, ma)
	wi := make([]float64, ma)
	if info := hseqr(true, true, ma, 0, ma-1, t, ma, wr, wi, q, ma, work, len(work), 0); info > 0 {
		// The small QR failed (very rare): keep the decomposition
		// as it is and restart with the same basis.
		ks.keep = m
		return false
	}
	if ks.restarts == 0 && nl == 0 {
		// Keep a conjugate pair whole at the k-th place.
		vals := make([]complex128, ma)
		for i := range vals {
			vals[i] = complex(wr[i], wi[i])
		}
		slices.SortFunc(vals, ks.which.less)
		if k < ma && imag(vals[k-1]) > 0 {
			ks.kk = k + 1
		}
	}

	// Keep this many (locked included): the wanted ones plus half the
	// rest, never all m.
	keep := min(m-1, max(ks.kk+(m-ks.kk)/2, ks.kk))
	if m == ks.n {
		// The basis spans the whole space: the residual is zero.
		keep = m
	}
	keepA := keep - nl
	// Selection sort of the diagonal blocks by Dtrexc: the most wanted
	// first, for the first keepA rows.
	swork := make([]float64, ma)
	for pos := 0; pos < keepA; {
		best, bi := complex(0, 0), -1
		for i := pos; i < ma; i += blockSize(t, ma, ma, i) {
			if v := blockValue(t, ma, ma, i); bi < 0 || ks.which.less(v, best) < 0 {
				best, bi = v, i
			}
		}
		if bi != pos {
			_, ilst, ok := impl.Dtrexc(lapack.UpdateSchur, ma, t, ma, q, ma, bi, pos, swork)
			if !ok {
				// An ill-conditioned swap: stop sorting here.
				break
			}
			pos = ilst
		}
		pos += blockSize(t, ma, ma, pos)
	}
	// Do not split a 2×2 block at the cut.
	if keepA > 0 && keepA < ma && t[keepA*ma+keepA-1] != 0 {
		if keep+1 <= m-1 {
			keep, keepA = keep+1, keepA+1
		} else {
			keep, keepA = keep-1, keepA-1
		}
	}

	// New residual row: b = B[m, nl:m] Q (its locked part is zero).
	bnew := make([]float64, ma)
	blas64.Gemv(blas.Trans, 1, blas64.General{Rows: ma, Cols: ma, Stride: ma, Data: q}, vec(ks.b[m*m+nl:m*m+m]), 0, vec(bnew))
	// Locked rows: B[0:nl, nl:m] Q.
	if nl > 0 {
		top := make([]float64, nl*ma)
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1,
			blas64.General{Rows: nl, Cols: ma, Stride: m, Data: ks.b[nl:]},
			blas64.General{Rows: ma, Cols: ma, Stride: ma, Data: q}, 0,
			blas64.General{Rows: nl, Cols: ma, Stride: ma, Data: top})
		impl.Dlacpy(blas.All, nl, ma, top, ma, ks.b[nl:], m)
	}
	// Basis: rows nl..keep-1 become Q[:, :keepA]^T V[nl:m]; the residual
	// vector (row m) moves to row keep.
	vnew := make([]float64, keepA*n)
	blas64.Gemm(blas.Trans, blas.NoTrans, 1,
		blas64.General{Rows: ma, Cols: keepA, Stride: ma, Data: q},
		blas64.General{Rows: ma, Cols: n, Stride: n, Data: ks.v[nl*n : m*n]}, 0,
		blas64.General{Rows: keepA, Cols: n, Stride: n, Data: vnew})
	copy(ks.v[nl*n:keep*n], vnew)
	copy(ks.v[keep*n:(keep+1)*n], ks.v[m*n:(m+1)*n])
	// B: the active block becomes T, truncated to keep; row keep holds
	// the residual coefficients; everything else below and right is 0.
	for i := nl; i <= m; i++ {
		for j := 0; j < m; j++ {
			if i < keep && j >= nl && j < keep {
				ks.b[i*m+j] = t[(i-nl)*ma+j-nl]
			} else if i >= keep || j >= keep {
				ks.b[i*m+j] = 0
			}
		}
	}
	for i := 0; i < nl; i++ {
		for j := keep; j < m; j++ {
			ks.b[i*m+j] = 0
		}
	}
	copy(ks.b[keep*m+nl:keep*m+keep], bnew[:keepA])

	// Lock the leading active blocks whose Schur vectors' residual
	// |b_i| is below the tolerance, in order, up to the wanted count. A
	// Ritz vector x = V y of the locked block has |A x - lambda x| <=
	// |b_locked| |y|, so each |b_i| is held below tol normA / sqrt(kk)
	// for the final residuals to meet tol normA.
	thresh := ks.tol * ks.normA / math.Sqrt(float64(ks.kk))
	for ks.nlock < ks.kk {
		i := ks.nlock
		s := blockSize(ks.b, m, keep, i)
		r := 0.0
		for j := i; j < i+s; j++ {
			r = math.Hypot(r, ks.b[keep*m+j])
		}
		if r > thresh {
			break
		}
		for j := i; j < i+s; j++ {
			ks.b[keep*m+j] = 0
		}
		ks.nlock += s
	}
	ks.keep = keep
	return ks.nlock >= ks.kk
}

// ritz returns the k most wanted Ritz pairs of the current decomposition,
// with residuals computed by op.
func (ks *krylovSchur) ritz(k int) (*Partial, error) {
	n, m, p := ks.n, ks.m, ks.keep
	// T = B[0:p, 0:p] is in Schur form; its right eigenvectors Y.
	t := make([]float64, p*p)
	impl.Dlacpy(blas.All, p, p, ks.b, m, t, p)
	y := make([]float64, p*p)
	work := make([]float64, 3*p+64*p)
	impl.Dtrevc3(lapack.EVRight, lapack.EVAll, nil, p, t, p, nil, 1, y, p, p, work, len(work))
	// X = V[0:p]^T Y, n×p in dgeev's real storage.
	x := make([]float64, n*p)
	blas64.Gemm(blas.Trans, blas.NoTrans, 1,
		blas64.General{Rows: p, Cols: n, Stride: n, Data: ks.v[:p*n]},
		blas64.General{Rows: p, Cols: p, Stride: p, Data: y}, 0,
		blas64.General{Rows: n, Cols: p, Stride: p, Data: x})

	type pair struct {
		val  complex128
		col  int  // column of the real part
		conj bool // the conjugate member of a pair
		pair bool
	}
	var all []pair
	for i := 0; i < p; {
		s := blockSize(t, p, p, i)
		v := blockValue(t, p, p, i)
		if s == 1 {
			all = append(all, pair{val: v, col: i})
		} else {
			all = append(all, pair{val: v, col: i, pair: true}, pair{val: cmplx.Conj(v), col: i, conj: true, pair: true})
		}
		i += s
	}
	slices.SortStableFunc(all, func(a, b pair) int { return ks.which.less(a.val, b.val) })
	k = min(k, len(all))
	res := &Partial{
		Values:    make([]complex128, k),
		Vectors:   mat.NewCDense(n, k, nil),
		Residuals: make([]float64, k),
		NormA:     ks.normA,
		Restarts:  ks.restarts,
	}
	re := make([]float64, n)
	im := make([]float64, n)
	are := make([]float64, n)
	aim := make([]float64, n)
	for c, pr := range all[:k] {
		res.Values[c] = pr.val
		sign := 1.0
		if pr.conj {
			sign = -1
		}
		for i := 0; i < n; i++ {
			re[i] = x[i*p+pr.col]
			im[i] = 0
			if pr.pair {
				im[i] = sign * x[i*p+pr.col+1]
			}
		}
		nrm := math.Hypot(blas64.Nrm2(vec(re)), blas64.Nrm2(vec(im)))
		blas64.Scal(1/nrm, vec(re))
		blas64.Scal(1/nrm, vec(im))
		for i := 0; i < n; i++ {
			res.Vectors.Set(i, c, complex(re[i], im[i]))
		}
		// Residual |A x - lambda x| with x = re + i im.
		if err := ks.apply(are, re); err != nil {
			return nil, err
		}
		lr, li := real(pr.val), imag(pr.val)
		r := 0.0
		if pr.pair {
			if err := ks.apply(aim, im); err != nil {
				return nil, err
			}
			for i := 0; i < n; i++ {
				dr := are[i] - (lr*re[i] - li*im[i])
				di := aim[i] - (lr*im[i] + li*re[i])
				r += dr*dr + di*di
			}
		} else {
			for i := 0; i < n; i++ {
				d := are[i] - lr*re[i]
				r += d * d
			}
		}
		res.Residuals[c] = math.Sqrt(r)
	}
	res.MatVecs = ks.matvecs
	res.NormA = ks.normA
	return res, nil
}
