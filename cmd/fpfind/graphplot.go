package main

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/fpfind/fpfind/explore"
	"github.com/fpfind/fpfind/linearize"
)

// plotGrey is the colour of the graph's arrows, attractorColor that of
// the continuous attractors.
var (
	plotGrey       = color.Gray{0x60}
	attractorColor = color.RGBA{R: 0x98, G: 0x4e, B: 0xa3, A: 0xff}
)

// graphData is what the graph panel of find's plot needs: the points'
// states and classes, and the edges of the exploration.
type graphData struct {
	states     [][]float64
	classes    []linearize.Class
	edges      []explore.Edge
	attractors []curve
}

// pcPlane returns the coordinates of the states (K x N, K >= 2) on their
// first two principal components, and the fraction of the variance each
// explains. It works on the K x K Gram matrix of the centred states, so
// its cost does not grow with N beyond the Gram products; the sign of each
// component makes its largest coordinate positive.
func pcPlane(states [][]float64) (xy [][2]float64, frac [2]float64, err error) {
	k, n := len(states), len(states[0])
	mean := make([]float64, n)
	for _, s := range states {
		for i, v := range s {
			mean[i] += v / float64(k)
		}
	}
	c := mat.NewDense(k, n, nil)
	for r, s := range states {
		for i, v := range s {
			c.Set(r, i, v-mean[i])
		}
	}
	g := mat.NewSymDense(k, nil)
	g.SymOuterK(1, c)
	var eig mat.EigenSym
	if !eig.Factorize(g, true) {
		return nil, frac, fmt.Errorf("the principal components of the points did not converge")
	}
	vals := eig.Values(nil) // ascending
	var vecs mat.Dense
	eig.VectorsTo(&vecs)
	total := 0.0
	for _, v := range vals {
		total += math.Max(v, 0)
	}
	xy = make([][2]float64, k)
	for j := 0; j < 2 && j < k; j++ {
		col := k - 1 - j
		s := math.Sqrt(math.Max(vals[col], 0))
		big := 0
		for r := range k {
			if math.Abs(vecs.At(r, col)) > math.Abs(vecs.At(big, col)) {
				big = r
			}
		}
		sign := 1.0
		if vecs.At(big, col) < 0 {
			sign = -1
		}
		for r := range k {
			xy[r][j] = sign * s * vecs.At(r, col)
		}
		if total > 0 {
			frac[j] = math.Max(vals[col], 0) / total
		}
	}
	return xy, frac, nil
}

// graphPlot draws the fixed-point graph in the plane of the first two
// principal components of the points: the points coloured by class, an
// arrow from each explored point to each point its unstable directions
// led to, and the continuous attractors through their samples.
func graphPlot(g *graphData) (*plot.Plot, error) {
	// The principal components of the points and the attractors' samples
	// together; the points come first.
	all := g.states
	for _, c := range g.attractors {
		all = append(all[:len(all):len(all)], c.samples...)
	}
	xy, frac, err := pcPlane(all)
	if err != nil {
		return nil, err
	}
	curveXY := xy[len(g.states):]
	xy = xy[:len(g.states)]
	p := plot.New()
	p.Title.Text = "fixed-point graph: where each unstable direction leads"
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text = fmt.Sprintf("PC 1 (%.0f%% of the variance)", 100*frac[0])
	p.Y.Label.Text = fmt.Sprintf("PC 2 (%.0f%%)", 100*frac[1])
	p.Add(plotter.NewGrid())
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, v := range append(xy[:len(xy):len(xy)], curveXY...) {
		xmin, xmax = math.Min(xmin, v[0]), math.Max(xmax, v[0])
		ymin, ymax = math.Min(ymin, v[1]), math.Max(ymax, v[1])
	}
	span := math.Max(math.Max(xmax-xmin, ymax-ymin), 1e-12)
	head := 0.015 * span
	grey := draw.LineStyle{Color: plotGrey, Width: vg.Points(0.8)}
	seen := map[[2]int]bool{}
	for _, e := range g.edges {
		if e.To < 0 || e.To == e.From || seen[[2]int{e.From, e.To}] {
			continue
		}
		seen[[2]int{e.From, e.To}] = true
		a, b := xy[e.From], xy[e.To]
		dx, dy := b[0]-a[0], b[1]-a[1]
		l := math.Hypot(dx, dy)
		if l == 0 {
			continue
		}
		ux, uy := dx/l, dy/l
		tip := [2]float64{b[0] - ux*0.02*span, b[1] - uy*0.02*span}
		pts := plotter.XYs{{X: a[0], Y: a[1]}, {X: tip[0], Y: tip[1]},
			{X: tip[0] - head*(ux-0.5*uy), Y: tip[1] - head*(uy+0.5*ux)}, {X: tip[0], Y: tip[1]},
			{X: tip[0] - head*(ux+0.5*uy), Y: tip[1] - head*(uy-0.5*ux)}}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		line.LineStyle = grey
		p.Add(line)
	}
	// The continuous attractors: a line through their samples (closed for
	// a ring), under the points.
	for _, c := range g.attractors {
		var pts plotter.XYs
		for _, v := range curveXY[:len(c.samples)] {
			pts = append(pts, plotter.XY{X: v[0], Y: v[1]})
		}
		curveXY = curveXY[len(c.samples):]
		if c.closed && len(pts) > 0 {
			pts = append(pts, pts[0])
		}
		line, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		line.LineStyle = draw.LineStyle{Color: attractorColor, Width: vg.Points(2.5)}
		p.Add(line)
		p.Legend.Add(c.label, line)
	}
	for _, cl := range []linearize.Class{linearize.Stable, linearize.Saddle, linearize.Unstable, linearize.Marginal} {
		var pts plotter.XYs
		for i, c := range g.classes {
			if c == cl {
				pts = append(pts, plotter.XY{X: xy[i][0], Y: xy[i][1]})
			}
		}
		if len(pts) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: classColors[cl], Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		p.Legend.Add(fmt.Sprintf("%s (%d)", cl, len(pts)), sc)
	}
	pad := 0.08 * span
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xmin-pad, xmax+pad, ymin-pad, ymax+pad
	p.X.Tick.Marker = niceTicks{}
	p.Y.Tick.Marker = niceTicks{}
	p.Legend.Top = true
	return p, nil
}
