package par

import "time"

// Balance divides n rows among the members of a [Team] in proportion to
// their speeds, measured as they run: for loops in which each member owns
// a block of rows for many steps (to keep its rows in its own core's
// cache) and all meet at the barrier once per step, where the members
// that finish early wait for the slowest. Equal blocks are not equal work
// when one core is slower than another (on a virtual machine one core
// can run at half the other's speed for milliseconds to seconds at a
// time); Balance moves rows from the slower members to the faster ones.
//
// Each member calls [Balance.Rows] for its rows and [Balance.Sync] in
// place of the Team's sync. Sync times the member's work between barriers;
// every window steps the members publish their times before the barrier
// and, after it, each derives the same new division from the same
// numbers, in its own copy: no member writes what another reads in the
// same step, and no extra barrier is needed. The division changes only at
// a Sync, so the rows a member gets from Rows before a Sync may differ
// from those it gets after it; a loop whose results must not depend on
// the division (row by row arithmetic) keeps them so whatever it is.
//
// Divisions are in multiples of grain rows (whole cache lines of the
// per-row vectors) where n allows it, every member keeps at least one
// grain, and a new division is taken only if it promises the step 2%
// sooner, so that rows do not flap between members on noise. A Balance
// may serve many Team runs in turn (the division learned carries over);
// its members must be the Team's.
type Balance struct {
	n, grain, window int
	clock            func(w int) time.Duration
	members          []*balanceMember
	// published[w] is member w's time over the last window, written
	// before the window's last barrier and read after it.
	published []time.Duration
}

// balanceMember is one member's own state, in a cache line of its own.
type balanceMember struct {
	cuts  []int // the division as this member knows it: member v owns rows cuts[v] to cuts[v+1]
	busy  time.Duration
	last  time.Duration
	steps int
	speed []float64 // divide's scratch
	next  []int
	_     [64]byte
}

// NewBalance returns a Balance of n rows among members, starting from
// equal blocks. window is the number of steps between divisions (at least
// 2). clock gives a member's current time; nil: the monotonic clock
// (tests pass a clock that makes some members look slow).
func NewBalance(n, members, grain, window int, clock func(w int) time.Duration) *Balance {
	members = max(1, min(members, n))
	if grain < 1 || members*grain > n {
		grain = 1
	}
	if clock == nil {
		start := time.Now()
		clock = func(int) time.Duration { return time.Since(start) }
	}
	b := &Balance{n: n, grain: grain, window: max(window, 2), clock: clock, published: make([]time.Duration, members)}
	even := make([]int, members+1)
	for w := range even {
		even[w] = int(float64(n*w)/float64(members*grain)+0.5) * grain
	}
	even[members] = n
	for range members {
		b.members = append(b.members, &balanceMember{cuts: append([]int(nil), even...), speed: make([]float64, members), next: make([]int, members+1)})
	}
	return b
}

// Members returns the number of members the rows are divided among.
func (b *Balance) Members() int { return len(b.members) }

// Rows returns the rows of member w under its current division.
func (b *Balance) Rows(w int) (lo, hi int) {
	c := b.members[w].cuts
	return c[w], c[w+1]
}

// Start begins member w's timing of a Team run; call it before the
// member's first Sync of the run.
func (b *Balance) Start(w int) {
	m := b.members[w]
	m.last = b.clock(w)
}

// Sync is the Team's sync for member w, timing the member's work since
// its last Sync (or Start) and, at the end of every window, re-dividing
// the rows.
func (b *Balance) Sync(w int, sync func()) {
	m := b.members[w]
	if len(b.members) == 1 {
		sync()
		return
	}
	m.busy += b.clock(w) - m.last
	m.steps++
	end := m.steps%b.window == 0
	if end {
		b.published[w] = m.busy
		m.busy = 0
	}
	sync()
	if end {
		m.divide(b.published, b.n, b.grain)
	}
	m.last = b.clock(w)
}

// divide sets m.cuts to rows in proportion to each member's speed (its
// rows over its time in the window), in multiples of grain with at least
// one grain each, if that shortens the slowest member's predicted time by
// 2%.
func (m *balanceMember) divide(busy []time.Duration, n, grain int) {
	members := len(busy)
	speed, next := m.speed[:members], m.next[:members+1]
	total, slowest := 0.0, 0.0
	for w, t := range busy {
		s := max(float64(t), 1)
		speed[w] = float64(m.cuts[w+1]-m.cuts[w]) / s
		total += speed[w]
		slowest = max(slowest, s)
	}
	want, predicted := 0.0, 0.0
	next[0] = 0
	for w := range members {
		want += float64(n) * speed[w] / total
		c := int(want/float64(grain)+0.5) * grain
		if w == members-1 {
			c = n
		}
		next[w+1] = min(max(c, next[w]+grain), n-(members-1-w)*grain)
		predicted = max(predicted, float64(next[w+1]-next[w])/speed[w])
	}
	if predicted < 0.98*slowest {
		copy(m.cuts, next)
	}
}
