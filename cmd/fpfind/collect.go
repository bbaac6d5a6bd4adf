package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/sweep"
	"github.com/spf13/pflag"
)

type collectOptions struct {
	out   string
	force bool
	plot  string
	along string
	quiet bool
}

func (o *collectOptions) register(fs *pflag.FlagSet) {
	fs.StringVarP(&o.out, "out", "o", "", "write the table to `TABLE`.csv (comma-separated, a header row) or TABLE.npz (one array per column); without it, CSV on stdout")
	fs.BoolVar(&o.force, "force", false, "replace existing output files")
	fs.StringVar(&o.plot, "plot", "", "draw the counts of fixed points by class and the leading eigenvalue along --along into `FILE`.png, .svg or .pdf")
	fs.StringVar(&o.along, "along", "", "the numeric `LABEL` the plot's x axis follows (default: the first numeric label, else the order of the list)")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing on stderr but errors")
	fs.Bool("version", false, "print the version and exit")
}

func (o *collectOptions) Validate(given func(string) bool) error {
	if o.out != "" {
		switch strings.ToLower(filepath.Ext(o.out)) {
		case ".csv", ".npz":
		default:
			return fmt.Errorf("--out %q: the file name must end in .csv or .npz", o.out)
		}
	}
	if o.along != "" && o.plot == "" {
		return fmt.Errorf("--along is a flag of --plot")
	}
	return checkPlot(o.plot)
}

var collectCommand = &command{
	name:     "collect",
	synopsis: "collect [-o TABLE.csv] [--plot FILE] DIR",
	summary:  "one table (and one plot) of a sweep's results",
	about: `Merge the results of the sweep in DIR (fpfind sweep -o DIR) into one table: one
row per network of the sweep, in the order of its list, with the columns
network (the path as given), the manifest's labels, status (done, failed,
stale: made with other settings, or missing), convention, n_points, n_fixed,
n_slow, the
fixed points by class n_stable, n_saddle, n_unstable, n_marginal, slowest_tau
(the slowest time constant of the stable fixed points), leading_re and
leading_im (the leading eigenvalue over the fixed points: largest real part, or
largest modulus for the leaky and discrete conventions), seconds (the
analysis's wall time), result (the stem of its files in DIR) and error. A cell
with no value is empty in the CSV; in the .npz, -1 in counts and NaN in
numbers.

--plot draws, along a label (--along, e.g. the training step), the counts of
stable and saddle fixed points and the leading eigenvalue, with the stability
boundary.`,
	examples: `  fpfind collect runs/ -o runs.csv
  fpfind collect runs/ -o runs.npz --plot runs.png --along step
  fpfind collect runs/ | column -s, -t
`,
	options: func() options { return &collectOptions{} },
}

func (o *collectOptions) run(ctx context.Context, e *env, name string, args []string) error {
	if o.quiet {
		e.log.SetOutput(io.Discard)
	}
	if len(args) != 1 {
		return usageErrorf(name, "want one DIR, the folder of a sweep (fpfind sweep -o DIR), got %d arguments", len(args))
	}
	dir := args[0]
	t, err := sweep.Collect(dir, sweep.Want{})
	if err != nil {
		return inputError(err)
	}
	along := -1
	if o.plot != "" {
		if along, err = plotLabel(t, o.along); err != nil {
			return usageErrorf(name, "%v", err)
		}
	}
	outs, err := newOutputs(filepath.Join(dir, sweep.PlanFile), o.force, o.out, o.plot)
	if err != nil {
		return err
	}
	defer outs.abort()
	if o.out != "" {
		fill := t.WriteCSV
		if strings.EqualFold(filepath.Ext(o.out), ".npz") {
			a := t.Arrays()
			fill = func(w io.Writer) error { return numpy.WriteNPZTo(w, a) }
		}
		if err := outs.write(o.out, fill); err != nil {
			return err
		}
	}
	if o.plot != "" {
		if err := writeSweepPlot(outs, o.plot, t, along, dir); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := outs.commit(); err != nil {
		return err
	}
	if o.out == "" {
		if err := t.WriteCSV(e.stdout); err != nil {
			return err
		}
	}
	n := len(t.Rows)
	e.log.Printf("%s: %d networks: %d done, %d failed, %d stale, %d missing", dir, n, t.Count(sweep.Done), t.Count(sweep.Failed), t.Count(sweep.Stale), t.Count(sweep.Missing))
	logWritten(e, o.out, o.plot)
	return nil
}
