package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/cmplx"
	"strings"
	"time"

	"github.com/fpfind/fpfind/attractor"
	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/explore"
	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/io/report"
	"github.com/fpfind/fpfind/linearize"
)

// attractorMaxN is the largest N whose continuous attractors find traces
// unless --attractors is given: each sample costs a spectrum and a few
// dense factorisations (2.5 ms at N = 128, 16 ms at N = 256: a ring of
// 98 samples in 0.25 s and 1.6 s, BenchmarkRing, at load 2-3).
const attractorMaxN = 256

// attractorBytes is the memory a worker tracing continuous attractors
// holds at N units: about 13 N x N matrices (a sample's operator, the
// projection's A, A^T and Gram matrix, inverse iteration's 2N x 2N
// system, the LU factors of nearZero, and the dense decomposition where
// that falls back to it, with its workspace).
func attractorBytes(n int) float64 { return 13 * float64(n) * float64(n) * f8 }

// continua is what find adds about continuous attractors: the attractors
// and, per point, the one it lies on (-1: none).
type continua struct {
	as      []attractor.Attractor
	on      []int
	seconds float64
}

// findAttractors traces the continuous attractors through res's points
// (in their final order).
func findAttractors(ctx context.Context, e *env, net *dynamics.Network, res *explore.Result, o *findOptions, solver linearize.Eigensolver) (*continua, error) {
	if !o.attractors {
		return nil, nil
	}
	n := net.Dim()
	if n > attractorMaxN && !o.attractorsGiven {
		e.log.Printf("note: continuous attractors are not traced above N = %d (each sample costs dense factorisations, O(N^3)); --attractors traces them", attractorMaxN)
		return nil, nil
	}
	xs := make([][]float64, len(res.Points))
	for i, p := range res.Points {
		xs[i] = p.X
	}
	t0 := time.Now()
	as, err := attractor.Find(ctx, net, xs, res.Spectra, &attractor.Settings{Solver: solver, Workers: effectiveWorkers(o.workers, len(xs))})
	if err != nil {
		return nil, err
	}
	c := &continua{as: as, on: make([]int, len(xs)), seconds: time.Since(t0).Seconds()}
	for i := range c.on {
		c.on[i] = -1
	}
	for k, a := range as {
		for _, p := range a.Points {
			c.on[p] = k
		}
	}
	return c, nil
}

// timing prints --timing's line for the continuous attractors.
func (c *continua) timing(w io.Writer) {
	if c != nil {
		fmt.Fprintf(w, "fpfind: timing: continuous attractors %.3f s (%d)\n", c.seconds, len(c.as))
	}
}

// rates returns, over an attractor's samples, the largest modulus of its
// slow modes' rates and the smallest of the next mode's (the gap), in
// 1/time (ln(lambda)/dt for the maps).
func rates(a attractor.Attractor, dt float64) (slow, next float64) {
	next = math.Inf(1)
	rate := func(l complex128) float64 {
		if dt == 0 {
			return cmplx.Abs(l)
		}
		return cmplx.Abs(cmplx.Log(l)) / dt
	}
	for _, vs := range a.Slow {
		for j, l := range vs {
			if j < a.Dim {
				slow = max(slow, rate(l))
			} else if j == a.Dim {
				next = min(next, rate(l))
			}
		}
	}
	return slow, next
}

// report fills in the attractors of doc.
func (c *continua) report(doc *report.Find, dt float64) {
	if c == nil {
		return
	}
	doc.Attractors = []report.Attractor{}
	for k, a := range c.as {
		slow, next := rates(a, dt)
		var speed float64
		for _, s := range a.Speeds {
			speed = max(speed, s)
		}
		doc.Attractors = append(doc.Attractors, report.Attractor{Index: k, Kind: a.Kind.String(), Dim: a.Dim, Closed: a.Closed, Truncated: a.Truncated,
			Length: report.Float(a.Length), Points: append([]int{}, a.Points...), Samples: len(a.Samples), MaxSpeed: report.Float(speed),
			SlowRateMax: report.Float(slow), NextRateMin: report.Float(next)})
	}
	for i, k := range c.on {
		doc.Points[i].Attractor = &k
	}
}

// arrays returns the .npz keys of the continuous attractors (docs/DESIGN.md
// section 4).
func (c *continua) arrays(n int) []numpy.Array {
	if c == nil {
		return nil
	}
	na := len(c.as)
	kind, dim, closed, trunc, length := make([]string, na), make([]int64, na), make([]bool, na), make([]bool, na), make([]float64, na)
	var samples, speed []float64
	var id []int64
	e := 0
	for _, a := range c.as {
		e = max(e, a.Dim+2)
	}
	var eig []complex128
	for k, a := range c.as {
		kind[k], dim[k], closed[k], trunc[k], length[k] = a.Kind.String(), int64(a.Dim), a.Closed, a.Truncated, a.Length
		for s, x := range a.Samples {
			samples = append(samples, x...)
			speed = append(speed, a.Speeds[s])
			id = append(id, int64(k))
			for j := range e {
				v := complex(math.NaN(), math.NaN())
				if j < len(a.Slow[s]) {
					v = a.Slow[s][j]
				}
				eig = append(eig, v)
			}
		}
	}
	on := make([]int64, len(c.on))
	for i, k := range c.on {
		on[i] = int64(k)
	}
	ns := len(id)
	return []numpy.Array{
		{Name: "attractor", Shape: []int{len(on)}, Data: on},
		{Name: "attractor_kind", Shape: []int{na}, Data: kind},
		{Name: "attractor_dim", Shape: []int{na}, Data: dim},
		{Name: "attractor_closed", Shape: []int{na}, Data: closed},
		{Name: "attractor_truncated", Shape: []int{na}, Data: trunc},
		{Name: "attractor_length", Shape: []int{na}, Data: length},
		{Name: "attractor_samples", Shape: []int{ns, n}, Data: orEmpty(samples)},
		{Name: "attractor_sample_id", Shape: []int{ns}, Data: orEmpty(id)},
		{Name: "attractor_sample_speed", Shape: []int{ns}, Data: orEmpty(speed)},
		{Name: "attractor_sample_eigenvalues", Shape: []int{ns, e}, Data: orEmpty(eig)},
	}
}

// attractorLines are the table's lines on continuous attractors.
func attractorLines(doc report.Find) string {
	if len(doc.Attractors) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\ncontinuous attractors (slow modes tangent to a connected set of slow points):\n")
	for _, a := range doc.Attractors {
		shape := fmt.Sprintf("%s %d: dimension %d", a.Kind, a.Index, a.Dim)
		if a.Kind != "manifold" {
			shape += fmt.Sprintf(", length %.4g", float64(a.Length))
		}
		if a.Truncated {
			shape += " (traced only in part)"
		}
		fmt.Fprintf(&b, "%s, %d samples with |F|inf <= %s; %d points on it (%s); slow rates <= %s, next >= %s (1/time)\n",
			shape, a.Samples, sci(float64(a.MaxSpeed)), len(a.Points), pointList(a.Points), sci(float64(a.SlowRateMax)), sci(float64(a.NextRateMin)))
	}
	return b.String()
}

// pointList shows up to 8 point indices.
func pointList(ps []int) string {
	var s []string
	for i, p := range ps {
		if i == 8 {
			s = append(s, "...")
			break
		}
		s = append(s, fmt.Sprint(p))
	}
	return strings.Join(s, " ")
}

// curve is an attractor as the graph panel draws it: its samples in
// order, whether it closes, and its legend label.
type curve struct {
	samples [][]float64
	closed  bool
	label   string
}

// curves returns the attractors to draw.
func (c *continua) curves() []curve {
	if c == nil {
		return nil
	}
	var out []curve
	for k, a := range c.as {
		out = append(out, curve{samples: a.Samples, closed: a.Closed, label: fmt.Sprintf("%s %d (%d samples)", a.Kind, k, len(a.Samples))})
	}
	return out
}
