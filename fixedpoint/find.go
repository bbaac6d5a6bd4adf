package fixedpoint

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/dense"
)

// Run is what happened from one initial state.
type Run struct {
	Init  []float64 // the initial state (a copy)
	Final []float64 // where the run ended
	// Q and Residual are q = |F|^2/2 and max_i |F_i| at Final.
	Q, Residual float64
	Iter        int    // solver iterations (Newton, Levenberg-Marquardt, L-BFGS evaluations, chord steps)
	Status      Status // fixed, slow, not-converged or diverged
	Point       int    // index into Result.Points of the point reached, or -1
	// Early reports that the run stopped at an already known point: a
	// chord iteration with a known fixed point's Jacobian converged to it
	// from the run's state, or the speed minimisation came close to a
	// known slow point (then Final is that point's state).
	Early bool
}

// Point is a unique fixed or slow point.
type Point struct {
	X []float64 // the state
	// Q and Residual are q = |F|^2/2 and max_i |F_i| at X.
	Q, Residual float64
	Kind        Status // Fixed or Slow
	// Multiplicity is the number of runs that reached the point. It may
	// be 0 for a point found by symmetry or deflation.
	Multiplicity int
	Source       Source // how the point was first found
}

// Stats counts the work done by Find. The counts do not depend on the
// number of workers.
type Stats struct {
	Runs           int // initial states
	EarlyExits     int // runs stopped in the ball of a known point
	Restarts       int // deflated restarts
	NewtonIter     int // Newton iterations with a fresh Jacobian (one LU factorisation each)
	BroydenSteps   int // quasi-Newton steps with a Broyden-updated inverse Jacobian
	LMIter         int // Levenberg-Marquardt iterations
	SpeedEvals     int // evaluations of q and its gradient by L-BFGS
	ChordSteps     int // chord steps of early-exit tests
	Factorizations int // LU factorisations of J
	Hessians       int // Hessians of q formed (refining slow points)
	KrylovProducts int // products J v of matrix-free Newton steps
	// Batched reports that the speeds, fields and products J v went
	// through the network's dynamics.Evaluator (the System was a
	// *dynamics.Network): with Settings.Batch > 1 in lockstep groups
	// sharing each pass over W, alone otherwise, with the same bits.
	// Without it every evaluation called the System's own methods.
	Batched bool
}

// Add adds the counts of o to s (Batched stays s's): the work of several
// calls of Find.
func (s *Stats) Add(o Stats) {
	s.Runs += o.Runs
	s.EarlyExits += o.EarlyExits
	s.Restarts += o.Restarts
	s.NewtonIter += o.NewtonIter
	s.BroydenSteps += o.BroydenSteps
	s.LMIter += o.LMIter
	s.SpeedEvals += o.SpeedEvals
	s.ChordSteps += o.ChordSteps
	s.Factorizations += o.Factorizations
	s.Hessians += o.Hessians
	s.KrylovProducts += o.KrylovProducts
}

// Result is the outcome of Find.
type Result struct {
	Runs   []Run   // one per initial state, in input order
	Points []Point // unique points: fixed ones first, then slow ones, each by q
	// Symmetric reports that the system is odd-symmetric and that -h* was
	// added (and verified to be a fixed point) for every fixed point h*.
	// The points then come in exact mirror pairs: for every point but the
	// one within UniqueTol of its own negation (the origin), the point
	// whose state is exactly -X is there too, with the same Q and
	// Residual, both states taken from the member of lower q; a slow
	// point whose mirror no run reached is added (source symmetry,
	// multiplicity 0).
	Symmetric bool
	Stats     Stats
	// Settings are the settings Find ran with, every default resolved
	// (Resolve): Settings.Linear says whether Newton steps were solved
	// with LU or matrix-free.
	Settings Settings
}

// Permute reorders the unique points: the new Points[i] is the old
// Points[perm[i]], and every Run.Point is remapped. perm must be a
// permutation of 0..len(Points)-1; Permute panics otherwise.
func (r *Result) Permute(perm []int) {
	if len(perm) != len(r.Points) {
		panic("fixedpoint: permutation length mismatch")
	}
	inv := make([]int, len(perm))
	for i := range inv {
		inv[i] = -1
	}
	for i, p := range perm {
		if p < 0 || p >= len(perm) || inv[p] >= 0 {
			panic("fixedpoint: not a permutation")
		}
		inv[p] = i
	}
	pts := make([]Point, len(perm))
	for i, p := range perm {
		pts[i] = r.Points[p]
	}
	r.Points = pts
	for i := range r.Runs {
		if p := r.Runs[i].Point; p >= 0 {
			r.Runs[i].Point = inv[p]
		}
	}
}

// Count returns the number of unique points of the given kind.
func (r *Result) Count(kind Status) int {
	c := 0
	for _, p := range r.Points {
		if p.Kind == kind {
			c++
		}
	}
	return c
}

// ErrNoInits is returned by Find when there is no initial state.
var ErrNoInits = errors.New("fixedpoint: no initial states")

// roundSizes are the sizes of the first rounds; later rounds have the last
// size. A round only uses the points known at the end of the previous one,
// so results do not depend on scheduling.
var roundSizes = []int{4, 8, 16, 32, 64, 128, 256}

// mfRoundSizes are the round sizes of matrix-free runs.
var mfRoundSizes = []int{64, 128, 256}

// Find runs a solver from every row of inits (I x N) on sys, and returns
// every run with its status and the unique fixed and slow points reached.
// It errs only for bad input (no initial states, a shape mismatch,
// non-finite initial states, invalid settings) or when ctx is done; a run
// that fails is reported through its Status, never dropped. A nil sys is a
// programming error: Find panics.
//
// Runs proceed in rounds; within a round they run in parallel on
// Settings.Workers goroutines and can stop early in the convergence ball of
// a fixed point known at the end of the previous round. After the runs,
// Settings.Deflation deflated Newton restarts look for fixed points not yet
// found. The result is bit-identical whatever the number of workers.
func Find(ctx context.Context, sys System, inits *mat.Dense, s *Settings) (*Result, error) {
	if sys == nil {
		panic("fixedpoint: nil System")
	}
	rs, err := resolve(s, sys)
	if err != nil {
		return nil, err
	}
	return find(ctx, sys, inits, &rs)
}

// find is Find with its settings resolved.
func find(ctx context.Context, sys System, inits *mat.Dense, rs *resolved) (*Result, error) {
	n := sys.Dim()
	if inits == nil || inits.IsEmpty() {
		return nil, ErrNoInits
	}
	ni, c := inits.Dims()
	if c != n {
		return nil, fmt.Errorf("fixedpoint: initial states have %d columns, want N = %d", c, n)
	}
	for i := 0; i < ni; i++ {
		for j, v := range inits.RawRowView(i) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("fixedpoint: initial state %d has non-finite value %v at [%d]", i, v, j)
			}
		}
	}
	f := &finder{sys: sys, s: rs, ctx: ctx, n: n, known: &knownSet{n: n}, slow: &slowSet{}}
	f.sym = !rs.NoSymmetry && sys.Symmetric()
	f.workers = make([]*worker, rs.Workers)
	for i := range f.workers {
		f.workers[i] = newWorker(ctx, sys, rs)
		f.workers[i].known = f.known
		f.workers[i].slow = f.slow
	}
	res := &Result{Runs: make([]Run, ni), Symmetric: f.sym, Settings: rs.Settings}
	f.reached = make([]int, ni)
	// Two slabs instead of 2 I small allocations.
	initSlab, finalSlab := make([]float64, ni*n), make([]float64, ni*n)
	for i := range res.Runs {
		res.Runs[i].Init = initSlab[i*n : (i+1)*n : (i+1)*n]
		copy(res.Runs[i].Init, inits.RawRowView(i))
		res.Runs[i].Final = finalSlab[i*n : i*n : (i+1)*n]
	}
	f.res = res
	f.counts = make([]counts, ni)

	// First pass: the runs, in rounds.
	var done atomic.Int64
	for lo, r := 0, 0; lo < ni; r++ {
		sizes := roundSizes
		if rs.mf {
			sizes = mfRoundSizes
		}
		size := sizes[min(r, len(sizes)-1)]
		hi := min(lo+size, ni)
		found := len(f.known.x)
		err := f.runs(hi-lo, func(w *worker, k int) {
			i := lo + k
			f.reached[i] = w.run(res.Runs[i].Init, &res.Runs[i])
			f.counts[i] = w.c
			if rs.Recorder != nil {
				rs.Recorder.Record(Progress{Stage: "runs", Done: int(done.Add(1)), Total: ni, Found: found})
			}
		})
		if err != nil {
			return nil, err
		}
		f.merge(lo, hi)
		if err := f.factorNew(); err != nil {
			return nil, err
		}
		lo = hi
	}
	if err := f.deflate(); err != nil {
		return nil, err
	}
	f.collect()
	return res, nil
}

// finder is the state of one call to Find.
type finder struct {
	sys     System
	s       *resolved
	ctx     context.Context
	n       int
	sym     bool
	known   *knownSet
	slow    *slowSet
	workers []*worker
	groups  []*group // lockstep groups (lockstep.go), made on first use
	res     *Result
	reached []int    // per run: known point index, or -1
	counts  []counts // per run
	defl    counts   // deflated restarts
	nDefl   int
	factorK int // known points [0, factorK) have their LU
}

// parallel calls fn(w, k) for k in [0, m) on the workers, each k once.
func (f *finder) parallel(m int, fn func(w *worker, k int)) error {
	if len(f.workers) == 1 || m == 1 {
		w := f.workers[0]
		for k := 0; k < m; k++ {
			if f.ctx.Err() != nil {
				break
			}
			fn(w, k)
		}
		return f.ctx.Err()
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for _, w := range f.workers[:min(len(f.workers), m)] {
		wg.Go(func() {
			for {
				k := int(next.Add(1)) - 1
				if k >= m || f.ctx.Err() != nil {
					return
				}
				fn(w, k)
			}
		})
	}
	wg.Wait()
	return f.ctx.Err()
}

// addKnown adds a new fixed point (and, for a symmetric system, its mirror
// image when that is a fixed point too) and returns its index.
func (f *finder) addKnown(x []float64, src Source) int {
	k := f.known.add(x, src)
	if f.sym {
		m := negate(x)
		fm := make([]float64, f.n)
		f.sys.Field(fm, m)
		if normInf(fm) <= f.s.Tol && f.known.find(m, f.s.UniqueTol) < 0 {
			f.known.add(m, FromSymmetry)
		}
	}
	return k
}

// negate returns -x.
func negate(x []float64) []float64 {
	m := make([]float64, len(x))
	for i, v := range x {
		m[i] = -v
	}
	return m
}

// merge assigns the fixed runs of [lo, hi) to known points, in index
// order, adding the new ones, and records the new slow points (and, for a
// symmetric system, their mirrors, which later runs stop early at as they
// stop at a slow point found by a run).
func (f *finder) merge(lo, hi int) {
	for i := lo; i < hi; i++ {
		r := &f.res.Runs[i]
		if r.Status == Slow && !r.Early {
			f.slow.add(r.Final, r.Q, f.s.UniqueTol)
			if f.sym {
				f.slow.add(negate(r.Final), r.Q, f.s.UniqueTol)
			}
		}
		if r.Status != Fixed || f.reached[i] >= 0 {
			continue
		}
		k := f.known.find(r.Final, f.s.UniqueTol)
		if k < 0 {
			k = f.addKnown(r.Final, FromRun)
		}
		f.reached[i] = k
	}
}

// factorNew computes the LU factors of J at the known points that have
// none yet, in parallel.
func (f *finder) factorNew() error {
	lo, hi := f.factorK, len(f.known.x)
	if lo == hi || f.s.mf {
		f.factorK = hi
		return nil // matrix-free: no factors kept
	}
	err := f.parallel(hi-lo, func(w *worker, k int) {
		k += lo
		jac := mat.NewDense(f.n, f.n, nil)
		f.sys.Jacobian(jac, f.known.x[k])
		piv := make([]int, f.n)
		inv := make([]float64, f.n)
		ok := dense.FactorizeInv(f.s.LU, f.n, jac.RawMatrix().Data, piv, inv)
		f.known.lu[k], f.known.piv[k], f.known.inv[k], f.known.luOK[k] = jac.RawMatrix().Data, piv, inv, ok
	})
	f.factorK = hi
	return err
}

// collect builds the unique points, multiplicities and statistics.
func (f *finder) collect() {
	res, s := f.res, f.s
	type cand struct {
		x      []float64
		q, r   float64
		kind   Status
		src    Source
		member []int
		best   int // run index of the representative, or -1 for the seed
	}
	var cands []*cand
	// Fixed points, in order of discovery.
	for k, x := range f.known.x {
		fx := make([]float64, f.n)
		f.sys.Field(fx, x)
		cands = append(cands, &cand{x: x, q: dot(fx, fx) / 2, r: normInf(fx), kind: Fixed, src: f.known.src[k], best: -1})
	}
	for i := range res.Runs {
		if k := f.reached[i]; k >= 0 {
			c := cands[k]
			c.member = append(c.member, i)
		}
	}
	// Slow points: greedy clusters in index order.
	nf := len(cands)
	for i := range res.Runs {
		r := &res.Runs[i]
		if r.Status != Slow {
			continue
		}
		nr := normInf(r.Final)
		found := false
		for _, c := range cands[nf:] {
			lead := res.Runs[c.member[0]].Final
			if same(r.Final, lead, nr, normInf(lead), s.UniqueTol) {
				c.member = append(c.member, i)
				found = true
				break
			}
		}
		if !found {
			cands = append(cands, &cand{kind: Slow, src: FromRun, member: []int{i}, best: -1, q: math.Inf(1)})
		}
	}
	// Representatives: the lowest q, then the lowest run index; a fixed
	// point's seed (its first finder's state) counts after the runs.
	pick := func(c *cand) {
		c.best = -1
		for _, i := range c.member {
			r := &res.Runs[i]
			if c.best < 0 || r.Q < res.Runs[c.best].Q || r.Q == res.Runs[c.best].Q && i < c.best {
				c.best = i
			}
		}
		if c.best >= 0 && (c.kind == Slow || res.Runs[c.best].Q <= c.q) {
			r := &res.Runs[c.best]
			c.x, c.q, c.r = r.Final, r.Q, r.Residual
		}
	}
	for _, c := range cands {
		pick(c)
	}
	// Slow clusters whose representatives are the same point merge (the
	// earlier cluster absorbs the later), until no two are the same.
	for merged := true; merged; {
		merged = false
		slow := cands[nf:]
		for a := 0; a < len(slow) && !merged; a++ {
			for b := a + 1; b < len(slow); b++ {
				ca, cb := slow[a], slow[b]
				if same(ca.x, cb.x, normInf(ca.x), normInf(cb.x), s.UniqueTol) {
					ca.member = append(ca.member, cb.member...)
					sort.Ints(ca.member)
					pick(ca)
					cands = append(cands[:nf+b], cands[nf+b+1:]...)
					merged = true
					break
				}
			}
		}
	}
	// An odd-symmetric system's points come in exact mirror pairs: the
	// member of lower q (the earlier on a tie) gives its state, negated,
	// to the other (q, the residual and the spectrum of -h are exactly
	// those of h: dynamics.Network.Mirrors), and a slow point whose mirror
	// no run reached gets it (source symmetry), as q(-h) = q(h). The point
	// within UniqueTol of its own negation (the origin) stays as it is.
	if f.sym {
		paired := make([]bool, len(cands))
		for a := 0; a < len(cands); a++ {
			ca := cands[a]
			if paired[a] {
				continue
			}
			neg := negate(ca.x)
			nn := normInf(neg)
			if same(ca.x, neg, nn, nn, s.UniqueTol) {
				continue
			}
			b := a + 1
			for b < len(cands) && (paired[b] || cands[b].kind != ca.kind || !same(neg, cands[b].x, nn, normInf(cands[b].x), s.UniqueTol)) {
				b++
			}
			if b == len(cands) {
				cands = append(cands, &cand{x: neg, q: ca.q, r: ca.r, kind: ca.kind, src: FromSymmetry, best: -1})
				paired = append(paired, true)
				continue
			}
			cb := cands[b]
			paired[a], paired[b] = true, true
			if cb.q < ca.q {
				ca.x, ca.q, ca.r = negate(cb.x), cb.q, cb.r
			} else {
				cb.x, cb.q, cb.r = neg, ca.q, ca.r
			}
		}
	}
	order := make([]int, len(cands))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ca, cb := cands[order[a]], cands[order[b]]
		if ca.kind != cb.kind {
			return ca.kind < cb.kind
		}
		return ca.q < cb.q
	})
	where := make([]int, len(cands))
	res.Points = make([]Point, len(cands))
	for p, ci := range order {
		c := cands[ci]
		where[ci] = p
		res.Points[p] = Point{
			X: append([]float64(nil), c.x...), Q: c.q, Residual: c.r,
			Kind: c.kind, Multiplicity: len(c.member), Source: c.src,
		}
	}
	for i := range res.Runs {
		res.Runs[i].Point = -1
	}
	for ci, c := range cands {
		for _, i := range c.member {
			res.Runs[i].Point = where[ci]
		}
	}
	st := &res.Stats
	st.Runs = len(res.Runs)
	st.Batched = s.net != nil
	st.Restarts = f.nDefl
	all := append(f.counts, f.defl)
	for _, c := range all {
		st.EarlyExits += c.early
		st.NewtonIter += c.newton
		st.BroydenSteps += c.broyden
		st.LMIter += c.lm
		st.SpeedEvals += c.speed
		st.ChordSteps += c.chord
		st.Factorizations += c.lu
		st.Hessians += c.hess
		st.KrylovProducts += c.krylov
	}
}
