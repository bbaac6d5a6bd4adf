package krylov

import (
	"iter"
	"math"

	"gonum.org/v1/gonum/mat"
)

// BatchOperator computes, for each row i, row i of dst = A_i (row i of v):
// one product for each of several systems at once, so that a shared matrix
// (fpfind's W) is read once for all of them, as one matrix-matrix product.
// It must not modify v and must write every element of dst. Rows of
// systems that have finished are zero in v and their dst rows are ignored.
type BatchOperator func(dst, v *mat.Dense)

// Lockstep runs k independent GMRES(m) solves of order n side by side: at
// each round every unfinished system asks for exactly one product (an
// Arnoldi step or a residual), and all of them are computed by one call of
// the BatchOperator. Each system follows exactly the arithmetic of
// [GMRES.Solve], so its result is bit-identical to a separate Solve given
// the same products. A Lockstep is not safe for concurrent use.
type Lockstep struct {
	k, n    int
	ws      []*GMRES
	in, out *mat.Dense
	res     []Result
}

// NewLockstep returns a workspace for k systems of order n with restart
// length m (m = 0 means [DefaultRestart]). It panics if k < 1, n < 1 or
// m < 0.
func NewLockstep(k, n, m int) *Lockstep {
	if k < 1 {
		panic("krylov: batch size k < 1")
	}
	l := &Lockstep{k: k, n: n, ws: make([]*GMRES, k), in: mat.NewDense(k, n, nil), out: mat.NewDense(k, n, nil), res: make([]Result, k)}
	for i := range l.ws {
		l.ws[i] = NewGMRES(n, m)
	}
	return l
}

// Solve solves A_i x_i = b_i for the k systems, with b_i and x_i the rows of
// b and x (k x n each; x holds the initial guesses on entry and the
// solutions on return), all under the same Settings, which must not have a
// Precond (it panics otherwise: precondition inside op instead). It returns
// one Result per system (aliasing the workspace, overwritten by the next
// Solve) and the first error of any system in row order; a system that
// errs stops, the others go on. Each Solve starts k coroutines, so unlike
// [GMRES.Solve] it allocates a little per call.
func (l *Lockstep) Solve(op BatchOperator, b, x *mat.Dense, s *Settings) ([]Result, error) {
	if op == nil {
		panic("krylov: nil operator")
	}
	if s != nil && s.Precond != nil {
		panic("krylov: Lockstep does not take a Precond")
	}
	if r, c := b.Dims(); r != l.k || c != l.n {
		panic("krylov: b is not k x n")
	}
	if r, c := x.Dims(); r != l.k || c != l.n {
		panic("krylov: x is not k x n")
	}
	errs := make([]error, l.k)
	next := make([]func() (struct{}, bool), l.k)
	for i := range l.k {
		seq := func(yield func(struct{}) bool) {
			opi := func(dst, v []float64) {
				copy(l.in.RawRowView(i), v)
				if !yield(struct{}{}) {
					// Stopped early (op panicked): a NaN product makes
					// Solve return at once without asking for more.
					for j := range dst {
						dst[j] = math.NaN()
					}
					return
				}
				copy(dst, l.out.RawRowView(i))
			}
			l.res[i], errs[i] = l.ws[i].Solve(opi, b.RawRowView(i), x.RawRowView(i), s)
		}
		var stop func()
		next[i], stop = iter.Pull(seq)
		defer stop()
	}
	for {
		active := 0
		for i, nx := range next {
			if nx == nil {
				continue
			}
			if _, ok := nx(); ok {
				active++
				continue
			}
			next[i] = nil
			clear(l.in.RawRowView(i))
		}
		if active == 0 {
			break
		}
		op(l.out, l.in)
	}
	for _, err := range errs {
		if err != nil {
			return l.res, err
		}
	}
	return l.res, nil
}
