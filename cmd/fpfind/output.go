package main

import (
	"context"
	"fmt"
	"github.com/fpfind/fpfind/explore"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/io/report"
)

// writeResults writes a command's results into the temporary files
// standing for its outputs: the arrays into npzPath, then doc into jsonPath,
// each only when its path is given. arrays is called only when the .npz is
// written.
func writeResults(outs *outputs, npzPath string, arrays func() []numpy.Array, jsonPath string, doc any) error {
	if npzPath != "" {
		a := arrays()
		if err := outs.write(npzPath, func(w io.Writer) error { return numpy.WriteNPZTo(w, a) }); err != nil {
			return err
		}
	}
	if jsonPath != "" {
		return outs.write(jsonPath, func(w io.Writer) error { return report.Write(w, doc) })
	}
	return nil
}

// finish ends a command that writes files: unless ctx is done, it renames
// the outputs into place, then prints the document on stdout (the table, or
// with --format json the JSON) and notes the files written on stderr.
func finish(ctx context.Context, e *env, outs *outputs, format string, doc any, table func(io.Writer) error, paths ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := outs.commit(); err != nil {
		return err
	}
	for _, n := range outs.notes {
		e.log.Print(n)
	}
	if format == "json" {
		if err := report.Write(e.stdout, doc); err != nil {
			return err
		}
	} else if err := table(e.stdout); err != nil {
		return err
	}
	logWritten(e, paths...)
	return nil
}

// logWritten notes the files written on stderr.
func logWritten(e *env, paths ...string) {
	var w []string
	for _, p := range paths {
		if p != "" {
			w = append(w, p)
		}
	}
	if len(w) > 0 {
		e.log.Printf("wrote %s", strings.Join(w, ", "))
	}
}

// num formats a number for a table: 4 significant digits, "inf", "nan".
func num(v float64) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return fmt.Sprintf("%.4g", v)
}

// sci formats a small positive quantity (q, a residual) as 1.2e-15.
func sci(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return num(v)
	}
	if v == 0 {
		return "0"
	}
	return fmt.Sprintf("%.1e", v)
}

// cnum formats a complex number as -0.1234 or -0.1234+0.5678i.
func cnum(c complex128) string {
	re, im := real(c), imag(c)
	if im == 0 {
		return num(re)
	}
	sign := "+"
	if im < 0 || math.Signbit(im) {
		sign = "-"
	}
	return num(re) + sign + num(math.Abs(im)) + "i"
}

// linearizeTable prints the table of `fpfind linearize`.
func linearizeTable(w io.Writer, doc report.Linearize, pn *partialNote) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "#\tfixed\tclass\tunstable\tq\t|F|inf\ttau_slow\tlambda_1\t\n")
	for _, s := range doc.States {
		fixed := "no"
		if s.Fixed {
			fixed = "yes"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", s.Index, fixed, pn.class(s.Index, s.Stability), pn.unstable(s.Index, s.NUnstable),
			sci(float64(s.Q)), sci(float64(s.ResidualInf)), num(float64(s.SlowestTau)), cnum(complex128(s.Leading)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var c report.ClassCounts
	nfixed := 0
	for _, s := range doc.States {
		switch s.Stability {
		case "stable":
			c.Stable++
		case "saddle":
			c.Saddle++
		case "unstable":
			c.Unstable++
		case "marginal":
			c.Marginal++
		}
		if s.Fixed {
			nfixed++
		}
	}
	_, err := fmt.Fprintf(w, "\n%d states (%d fixed points): %s\n%s%s\n", len(doc.States), nfixed, classLine(c), pn.footer(), conventionNote(doc.Network.Convention))
	return err
}

// conventionNote explains the eigenvalues and time constants of the table.
func conventionNote(conv string) string {
	switch conv {
	case "leaky":
		return "lambda: eigenvalues of (1-alpha) I + alpha diag(phi') W, stable when every |lambda| < 1; tau_slow: slowest time constant, negative if growing, inf if marginal"
	case "discrete":
		return "lambda: eigenvalues of diag(phi') W, stable when every |lambda| < 1; tau_slow: slowest time constant in steps, negative if growing, inf if marginal"
	}
	return "lambda: eigenvalues of the Jacobian J, stable when every Re(lambda) < 0; tau_slow: slowest time constant, negative if growing, inf if marginal"
}

// classLine summarises class counts.
func classLine(c report.ClassCounts) string {
	return fmt.Sprintf("%d stable, %d saddle, %d unstable, %d marginal", c.Stable, c.Saddle, c.Unstable, c.Marginal)
}

// findTable prints the table of `fpfind find`.
func findTable(w io.Writer, doc report.Find, pn *partialNote) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	cert := ""
	if doc.Settings.Certify {
		cert = "cert\t"
	}
	fmt.Fprintf(tw, "#\tkind\tclass\tunstable\tq\t|F|inf\tmult\ttau_slow\tlambda_1\t%s\n", cert)
	for _, p := range doc.Points {
		if cert != "" {
			cert = certCell(p) + "\t"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", p.Index, p.Kind, pn.class(p.Index, p.Stability), pn.unstable(p.Index, p.NUnstable),
			sci(float64(p.Q)), sci(float64(p.ResidualInf)), p.Multiplicity, num(float64(p.SlowestTau)), cnum(complex128(p.Leading)), cert)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	s := doc.Summary
	st := s.Status
	if _, err := fmt.Fprintf(w, "\n%d unique points (%d fixed, %d slow): %s\n%d initial states: %d fixed, %d slow, %d not-converged, %d diverged\n%s%s%s\n",
		s.Points, s.FixedPoints, s.SlowPoints, classLine(s.Stability), s.Inits, st.Fixed, st.Slow, st.NotConverged, st.Diverged, pn.footer(), certLine(doc)+completeLine(doc), conventionNote(doc.Network.Convention)); err != nil {
		return err
	}
	if _, err := io.WriteString(w, attractorLines(doc)); err != nil {
		return err
	}
	return graphLines(w, doc)
}

// graphLines prints the fixed-point graph: one line per explored point,
// "saddle 12 connects stable 3 and stable 7" for a point with one
// unstable mode whose two directions reach two points, else each mode's
// two ends.
func graphLines(w io.Writer, doc report.Find) error {
	if len(doc.EdgeFrom) == 0 {
		return nil
	}
	name := func(to int) string {
		switch {
		case to >= 0 && to < len(doc.Points):
			return fmt.Sprintf("%s %d", doc.Points[to].Stability, to)
		case to == explore.ToSlow:
			return "a slow region"
		case to == explore.ToDiverged:
			return "infinity (diverged)"
		case to == explore.ToBudget:
			return "unexplored (budget spent)"
		}
		return fmt.Sprint(to)
	}
	if _, err := fmt.Fprintf(w, "\ngraph (where each unstable direction leads):\n"); err != nil {
		return err
	}
	for i := 0; i < len(doc.EdgeFrom); {
		from := doc.EdgeFrom[i]
		j := i
		for j < len(doc.EdgeFrom) && doc.EdgeFrom[j] == from {
			j++
		}
		p := doc.Points[from]
		var line string
		if j-i == 2 && doc.EdgeMode[i] == doc.EdgeMode[i+1] && doc.EdgeTo[i] >= 0 && doc.EdgeTo[i+1] >= 0 {
			line = fmt.Sprintf("%s %d connects %s and %s", p.Stability, from, name(doc.EdgeTo[i]), name(doc.EdgeTo[i+1]))
		} else {
			line = fmt.Sprintf("%s %d:", p.Stability, from)
			for k := i; k < j; k++ {
				sign := "+"
				if doc.EdgeSign[k] < 0 {
					sign = "-"
				}
				sep := ","
				if k == j-1 {
					sep = ""
				}
				line += fmt.Sprintf(" mode %d%s to %s%s", doc.EdgeMode[k], sign, name(doc.EdgeTo[k]), sep)
			}
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// partialNote marks the rows of a table whose spectra are partial (--eigs):
// a lower-bound count of unstable modes reads ">=K", an undecided class
// "saddle?", and a footer line says how many eigenvalues were computed. A
// nil *partialNote (every eigenvalue computed) changes nothing.
type partialNote struct {
	computed, n     int
	more, undecided []bool // by row
}

// newPartialNote returns the note for the spectra of a table's rows, nil
// when they are complete.
func newPartialNote(sps []pointSpectrum, n, computed int) *partialNote {
	if computed >= n {
		return nil
	}
	p := &partialNote{computed: computed, n: n, more: make([]bool, len(sps)), undecided: make([]bool, len(sps))}
	for i, sp := range sps {
		p.more[i], p.undecided[i] = sp.MoreUnstable, sp.Undecided
	}
	return p
}

func (p *partialNote) unstable(row, nu int) string {
	if p != nil && p.more[row] {
		return fmt.Sprintf(">=%d", nu)
	}
	return fmt.Sprint(nu)
}

func (p *partialNote) class(row int, class string) string {
	if p != nil && p.undecided[row] {
		return class + "?"
	}
	return class
}

func (p *partialNote) footer() string {
	if p == nil {
		return ""
	}
	return fmt.Sprintf("eigenvalues: the %d leading of %d per point (--eigs); >=: every computed one unstable, there may be more; saddle?: saddle or unstable\n", p.computed, p.n)
}
