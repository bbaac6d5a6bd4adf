package main

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/fpfind/fpfind/linearize"
	"github.com/fpfind/fpfind/sweep"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// plotLabel returns the index in t.Labels of the label the plot follows:
// name, or without it the first label whose values are all numbers; -1
// for none (the rows' order).
func plotLabel(t *sweep.Table, name string) (int, error) {
	numeric := func(j int) bool {
		seen := false
		for i := range t.Rows {
			v := t.Rows[i].Label(t.Labels[j])
			if v == "" {
				continue
			}
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return false
			}
			seen = true
		}
		return seen
	}
	if name == "" {
		for j := range t.Labels {
			if numeric(j) {
				return j, nil
			}
		}
		return -1, nil
	}
	j := slices.Index(t.Labels, name)
	switch {
	case j < 0 && len(t.Labels) == 0:
		return 0, fmt.Errorf("--along %q: the sweep's networks have no labels", name)
	case j < 0:
		return 0, fmt.Errorf("--along %q: no such label (labels: %s)", name, strings.Join(t.Labels, ", "))
	case !numeric(j):
		return 0, fmt.Errorf("--along %q: the label's values are not all numbers", name)
	}
	return j, nil
}

// sweepSeries are the values along the plot's axis: one per done network
// with a value of the label, sorted by it.
type sweepSeries struct {
	x                   []float64
	stable, saddle, all []float64
	lead                []float64 // Re(lambda), or |lambda| for maps
	isMap, mixed        bool
}

func sweepValues(t *sweep.Table, along int) *sweepSeries {
	s := &sweepSeries{}
	type row struct {
		x float64
		f sweep.Facts
	}
	var rows []row
	conv := ""
	for i := range t.Rows {
		r := &t.Rows[i]
		f, ok := r.Facts()
		if !ok {
			continue
		}
		x := float64(i)
		if along >= 0 {
			v, err := strconv.ParseFloat(r.Label(t.Labels[along]), 64)
			if err != nil {
				continue
			}
			x = v
		}
		c := r.Status.Result.Network.Convention
		if conv != "" && (c == "continuous") != (conv == "continuous") {
			s.mixed = true
		}
		conv = c
		rows = append(rows, row{x, f})
	}
	s.isMap = conv == "leaky" || conv == "discrete"
	slices.SortStableFunc(rows, func(a, b row) int { return cmpFloat(a.x, b.x) })
	for _, r := range rows {
		s.x = append(s.x, r.x)
		s.stable = append(s.stable, float64(r.f.Stable))
		s.saddle = append(s.saddle, float64(r.f.Saddle))
		s.all = append(s.all, float64(r.f.Fixed))
		l := real(r.f.Leading)
		if s.isMap {
			l = math.Hypot(real(r.f.Leading), imag(r.f.Leading))
		}
		s.lead = append(s.lead, l)
	}
	return s
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// means returns the distinct x and the mean of y at each (the line through
// several networks at one value of the label, e.g. seeds at one step).
func means(x, y []float64) plotter.XYs {
	var out plotter.XYs
	for i := 0; i < len(x); {
		j, sum, n := i, 0.0, 0
		for ; j < len(x) && x[j] == x[i]; j++ {
			if !math.IsNaN(y[j]) && !math.IsInf(y[j], 0) {
				sum += y[j]
				n++
			}
		}
		if n > 0 {
			out = append(out, plotter.XY{X: x[i], Y: sum / float64(n)})
		}
		i = j
	}
	return out
}

// points returns the finite (x, y) pairs.
func points(x, y []float64) plotter.XYs {
	var out plotter.XYs
	for i := range x {
		if !math.IsNaN(y[i]) && !math.IsInf(y[i], 0) {
			out = append(out, plotter.XY{X: x[i], Y: y[i]})
		}
	}
	return out
}

// addSeries draws y along x: each network as a dot, the mean at each x as
// a line, in colour c, named in the legend.
func addSeries(p *plot.Plot, x, y []float64, c color.Color, name string, shape draw.GlyphDrawer) error {
	sc, err := plotter.NewScatter(points(x, y))
	if err != nil {
		return err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(2.5), Shape: shape}
	ln, err := plotter.NewLine(means(x, y))
	if err != nil {
		return err
	}
	ln.LineStyle = draw.LineStyle{Color: c, Width: vg.Points(1.2)}
	p.Add(ln, sc)
	if name != "" {
		p.Legend.Add(name, ln, sc)
	}
	return nil
}

// writeSweepPlot draws the counts of fixed points by class (top) and the
// leading eigenvalue with the stability boundary (bottom) along the label
// (the rows' order when along < 0) into the temporary file of path.
func writeSweepPlot(outs *outputs, path string, t *sweep.Table, along int, dir string) error {
	s := sweepValues(t, along)
	if len(s.x) == 0 {
		return inputError(fmt.Errorf("--plot %s: no network of %s is done (and labelled), nothing to draw", path, dir))
	}
	xname := "network (order of the list)"
	if along >= 0 {
		xname = t.Labels[along]
	}
	top := plot.New()
	top.Title.Text = fmt.Sprintf("%s: fixed points along %s", filepath.Base(filepath.Clean(dir)), xname)
	top.Y.Label.Text = "fixed points"
	top.X.Label.Text = xname
	top.Add(plotter.NewGrid())
	top.Legend.Top, top.Legend.Left = true, true
	grey := color.NRGBA{0x55, 0x55, 0x55, 0xff}
	if err := addSeries(top, s.x, s.all, grey, "all", draw.SquareGlyph{}); err != nil {
		return err
	}
	if err := addSeries(top, s.x, s.saddle, classColors[linearize.Saddle], "saddle", draw.TriangleGlyph{}); err != nil {
		return err
	}
	if err := addSeries(top, s.x, s.stable, classColors[linearize.Stable], "stable", draw.CircleGlyph{}); err != nil {
		return err
	}
	top.Y.Min = 0
	top.Y.Tick.Marker = countTicks{}
	top.X.Tick.Marker = niceTicks{}
	bottom := plot.New()
	bottom.X.Label.Text = xname
	boundary := 0.0
	switch {
	case s.mixed:
		bottom.Y.Label.Text = "leading eigenvalue: Re λ (continuous), |λ| (maps)"
	case s.isMap:
		bottom.Y.Label.Text = "leading |λ| over the fixed points"
		boundary = 1
	default:
		bottom.Y.Label.Text = "leading Re λ over the fixed points (1/time)"
	}
	bottom.Add(plotter.NewGrid())
	bottom.X.Tick.Marker, bottom.Y.Tick.Marker = niceTicks{}, niceTicks{}
	if err := addSeries(bottom, s.x, s.lead, color.Black, "", draw.CircleGlyph{}); err != nil {
		return err
	}
	if !s.mixed {
		lo, hi := s.x[0], s.x[len(s.x)-1]
		if hi == lo {
			lo, hi = lo-0.5, hi+0.5
		}
		b, err := plotter.NewLine(plotter.XYs{{X: lo, Y: boundary}, {X: hi, Y: boundary}})
		if err != nil {
			return err
		}
		b.LineStyle = draw.LineStyle{Color: classColors[linearize.Unstable], Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
		bottom.Add(b)
		bottom.Legend.Add("stability boundary", b)
		bottom.Legend.Top, bottom.Legend.Left = true, true
	}
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	w, h := 7*vg.Inch, 7*vg.Inch
	c, err := draw.NewFormattedCanvas(w, h, format)
	if err != nil {
		return fmt.Errorf("could not draw %s: %w", path, err)
	}
	dc := draw.New(c)
	top.Draw(draw.Crop(dc, 0, 0, h/2, 0))
	bottom.Draw(draw.Crop(dc, 0, 0, 0, -h/2))
	return outs.write(path, func(w io.Writer) error {
		_, err := c.WriteTo(w)
		return err
	})
}

// countTicks labels whole numbers: multiples of 1, 2 or 5 times a power of
// ten, about six of them.
type countTicks struct{}

func (countTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 1.0
	for (hi-lo)/step > 6 {
		switch m := step / math.Pow(10, math.Floor(math.Log10(step))); m {
		case 1:
			step *= 2
		case 2:
			step *= 2.5
		default:
			step *= 2
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	return ticks
}
