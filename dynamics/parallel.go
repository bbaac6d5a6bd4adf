package dynamics

import (
	"runtime"
	"sync/atomic"

	"github.com/fpfind/fpfind/internal/kernel"
)

// spinLoads is how many times an idle helper of a [ParallelField] polls for
// new work before it parks (tens of microseconds): long enough to catch the
// next call of an integrator, whose calls come back to back, and short
// enough to give the core back soon when none comes.
const spinLoads = 1 << 16

// ParallelField evaluates the field of one state on several cores with
// persistent helper goroutines, for one large trajectory on a multi-core
// machine. Goroutines started on every call would pay the scheduler's
// wake-up latency (tens of microseconds, as much as a whole product at
// N = 1024); its helpers instead wait for the next call by spinning
// briefly, then park. Each row is computed exactly as
// [Network.Field] computes it, so the result is bit-identical to Field's.
//
// A ParallelField serves one caller at a time (its Field is not safe for
// concurrent use); Close stops its helpers.
type ParallelField struct {
	n      *Network
	bounds []int // block k is rows bounds[k]:bounds[k+1]; the caller does block 0
	dst, h []float64
	seq    atomic.Uint64 // generation of the current call
	done   atomic.Int64  // helpers finished with the current generation
	quit   atomic.Bool
	parked []atomic.Bool
	wake   []chan struct{}
	closed bool
}

// ParallelField returns a ParallelField that splits the rows of W h into
// as many blocks as the evaluator has goroutines (fewer when N is small:
// each block has at least 32 rows). With one block it is plain
// [Network.Field] and starts no goroutine.
func (e *Evaluator) ParallelField() *ParallelField {
	n := e.net
	const minRows = 32
	parts := max(1, min(e.workers, n.n/minRows))
	// kernel.Gemv sums every row in the same order wherever a block starts;
	// blocks of multiples of 8 rows keep its 4-row groups aligned.
	size := ((n.n+parts-1)/parts + 7) / 8 * 8
	p := &ParallelField{n: n, bounds: []int{0}}
	for r := size; r < n.n; r += size {
		p.bounds = append(p.bounds, r)
	}
	p.bounds = append(p.bounds, n.n)
	helpers := len(p.bounds) - 2
	p.parked = make([]atomic.Bool, helpers)
	p.wake = make([]chan struct{}, helpers)
	for k := range helpers {
		p.wake[k] = make(chan struct{}, 1)
		go p.helper(k)
	}
	return p
}

// Parts returns the number of row blocks (cores) a call uses.
func (p *ParallelField) Parts() int { return len(p.bounds) - 1 }

// Field writes F(h) into dst, as [Network.Field] does. dst and h must have
// length N and must not be the same slice. It panics after Close.
func (p *ParallelField) Field(dst, h []float64) {
	n := p.n
	n.checkLen(dst, h)
	if alias(dst, h) {
		panic("dynamics: dst aliases h")
	}
	if p.closed {
		panic("dynamics: ParallelField used after Close")
	}
	helpers := len(p.wake)
	if helpers == 0 {
		n.Field(dst, h)
		return
	}
	p.dst, p.h = dst, h
	p.done.Store(0)
	p.seq.Add(1) // publishes dst, h and done to the helpers
	for k := range helpers {
		if p.parked[k].CompareAndSwap(true, false) {
			p.wake[k] <- struct{}{}
		}
	}
	p.block(0)
	for i := 0; p.done.Load() != int64(helpers); i++ {
		if i > 64 {
			runtime.Gosched()
		}
	}
	p.dst, p.h = nil, nil
}

// Close stops the helpers. A closed ParallelField must not be used again.
func (p *ParallelField) Close() {
	if p.closed {
		return
	}
	p.closed = true
	p.quit.Store(true)
	for k := range p.wake {
		if p.parked[k].CompareAndSwap(true, false) {
			p.wake[k] <- struct{}{}
		}
	}
}

func (p *ParallelField) block(k int) {
	n := p.n
	r0, r1 := p.bounds[k], p.bounds[k+1]
	d := p.dst[r0:r1]
	copy(d, n.c[r0:r1])
	kernel.Gemv(d, 1, n.w.Data[r0*n.w.Stride:], n.w.Stride, p.h)
	n.finishRows(d, p.h[r0:r1], r0)
}

// helper k computes block k+1 of every call until Close.
func (p *ParallelField) helper(k int) {
	var last uint64
	for {
		spins := 0
		for p.seq.Load() == last && !p.quit.Load() {
			spins++
			if spins < spinLoads {
				continue
			}
			// Park: announce it, then check once more for work that was
			// published before the announcement was seen.
			p.parked[k].Store(true)
			if p.seq.Load() != last || p.quit.Load() {
				if !p.parked[k].CompareAndSwap(true, false) {
					<-p.wake[k] // a wake-up is on its way: take it
				}
				break
			}
			<-p.wake[k]
			spins = 0
		}
		if p.quit.Load() {
			return
		}
		last = p.seq.Load()
		p.block(k + 1)
		p.done.Add(1)
	}
}
