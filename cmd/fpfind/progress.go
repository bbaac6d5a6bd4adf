package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/fpfind/fpfind/fixedpoint"
)

// progress draws one line of progress on stderr, redrawn in place with \r at
// most ten times a second, when enabled (a terminal, or --progress always).
type progress struct {
	e     *env
	on    bool
	mu    sync.Mutex
	start time.Time
	last  time.Time
	name  string
	done  int
	total int
	found int // fixed points known to the solver so far
	drawn bool
	// extra, when set, adds to the line (a sweep's failures and the time
	// it expects to need).
	extra func(done, total int, elapsed time.Duration) string
}

func newProgress(e *env, on bool) *progress {
	return &progress{e: e, on: on, start: time.Now()}
}

// recorder returns the fixedpoint.Recorder that feeds the line, or nil.
func (p *progress) recorder() fixedpoint.Recorder {
	if !p.on {
		return nil
	}
	return fixedpoint.RecorderFunc(func(r fixedpoint.Progress) {
		name := "initial states"
		if r.Stage == "deflation" {
			name = "deflated restarts"
		}
		p.mu.Lock()
		p.found = r.Found
		p.mu.Unlock()
		p.update(name, r.Done, r.Total)
	})
}

// step reports one more step of the current stage.
func (p *progress) step() {
	if !p.on {
		return
	}
	p.mu.Lock()
	name, done, total := p.name, p.done+1, p.total
	p.mu.Unlock()
	p.update(name, done, total)
}

// stage starts a new stage of total steps (0: unknown).
func (p *progress) stage(name string, total int) { p.update(name, 0, total) }

func (p *progress) update(name string, done, total int) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if name == p.name && done < p.done {
		return // reports from workers may arrive out of order
	}
	p.name, p.done, p.total = name, done, total
	now := time.Now()
	if now.Sub(p.last) < 100*time.Millisecond && done < total {
		return
	}
	p.last = now
	if p.extra != nil {
		fmt.Fprintf(p.e.stderr, "\rfpfind: %s %d/%d%s, %.1f s   ", name, done, total, p.extra(done, total, now.Sub(p.start)), now.Sub(p.start).Seconds())
	} else if total > 0 && p.found > 0 {
		fmt.Fprintf(p.e.stderr, "\rfpfind: %s %d/%d, %d fixed points so far, %.1f s   ", name, done, total, p.found, now.Sub(p.start).Seconds())
	} else if total > 0 {
		fmt.Fprintf(p.e.stderr, "\rfpfind: %s %d/%d, %.1f s   ", name, done, total, now.Sub(p.start).Seconds())
	} else {
		fmt.Fprintf(p.e.stderr, "\rfpfind: %s, %.1f s   ", name, now.Sub(p.start).Seconds())
	}
	p.drawn = true
}

// finish ends the line.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.e.stderr)
		p.drawn = false
	}
}
