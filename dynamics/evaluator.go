package dynamics

import (
	"fmt"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/kernel"
)

// Evaluator serves batches of row requests on one [Network]: many states
// (or vectors) at once, in shared passes over W, for the solvers that keep
// many runs in lockstep (fixedpoint's groups and linearize.LeadingAll,
// both scheduled by internal/lockstep, and ode's SolveLockstep through
// [Evaluator.FieldRows]). It is made once, with its parallelism, by
// [Network.NewEvaluator]; every pass it makes is split between that many
// goroutines, and nothing else in the module splits a pass over W.
//
// The requests are typed:
//
//   - [Batch] (for [Evaluator.Eval]): speed rows (F, J^T F and q at a state),
//     field rows (F and phi' at a state) and J v rows (at a state given by
//     its phi'), all in one matrix-matrix product with W^T and, for the
//     speed rows, one with W; [Evaluator.EvalAll] serves many callers'
//     batches as one;
//   - [Evaluator.FieldRows]: F at every row of a matrix, one product;
//   - [OperatorProduct] (for [Evaluator.OperatorVecs]): products of the
//     convention's operator with vectors, formed block of rows by block of
//     rows of W;
//   - [Evaluator.ParallelField]: F at one state, its rows split between
//     persistent helper goroutines, for one large trajectory.
//
// Row r of every result is bit-identical whatever the other rows hold,
// however many rows a request has and whatever the parallelism: a run's
// result does not depend on which runs share its batches. The products
// with W use the packed copies of W^T and W that the network builds on
// first use and keeps (2 N^2 float64, shared by all its evaluators); the
// speed rows draw m N of scratch from the evaluator's pool. An Evaluator
// is safe for concurrent use.
type Evaluator struct {
	net      *Network
	workers  int
	scratch  sync.Pool // *[]float64: phi' F / tau of speed rows
	gathered sync.Pool // *gathered: the rows of EvalAll
}

// NewEvaluator returns an evaluator of n whose passes over W are split
// between workers goroutines (workers <= 0 means runtime.GOMAXPROCS(0)).
// The parallelism never changes a bit of a result.
func (n *Network) NewEvaluator(workers int) *Evaluator {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	e := &Evaluator{net: n, workers: workers}
	e.scratch.New = func() any { return new([]float64) }
	e.gathered.New = func() any { return new(gathered) }
	return e
}

// Workers returns the number of goroutines that share each pass over W.
func (e *Evaluator) Workers() int { return e.workers }

// Batch is one request to [Evaluator.Eval]: rows of three kinds, laid out
// one after the other in H and F (speed rows first, then field rows, then
// J v rows) so that all of them share one pass over W. Every slice is
// row-major with rows of N.
type Batch struct {
	// Speeds, Fields and JacVecs count the rows of each kind.
	Speeds, Fields, JacVecs int
	// H holds the rows (Speeds + Fields + JacVecs): the state of each
	// speed and field row, then the vector v of each J v row. It is not
	// modified.
	H []float64
	// F receives the result of each row of H: F(h) for speed and field
	// rows, J v for J v rows.
	F []float64
	// Grad receives J(h)^T F(h) for each speed row (Speeds rows), and Q
	// its speed q(h) = |F(h)|^2 / 2 (Speeds values).
	Grad, Q []float64
	// Phi holds Fields + JacVecs rows: phi'(x(h)) of each field row is
	// written into the first Fields (what [Network.PhiPrime] gives, for
	// later products J v at h), and phi' at the state of each J v row is
	// read from the next JacVecs.
	Phi []float64
}

// Eval serves the rows of b. The products with W of all its rows are one
// pass over W^T packed (and the speed rows' gradients one over W packed),
// each split by columns between the evaluator's goroutines: for large N
// and several rows this moves a fraction of the memory separate products
// would.
//
// Results agree with the single-state methods ([Network.SpeedGrad],
// [Network.Field], [Network.PhiPrime], [Network.JacVecAt]) to rounding,
// not bit for bit: x(h) is summed in column order here and in blocks
// there. A field row's F carries the bits of the same state's F as a
// speed row. F must not overlap H, Phi or Grad, nor Grad H or Phi, nor
// (with field rows) H Phi; every slice must hold its rows.
func (e *Evaluator) Eval(b *Batch) {
	n := e.net
	nn := n.n
	b.check(nn)
	m, mf, mv := b.Speeds, b.Fields, b.JacVecs
	rows := m + mf + mv
	grad, f, h, q, d := b.Grad, b.F, b.H, b.Q, b.Phi
	if rows == 0 {
		return
	}
	par := e.workers
	grad, f, h = grad[:m*nn], f[:rows*nn], h[:rows*nn]
	// x = W h + c, each x_i the FMA chain over j from c_i (from 0 for the
	// vectors of J v).
	for r := range m + mf {
		copy(f[r*nn:], n.c)
	}
	clear(f[(m+mf)*nn:])
	e.gemmCols(rows, h, n.wT(), f)
	it := n.invTau
	kernel.ForRows(mf+mv, par, func(r int) {
		o, od := (m+r)*nn, r*nn
		if r < mf {
			dr := d[od : od+nn]
			n.phiRow(dr, f[o:o+nn])
			for i := range nn {
				p, d1 := n.act.phiD1From(dr[i], f[o+i])
				f[o+i] = (p - h[o+i]) * it[i]
				d[od+i] = d1
			}
			return
		}
		for i := range nn {
			f[o+i] = (d[od+i]*f[o+i] - h[o+i]) * it[i]
		}
	})
	if m == 0 {
		return
	}
	bp := e.scratch.Get().(*[]float64)
	defer e.scratch.Put(bp)
	if len(*bp) < m*nn {
		*bp = make([]float64, m*nn)
	}
	dd := (*bp)[:m*nn]
	kernel.ForRows(m, par, func(r int) {
		fr, hr, dr := f[r*nn:(r+1)*nn], h[r*nn:(r+1)*nn], dd[r*nn:(r+1)*nn]
		var s float64
		n.phiRow(dr, fr)
		for i, x := range fr {
			p, d1 := n.act.phiD1From(dr[i], x)
			fi := (p - hr[i]) * it[i]
			fr[i] = fi
			s += fi * fi
			dr[i] = d1 * fi * it[i]
		}
		q[r] = s / 2
	})
	// grad = W^T (phi' F / tau) - F / tau.
	clear(grad)
	e.gemmCols(m, dd, n.wPacked(), grad)
	kernel.ForRows(m, par, func(r int) {
		gr, fr := grad[r*nn:(r+1)*nn], f[r*nn:(r+1)*nn]
		for i := range gr {
			gr[i] -= fr[i] * it[i]
		}
	})
}

// check panics unless every slice of b holds its rows of nn and no output
// overlaps another slice.
func (b *Batch) check(nn int) {
	m, mf, mv := b.Speeds, b.Fields, b.JacVecs
	rows := m + mf + mv
	grad, f, h, q, d := b.Grad, b.F, b.H, b.Q, b.Phi
	if m < 0 || mf < 0 || mv < 0 || len(grad) < m*nn || len(f) < rows*nn || len(h) < rows*nn || len(q) < m || len(d) < (mf+mv)*nn {
		panic(fmt.Sprintf("dynamics: Eval of %d + %d + %d rows of %d: slices too short", m, mf, mv, nn))
	}
	if alias(grad, f) || alias(grad, h) || alias(f, h) || alias(f, d) || alias(grad, d) || mf > 0 && alias(h, d) {
		panic("dynamics: Eval's slices alias")
	}
}

// EvalAll serves every batch of bs in one call of [Evaluator.Eval]: their
// rows are gathered into the evaluator's scratch (the speed rows of every
// batch, then the field rows, then the J v rows), evaluated in shared
// passes over W, and copied back. Each batch gets the bits Eval gives it
// alone, and EvalAll panics where Eval would on any of them. It serves
// many callers' requests at once: fixedpoint's lockstep groups post
// one-row batches and serve each round's with it. The copies are split
// between the evaluator's goroutines when they are large enough to pay.
func (e *Evaluator) EvalAll(bs []Batch) {
	if len(bs) == 1 {
		e.Eval(&bs[0])
		return
	}
	nn := e.net.n
	var m, mf, mv int
	for i := range bs {
		b := &bs[i]
		b.check(nn)
		m, mf, mv = m+b.Speeds, mf+b.Fields, mv+b.JacVecs
	}
	rows := m + mf + mv
	if rows == 0 {
		return
	}
	g := e.gathered.Get().(*gathered)
	defer e.gathered.Put(g)
	all := g.batch(m, mf, mv, nn)
	// at[i] is where batch i's rows start among the rows of their kind.
	at := g.at[:0]
	var so, fo, vo int
	for i := range bs {
		at = append(at, [3]int{so, fo, vo})
		so, fo, vo = so+bs[i].Speeds, fo+bs[i].Fields, vo+bs[i].JacVecs
	}
	g.at = at
	par := e.workers
	if rows*nn < 1<<16 {
		par = 1 // too little to copy for goroutines to pay
	}
	// The rows of batch i: speed rows from all.H[sh:], field rows from
	// all.H[fh:] (phi' at all.Phi[fd:]), J v rows from all.H[vh:] (phi'
	// at all.Phi[vd:]).
	offsets := func(i int) (sh, fh, vh, fd, vd int) {
		a := at[i]
		return a[0] * nn, (m + a[1]) * nn, (m + mf + a[2]) * nn, a[1] * nn, (mf + a[2]) * nn
	}
	kernel.ForRows(len(bs), par, func(i int) {
		b := &bs[i]
		sh, fh, vh, _, vd := offsets(i)
		s, f, v := b.Speeds*nn, b.Fields*nn, b.JacVecs*nn
		copy(all.H[sh:sh+s], b.H[:s])
		copy(all.H[fh:fh+f], b.H[s:s+f])
		copy(all.H[vh:vh+v], b.H[s+f:s+f+v])
		copy(all.Phi[vd:vd+v], b.Phi[f:f+v])
	})
	e.Eval(&all)
	kernel.ForRows(len(bs), par, func(i int) {
		b := &bs[i]
		sh, fh, vh, fd, _ := offsets(i)
		s, f, v := b.Speeds*nn, b.Fields*nn, b.JacVecs*nn
		copy(b.F[:s], all.F[sh:sh+s])
		copy(b.Grad[:s], all.Grad[sh:sh+s])
		copy(b.Q[:b.Speeds], all.Q[at[i][0]:])
		copy(b.F[s:s+f], all.F[fh:fh+f])
		copy(b.Phi[:f], all.Phi[fd:fd+f])
		copy(b.F[s+f:s+f+v], all.F[vh:vh+v])
	})
}

// gathered is the scratch of [Evaluator.EvalAll]: the rows of one batch
// made of many, and where each one's rows start.
type gathered struct {
	h, f, grad, q, phi []float64
	at                 [][3]int
}

// batch returns a Batch of m speed, mf field and mv J v rows of nn over
// g's buffers, grown as needed.
func (g *gathered) batch(m, mf, mv, nn int) Batch {
	grow := func(s *[]float64, n int) []float64 {
		if len(*s) < n {
			*s = make([]float64, n)
		}
		return (*s)[:n]
	}
	rows := m + mf + mv
	return Batch{
		Speeds: m, Fields: mf, JacVecs: mv,
		H: grow(&g.h, rows*nn), F: grow(&g.f, rows*nn),
		Grad: grow(&g.grad, m*nn), Q: grow(&g.q, m), Phi: grow(&g.phi, (mf+mv)*nn),
	}
}

// gemmCols is C += A B for the m rows of a (stride N) and the packed N x N
// matrix b, into c (stride N), its columns split between the evaluator's
// goroutines in whole bands of the packing. Every element keeps its FMA
// chain, so the split changes no bit.
func (e *Evaluator) gemmCols(m int, a []float64, b *kernel.Packed, c []float64) {
	nn := e.net.n
	bands := (nn + kernel.Band - 1) / kernel.Band
	per := (bands + e.workers - 1) / e.workers
	if e.workers == 1 || per >= bands || m == 0 {
		kernel.GemmPacked(m, a, nn, b, 0, nn, c, nn)
		return
	}
	var wg sync.WaitGroup
	for b0 := 0; b0 < bands; b0 += per {
		j0, j1 := b0*kernel.Band, min((b0+per)*kernel.Band, nn)
		wg.Go(func() { kernel.GemmPacked(m, a, nn, b, j0, j1, c, nn) })
	}
	wg.Wait()
}

// FieldRows writes the field of every row of h (a batch of B states, B x N)
// into the rows of dst (B x N): one product H W^T of the batch with W^T
// packed, split by columns between the evaluator's goroutines. Each row is
// bit-identical whatever B is and whatever the other rows hold, and agrees
// with [Network.Field] to rounding. An empty dst is resized; dst must not
// be h. With a closure it is an ode.BatchFunc.
func (e *Evaluator) FieldRows(dst *mat.Dense, h mat.RawMatrixer) {
	n := e.net
	hr := h.RawMatrix()
	if hr.Cols != n.n {
		panic(badShape)
	}
	if dst.IsEmpty() {
		dst.ReuseAs(hr.Rows, n.n)
	}
	if r, c := dst.Dims(); r != hr.Rows || c != n.n {
		panic(badShape)
	}
	d := dst.RawMatrix()
	if len(d.Data) > 0 && len(hr.Data) > 0 && &d.Data[0] == &hr.Data[0] {
		panic("dynamics: dst aliases h")
	}
	for k := 0; k < hr.Rows; k++ {
		copy(d.Data[k*d.Stride:k*d.Stride+n.n], n.c)
	}
	if e.workers == 1 || hr.Stride != n.n || d.Stride != n.n {
		kernel.GemmPacked(hr.Rows, hr.Data, hr.Stride, n.wT(), 0, n.n, d.Data, d.Stride)
	} else {
		e.gemmCols(hr.Rows, hr.Data, n.wT(), d.Data)
	}
	for k := 0; k < hr.Rows; k++ {
		n.finishRows(d.Data[k*d.Stride:k*d.Stride+n.n], hr.Data[k*hr.Stride:k*hr.Stride+n.n], 0)
	}
}

// OperatorProduct is one request of [Evaluator.OperatorVecs]: Dst receives
// (operator) V at the state whose phi'(x) is Phi. Each has length N, and
// Dst overlaps neither of the others.
type OperatorProduct struct {
	Dst, Phi, V []float64
}

// OperatorVecs forms every product of ps in one pass over W: block of rows
// by block of rows (about 128 KiB of W each, read from memory once and
// from cache for the other products), the blocks split between the
// evaluator's goroutines. Each product is bit-identical to
// [Network.OperatorVecAt]'s, whatever the other products and the
// parallelism, since kernel.Gemv sums each row in the same order wherever
// a block starts.
func (e *Evaluator) OperatorVecs(ps []OperatorProduct) {
	n := e.net
	for _, p := range ps {
		n.checkLen(p.Dst, p.Phi, p.V)
		if alias(p.Dst, p.Phi) || alias(p.Dst, p.V) {
			panic("dynamics: dst aliases an argument")
		}
	}
	nn := n.n
	blk := max(4, (1<<14)/max(nn, 1)&^3)
	nblk := (nn + blk - 1) / blk
	parts := min(e.workers, nblk)
	if parts <= 1 {
		e.operatorRows(ps, 0, nn, blk)
		return
	}
	var wg sync.WaitGroup
	for t := range parts {
		// Part t takes blocks [t nblk / parts, (t+1) nblk / parts).
		r0, r1 := t*nblk/parts*blk, min(nn, (t+1)*nblk/parts*blk)
		wg.Go(func() { e.operatorRows(ps, r0, r1, blk) })
	}
	wg.Wait()
}

// operatorRows forms rows [r0, r1) of every product, block by block.
func (e *Evaluator) operatorRows(ps []OperatorProduct, r0, r1, blk int) {
	for i0 := r0; i0 < r1; i0 += blk {
		i1 := min(i0+blk, r1)
		for _, p := range ps {
			e.net.operatorVecRows(p.Dst, p.Phi, p.V, i0, i1)
		}
	}
}

// packedW holds W^T and W packed for kernel.GemmPacked, each built on
// first use and kept (N^2 more memory each): the products of batches of
// states with W (H W^T) and of gradients' rows with W (D W).
type packedW struct {
	onceT, once sync.Once
	t, w        *kernel.Packed
}

// wT returns W^T packed: x = W h for the rows h of a batch is H W^T.
func (n *Network) wT() *kernel.Packed {
	n.pk.onceT.Do(func() { n.pk.t = kernel.PackTransposed(n.n, n.n, n.w.Data, n.w.Stride) })
	return n.pk.t
}

// wPacked returns W packed: the rows of D W are the products W^T d.
func (n *Network) wPacked() *kernel.Packed {
	n.pk.once.Do(func() { n.pk.w = kernel.Pack(n.n, n.n, n.w.Data, n.w.Stride) })
	return n.pk.w
}
