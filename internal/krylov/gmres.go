package krylov

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas/blas64"
)

// Status says how a [GMRES.Solve] ended.
type Status int

const (
	// Converged: the true residual |b - A x| is at most Tol |b|.
	Converged Status = iota
	// MaxIterations: Settings.MaxIter inner iterations were spent first.
	MaxIterations
	// Breakdown: the Krylov space became invariant (h_{j+1,j} = 0) while
	// the residual could not be reduced further, which happens when A (or
	// A M^-1) is singular on that space; x holds the best iterate found.
	Breakdown
)

var statusNames = [...]string{Converged: "converged", MaxIterations: "max-iterations", Breakdown: "breakdown"}

// String returns "converged", "max-iterations" or "breakdown".
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("Status(%d)", int(s))
	}
	return statusNames[s]
}

// ErrNonFinite is wrapped by the error [GMRES.Solve] returns when b, the
// initial guess, or an operator or preconditioner result holds a NaN or an
// infinity. The error text names which.
var ErrNonFinite = errors.New("krylov: non-finite value")

// Operator computes dst = A v. It must not modify v and must write every
// element of dst; dst and v never alias.
type Operator func(dst, v []float64)

// Settings controls [GMRES.Solve]. The zero value (and a nil *Settings) is
// usable: every field documents what its zero means.
type Settings struct {
	// Tol is the relative tolerance: Solve stops when the true residual
	// |b - A x|_2 <= Tol |b|_2. 0 means 1e-10. It must not be negative.
	Tol float64
	// MaxIter bounds the total number of inner (Arnoldi) iterations, summed
	// over restarts; each costs one operator product. 0 means 2 n.
	MaxIter int
	// Precond, if not nil, is a right preconditioner: dst = M^-1 v, with M
	// close to A in some sense. GMRES then works on A M^-1 and returns
	// x = x0 + M^-1 u, so the residual it minimises is still b - A x.
	// It must not modify v; dst and v never alias.
	Precond func(dst, v []float64)
}

// Result describes a finished [GMRES.Solve].
type Result struct {
	Status Status
	// Iter is the number of inner iterations (Arnoldi steps) over all
	// restart cycles.
	Iter int
	// Restarts is the number of restart cycles begun after the first.
	Restarts int
	// MatVecs counts operator products: Iter, plus one per cycle for the
	// true residual, plus one for the initial residual when x0 != 0.
	MatVecs int
	// PrecondApplies counts calls to Settings.Precond.
	PrecondApplies int
	// Residual is the final true relative residual |b - A x|_2 / |b|_2
	// (0 when b = 0).
	Residual float64
	// History holds the relative residual after each inner iteration as
	// GMRES estimates it (|g_{j+1}| / |b| from the Givens rotations),
	// preceded by the initial one, so len(History) = Iter + 1. It aliases
	// the workspace: the next Solve overwrites it.
	History []float64
}

// GMRES is a reusable workspace for restarted GMRES(m) on systems of order
// n. After the first Solve of a given size, later Solves allocate nothing
// (History grows only when MaxIter exceeds all earlier runs). A GMRES is not
// safe for concurrent use: give each goroutine its own.
type GMRES struct {
	n, m int
	v    []float64 // (m+1) x n Arnoldi basis, row j = v_j
	h    []float64 // Hessenberg, column j at h[j*(m+1):], rotated into R in place
	cs   []float64 // Givens cosines
	sn   []float64 // Givens sines
	g    []float64 // rotated right-hand side beta e_1, length m+1
	y    []float64 // least-squares solution, length m
	r    []float64 // residual / scratch, length n
	z    []float64 // preconditioned vector / scratch, length n
	hist []float64
}

// DefaultRestart is the restart length NewGMRES uses for m = 0.
const DefaultRestart = 30

// NewGMRES returns a workspace for GMRES(m) on systems of order n >= 1.
// m = 0 means [DefaultRestart]; m larger than n is reduced to n (the Krylov
// space cannot grow past n, so GMRES(n) is full GMRES). It panics for
// n < 1 or m < 0.
func NewGMRES(n, m int) *GMRES {
	if n < 1 {
		panic("krylov: order n < 1")
	}
	if m < 0 {
		panic("krylov: negative restart length")
	}
	if m == 0 {
		m = DefaultRestart
	}
	m = min(m, n)
	return &GMRES{
		n: n, m: m,
		v:  make([]float64, (m+1)*n),
		h:  make([]float64, m*(m+1)),
		cs: make([]float64, m),
		sn: make([]float64, m),
		g:  make([]float64, m+1),
		y:  make([]float64, m),
		r:  make([]float64, n),
		z:  make([]float64, n),
	}
}

// Dim returns the order n of the systems the workspace solves.
func (w *GMRES) Dim() int { return w.n }

// Restart returns the restart length m actually used.
func (w *GMRES) Restart() int { return w.m }

func vec(x []float64) blas64.Vector { return blas64.Vector{N: len(x), Inc: 1, Data: x} }

func (w *GMRES) basis(j int) []float64 { return w.v[j*w.n : (j+1)*w.n] }

// breakdownTol: h_{j+1,j} <= breakdownTol |A z_j| counts as an invariant
// Krylov space. A false alarm only ends the cycle early (the true residual
// decides what happens next), so the threshold can sit well above rounding.
const breakdownTol = 1e-12

// reorthEta is the "twice is enough" test (Daniel, Gragg, Kaufman and
// Stewart 1976; Giraud, Langou and Rozloznik 2005): when one modified
// Gram-Schmidt pass shrinks w below |w_before|/sqrt(2), cancellation has
// cost accuracy and a second pass restores orthogonality to rounding level.
const reorthEta = 1 / math.Sqrt2

// Solve runs restarted GMRES(m) on A x = b, with A given by op, starting
// from the x the caller passes (zero it for a zero initial guess), and
// leaves the solution in x. b is not modified.
//
// It returns an error wrapping [ErrNonFinite] when b or x holds a NaN or an
// infinity (x is then untouched), or when op or Settings.Precond produces
// one (x then holds the iterate of the last completed cycle). Not reaching
// the tolerance is not an error: see Result.Status. A zero b gives x = 0,
// Converged, without calling op. Solve panics if op is nil, if len(b) or
// len(x) differs from Dim, if b and x alias, or if Tol < 0 or MaxIter < 0.
func (w *GMRES) Solve(op Operator, b, x []float64, s *Settings) (Result, error) {
	if op == nil {
		panic("krylov: nil operator")
	}
	if len(b) != w.n || len(x) != w.n {
		panic("krylov: slice length mismatch")
	}
	if &b[0] == &x[0] {
		panic("krylov: x aliases b")
	}
	tol, maxIter := 1e-10, 2*w.n
	var pre func(dst, v []float64)
	if s != nil {
		if s.Tol < 0 || s.MaxIter < 0 {
			panic("krylov: negative Tol or MaxIter")
		}
		if s.Tol > 0 {
			tol = s.Tol
		}
		if s.MaxIter > 0 {
			maxIter = s.MaxIter
		}
		pre = s.Precond
	}
	if i, ok := finite(b); !ok {
		return Result{}, fmt.Errorf("%w: b[%d] = %v", ErrNonFinite, i, b[i])
	}
	if i, ok := finite(x); !ok {
		return Result{}, fmt.Errorf("%w: initial x[%d] = %v", ErrNonFinite, i, x[i])
	}
	w.hist = w.hist[:0]
	var res Result
	bnorm := blas64.Nrm2(vec(b))
	if bnorm == 0 {
		clear(x)
		w.hist = append(w.hist, 0)
		res.History = w.hist
		return res, nil
	}
	if math.IsInf(bnorm, 0) {
		return res, fmt.Errorf("%w: |b| overflows", ErrNonFinite)
	}

	// r = b - A x, skipping the product for a zero initial guess.
	r := w.r
	copy(r, b)
	if !allZero(x) {
		op(w.z, x)
		res.MatVecs++
		blas64.Axpy(-1, vec(w.z), vec(r))
	}
	beta := blas64.Nrm2(vec(r))
	if !isFinite(beta) {
		return res, fmt.Errorf("%w: operator result in the initial residual", ErrNonFinite)
	}
	rel := beta / bnorm
	w.hist = append(w.hist, rel)
	res.Residual = rel
	if rel <= tol {
		res.History = w.hist
		return res, nil
	}

	m, ld := w.m, w.m+1
	for cycle := 0; ; cycle++ {
		if cycle > 0 {
			res.Restarts++
		}
		v0 := w.basis(0)
		for i, ri := range r {
			v0[i] = ri / beta
		}
		clear(w.g)
		w.g[0] = beta
		k := 0             // columns of H built in this cycle
		invariant := false // h_{k,k-1} = 0: the Krylov space is invariant
		for j := 0; j < m && res.Iter < maxIter; j++ {
			vj, wv := w.basis(j), w.basis(j+1)
			zj := vj
			if pre != nil {
				pre(w.z, vj)
				res.PrecondApplies++
				zj = w.z
			}
			op(wv, zj)
			res.MatVecs++
			wn := blas64.Nrm2(vec(wv))
			if !isFinite(wn) {
				if pre != nil {
					return res, fmt.Errorf("%w: operator or preconditioner result at iteration %d", ErrNonFinite, res.Iter+1)
				}
				return res, fmt.Errorf("%w: operator result at iteration %d", ErrNonFinite, res.Iter+1)
			}
			hj := w.h[j*ld : j*ld+ld]
			clear(hj)
			// Modified Gram-Schmidt, and a second pass when the first
			// cancelled too much.
			for pass := 0; ; pass++ {
				before := wn
				for i := 0; i <= j; i++ {
					vi := w.basis(i)
					c := blas64.Dot(vec(wv), vec(vi))
					hj[i] += c
					blas64.Axpy(-c, vec(vi), vec(wv))
				}
				wn = blas64.Nrm2(vec(wv))
				if pass == 1 || wn > reorthEta*before {
					break
				}
			}
			hj[j+1] = wn
			// Apply the earlier rotations to the new column, then make
			// the one that zeroes h_{j+1,j}.
			for i := 0; i < j; i++ {
				a, bb := hj[i], hj[i+1]
				hj[i] = w.cs[i]*a + w.sn[i]*bb
				hj[i+1] = -w.sn[i]*a + w.cs[i]*bb
			}
			before := blas64.Nrm2(vec(hj[:j+2])) // |A z_j| up to rounding
			c, sn, rr := givens(hj[j], hj[j+1])
			w.cs[j], w.sn[j] = c, sn
			hj[j], hj[j+1] = rr, 0
			w.g[j+1] = -sn * w.g[j]
			w.g[j] = c * w.g[j]
			res.Iter++
			k = j + 1
			w.hist = append(w.hist, math.Abs(w.g[j+1])/bnorm)
			if wn <= breakdownTol*before {
				invariant = true
				break
			}
			blas64.Scal(1/wn, vec(wv))
			if math.Abs(w.g[j+1]) <= tol*bnorm {
				break
			}
		}

		// Solve R y = g on the k columns; at an invariant space a zero
		// diagonal (A singular there) drops the last column.
		singular := false
		for k > 0 {
			hk := w.h[(k-1)*ld : (k-1)*ld+ld]
			if math.Abs(hk[k-1]) > breakdownTol*blas64.Nrm2(vec(hk[:k])) && hk[k-1] != 0 {
				break
			}
			singular = true
			k--
		}
		for i := k - 1; i >= 0; i-- {
			sum := w.g[i]
			for l := i + 1; l < k; l++ {
				sum -= w.h[l*ld+i] * w.y[l]
			}
			w.y[i] = sum / w.h[i*ld+i]
		}
		// u = V_k y; x += M^-1 u.
		u := w.r
		clear(u)
		for i := 0; i < k; i++ {
			blas64.Axpy(w.y[i], vec(w.basis(i)), vec(u))
		}
		if pre != nil && k > 0 {
			pre(w.z, u)
			res.PrecondApplies++
			u = w.z
		}
		if !isFinite(blas64.Nrm2(vec(u))) {
			return res, fmt.Errorf("%w: preconditioner result in the update of cycle %d", ErrNonFinite, cycle+1)
		}
		blas64.Axpy(1, vec(u), vec(x))

		// The true residual decides: rounding in the recurrence, a false
		// breakdown alarm or a singular operator all show up here.
		op(w.z, x)
		res.MatVecs++
		copy(r, b)
		blas64.Axpy(-1, vec(w.z), vec(r))
		beta = blas64.Nrm2(vec(r))
		if !isFinite(beta) {
			return res, fmt.Errorf("%w: operator result in the residual of cycle %d", ErrNonFinite, cycle+1)
		}
		prev := rel
		rel = beta / bnorm
		res.Residual = rel
		switch {
		case rel <= tol:
			res.Status = Converged
		case singular || (invariant && rel >= prev):
			res.Status = Breakdown
		case res.Iter >= maxIter:
			res.Status = MaxIterations
		default:
			continue
		}
		res.History = w.hist
		return res, nil
	}
}

// givens returns c, s and r with [c s; -s c] [a; b] = [r; 0].
func givens(a, b float64) (c, s, r float64) {
	switch {
	case b == 0:
		return 1, 0, a
	case a == 0:
		return 0, 1, b
	}
	r = math.Hypot(a, b)
	return a / r, b / r, r
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// finite returns the index of the first non-finite element of x, and false,
// or -1 and true.
func finite(x []float64) (int, bool) {
	for i, v := range x {
		if !isFinite(v) {
			return i, false
		}
	}
	return -1, true
}

func allZero(x []float64) bool {
	for _, v := range x {
		if v != 0 {
			return false
		}
	}
	return true
}
