package main

import (
	"context"
	"fmt"
	"math"
	"math/cmplx"
	"strings"
	"text/tabwriter"

	"github.com/fpfind/fpfind/io/report"
	"github.com/spf13/pflag"
	"gonum.org/v1/gonum/mat"
)

type infoOptions struct {
	model  modelOptions
	memory memoryOption
	format string
}

func (o *infoOptions) register(fs *pflag.FlagSet) {
	fs.StringVar(&o.format, "format", "text", "`FORMAT` of stdout: text or json")
	o.memory.register(fs)
	o.model.register(fs)
}

// Validate checks the flags.
func (o *infoOptions) Validate(func(flag string) bool) error {
	if o.format != "text" && o.format != "json" {
		return fmt.Errorf("--format %q: want text or json", o.format)
	}
	return o.model.validate()
}

var infoCommand = &command{
	name:     "info",
	synopsis: "info [flags] NETWORK",
	summary:  "what was read from a network file",
	about: `Print what fpfind reads from a network file: the sizes N and M, the
convention, activation and time constants, the spectral radius of W, and
where each array came from (key, dtype, C or Fortran order, shape). Arrays
that are not part of the dynamics (a readout, metadata) are listed as
ignored.`,
	examples: `  fpfind info testdata/flipflop.npz
  fpfind info --format json model.npz | jq .arrays
`,
	options: func() options { return &infoOptions{} },
}

func (o *infoOptions) run(_ context.Context, e *env, name string, args []string) error {
	path, err := networkArg(name, args)
	if err != nil {
		return err
	}
	o.model.maxBytes = o.memory.readLimit()
	o.model.check = func(n, m int) error {
		// The network, and the dense eigen-decomposition of W behind its
		// spectral radius (W's copy, its Schur form and the workspace).
		return o.memory.check(networkBytes(n, m)+3*float64(n)*float64(n)*f8, fmt.Sprintf("info on a network of N = %d units", n))
	}
	in, err := loadNetwork(path, &o.model)
	if err != nil {
		return err
	}
	doc := report.Info{Header: in.header("info"), Model: o.model.report(), SpectralRadius: report.Float(spectralRadius(in.Network.W()))}
	for _, a := range in.Arrays {
		role := a.Role
		if role == "" {
			role = "ignored"
		}
		order := "C"
		if a.Fortran {
			order = "F"
		}
		doc.Arrays = append(doc.Arrays, report.Array{Key: a.Key, Role: role, Shape: a.Shape, DType: a.Dtype, Order: order})
	}
	if o.format == "json" {
		return report.Write(e.stdout, doc)
	}
	return writeInfo(e, in, doc)
}

// spectralRadius returns max |lambda| over the eigenvalues of w (NaN if the
// decomposition fails).
func spectralRadius(w *mat.Dense) float64 {
	var eig mat.Eigen
	if !eig.Factorize(w, mat.EigenNone) {
		return math.NaN()
	}
	r := 0.0
	for _, v := range eig.Values(nil) {
		r = max(r, cmplx.Abs(v))
	}
	return r
}

// writeInfo prints the table of fpfind info. Every string read from the
// file (keys, dtypes, names) goes through printable, so a key holding
// terminal escape codes is shown escaped, not sent to the terminal.
func writeInfo(e *env, in *input, doc report.Info) error {
	n := doc.Network
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "file\t%s (%s, %s layout", printable(in.path), printable(in.Format), printable(in.Layout))
	if in.Prefix != "" {
		fmt.Fprintf(tw, ", prefix %q", in.Prefix)
	}
	fmt.Fprintf(tw, ")\n")
	fmt.Fprintf(tw, "sha256\t%s\n", in.hash)
	fmt.Fprintf(tw, "units\tN = %d\n", n.N)
	if n.M > 0 {
		fmt.Fprintf(tw, "inputs\tM = %d, constant u = %s\n", n.M, vec(in.Network.U()))
	} else {
		fmt.Fprintf(tw, "inputs\tnone\n")
	}
	conv := printable(n.Convention)
	switch {
	case in.Network.Convention().String() == "leaky":
		conv += fmt.Sprintf(" (alpha = %.4g, one step = %.4g time units)", float64(n.Alpha), in.Network.TimeStep())
	case in.Network.Convention().IsMap():
		conv += " (one step = 1 time unit)"
	}
	fmt.Fprintf(tw, "convention\t%s\n", conv)
	fmt.Fprintf(tw, "activation\t%s\n", printable(n.Activation))
	if n.TauMin == n.TauMax {
		fmt.Fprintf(tw, "tau\t%.6g (every unit)\n", float64(n.TauMin))
	} else {
		fmt.Fprintf(tw, "tau\t%.6g to %.6g\n", float64(n.TauMin), float64(n.TauMax))
	}
	fmt.Fprintf(tw, "spectral radius of W\t%.6g\n", float64(doc.SpectralRadius))
	if in.Network.Symmetric() {
		fmt.Fprintf(tw, "symmetry\th -> -h (odd phi, no bias or input): fixed and slow points come in pairs\n")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout)
	tw = tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "KEY\tUSED AS\tSHAPE\tDTYPE\tORDER\n")
	for _, a := range doc.Arrays {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", printable(a.Key), printable(a.Role), shape(a.Shape), printable(a.DType), printable(a.Order))
	}
	return tw.Flush()
}

// shape formats an array shape as numpy does: (), (3,), (64, 64).
func shape(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	if len(s) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// vec formats a short vector, eliding the middle of a long one.
func vec(x []float64) string {
	var parts []string
	for i, v := range x {
		if len(x) > 8 && i == 4 {
			parts = append(parts, "...")
		}
		if len(x) > 8 && i >= 4 && i < len(x)-3 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%.4g", v))
	}
	return "[" + strings.Join(parts, " ") + "]"
}
