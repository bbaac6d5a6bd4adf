package report_test

import (
	"math"
	"os"

	"github.com/fpfind/fpfind/io/report"
)

// Numbers that encoding/json rejects: NaN and infinities become null,
// complex numbers [re, im].
func ExampleWrite() {
	p := report.Point{
		Index:        0,
		Kind:         "fixed",
		Stability:    "marginal",
		NUnstable:    0,
		NMarginal:    1,
		Q:            1e-30,
		ResidualInf:  1.4e-15,
		Multiplicity: 3,
		Source:       "sample",
		NormInf:      0.9575,
		Leading:      report.Complex(complex(0, 0.5)),
		SlowestTau:   report.Float(math.Inf(1)),
		Eps:          1e-8,
		NEigenvalues: 1,
	}
	if err := report.Write(os.Stdout, p); err != nil {
		panic(err)
	}
	// Output:
	// {
	//   "index": 0,
	//   "kind": "fixed",
	//   "stability": "marginal",
	//   "n_unstable": 0,
	//   "n_marginal": 1,
	//   "q": 1e-30,
	//   "residual_inf": 1.4e-15,
	//   "multiplicity": 3,
	//   "source": "sample",
	//   "norm_inf": 0.9575,
	//   "leading_eigenvalue": [
	//     0,
	//     0.5
	//   ],
	//   "slowest_time_constant": null,
	//   "eps": 1e-8,
	//   "n_eigenvalues": 1,
	//   "n_unstable_lower_bound": false
	// }
}
