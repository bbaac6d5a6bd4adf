package ode_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os/exec"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/pythontest"
	"github.com/fpfind/fpfind/ode"
)

func rows(m *mat.Dense) [][]float64 {
	r, _ := m.Dims()
	out := make([][]float64, r)
	for i := range out {
		out[i] = m.RawRowView(i)
	}
	return out
}

// The same tanh network of N = 100 through scipy's solve_ivp (RK45 and
// DOP853) and through Solve, at rtol = 1e-10, atol = 1e-12; and a
// nonsymmetric linear network against scipy.linalg.expm.
func TestScipy(t *testing.T) {
	py := pythontest.Need(t, "numpy", "scipy.integrate", "scipy.linalg")
	const n, tau, t1, rtol, atol = 100, 1.0, 10.0, 1e-10, 1e-12
	net := randomNet(t, n, 1.5, 21, dynamics.Tanh)
	h0 := randomStates(1, n, 1, 22).RawRowView(0)
	lin := randomNet(t, n, 0.9, 23, dynamics.Linear)
	linW := lin.W()
	// The linear network without bias.
	linNet, err := dynamics.New(dynamics.Config{W: linW, Activation: dynamics.Linear, Tau: []float64{tau}})
	if err != nil {
		t.Fatal(err)
	}
	times := make([]float64, 21)
	for i := range times {
		times[i] = t1 * float64(i) / 20
	}
	in, err := json.Marshal(map[string]any{
		"W": rows(net.W()), "b": net.B(), "tau": tau, "h0": h0, "t1": t1, "times": times,
		"rtol": rtol, "atol": atol, "linear_W": rows(linW), "linear_h0": h0,
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "testdata/scipy_ref.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scipy_ref.py: %v\n%s", err, stderr.String())
	}
	var ref struct {
		RK45, DOP853, DOP853Tight, Expm [][]float64
		RK45Nfev                        int
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&struct {
		RK45        *[][]float64 `json:"rk45"`
		DOP853      *[][]float64 `json:"dop853"`
		DOP853Tight *[][]float64 `json:"dop853_tight"`
		Expm        *[][]float64 `json:"expm"`
		RK45Nfev    *int         `json:"rk45_nfev"`
	}{&ref.RK45, &ref.DOP853, &ref.DOP853Tight, &ref.Expm, &ref.RK45Nfev}); err != nil {
		t.Fatal(err)
	}
	res, err := ode.Solve(context.Background(), field(net), h0, 0, t1, &ode.Settings{Times: times, RelTol: rtol, AbsTol: atol})
	if err != nil {
		t.Fatal(err)
	}
	// The bound: 30 (atol + rtol |y|), the local tolerance with room for
	// the growth of the global error over [0, 10].
	check := func(name string, got *mat.Dense, want [][]float64, factor float64) {
		worst := 0.0
		for i := range times {
			for j, w := range want[i] {
				d := math.Abs(got.At(i, j)-w) / (atol + rtol*math.Abs(w))
				worst = math.Max(worst, d)
			}
		}
		t.Logf("%s: max |ours - ref| / (atol + rtol |ref|) = %.3g", name, worst)
		if worst > factor {
			t.Errorf("%s: deviation %.3g tolerances, want <= %v", name, worst, factor)
		}
	}
	check("DOP853 tight", res.Y, ref.DOP853Tight, 30)
	check("DOP853", res.Y, ref.DOP853, 30)
	check("RK45", res.Y, ref.RK45, 0.05) // the same steps: agreement far below the tolerance
	// Same method, initial step and controller as scipy's RK45: the same
	// steps, up to rounding in the step-size decisions.
	t.Logf("function evaluations: ours %d, scipy RK45 %d", res.Stats.FuncEvals, ref.RK45Nfev)
	if d := math.Abs(float64(res.Stats.FuncEvals - ref.RK45Nfev)); d > 0.02*float64(ref.RK45Nfev) {
		t.Errorf("function evaluations: ours %d, scipy RK45 %d", res.Stats.FuncEvals, ref.RK45Nfev)
	}
	// And scipy's RK45 itself is as far from the tight reference as we are.
	var scipyRK mat.Dense
	scipyRK.CloneFrom(mat.NewDense(len(times), n, flatten(ref.RK45)))
	check("scipy RK45 vs DOP853 tight", &scipyRK, ref.DOP853Tight, 30)

	lres, err := ode.Solve(context.Background(), field(linNet), h0, 0, t1, &ode.Settings{Times: times, RelTol: rtol, AbsTol: atol})
	if err != nil {
		t.Fatal(err)
	}
	check("linear vs expm", lres.Y, ref.Expm, 30)
}

func flatten(x [][]float64) []float64 {
	var out []float64
	for _, r := range x {
		out = append(out, r...)
	}
	return out
}
