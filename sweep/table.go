package sweep

import (
	"encoding/csv"
	"io"
	"math"
	"math/cmplx"
	"slices"
	"strconv"

	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/io/report"
)

// Row is one network of a collected sweep.
type Row struct {
	Entry  report.SweepEntry
	Status Status
}

// Table is a collected sweep: one row per network of the plan, in its
// order, and the names of the labels (in the order they first appear).
type Table struct {
	Labels []string
	Rows   []Row
}

// Collect reads the plan of the sweep in dir and the state of each of its
// networks (Check, with want).
func Collect(dir string, want Want) (*Table, error) {
	p, err := ReadPlan(dir)
	if err != nil {
		return nil, err
	}
	t := &Table{}
	for _, e := range p.Networks {
		for _, l := range e.Labels {
			if !slices.Contains(t.Labels, l.Name) {
				t.Labels = append(t.Labels, l.Name)
			}
		}
		t.Rows = append(t.Rows, Row{Entry: e, Status: Check(dir, e, want)})
	}
	return t, nil
}

// Count returns the number of rows in state s.
func (t *Table) Count(s State) int {
	n := 0
	for _, r := range t.Rows {
		if r.Status.State == s {
			n++
		}
	}
	return n
}

// Label returns the row's value of the label name, "" when it has none.
func (r *Row) Label(name string) string {
	for _, l := range r.Entry.Labels {
		if l.Name == name {
			return l.Value
		}
	}
	return ""
}

// Facts are the numbers of a done network's row. Counts by class are of
// the fixed points (not the slow ones). SlowestTau is the slowest time
// constant of the stable fixed points (the longest memory of the
// attractors; NaN without one); Leading the leading eigenvalue over every
// fixed point (largest real part, or largest modulus for the leaky and
// discrete conventions; NaN without a fixed point).
type Facts struct {
	Points, Fixed, Slow                int
	Stable, Saddle, Unstable, Marginal int
	SlowestTau                         float64
	Leading                            complex128
	Seconds                            float64
}

// Facts returns the row's numbers, and false unless the network is done.
func (r *Row) Facts() (Facts, bool) {
	doc := r.Status.Result
	if r.Status.State != Done || doc == nil {
		return Facts{}, false
	}
	f := Facts{SlowestTau: math.NaN(), Leading: cmplx.NaN(), Points: len(doc.Points)}
	if doc.Sweep != nil {
		f.Seconds = float64(doc.Sweep.Seconds)
	}
	isMap := doc.Network.Convention == "leaky" || doc.Network.Convention == "discrete"
	size := func(c complex128) float64 {
		if isMap {
			return cmplx.Abs(c)
		}
		return real(c)
	}
	for _, p := range doc.Points {
		if p.Kind != "fixed" {
			f.Slow++
			continue
		}
		f.Fixed++
		switch p.Stability {
		case "stable":
			f.Stable++
			if t := float64(p.SlowestTau); !math.IsNaN(t) && (math.IsNaN(f.SlowestTau) || t > f.SlowestTau) {
				f.SlowestTau = t
			}
		case "saddle":
			f.Saddle++
		case "unstable":
			f.Unstable++
		case "marginal":
			f.Marginal++
		}
		if l := complex128(p.Leading); !cmplx.IsNaN(l) && (cmplx.IsNaN(f.Leading) || size(l) > size(f.Leading)) {
			f.Leading = l
		}
	}
	return f, true
}

// column is one column of the table: its name, its kind (text, int or
// float) and its cells as text ("" for none).
type column struct {
	name  string
	kind  byte // 't', 'i' or 'f'
	cells []string
}

// columns returns the table's columns: network, the labels, status, the
// convention, the counts, slowest_tau, leading_re, leading_im, seconds, result (the
// results' stem in the folder) and error.
func (t *Table) columns() []column {
	n := len(t.Rows)
	col := func(name string, kind byte) column { return column{name, kind, make([]string, n)} }
	cols := []column{col("network", 't')}
	for _, l := range t.Labels {
		c := col(l, 'f')
		for i := range t.Rows {
			c.cells[i] = t.Rows[i].Label(l)
			if _, err := strconv.ParseFloat(c.cells[i], 64); err != nil && c.cells[i] != "" {
				c.kind = 't'
			}
		}
		cols = append(cols, c)
	}
	names := []string{"status", "convention", "n_points", "n_fixed", "n_slow", "n_stable", "n_saddle", "n_unstable", "n_marginal", "slowest_tau", "leading_re", "leading_im", "seconds", "result", "error"}
	first := len(cols)
	for _, name := range names {
		kind := byte('i')
		switch name {
		case "status", "convention", "result", "error":
			kind = 't'
		case "slowest_tau", "leading_re", "leading_im", "seconds":
			kind = 'f'
		}
		cols = append(cols, col(name, kind))
	}
	for i := range t.Rows {
		r := &t.Rows[i]
		cols[0].cells[i] = r.Entry.Network
		cells := make([]string, len(names))
		cells[0] = r.Status.State.String()
		cells[13] = r.Entry.Name
		switch r.Status.State {
		case Failed:
			cells[14] = r.Status.Failure.Error
			cells[12] = formatFloat(float64(r.Status.Failure.Sweep.Seconds))
		case Stale:
			cells[14] = r.Status.Reason
		}
		if f, ok := r.Facts(); ok {
			cells[1] = r.Status.Result.Network.Convention
			for j, v := range []int{f.Points, f.Fixed, f.Slow, f.Stable, f.Saddle, f.Unstable, f.Marginal} {
				cells[2+j] = strconv.Itoa(v)
			}
			cells[9], cells[10], cells[11], cells[12] = formatFloat(f.SlowestTau), formatFloat(real(f.Leading)), formatFloat(imag(f.Leading)), formatFloat(f.Seconds)
		}
		for j := range names {
			cols[first+j].cells[i] = cells[j]
		}
	}
	return cols
}

// formatFloat writes v exactly (the shortest decimal that reads back as
// v), inf and -inf as numpy and pandas read them, NaN as "" (no value).
func formatFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return ""
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// WriteCSV writes the table as CSV with a header row; an empty cell is no
// value (pandas reads it as NaN).
func (t *Table) WriteCSV(w io.Writer) error {
	cols := t.columns()
	cw := csv.NewWriter(w)
	rec := make([]string, len(cols))
	for j, c := range cols {
		rec[j] = c.name
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for i := range t.Rows {
		for j, c := range cols {
			rec[j] = c.cells[i]
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Arrays returns the table as one array per column, for an .npz: text as
// strings, counts as int64 (-1 for none), numbers and numeric labels as
// float64 (NaN for none).
func (t *Table) Arrays() []numpy.Array {
	var out []numpy.Array
	for _, c := range t.columns() {
		shape := []int{len(c.cells)}
		switch c.kind {
		case 't':
			out = append(out, numpy.Array{Name: c.name, Shape: shape, Data: slices.Clone(c.cells)})
		case 'i':
			v := make([]int64, len(c.cells))
			for i, s := range c.cells {
				v[i] = -1
				if n, err := strconv.ParseInt(s, 10, 64); err == nil {
					v[i] = n
				}
			}
			out = append(out, numpy.Array{Name: c.name, Shape: shape, Data: v})
		default:
			v := make([]float64, len(c.cells))
			for i, s := range c.cells {
				v[i] = math.NaN()
				if x, err := strconv.ParseFloat(s, 64); err == nil {
					v[i] = x
				}
			}
			out = append(out, numpy.Array{Name: c.name, Shape: shape, Data: v})
		}
	}
	return out
}
