package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/fpfind/fpfind/certify"
	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/explore"
	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/io/report"
)

// certification is what find --certify adds: one result per point, in
// the points' order, and the seconds it took.
type certification struct {
	results []certify.Result
	seconds float64
}

// certifyPoints puts every point of res to certify's Krawczyk test.
func certifyPoints(ctx context.Context, e *env, net *dynamics.Network, res *explore.Result, o *findOptions) (*certification, error) {
	if !o.certify {
		return nil, nil
	}
	n := 0
	xs := make([][]float64, len(res.Points))
	for i, p := range res.Points {
		xs[i] = p.X
		n = len(p.X)
	}
	maxN := o.certifyMaxN
	if n > maxN {
		e.log.Printf("note: --certify: N = %d is above --certify-max-n %d; no point is certified", n, maxN)
	}
	t0 := time.Now()
	rs, err := certify.Points(ctx, net, xs, certify.Settings{MaxN: maxN, Workers: effectiveWorkers(o.workers, len(xs))})
	if err != nil {
		return nil, err
	}
	return &certification{results: rs, seconds: time.Since(t0).Seconds()}, nil
}

// certifyBytes is the memory certification holds per worker (certify's
// five N x N matrices and the inverse's workspace).
func certifyBytes(n int) float64 { return 7 * float64(n) * float64(n) * f8 }

// report fills in the points' certification in doc.
func (c *certification) report(doc *report.Find, maxN int) {
	if c == nil {
		return
	}
	doc.Settings.Certify, doc.Settings.CertifyMaxN = true, maxN
	doc.Certification = &report.CertifyStats{Points: len(c.results), MaxN: maxN, Seconds: report.Float(c.seconds)}
	for i, r := range c.results {
		ok := r.Certified()
		if ok {
			doc.Certification.Certified++
		}
		rad, er := report.Float(r.Radius), report.Float(r.Error)
		p := &doc.Points[i]
		p.Certified, p.CertRadius, p.CertError, p.CertReason = &ok, &rad, &er, r.Reason.String()
	}
}

// arrays returns the .npz keys of the certification (docs/DESIGN.md
// sections 4 and 6): certified (K bool), cert_radius and cert_error (K),
// cert_reason (K strings).
func (c *certification) arrays() []numpy.Array {
	if c == nil {
		return nil
	}
	k := len(c.results)
	ok, rad, er, why := make([]bool, k), make([]float64, k), make([]float64, k), make([]string, k)
	for i, r := range c.results {
		ok[i], rad[i], er[i], why[i] = r.Certified(), r.Radius, r.Error, r.Reason.String()
	}
	return []numpy.Array{
		{Name: "certified", Shape: []int{k}, Data: ok},
		{Name: "cert_radius", Shape: []int{k}, Data: rad},
		{Name: "cert_error", Shape: []int{k}, Data: er},
		{Name: "cert_reason", Shape: []int{k}, Data: why},
	}
}

// timing prints --timing's line for the certification.
func (c *certification) timing(w io.Writer) {
	if c != nil {
		fmt.Fprintf(w, "fpfind: timing: certifying %.3f s (%d points)\n", c.seconds, len(c.results))
	}
}

// certCell is the table's cert column of a point: its radius, or why it
// was not certified.
func certCell(p report.Point) string {
	if p.Certified == nil {
		return ""
	}
	if *p.Certified {
		return "r=" + sci(float64(*p.CertRadius))
	}
	return "no:" + p.CertReason
}

// certLine is the table's summary of the certification.
func certLine(doc report.Find) string {
	if !doc.Settings.Certify {
		return ""
	}
	var fixed, certified, other int
	for _, p := range doc.Points {
		ok := p.Certified != nil && *p.Certified
		switch {
		case p.Kind == "fixed" && ok:
			fixed++
			certified++
		case p.Kind == "fixed":
			fixed++
		case ok:
			other++
		}
	}
	s := fmt.Sprintf("certified (Krawczyk, outward rounding): %d of %d fixed points each unique within its radius r", certified, fixed)
	if other > 0 {
		s += fmt.Sprintf(", and %d slow points lie on a certified fixed point", other)
	}
	return s + "\n"
}
