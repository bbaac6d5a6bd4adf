package main

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"math/cmplx"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/linearize"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	_ "gonum.org/v1/plot/vg/vgimg" // png
	_ "gonum.org/v1/plot/vg/vgpdf" // pdf
	_ "gonum.org/v1/plot/vg/vgsvg" // svg
)

// plotPoint is what the plot needs of one point.
type plotPoint struct {
	values []complex128
	class  linearize.Class
	kind   string // "fixed" (drawn filled), or "slow", "not fixed" (drawn hollow)
}

// Colours by class (Okabe-Ito palette, readable with colour blindness).
var classColors = map[linearize.Class]color.NRGBA{
	linearize.Stable:   {0x00, 0x72, 0xB2, 0xff}, // blue
	linearize.Saddle:   {0xE6, 0x9F, 0x00, 0xff}, // orange
	linearize.Unstable: {0xD5, 0x5E, 0x00, 0xff}, // vermillion
	linearize.Marginal: {0x00, 0x9E, 0x73, 0xff}, // green
}

// plotTitle names the network and the command in the plot title.
func plotTitle(in *input, what string) string {
	return fmt.Sprintf("%s: eigenvalues (%s convention)", filepath.Base(in.path), in.Network.Convention())
}

// eigenPlot draws the eigenvalues of every point in the complex plane,
// coloured by the point's class, with the stability boundary: the line
// Re = 0 (continuous) or the unit circle (leaky, discrete).
func eigenPlot(pts []plotPoint, conv dynamics.Convention, title string) (*plot.Plot, *plot.Legend, error) {
	p := plot.New()
	leg := plot.NewLegend()
	p.Title.Text = title
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text = "Re λ"
	p.Y.Label.Text = "Im λ"
	if conv.IsMap() {
		p.X.Label.Text = "Re λ  (operator of one step)"
	} else {
		p.X.Label.Text = "Re λ  (1/time)"
	}
	p.Add(plotter.NewGrid())

	// Data bounds, including the boundary's neighbourhood.
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, pt := range pts {
		for _, v := range pt.values {
			if cmplxFinite(v) {
				xmin, xmax = min(xmin, real(v)), max(xmax, real(v))
				ymin, ymax = min(ymin, imag(v)), max(ymax, imag(v))
			}
		}
	}
	if math.IsInf(xmin, 0) {
		xmin, xmax, ymin, ymax = -1, 1, -1, 1
	}
	if conv.IsMap() {
		// Zoom on the eigenvalues, keeping the arc of the unit circle
		// nearest to the largest one in the frame.
		var far complex128
		for _, pt := range pts {
			for _, v := range pt.values {
				if cmplxFinite(v) && cmplx.Abs(v) > cmplx.Abs(far) {
					far = v
				}
			}
		}
		edge := complex(1, 0)
		if cmplx.Abs(far) > 0 {
			edge = far / complex(cmplx.Abs(far), 0)
		}
		xmin, xmax = min(xmin, real(edge)), max(xmax, real(edge))
		ymin, ymax = min(ymin, imag(edge)), max(ymax, imag(edge))
		if ymax-ymin < 0.2*(xmax-xmin) {
			c := (ymin + ymax) / 2
			ymin, ymax = c-0.1*(xmax-xmin), c+0.1*(xmax-xmin)
		}
	} else {
		xmin, xmax = min(xmin, 0), max(xmax, 0)
		// Keep Re = 0 visibly inside the frame.
		span := xmax - xmin
		if span == 0 {
			span = 1
		}
		xmax = max(xmax, 0.05*span)
		ymax = max(ymax, -ymin, 0.1*span)
		ymin = -ymax
	}
	padX, padY := 0.08*(xmax-xmin), 0.08*(ymax-ymin)
	xmin, xmax, ymin, ymax = xmin-padX, xmax+padX, ymin-padY, ymax+padY
	if conv.IsMap() {
		// Same scale on both axes, so the circle is round on a square canvas.
		h := max(xmax-xmin, ymax-ymin) / 2
		cx, cy := (xmin+xmax)/2, (ymin+ymax)/2
		xmin, xmax, ymin, ymax = cx-h, cx+h, cy-h, cy+h
	}

	// The stability boundary.
	var bound plotter.XYs
	if conv.IsMap() {
		for k := 0; k <= 2000; k++ {
			a := 2 * math.Pi * float64(k) / 2000
			bound = append(bound, plotter.XY{X: math.Cos(a), Y: math.Sin(a)})
		}
	} else {
		bound = plotter.XYs{{X: 0, Y: ymin}, {X: 0, Y: ymax}}
	}
	line, err := plotter.NewLine(bound)
	if err != nil {
		return nil, nil, err
	}
	line.Color = color.Gray{0x30}
	line.Width = vg.Points(1)
	line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	p.Add(line)
	if conv.IsMap() {
		leg.Add("|λ| = 1 (stability boundary)", line)
	} else {
		leg.Add("Re λ = 0 (stability boundary)", line)
	}

	total := 0
	for _, pt := range pts {
		total += len(pt.values)
	}
	radius := vg.Points(3)
	if total > 300 {
		radius = vg.Points(2.2)
	}

	// One scatter per class and kind. Saddles and unstable points are drawn
	// first, so that the attractors stay on top; the legend lists the
	// classes in the order of the table.
	type group struct {
		class linearize.Class
		kind  string
	}
	var kinds []string
	for _, pt := range pts {
		if !slices.Contains(kinds, pt.kind) {
			kinds = append(kinds, pt.kind)
		}
	}
	slices.Sort(kinds) // "fixed" before "not fixed" and "slow"
	order := []linearize.Class{linearize.Stable, linearize.Saddle, linearize.Unstable, linearize.Marginal}
	drawOrder := []linearize.Class{linearize.Unstable, linearize.Saddle, linearize.Marginal, linearize.Stable}
	entries := map[group]plot.Thumbnailer{}
	counts := map[group]int{}
	for _, cl := range drawOrder {
		for _, kind := range kinds {
			g := group{cl, kind}
			var xys plotter.XYs
			for _, pt := range pts {
				if pt.class != cl || pt.kind != kind {
					continue
				}
				counts[g]++
				for _, v := range pt.values {
					if cmplxFinite(v) {
						xys = append(xys, plotter.XY{X: real(v), Y: imag(v)})
					}
				}
			}
			if counts[g] == 0 {
				continue
			}
			c := classColors[cl]
			ring, err := plotter.NewScatter(xys)
			if err != nil {
				return nil, nil, err
			}
			ring.GlyphStyle = draw.GlyphStyle{Color: c, Radius: radius, Shape: draw.RingGlyph{}}
			if kind != "fixed" {
				p.Add(ring)
				entries[g] = ring
				continue
			}
			sc, err := plotter.NewScatter(xys)
			if err != nil {
				return nil, nil, err
			}
			fill := c
			fill.A = 0x70
			sc.GlyphStyle = draw.GlyphStyle{Color: fill, Radius: radius, Shape: draw.CircleGlyph{}}
			p.Add(sc, ring)
			entries[g] = thumbs{sc, ring}
		}
	}
	for _, cl := range order {
		for _, kind := range kinds {
			g := group{cl, kind}
			if counts[g] == 0 {
				continue
			}
			s := "s"
			if counts[g] == 1 {
				s = ""
			}
			leg.Add(fmt.Sprintf("%s, %s (%d point%s)", cl, kind, counts[g], s), entries[g])
		}
	}
	p.X.Tick.Marker = niceTicks{}
	p.Y.Tick.Marker = niceTicks{}

	// After every Add, which widens the axes to the plotters' data.
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xmin, xmax, ymin, ymax
	leg.Top = true
	leg.Left = true
	leg.Padding = vg.Points(3)
	return p, &leg, nil
}

// thumbs draws several legend thumbnails on top of each other.
type thumbs []plot.Thumbnailer

func (t thumbs) Thumbnail(c *draw.Canvas) {
	for _, th := range t {
		th.Thumbnail(c)
	}
}

// niceTicks puts about six labelled ticks at multiples of 1, 2, 2.5 or 5
// times a power of ten, with unlabelled ticks between them.
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	raw := (hi - lo) / 6
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var ticks []plot.Tick
	minor := step / 2
	for k := math.Ceil(lo / minor); k*minor <= hi; k++ {
		v := k * minor
		if math.Abs(v) < 1e-9*step {
			v = 0
		}
		t := plot.Tick{Value: v}
		if math.Mod(math.Abs(k), 2) == 0 {
			t.Label = strconv.FormatFloat(v, 'g', 6, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

func cmplxFinite(v complex128) bool {
	return !math.IsNaN(real(v)) && !math.IsNaN(imag(v)) && !math.IsInf(real(v), 0) && !math.IsInf(imag(v), 0)
}

// writePlot draws the plot into the temporary file standing for path; the
// format comes from the extension. The legend sits in a strip below the axes,
// so it never hides an eigenvalue. With a graph (find, two points or more),
// a second panel to the right draws it (graphPlot).
func writePlot(outs *outputs, path string, pts []plotPoint, conv dynamics.Convention, title string, graph *graphData) error {
	p, leg, err := eigenPlot(pts, conv, title)
	if err != nil {
		return fmt.Errorf("could not draw %s: %w", path, err)
	}
	var gp *plot.Plot
	if graph != nil && len(graph.states) >= 2 {
		if gp, err = graphPlot(graph); err != nil {
			return fmt.Errorf("could not draw %s: %w", path, err)
		}
	}
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	w := 6 * vg.Inch
	type group struct {
		class linearize.Class
		kind  string
	}
	groups := map[group]bool{}
	for _, pt := range pts {
		groups[group{pt.class, pt.kind}] = true
	}
	strip := vg.Points(16)*vg.Length(1+len(groups)) + vg.Points(10) // one line per legend entry
	width := w
	if gp != nil {
		width = 2 * w
	}
	c, err := draw.NewFormattedCanvas(width, w+strip, format)
	if err != nil {
		return fmt.Errorf("could not draw %s: %w", path, err)
	}
	dc := draw.New(c)
	if gp != nil {
		gp.Draw(draw.Crop(dc, w, 0, strip, 0))
		dc = draw.Crop(dc, 0, -w, 0, 0)
	}
	p.Draw(draw.Crop(dc, 0, 0, strip, 0))
	lc := draw.Crop(dc, vg.Points(50), 0, vg.Points(4), -(w + vg.Points(6)))
	leg.Draw(lc)
	return outs.write(path, func(w io.Writer) error {
		_, err := c.WriteTo(w)
		return err
	})
}
