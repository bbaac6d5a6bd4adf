package main

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/fpfind/fpfind/continuation"
	"github.com/fpfind/fpfind/linearize"
)

// projection is --project: the diagram's vertical axis.
type projection struct {
	kind string // "pc1", "unit" or "norm"
	unit int    // the unit of "unit"
}

// parseProjection parses --project: pc1, unit:I or norm.
func parseProjection(s string) (projection, error) {
	switch {
	case s == "pc1", s == "norm":
		return projection{kind: s, unit: -1}, nil
	case strings.HasPrefix(s, "unit:"):
		i, err := strconv.Atoi(s[5:])
		if err == nil && i >= 0 {
			return projection{kind: "unit", unit: i}, nil
		}
	}
	return projection{}, fmt.Errorf("--project %q: want pc1, unit:I (a unit, 0-based) or norm", s)
}

// project returns the vertical coordinate of every point of every branch,
// and the axis label.
func project(res *continuation.Result, proj projection) ([][]float64, string) {
	var states [][]float64
	for _, b := range res.Branches {
		for _, p := range b.Points {
			states = append(states, p.H)
		}
	}
	var f func(h []float64) float64
	label := ""
	switch proj.kind {
	case "unit":
		f = func(h []float64) float64 { return h[proj.unit] }
		label = fmt.Sprintf("h_%d", proj.unit)
	case "norm":
		f = func(h []float64) float64 {
			s := 0.0
			for _, v := range h {
				s += v * v
			}
			return math.Sqrt(s / float64(len(h)))
		}
		label = "|h| / sqrt(N)"
	default:
		mean, v := firstComponent(states)
		f = func(h []float64) float64 {
			s := 0.0
			for i, x := range h {
				s += (x - mean[i]) * v[i]
			}
			return s
		}
		label = "first principal component of h"
	}
	out := make([][]float64, len(res.Branches))
	for i, b := range res.Branches {
		out[i] = make([]float64, len(b.Points))
		for j, p := range b.Points {
			out[i][j] = f(p.H)
		}
	}
	return out, label
}

// firstComponent returns the mean of the states and their first principal
// direction (unit, its largest entry positive), by power iteration on the
// covariance through products with the centred states: O(K N) per
// iteration, no N x N or K x K matrix.
func firstComponent(states [][]float64) (mean, v []float64) {
	n := len(states[0])
	mean = make([]float64, n)
	for _, s := range states {
		for i, x := range s {
			mean[i] += x / float64(len(states))
		}
	}
	v = make([]float64, n)
	for i := range v {
		v[i] = 1 + float64(i%5)/5
	}
	c := make([]float64, len(states))
	for range 200 {
		for k, s := range states {
			c[k] = 0
			for i, x := range s {
				c[k] += (x - mean[i]) * v[i]
			}
		}
		nv := make([]float64, n)
		for k, s := range states {
			for i, x := range s {
				nv[i] += c[k] * (x - mean[i])
			}
		}
		nr := math.Sqrt(dot(nv, nv))
		if nr == 0 {
			break
		}
		for i := range nv {
			nv[i] /= nr
		}
		v = nv
	}
	big := 0
	for i := range v {
		if math.Abs(v[i]) > math.Abs(v[big]) {
			big = i
		}
	}
	if v[big] < 0 {
		for i := range v {
			v[i] = -v[i]
		}
	}
	return mean, v
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// writeDiagram draws the bifurcation diagram into the temporary file of
// path: each branch as a line of the parameter against the projection,
// solid where stable and dashed where not, coloured by class, the special
// points marked and labelled (LP, H, BP, PD, NS).
func writeDiagram(outs *outputs, path string, res *continuation.Result, proj projection, param, title string) error {
	ys, label := project(res, proj)
	p := plot.New()
	p.Title.Text = strings.Replace(title, "eigenvalues", "bifurcation diagram", 1)
	p.X.Label.Text = param
	p.Y.Label.Text = label
	p.Add(plotter.NewGrid())
	seen := map[linearize.Class]bool{}
	for bi, b := range res.Branches {
		// Segment j (points j, j+1) takes the class of its end that is not
		// a special point (whose class is marginal by definition).
		seg := func(j int) linearize.Class {
			if b.Points[j+1].Special >= 0 {
				return b.Points[j].Class
			}
			return b.Points[j+1].Class
		}
		for start := 0; start < len(b.Points)-1; {
			cl := seg(start)
			end := start + 1
			for end < len(b.Points)-1 && seg(end) == cl {
				end++
			}
			xy := make(plotter.XYs, 0, end-start+1)
			for j := start; j <= end; j++ {
				xy = append(xy, plotter.XY{X: b.Points[j].P, Y: ys[bi][j]})
			}
			l, err := plotter.NewLine(xy)
			if err != nil {
				return fmt.Errorf("could not draw %s: %w", path, err)
			}
			l.Color = classColors[cl]
			l.Width = vg.Points(1.5)
			if cl != linearize.Stable {
				l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
			}
			p.Add(l)
			if !seen[cl] {
				seen[cl] = true
				p.Legend.Add(cl.String(), l)
			}
			start = end
		}
	}
	var pts plotter.XYs
	var labels []string
	for bi, b := range res.Branches {
		for j, pt := range b.Points {
			if pt.Special >= 0 && res.Specials[pt.Special].Branch == bi {
				pts = append(pts, plotter.XY{X: pt.P, Y: ys[bi][j]})
				labels = append(labels, res.Specials[pt.Special].Type.Label())
			}
		}
	}
	if len(pts) > 0 {
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return fmt.Errorf("could not draw %s: %w", path, err)
		}
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		sc.GlyphStyle.Radius = vg.Points(3.5)
		sc.GlyphStyle.Color = plotGrey
		p.Add(sc)
		lb, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: labels})
		if err != nil {
			return fmt.Errorf("could not draw %s: %w", path, err)
		}
		for i := range lb.TextStyle {
			lb.TextStyle[i].XAlign = draw.XLeft
		}
		lb.Offset = vg.Point{X: vg.Points(5), Y: vg.Points(3)}
		p.Add(lb)
	}
	p.Legend.Top, p.Legend.Left = true, true
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	c, err := draw.NewFormattedCanvas(7*vg.Inch, 5*vg.Inch, format)
	if err != nil {
		return fmt.Errorf("could not draw %s: %w", path, err)
	}
	p.Draw(draw.New(c))
	return outs.write(path, func(w io.Writer) error {
		_, err := c.WriteTo(w)
		return err
	})
}
