package explore

import (
	"context"
	"fmt"
	"math"
	"math/cmplx"
	"runtime"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/internal/par"
	"github.com/fpfind/fpfind/linearize"
)

// manifoldEps is the size of the step off a point along an unstable
// direction: eps = manifoldEps sqrt(N) in the 2-norm, manifoldEps per unit
// on average, well inside the linear regime of tanh-like units. A slowly
// growing mode starts further out (startDisplacement).
const manifoldEps = 1e-3

// manifoldRefRate is the growth rate, per largest time constant, from
// which down a mode starts further out than manifoldEps: its linear phase,
// log(1/displacement) / rate, lasts no longer than that of a mode growing
// at manifoldRefRate from manifoldEps (about 35 time constants).
const manifoldRefRate = 0.2

// startDisplacement returns the displacement per unit (the 2-norm over
// sqrt(N)) of the start along a mode growing at rate (per largest time
// constant) at a point whose fastest growing mode grows at lead. A mode
// slower than manifoldRefRate starts at manifoldEps^(rate /
// manifoldRefRate), so that the integration of its linear phase, where the
// trajectory only grows along the mode, is no longer than a faster mode's;
// the displacement stays below sqrt(manifoldEps) (about 0.03 per unit),
// where for units whose second derivatives and gains are of order one the quadratic
// terms of the field are a few percent of the linear ones. Only a
// mode growing at least half as fast as the point's fastest starts
// further out: from a start d along a slower one, the components of order
// d^2 along the faster mode grow past the slow one's anyway (d^(2 -
// lead/rate) << 1 fails), so where it goes is not the slow mode's to
// decide, and a larger d would only change which way rounding tips it.
func startDisplacement(rate, lead float64) float64 {
	if rate >= manifoldRefRate || rate < lead/2 {
		return manifoldEps
	}
	return math.Min(math.Pow(manifoldEps, rate/manifoldRefRate), math.Sqrt(manifoldEps))
}

// manifoldSettle and manifoldMaxTime bound a manifold trajectory, in
// largest time constants: the time to escape from eps (log(1/manifoldEps)
// over the growth rate, twice) plus manifoldSettle, at most manifoldMaxTime.
const (
	manifoldSettle  = 100
	manifoldMaxTime = 1000
)

// direction is one unstable direction of a point.
type direction struct {
	from, mode int
	v          []float64 // unit 2-norm
	rate       float64   // growth rate per unit time
}

// manifolds follows the unstable directions of every fixed point not
// followed before: from X +- eps v until the trajectory settles, then a
// solve from where it settled (and from where its speed had deep minima),
// recording an edge for each. It reports whether it found anything to
// follow.
//
// On an odd-symmetric network, a point whose exact mirror (see
// dynamics.Network.Mirrors) comes before it in this call has the same
// operator, so the same directions, and the trajectory from its -X + s eps
// v is the exact negation of the one from X - s eps v: its edge (mode, s)
// is the mirror's edge (mode, -s) with the end mapped to its mirror, and
// is not integrated (Settings.NoMirrors integrates it, apart from the
// others so that its lockstep group shares no step with them, and solves
// from where it ends: the same edges and points, bit for bit).
func (x *explorer) manifolds(ctx context.Context) (bool, error) {
	if x.s.Modes < 0 {
		return false, nil
	}
	var todo []int
	for i := range x.res.Points {
		if x.explored[i] {
			continue
		}
		x.explored[i] = true
		// Kind first: a slow point's spectrum may still be being computed
		// (lineariseAhead).
		if x.res.Points[i].Kind != fixedpoint.Fixed {
			continue
		}
		if sp := x.res.Spectra[i]; sp == nil || sp.NUnstable == 0 {
			continue
		}
		todo = append(todo, i)
	}
	// of[i] is the point of todo whose directions and trajectories point
	// i's are the mirror images of, or -1 (with NoMirrors, every point's
	// directions are still its own).
	of := map[int]int{}
	var own []int
	mirror := x.mirrors()
	for _, i := range todo {
		of[i] = -1
	}
	for _, i := range todo {
		if _, ok := of[mirror[i]]; ok && mirror[i] < i {
			of[i] = mirror[i]
			if !x.s.NoMirrors {
				continue
			}
		}
		own = append(own, i)
	}
	dirs, err := x.directions(ctx, own)
	if err != nil {
		return false, err
	}
	if len(dirs) == 0 {
		return false, nil
	}
	// Every point's directions in todo's order: a mirror's are its
	// mirror's, from itself.
	var all []direction
	for _, i := range todo {
		from := i
		if m := of[i]; m >= 0 && !x.s.NoMirrors {
			from = m
		}
		for _, d := range dirs {
			if d.from == from {
				d.from = i
				all = append(all, d)
			}
		}
	}
	n := x.net.Dim()
	lead := map[int]float64{} // the fastest growth rate of each point's directions
	for _, d := range all {
		lead[d.from] = math.Max(lead[d.from], d.rate)
	}
	var prim, theirs trajectories // theirs: NoMirrors' trajectories of the mirrors' edges
	edgeAt := map[[3]int]int{}    // (from, mode, sign) -> index into x.res.Edges
	var derived [][2]int          // (edge, the edge whose mirror image it is)
	for _, d := range all {
		unit := startDisplacement(d.rate*x.flow.tau, lead[d.from]*x.flow.tau)
		eps := unit * math.Sqrt(float64(n))
		escape := 2 * math.Log(1/unit) / d.rate
		until := math.Min(escape+manifoldSettle*x.flow.tau, manifoldMaxTime*x.flow.tau)
		for _, sign := range []int{1, -1} {
			x.res.Edges = append(x.res.Edges, Edge{From: d.from, Mode: d.mode, Sign: sign, To: ToBudget})
			e := len(x.res.Edges) - 1
			edgeAt[[3]int{d.from, d.mode, sign}] = e
			if x.budget <= 0 {
				continue
			}
			x.budget--
			h := make([]float64, n)
			for k, xk := range x.res.Points[d.from].X {
				h[k] = xk + float64(sign)*eps*d.v[k]
			}
			if twin, ok := edgeAt[[3]int{of[d.from], d.mode, -sign}]; ok {
				// The negation of the trajectory of (mirror, mode, -sign),
				// run before it: it had budget left too.
				derived = append(derived, [2]int{e, twin})
				if x.s.NoMirrors {
					theirs.add(h, x.res.Points[d.from].X, d.rate, until, escape, e)
				}
				continue
			}
			prim.add(h, x.res.Points[d.from].X, d.rate, until, escape, e)
		}
	}
	if err := x.follow(ctx, &prim); err != nil {
		return false, err
	}
	if x.s.NoMirrors && len(derived) > 0 {
		// The mirrors' trajectories, each in the row of the one it
		// mirrors and the other rows the negations of theirs, so that
		// every lockstep group takes the same steps as its counterpart
		// (a group shares its steps: ode.SolveLockstep).
		row := map[int]int{}
		for j, e := range prim.edges {
			row[e] = j
		}
		var mir trajectories
		for j, h := range prim.starts {
			mir.add(negated(h), negated(prim.from[j]), prim.rate[j], prim.until[j], prim.calm[j], -1)
		}
		for c, de := range derived {
			j := row[de[1]]
			mir.starts[j], mir.from[j], mir.rate[j], mir.until[j], mir.calm[j], mir.edges[j] = theirs.starts[c], theirs.from[c], theirs.rate[c], theirs.until[c], theirs.calm[c], de[0]
		}
		return true, x.follow(ctx, &mir)
	}
	// The mirror images of edges followed: their ends' mirrors.
	mirror = x.mirrors()
	for _, de := range derived {
		to := x.res.Edges[de[1]].To
		if to >= 0 {
			to = x.mirrorPoint(to, mirror)
		}
		x.res.Edges[de[0]].To = to
	}
	return true, nil
}

// trajectories are manifold trajectories to follow: their starts, the
// time each may run and its calm time (settleRequest), and the edge each
// ends (-1: none).
type trajectories struct {
	starts, from      [][]float64
	until, calm, rate []float64
	edges             []int
}

func (t *trajectories) add(h, from []float64, rate, until, calm float64, edge int) {
	t.starts = append(t.starts, h)
	t.rate = append(t.rate, rate)
	t.from = append(t.from, from)
	t.until = append(t.until, until)
	t.calm = append(t.calm, calm)
	t.edges = append(t.edges, edge)
}

// follow integrates the trajectories t until they settle, solves from
// where they came to rest and where they slowed down, and sets the end of
// each one's edge.
func (x *explorer) follow(ctx context.Context, t *trajectories) error {
	if len(t.starts) == 0 {
		return nil
	}
	n := x.net.Dim()
	x.stage(StageManifolds, len(t.starts))
	y := rowsOf(t.starts, n)
	minima := newSpeedMinima(len(t.starts), n)
	fates, err := x.flow.settle(ctx, settleRequest{y: y, until: t.until, calm: t.calm, observe: minima.observe, left: t.escape(n).left, cutAtStall: true})
	if err != nil {
		return err
	}
	// Solve from where trajectories came to rest: one still moving when
	// its time ran out (chaos, a cycle) ends anywhere, and its end would
	// be a random start.
	ends := make([][]float64, 0, len(t.starts))
	for j := range t.starts {
		if fates[j] == settled {
			ends = append(ends, y.RawRowView(j))
		}
	}
	var slow [][]float64
	for j := range t.starts {
		for _, h := range minima.found[j] {
			if !anyNear(slow, h) {
				slow = append(slow, h)
			}
		}
	}
	var idx []int
	if len(ends)+len(slow) > 0 {
		x.stage(StageSolving, len(ends)+len(slow))
		if idx, err = x.solveFrom(ctx, rowsOf(append(ends, slow...), n), fixedpoint.FromManifold); err != nil {
			return err
		}
	}
	k := 0
	for j, e := range t.edges {
		if e < 0 {
			if fates[j] == settled {
				k++
			}
			continue
		}
		switch fates[j] {
		case diverged:
			x.res.Edges[e].To = ToDiverged
		case moving:
			x.res.Edges[e].To = ToSlow
		default:
			x.res.Edges[e].To = ToSlow
			if idx[k] >= 0 {
				x.res.Edges[e].To = idx[k]
			}
			k++
		}
	}
	return nil
}

// directions returns the leading unstable directions of the points
// todo (at most Modes each, point by point): the eigenvector of a real
// eigenvalue, the real part of that of the positive-imaginary member of a
// complex pair and the imaginary part for the other member, each scaled
// to unit 2-norm. A mode is unstable when its margin exceeds
// linearize.DefaultEpsFactor times the operator's scale, whatever the
// caller's Eps.
//
// Up to inverseMax units, a point whose spectrum holds every eigenvalue
// takes the vectors of its followed eigenvalues from inverse iteration
// (linearize.InverseIteration, which normalises each with its largest
// component real), one LU of the shifted operator each (at N = 200 on 2
// cores, the uniform case's 7 points: 13 ms against 74 ms for their
// Krylov runs). Otherwise, and where inverse iteration fails its residual
// test or two followed eigenvalues other than a conjugate pair lie within
// clusterTol of each other (one shift would then give one vector twice),
// they come from linearize.Leading with k = dirEigs: from the point's
// spectrum when that is one (Partial, with right vectors and dirEigs
// values, as the default Spectra gives above DefaultFullMax: the spectrum
// is then computed once, not twice), and otherwise from a run of their own
// (linearize.LeadingAll, the points' runs sharing each pass over W).
func (x *explorer) directions(ctx context.Context, todo []int) ([]direction, error) {
	n := x.net.Dim()
	byPoint := make([][]direction, len(todo))
	done, err := x.inverseDirections(ctx, todo, byPoint)
	if err != nil {
		return nil, err
	}
	k := x.dirEigs()
	sps := make([]*linearize.Spectrum, len(todo))
	var own []int // indexes into todo of the points without a usable spectrum
	var states [][]float64
	for j, i := range todo {
		if done[j] {
			continue
		}
		if sp := x.res.Spectra[i]; sp.Partial && sp.Right != nil && len(sp.Values) == k {
			sps[j] = sp
			continue
		}
		own = append(own, j)
		states = append(states, x.res.Points[i].X)
	}
	if len(own) > 0 {
		got, errs := linearize.LeadingAll(ctx, x.net, states, k, &linearize.Settings{Vectors: linearize.RightVectors}, &linearize.BatchSettings{Workers: x.s.Workers})
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for c, j := range own {
			if got[c] == nil {
				return nil, fmt.Errorf("explore: unstable directions of point %d: %w", todo[j], errs[c])
			}
			sps[j] = got[c]
		}
	}
	var out []direction
	for j, i := range todo {
		if done[j] {
			out = append(out, byPoint[j]...)
			x.dropVectors(i)
			continue
		}
		sp := sps[j]
		for _, m := range x.followed(sp) {
			v := sp.Values[m]
			d := make([]float64, n)
			for r := range n {
				c := sp.Right.At(r, m)
				d[r] = real(c)
				if imag(v) < 0 {
					d[r] = imag(c)
				}
			}
			if unit(d) {
				out = append(out, direction{from: i, mode: m, v: d, rate: x.rate(v)})
			}
		}
		x.dropVectors(i)
	}
	return out, nil
}

// followed returns the indexes into sp.Values of the modes followed from
// its point: the leading unstable ones, at most Modes. A pair's members
// count as two modes (the real and the imaginary part of its vector).
func (x *explorer) followed(sp *linearize.Spectrum) []int {
	eps := linearize.DefaultEpsFactor * sp.Scale
	var ms []int
	for m, v := range sp.Values {
		if len(ms) == x.s.Modes || !(margin(sp.Convention, v) > eps) {
			break
		}
		ms = append(ms, m)
	}
	return ms
}

// unit scales d to unit 2-norm and reports false, leaving it, when it is
// zero.
func unit(d []float64) bool {
	norm := 0.0
	for _, v := range d {
		norm += v * v
	}
	if norm == 0 {
		return false
	}
	norm = math.Sqrt(norm)
	for r := range d {
		d[r] /= norm
	}
	return true
}

// inverseMax is the largest N at which directions computes the unstable
// vectors of a point with a full spectrum by inverse iteration: each
// complex eigenvalue costs an LU of order 2N (N = 200: 1.7 ms; a real one
// N), about 1/6 of a Krylov run at N = 200, a cost that grows as N^3
// against the Krylov runs' N^2 per product.
const inverseMax = 256

// clusterTol is how close, relative to the operator's scale, two followed
// eigenvalues of a point may lie before directions leaves the point to the
// Krylov run: inverse iteration with either shift would give the same
// vector.
const clusterTol = 1e-6

// inverseDirections computes, on the workers, the directions of the points
// of todo that directions takes from inverse iteration into byPoint, and
// reports which it did.
func (x *explorer) inverseDirections(ctx context.Context, todo []int, byPoint [][]direction) ([]bool, error) {
	n := x.net.Dim()
	done := make([]bool, len(todo))
	if n > inverseMax {
		return done, nil
	}
	var cand []int // indexes into todo
	for j, i := range todo {
		if sp := x.res.Spectra[i]; sp != nil && !sp.Partial && len(sp.Values) == n && !clustered(sp, x.followed(sp)) {
			cand = append(cand, j)
		}
	}
	if len(cand) == 0 {
		return done, nil
	}
	// One workspace (a 2N x 2N system) per goroutine of par.Each.
	workers := x.s.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(cand))
	free := make(chan *linearize.InverseIteration, workers)
	for range workers {
		free <- new(linearize.InverseIteration)
	}
	err := par.Each(ctx, len(cand), workers, func(c int) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		w := <-free
		defer func() { free <- w }()
		j := cand[c]
		i := todo[j]
		sp := x.res.Spectra[i]
		var op mat.Dense
		x.net.Operator(&op, x.res.Points[i].X)
		var dirs []direction
		var re, im []float64
		var of complex128 // the eigenvalue re + i im belongs to
		for _, m := range x.followed(sp) {
			v := sp.Values[m]
			if up := complex(real(v), math.Abs(imag(v))); re == nil || up != of {
				var ok bool
				if re, im, ok = w.Eigenvector(&op, up); !ok {
					return nil // left to the Krylov run
				}
				of = up
			}
			d := slices.Clone(re)
			if imag(v) < 0 {
				// The conjugate member's vector is re - i im.
				for r := range d {
					d[r] = -im[r]
				}
			}
			if unit(d) {
				dirs = append(dirs, direction{from: i, mode: m, v: d, rate: x.rate(v)})
			}
		}
		byPoint[j], done[j] = dirs, true
		return nil
	})
	return done, err
}

// clustered reports whether two of the followed eigenvalues ms of sp,
// other than the members of one conjugate pair, lie within clusterTol
// times its scale of each other.
func clustered(sp *linearize.Spectrum, ms []int) bool {
	tol := clusterTol * sp.Scale
	for a, ma := range ms {
		for _, mb := range ms[a+1:] {
			va, vb := sp.Values[ma], sp.Values[mb]
			if cmplx.Abs(va-vb) <= tol && !(imag(va) != 0 && va == cmplx.Conj(vb)) {
				return true
			}
		}
	}
	return false
}

// dirEigs is DirectionEigs for this exploration.
func (x *explorer) dirEigs() int { return DirectionEigs(x.net.Dim(), x.s.Modes) }

// DirectionEigs is the number of leading eigenvalues (with right vectors,
// from linearize.Leading) that Find takes the unstable directions of a
// point of an n-unit network from, when it follows modes of them (0:
// DefaultModes): modes+1 up to DefaultFullMax units, and above it that or
// DefaultEigs, whichever is larger, the count of the default Spectra, so
// that one Krylov run serves both (Settings.Spectra).
func DirectionEigs(n, modes int) int {
	if modes == 0 {
		modes = DefaultModes
	}
	if n <= DefaultFullMax {
		return modes + 1
	}
	return max(modes+1, DefaultEigs)
}

// rowsOf stacks states (at least one) into a matrix.
func rowsOf(states [][]float64, n int) *mat.Dense {
	m := mat.NewDense(len(states), n, nil)
	for j, h := range states {
		copy(m.RawRowView(j), h)
	}
	return m
}

// anyNear reports whether h is within sampleMergeTol of one of states.
func anyNear(states [][]float64, h []float64) bool {
	for _, s := range states {
		if near(s, h, sampleMergeTol) {
			return true
		}
	}
	return false
}

// manifoldFar is the root-mean-square distance per unit from its point
// beyond which a manifold trajectory whose distance has stopped growing
// at its mode's rate has escaped: ten times the largest start
// (startDisplacement), where tanh-like units are well outside their
// linear range.
const manifoldFar = 0.3

// escapes tells when manifold trajectories have escaped from their points
// (settleRequest.left): a trajectory has escaped at an observation where
// its distance from its point is at least manifoldFar sqrt(N) and grew
// since the last observation by less than exp(rate dt / 2), half its
// mode's rate; its calm time ends there, and its stall clock starts.
// Until then it is in its linear phase (or, on a network whose linear
// range is wider, still growing as in it, as towards infinity), and its
// calm time is the whole of twice its escape time. In chaos this ends the
// calm time about where the escape does, not twice as late.
type escapes struct {
	t    *trajectories
	far2 float64
	dist []float64 // at the last observation
	t0   []float64 // the time of the last observation
}

func (t *trajectories) escape(n int) *escapes {
	e := &escapes{t: t, far2: manifoldFar * manifoldFar * float64(n), dist: make([]float64, len(t.starts)), t0: make([]float64, len(t.starts))}
	for r, h := range t.starts {
		e.dist[r] = math.Sqrt(dist2(h, t.from[r]))
	}
	return e
}

func (e *escapes) left(r int, t float64, h []float64) bool {
	d2 := dist2(h, e.t.from[r])
	d := math.Sqrt(d2)
	grew := d > e.dist[r]*math.Exp(0.5*e.t.rate[r]*(t-e.t0[r]))
	e.dist[r], e.t0[r] = d, t
	return d2 >= e.far2 && !grew
}

// dist2 is the squared 2-norm of a - b.
func dist2(a, b []float64) float64 {
	s := 0.0
	for i, v := range a {
		d := v - b[i]
		s += d * d
	}
	return s
}
