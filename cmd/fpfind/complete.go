package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/fpfind/fpfind/certify"
	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/explore"
	"github.com/fpfind/fpfind/fixedpoint"
	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/io/report"
	"github.com/fpfind/fpfind/linearize"
)

// completion is what find --complete adds: certify.Complete's result,
// the points it added to the solver's, and the seconds it took.
type completion struct {
	res     *certify.CompleteResult
	added   int
	seconds float64
	max     int
}

// checkComplete refuses --complete where no box is known to hold every
// fixed point (an unbounded activation).
func checkComplete(name string, net *dynamics.Network, o *findOptions) error {
	if !o.complete {
		return nil
	}
	if lo, hi := net.Activation().Range(); math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return usageErrorf(name, "--complete: the activation %s is unbounded, so no box is known to hold every fixed point; --complete needs tanh, sigmoid or rectified-tanh (--certify proves the points found)", net.Activation())
	}
	return nil
}

// completeSet runs certify.Complete and merges its points into res: a
// proven point whose certified ball holds the certified enclosure of a
// point found by the solver (or lies within the unique tolerance of one)
// is that point; any other is added (source interval), linearised by
// spectra and certified. A certified point of the solver's that no proven
// point matches would contradict the proof: the set is then not claimed
// complete, and a warning says so.
func completeSet(ctx context.Context, e *env, net *dynamics.Network, res *explore.Result, cert *certification, o *findOptions,
	spectra func(context.Context, [][]float64) ([]*linearize.Spectrum, error)) (*completion, error) {
	if !o.complete {
		return nil, nil
	}
	t0 := time.Now()
	cr, err := certify.Complete(ctx, net, certify.CompleteSettings{MaxBoxes: o.maxBoxes})
	if err != nil {
		if errors.Is(err, certify.ErrUnbounded) {
			return nil, usageErrorf("find", "--complete: %v", err)
		}
		return nil, err
	}
	c := &completion{res: cr, max: o.maxBoxes}
	matched := make([]bool, len(res.Points))
	var add [][]float64
	var addCert []certify.Result
	for k, p := range cr.Points {
		r := cr.Certs[k]
		found := false
		for j, q := range res.Points {
			cq := cert.results[j]
			d := maxDiff(p, q.X)
			if q.Kind == fixedpoint.Fixed && ((cq.Certified() && d+cq.Error < r.Radius) || d <= res.Settings.UniqueTol*max(1, maxAbs(p))) {
				matched[j], found = true, true
			}
		}
		if !found {
			add, addCert = append(add, p), append(addCert, r)
		}
	}
	for j, q := range res.Points {
		if cr.Complete && !matched[j] && cert.results[j].Certified() && q.Kind == fixedpoint.Fixed {
			e.log.Printf("warning: --complete: point %d is certified but matches no point of the complete set; the set is not claimed complete", j)
			cr.Complete = false
		}
	}
	if len(add) > 0 {
		sp, err := spectra(ctx, add)
		if err != nil {
			return nil, err
		}
		f := make([]float64, net.Dim())
		for i, p := range add {
			q := net.Speed(f, p)
			res.Points = append(res.Points, fixedpoint.Point{X: p, Q: q, Residual: maxAbs(f), Kind: fixedpoint.Fixed, Source: fixedpoint.FromInterval})
			res.Spectra = append(res.Spectra, sp[i])
		}
		cert.results = append(cert.results, addCert...)
	}
	c.added, c.seconds = len(add), time.Since(t0).Seconds()
	return c, nil
}

// completeBytes bounds the memory of --complete's search: every box
// examined may end undecided and be kept (N intervals, and their copy in
// the .json and the .npz), plus one linearisation's N x N matrices.
func completeBytes(n, maxBoxes int) float64 {
	return float64(maxBoxes)*float64(n)*2*f8*3 + certifyBytes(n)
}

// maxDiff returns max_i |a_i - b_i|.
func maxDiff(a, b []float64) float64 {
	var d float64
	for i := range a {
		d = max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// boxes returns boxes (B x N intervals) as the JSON's [lo, hi] pairs.
func boxes(bs [][]certify.Interval) [][][2]report.Float {
	out := make([][][2]report.Float, len(bs))
	for i, b := range bs {
		out[i] = make([][2]report.Float, len(b))
		for j, x := range b {
			out[i][j] = [2]report.Float{report.Float(x.Lo), report.Float(x.Hi)}
		}
	}
	return out
}

// report fills in the completeness of doc.
func (c *completion) report(doc *report.Find) {
	if c == nil {
		return
	}
	ok := c.res.Complete
	doc.Complete = &ok
	doc.UndecidedBoxes = boxes(c.res.Undecided)
	doc.CompleteSearch = &report.CompleteStats{Domain: boxes([][]certify.Interval{c.res.Domain})[0], Rank: c.res.Rank, Examined: c.res.Examined, Excluded: c.res.Excluded,
		Covered: c.res.Covered, MaxBoxes: c.max, Added: c.added, Seconds: report.Float(c.seconds)}
}

// arrays returns the .npz keys of --complete (docs/DESIGN.md sections 4
// and 6): complete (a 0-d bool) and undecided_boxes (B x N x 2).
func (c *completion) arrays(n int) []numpy.Array {
	if c == nil {
		return nil
	}
	u := c.res.Undecided
	data := make([]float64, 0, len(u)*n*2)
	for _, b := range u {
		for _, x := range b {
			data = append(data, x.Lo, x.Hi)
		}
	}
	return []numpy.Array{
		{Name: "complete", Shape: []int{}, Data: []bool{c.res.Complete}},
		{Name: "undecided_boxes", Shape: []int{len(u), n, 2}, Data: data},
	}
}

// timing prints --timing's line for the complete search.
func (c *completion) timing(w io.Writer) {
	if c != nil {
		fmt.Fprintf(w, "fpfind: timing: complete search %.3f s (%d boxes examined, %d excluded, %d covered)\n", c.seconds, c.res.Examined, c.res.Excluded, c.res.Covered)
	}
}

// completeLine is the table's line on completeness.
func completeLine(doc report.Find) string {
	if doc.Complete == nil {
		return ""
	}
	s := doc.CompleteSearch
	fixed := 0
	for _, p := range doc.Points {
		if p.Kind == "fixed" {
			fixed++
		}
	}
	over := ""
	if s.Rank > 0 {
		over = fmt.Sprintf(" over the %d coordinates of W's rank", s.Rank)
	}
	if *doc.Complete {
		return fmt.Sprintf("complete: these %d fixed points are all the fixed points of the network (branch and prune%s, %d boxes; %d added to the solver's)\n", fixed, over, s.Examined, s.Added)
	}
	return fmt.Sprintf("NOT complete: %d boxes neither excluded nor certified (undecided_boxes; %d examined of --max-boxes %d)\n", len(doc.UndecidedBoxes), s.Examined, s.MaxBoxes)
}
