package continuation

import (
	"cmp"
	"math"
	"math/cmplx"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/linearize"
)

// spectrum returns the spectrum of the convention's operator at h for the
// network net: every eigenvalue up to FullMax, the Eigs leading ones (by
// Krylov-Schur, no N x N matrix) above.
func (w *work) spectrum(net *dynamics.Network, h []float64) (*linearize.Spectrum, error) {
	w.stat.Spectra++
	ls := &linearize.Settings{Vectors: linearize.ValuesOnly, Eps: w.s.Eps, Solver: w.s.Solver}
	if w.n > w.s.FullMax {
		// Doubled while every computed eigenvalue is unstable: a crossing
		// is then among them.
		for k := w.s.Eigs; ; k *= 2 {
			sp, err := linearize.Leading(net, h, min(k, w.n), ls)
			if err != nil || !sp.MoreUnstable || k >= w.n {
				return sp, err
			}
		}
	}
	if w.op == nil {
		w.op = mat.NewDense(w.n, w.n, nil)
	}
	net.Operator(w.op, h)
	return linearize.Decompose(w.op, net.Convention(), ls)
}

// crossing is the kind of eigenvalue crossing a test function watches.
type crossing int

const (
	realCross crossing = iota // a real eigenvalue through 0 (1 for maps): fold or branch point
	negCross                  // a real eigenvalue through -1 (maps): period doubling
	pairCross                 // a complex pair through the imaginary axis (unit circle for maps)
)

// counts are the unstable eigenvalues of each kind: real ones (beyond 0,
// or beyond 1 for maps), real ones below -1 (maps) and complex pairs
// (counted once).
type counts struct{ real, neg, pairs int }

// distance returns the signed distance of lambda from the stability
// boundary: Re lambda (continuous), |lambda| - 1 (maps).
func distance(v complex128, isMap bool) float64 {
	if isMap {
		return cmplx.Abs(v) - 1
	}
	return real(v)
}

func countOf(vals []complex128, isMap bool) counts {
	var c counts
	for _, v := range vals {
		switch {
		case imag(v) == 0 && isMap && real(v) < 0:
			if real(v) < -1 {
				c.neg++
			}
		case imag(v) == 0:
			if distance(v, isMap) > 0 {
				c.real++
			}
		case imag(v) > 0:
			if distance(v, isMap) > 0 {
				c.pairs++
			}
		}
	}
	return c
}

// event is one crossing between two points, and the rank k (among the
// eigenvalues of its kind, by decreasing distance) of the eigenvalue that
// crosses: its distance has opposite signs at the two ends.
type event struct {
	kind crossing
	k    int
}

// events returns the crossings between two points with counts a and b, and
// whether they are too many to tell apart in one step (the step is then
// shortened). A real eigenvalue crosses when the parity of the real count
// changes (the sign of det J changes); a pair crosses when the number of
// unstable pairs changes other than by a collision on the real axis (an
// unstable pair becoming two unstable real eigenvalues, or back).
func events(a, b counts) (evs []event, ambiguous bool) {
	dr, dn, dp := b.real-a.real, b.neg-a.neg, b.pairs-a.pairs
	if dr%2 != 0 {
		evs = append(evs, event{realCross, min(a.real, b.real)})
	}
	if dn%2 != 0 {
		evs = append(evs, event{negCross, min(a.neg, b.neg)})
	}
	if dp != 0 && dr+dn != -2*dp {
		evs = append(evs, event{pairCross, min(a.pairs, b.pairs)})
	}
	ambiguous = len(evs) > 1 || abs(dr) > 1 || abs(dn) > 1 || abs(dp) > 1
	return evs, ambiguous
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// psi is the test function of the event: the distance to the boundary of
// the k-th eigenvalue of its kind (in decreasing distance), and that
// eigenvalue. It is NaN when the spectrum holds fewer than k+1 of them.
func psi(vals []complex128, isMap bool, ev event) (float64, complex128) {
	type cand struct {
		d float64
		v complex128
	}
	var cs []cand
	for _, v := range vals {
		switch ev.kind {
		case realCross:
			if imag(v) == 0 && !(isMap && real(v) < 0) {
				cs = append(cs, cand{distance(v, isMap), v})
			}
		case negCross:
			if imag(v) == 0 && real(v) < 0 {
				cs = append(cs, cand{-real(v) - 1, v})
			}
		case pairCross:
			if imag(v) > 0 {
				cs = append(cs, cand{distance(v, isMap), v})
			}
		}
	}
	slices.SortStableFunc(cs, func(x, y cand) int { return cmp.Compare(y.d, x.d) })
	if ev.k >= len(cs) {
		return math.NaN(), cmplx.NaN()
	}
	return cs[ev.k].d, cs[ev.k].v
}

// typeOf names the special point of an event: a real crossing is a fold
// when the branch turns back in p (the tangent's p-component changes sign)
// and a branch point otherwise.
func typeOf(kind crossing, isMap, turns bool) Type {
	switch kind {
	case realCross:
		if turns {
			return Fold
		}
		return BranchPoint
	case negCross:
		return PeriodDoubling
	}
	if isMap {
		return NeimarkSacker
	}
	return Hopf
}
