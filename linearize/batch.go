package linearize

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync/atomic"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/lockstep"
)

// BatchSettings configures [LeadingAll]. A nil pointer and the zero value
// of each field mean the defaults.
type BatchSettings struct {
	// Batch is the number of Krylov runs kept in lockstep, each at its own
	// state, whose products with W are formed together in one pass over W.
	// Zero means DefaultBatch. It never changes the results.
	Batch int
	// Workers is the number of goroutines that advance the Krylov runs
	// between their products and share each pass over W (by blocks of
	// rows). Zero means GOMAXPROCS. It never changes the results.
	Workers int
	// Done, when not nil, is called once state i is done, from any
	// goroutine (it must be safe for concurrent use).
	Done func(i int)
}

// DefaultBatch is the default number of Krylov runs in lockstep of
// [LeadingAll]. A product with W reads all of W from memory, which at
// N = 4096 (134 MB) takes longer than the arithmetic; 8 products per pass
// read W once, where 8 separate products (or 8 workers each doing its own)
// read it 8 times.
const DefaultBatch = 8

// LeadingAll returns, for every state, what [Leading](net, states[i], k, s)
// returns, bit for bit, and computes them together: Batch runs of the
// Krylov–Schur method proceed in lockstep (internal/lockstep), and at each
// step their products with W are formed in one pass over W
// (dynamics.Evaluator.OperatorVecs), shared by Workers goroutines. A
// product with W is limited by the memory bandwidth, so this is several
// times faster than one Leading after the other, or than Leading on
// several goroutines, which compete for the same bandwidth.
//
// spectra[i] and errs[i] are Leading's results for states[i]. When ctx is
// cancelled, the states not yet started get ctx.Err(). A panic in one run
// (a bug) becomes that state's error.
func LeadingAll(ctx context.Context, net *dynamics.Network, states [][]float64, k int, s *Settings, b *BatchSettings) (spectra []*Spectrum, errs []error) {
	checkLeading(net, k, states...)
	var set BatchSettings
	if b != nil {
		set = *b
	}
	if set.Batch <= 0 {
		set.Batch = DefaultBatch
	}
	if set.Workers <= 0 {
		set.Workers = runtime.GOMAXPROCS(0)
	}
	spectra = make([]*Spectrum, len(states))
	errs = make([]error, len(states))
	slots := min(set.Batch, len(states))
	if slots == 0 {
		return spectra, errs
	}
	ev := net.NewEvaluator(set.Workers)
	var next atomic.Int64
	lockstep.Run(slots, set.Workers, func(_ int, p *lockstep.Port[dynamics.OperatorProduct]) {
		// mul posts dst = A v and returns when the round formed it.
		mul := func(dst, d, v []float64) {
			pr := dynamics.OperatorProduct{Dst: dst, Phi: d, V: v}
			if !p.Wait(pr) {
				ev.OperatorVecs([]dynamics.OperatorProduct{pr})
			}
		}
		for {
			i := int(next.Add(1) - 1)
			if i >= len(states) {
				return
			}
			if err := ctx.Err(); err != nil {
				errs[i] = err
				continue
			}
			spectra[i], errs[i] = leadingRecovered(net, states[i], k, s, mul)
			if set.Done != nil {
				set.Done(i)
			}
		}
	}, ev.OperatorVecs)
	return spectra, errs
}

// leadingRecovered is leading, with a panic (a bug) as its error.
func leadingRecovered(net *dynamics.Network, h []float64, k int, s *Settings, mul func(dst, d, v []float64)) (sp *Spectrum, err error) {
	defer func() {
		if p := recover(); p != nil {
			sp, err = nil, fmt.Errorf("linearize: internal error: %v\n%s", p, debug.Stack())
		}
	}()
	return leading(net, h, k, s, mul)
}
