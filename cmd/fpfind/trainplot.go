package main

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/fpfind/fpfind/train"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// writeLossPlot draws the loss curve of a training run into the temporary
// file standing for path, on a log scale: the training loss of each step
// (thin, grey) with its running mean over 1% of the steps (blue), and the
// held-out loss at each evaluation (orange points and line).
func writeLossPlot(outs *outputs, path string, losses []float64, evals []train.Eval, title string) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "training step"
	p.Y.Label.Text = "loss"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Add(plotter.NewGrid())
	positive := func(v float64) bool { return v > 0 && !math.IsInf(v, 0) }
	raw := plotter.XYs{}
	for i, l := range losses {
		if positive(l) {
			raw = append(raw, plotter.XY{X: float64(i + 1), Y: l})
		}
	}
	window := max(1, len(losses)/100)
	smooth := plotter.XYs{}
	sum, cnt := 0.0, 0
	for i, l := range losses {
		sum += l
		cnt++
		if i >= window {
			sum -= losses[i-window]
			cnt--
		}
		if v := sum / float64(cnt); positive(v) {
			smooth = append(smooth, plotter.XY{X: float64(i + 1), Y: v})
		}
	}
	held := plotter.XYs{}
	for _, e := range evals {
		if positive(e.Loss) {
			held = append(held, plotter.XY{X: float64(e.Step), Y: e.Loss})
		}
	}
	add := func(xy plotter.XYs, c color.NRGBA, width vg.Length, name string, points bool) error {
		if len(xy) == 0 {
			return nil
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		l.Color, l.Width = c, width
		p.Add(l)
		if name != "" {
			p.Legend.Add(name, l)
		}
		if points {
			s, err := plotter.NewScatter(xy)
			if err != nil {
				return err
			}
			s.Color = c
			p.Add(s)
		}
		return nil
	}
	grey := color.NRGBA{0xB0, 0xB0, 0xB0, 0xff}
	blue := color.NRGBA{0x00, 0x72, 0xB2, 0xff}
	orange := color.NRGBA{0xE6, 0x9F, 0x00, 0xff}
	for _, a := range []struct {
		xy     plotter.XYs
		c      color.NRGBA
		w      vg.Length
		name   string
		points bool
	}{{raw, grey, vg.Points(0.5), "", false}, {smooth, blue, vg.Points(1.5), fmt.Sprintf("training loss (mean of %d steps)", window), false}, {held, orange, vg.Points(1.5), "held-out loss", true}} {
		if err := add(a.xy, a.c, a.w, a.name, a.points); err != nil {
			return fmt.Errorf("could not draw %s: %w", path, err)
		}
	}
	p.Legend.Top = true
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	wt, err := p.WriterTo(7*vg.Inch, 4.5*vg.Inch, format)
	if err != nil {
		return fmt.Errorf("could not draw %s: %w", path, err)
	}
	return outs.write(path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}
