package continuation

import (
	"context"
	"fmt"
	"math"
	"runtime"

	"github.com/fpfind/fpfind/internal/par"
)

// Resolve returns s (nil: the zero value) with every default applied, or an
// error naming the first invalid field.
func Resolve(s *Settings) (Settings, error) {
	var r Settings
	if s != nil {
		r = *s
	}
	bad := func(format string, args ...any) (Settings, error) {
		return Settings{}, fmt.Errorf("continuation: "+format, args...)
	}
	for _, v := range []float64{r.From, r.To} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return bad("the parameter interval [%v, %v] is not finite", r.From, r.To)
		}
	}
	if r.From == r.To {
		return bad("From = To = %v: the interval is empty", r.From)
	}
	if r.Start != nil && !(*r.Start >= min(r.From, r.To) && *r.Start <= max(r.From, r.To)) {
		return bad("Start = %v lies outside [%v, %v]", *r.Start, min(r.From, r.To), max(r.From, r.To))
	}
	for _, f := range []struct {
		name string
		v    *float64
		def  float64
	}{{"Tol", &r.Tol, DefaultTol}, {"ParamTol", &r.ParamTol, DefaultParamTol}, {"StepMax", &r.StepMax, DefaultStepFraction * math.Abs(r.To-r.From)}} {
		if *f.v == 0 {
			*f.v = f.def
		}
		if !(*f.v > 0) || math.IsInf(*f.v, 0) {
			return bad("%s = %v: want a finite number > 0", f.name, *f.v)
		}
	}
	if r.StepMin == 0 {
		r.StepMin = 1e-6 * r.StepMax
	}
	if r.Step == 0 {
		r.Step = r.StepMax / 4
	}
	if !(r.StepMin > 0 && r.StepMin <= r.Step && r.Step <= r.StepMax) {
		return bad("steps StepMin %v, Step %v, StepMax %v: want 0 < StepMin <= Step <= StepMax", r.StepMin, r.Step, r.StepMax)
	}
	if r.Eps < 0 || math.IsNaN(r.Eps) || math.IsInf(r.Eps, 0) {
		return bad("Eps = %v: want a finite number >= 0", r.Eps)
	}
	for _, f := range []struct {
		name string
		v    *int
		def  int
	}{{"MaxSteps", &r.MaxSteps, DefaultMaxSteps}, {"MaxBranches", &r.MaxBranches, DefaultMaxBranches}, {"FullMax", &r.FullMax, DefaultFullMax}, {"Eigs", &r.Eigs, DefaultEigs}} {
		if *f.v == 0 {
			*f.v = f.def
		}
		if *f.v < 0 {
			return bad("%s = %d: want 0 (the default) or more", f.name, *f.v)
		}
	}
	switch {
	case r.KrylovMin == 0:
		r.KrylovMin = DefaultKrylovMin
	case r.KrylovMin < 0:
		r.KrylovMin = math.MaxInt
	}
	if r.Workers <= 0 {
		r.Workers = runtime.GOMAXPROCS(0)
	}
	return r, nil
}

// Continue follows the branch of fixed points through every start point
// (each a state of the network at p = s.From, or s.Start, polished there
// onto the branch), towards s.To (and, from a start inside the interval,
// towards s.From too, unless the branch closed on itself first), and the branches switched onto at the branch
// points found (unless s.NoSwitch); it locates the special points on the
// way. A start point on a branch already followed (an earlier branch came
// back to it at From) is dropped and counted in Result.Duplicates. See the
// package documentation for the method.
//
// The result does not depend on s.Workers. The error reports bad settings,
// a start point of the wrong length, one that does not converge onto a
// branch at From, or a cancelled ctx.
func Continue(ctx context.Context, fam *Family, starts [][]float64, s *Settings) (*Result, error) {
	rs, err := Resolve(s)
	if err != nil {
		return nil, err
	}
	n := fam.base.Dim()
	for i, h := range starts {
		if len(h) != n {
			return nil, fmt.Errorf("continuation: start point %d has %d values, want N = %d", i, len(h), n)
		}
	}
	res := &Result{Settings: rs}
	up := rs.To > rs.From

	// The start nodes: each polished at p0, with a tangent for each
	// direction it is followed in.
	p0 := rs.From
	if rs.Start != nil {
		p0 = *rs.Start
	}
	ups := []bool{up}
	switch {
	case p0 == rs.To:
		ups = []bool{!up}
	case p0 != rs.From:
		ups = []bool{up, !up}
	}
	nodes := make([][]*node, len(starts))
	errs := make([]error, len(starts))
	startStats := make([]Stats, len(starts))
	err = par.Each(ctx, len(starts), rs.Workers, func(i int) error {
		w := newWork(fam, &rs)
		defer func() { startStats[i] = w.stat }()
		y := append(append([]float64(nil), starts[i]...), p0)
		if _, ok := w.correct(y, w.pRow(), p0); !ok {
			errs[i] = fmt.Errorf("continuation: start point %d is not a fixed point at p = %v (the corrector did not reach max|F| <= %g)", i, p0, rs.Tol)
			return nil
		}
		for _, u := range ups {
			t := w.startTangent(y, u)
			if t == nil {
				errs[i] = fmt.Errorf("continuation: start point %d: the Jacobian is singular at p = %v (a fold or branch point): start a little away from it", i, p0)
				return nil
			}
			nd, err := w.makeNode(y, t)
			if err != nil {
				errs[i] = fmt.Errorf("continuation: start point %d: %w", i, err)
				return nil
			}
			nodes[i] = append(nodes[i], nd)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, e := range errs {
		if e != nil {
			return nil, e
		}
		res.Stats.add(startStats[i])
	}

	// The branches from the start points, in waves of Workers: a start
	// point that a kept branch reached is skipped, as it would be dropped
	// whichever wave it ran in. A start inside the interval is followed
	// towards To, then towards From unless the first branch closed.
	var kept []traced
	covered := func(nd *node) bool {
		for _, k := range kept {
			first, last := k.branch.Points[0], k.branch.Points[len(k.branch.Points)-1]
			for _, pt := range []Point{first, last} {
				if math.Abs(pt.P-nd.pt.P) <= 1e-12*(1+math.Abs(pt.P)) && near(pt.H, nd.pt.H) {
					return true
				}
			}
		}
		return false
	}
	for i := 0; i < len(nodes); {
		var wave []int
		for ; i < len(nodes) && len(wave) < rs.Workers; i++ {
			switch {
			case covered(nodes[i][0]):
				res.Duplicates++
			case len(kept)+len(ups)*len(wave) >= rs.MaxBranches:
				res.Unfollowed++
			default:
				wave = append(wave, i)
			}
		}
		out := make([][]traced, len(wave))
		st := make([]Stats, len(wave))
		if err := par.Each(ctx, len(wave), rs.Workers, func(j int) error {
			w := newWork(fam, &rs)
			defer func() { st[j] = w.stat }()
			for d, nd := range nodes[wave[j]] {
				tr := w.trace(ctx, nd, false)
				tr.branch.Start, tr.branch.Parent, tr.branch.Sign = wave[j], -1, 1
				if ups[d] != up {
					tr.branch.Sign = -1
				}
				out[j] = append(out[j], tr)
				if tr.branch.End == EndClosed {
					break
				}
			}
			return nil
		}); err != nil {
			return nil, err
		}
		for j := range out {
			if covered(nodes[wave[j]][0]) {
				res.Duplicates++
				continue
			}
			kept = append(kept, out[j]...)
			res.Stats.add(st[j]) // the kept branches' work only: the same whatever the waves
		}
	}

	// Number the special points; switch at branch points, wave after wave.
	type bp struct{ branch, special int }
	var queue []bp
	add := func(tr traced) {
		b := len(res.Branches)
		base := len(res.Specials)
		for i := range tr.branch.Points {
			if k := tr.branch.Points[i].Special; k >= 0 {
				tr.branch.Points[i].Special = base + k
			}
		}
		for k, sp := range tr.specials {
			sp.Branch = b
			res.Specials = append(res.Specials, sp)
			if sp.Type == BranchPoint {
				queue = append(queue, bp{b, base + k})
			}
		}
		res.Branches = append(res.Branches, tr.branch)
	}
	tangents := map[int][]float64{}
	for _, k := range kept {
		base := len(res.Specials)
		for idx, t := range k.bpTangents {
			tangents[base+idx] = t
		}
		add(k)
	}
	if rs.NoSwitch {
		return res, ctx.Err()
	}
	var switched [][]float64 // the branch points switched at
	for len(queue) > 0 && len(res.Branches) < rs.MaxBranches {
		var jobs []struct {
			special int
			sign    int
		}
		for _, q := range queue {
			sp := res.Specials[q.special]
			dup := false
			for _, h := range switched {
				if near(h, sp.H) {
					dup = true
				}
			}
			if dup || tangents[q.special] == nil {
				continue
			}
			switched = append(switched, sp.H)
			for _, sign := range []int{1, -1} {
				if len(res.Branches)+len(jobs) < rs.MaxBranches {
					jobs = append(jobs, struct {
						special int
						sign    int
					}{q.special, sign})
				}
			}
		}
		queue = nil
		out := make([]traced, len(jobs))
		ok := make([]bool, len(jobs))
		st := make([]Stats, len(jobs))
		if err := par.Each(ctx, len(jobs), rs.Workers, func(j int) error {
			w := newWork(fam, &rs)
			defer func() { st[j] = w.stat }()
			sp := res.Specials[jobs[j].special]
			first, good := w.switchStart(sp, tangents[jobs[j].special], jobs[j].sign)
			if !good {
				return nil
			}
			out[j] = w.trace(ctx, first, true)
			out[j].branch.Points[0].Special = -1
			out[j].branch.Start, out[j].branch.Parent, out[j].branch.Sign = -1, jobs[j].special, jobs[j].sign
			ok[j] = true
			return nil
		}); err != nil {
			return nil, err
		}
		for j := range out {
			res.Stats.add(st[j])
			if !ok[j] {
				continue
			}
			base := len(res.Specials)
			for idx, t := range out[j].bpTangents {
				tangents[base+idx] = t
			}
			sp := &res.Specials[jobs[j].special]
			sp.Switched = append(sp.Switched, len(res.Branches))
			add(out[j])
		}
	}
	return res, ctx.Err()
}

// near reports whether two states are one point, by fixedpoint's unique
// tolerance: max_i |a_i - b_i| <= 1e-6 max(1, |a|_inf, |b|_inf).
func near(a, b []float64) bool {
	scale := max(1, maxAbs(a), maxAbs(b))
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-6*scale {
			return false
		}
	}
	return true
}

// switchStart returns the node at the branch point sp from which the branch
// crossing the one followed (whose tangent there is t) is followed on the
// side sign: the direction d = (q, 0) - <(q, 0), t> t, normalised, with q
// the null vector of J at the branch point, lies in the null space of
// [J dF/dp] and is orthogonal to t, so the first corrector, on the
// hyperplane d . (y - y_bp) = step, meets the other branch and not the
// first.
func (w *work) switchStart(sp Special, t []float64, sign int) (*node, bool) {
	y := append(append([]float64(nil), sp.H...), sp.P)
	net, _ := w.evaluate(y)
	if net == nil {
		return nil, false
	}
	q, _ := w.nullVectors(net, sp.H)
	if q == nil {
		return nil, false
	}
	d := append(q, 0)
	c := w.dot(d, t)
	for i := range d {
		d[i] = float64(sign) * (d[i] - c*t[i])
	}
	if !(w.dot(d, d) > 1e-12) {
		return nil, false
	}
	w.normalize(d)
	nd, err := w.makeNode(y, d)
	if err != nil {
		return nil, false
	}
	return nd, true
}
