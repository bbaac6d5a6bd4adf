package krylov_test

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/krylov"
)

// TestMeasureNewton runs damped Newton from random states in (-1,1)^N on
// random g = 1.5 tanh networks, each step solved by full GMRES at 1e-12,
// and logs how many GMRES iterations each visited state needs for several
// restart lengths, tolerances and preconditioners. It asserts that Newton
// reaches |F|_inf <= 1e-10. Opt-in (it takes a minute or two):
//
//	FPFIND_KRYLOV_MEASURE=500,2000 go test -run MeasureNewton -v ./internal/krylov/
func TestMeasureNewton(t *testing.T) {
	env := os.Getenv("FPFIND_KRYLOV_MEASURE")
	if env == "" {
		t.Skip("set FPFIND_KRYLOV_MEASURE=500,2000 to run")
	}
	for _, f := range strings.Split(env, ",") {
		n, err := strconv.Atoi(f)
		if err != nil {
			t.Fatal(err)
		}
		starts := 2
		if n > 1000 {
			starts = 1
		}
		for start := range starts {
			t.Run(fmt.Sprintf("n=%d/start=%d", n, start), func(t *testing.T) { measureNewton(t, n, uint64(start)) })
		}
	}
}

func measureNewton(t *testing.T, n int, start uint64) {
	net := tanhNet(t, n, 1.5, 1)
	rnd := newRand(100, start)
	h := make([]float64, n)
	for i := range h {
		h[i] = 2*rnd.Float64() - 1
	}
	d, f, rhs, step, trial, ft := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	op := func(dst, v []float64) { net.JacVecAt(dst, d, v) }
	full := min(n, 600)
	ws := map[int]*krylov.GMRES{30: krylov.NewGMRES(n, 30), 100: krylov.NewGMRES(n, 100), full: krylov.NewGMRES(n, full)}
	// Previous-step preconditioner: the LU of J at the previous Newton
	// state (at the first step, the current one), M^-1 v = J_{k-1}^-1 v.
	var lu mat.LU
	j0 := mat.NewDense(n, n, nil)
	net.Jacobian(j0, h)
	lu.Factorize(j0)
	chord := func(dst, v []float64) {
		lu.SolveVecTo(mat.NewVecDense(n, dst), false, mat.NewVecDense(n, v))
	}
	count := func(m int, tol float64, pre func(dst, v []float64)) string {
		clear(step)
		res, err := ws[m].Solve(op, rhs, step, &krylov.Settings{Tol: tol, MaxIter: 1000, Precond: pre})
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != krylov.Converged {
			return fmt.Sprintf("%d(%s %.0e)", res.Iter, res.Status, res.Residual)
		}
		return strconv.Itoa(res.Iter)
	}
	t.Logf("columns: Newton step, |F|_inf, mean phi', then GMRES iterations for m=30/m=100/m=%d at 1e-6 | same at 1e-12 | full m preconditioned by the LU of J at the previous Newton state, at 1e-12", full)
	for k := 0; k < 40; k++ {
		net.Field(f, h)
		fn := infNorm(f)
		if fn <= 1e-10 {
			t.Logf("converged after %d Newton steps, |F|_inf = %.2g", k, fn)
			return
		}
		net.PhiPrime(d, h)
		var dm float64
		for _, x := range d {
			dm += x
		}
		for i := range rhs {
			rhs[i] = -f[i]
		}
		line := fmt.Sprintf("step %2d |F| %.1e phi' %.2f:", k, fn, dm/float64(n))
		for _, tol := range []float64{1e-6, 1e-12} {
			for _, m := range []int{30, 100, full} {
				line += " " + count(m, tol, nil)
			}
			line += " |"
		}
		line += " " + count(full, 1e-12, chord)
		net.Jacobian(j0, h)
		lu.Factorize(j0)
		t.Log(line)
		// Take the full-GMRES 1e-12 step, damped by backtracking on |F|_2.
		clear(step)
		if _, err := ws[full].Solve(op, rhs, step, &krylov.Settings{Tol: 1e-12, MaxIter: 1000}); err != nil {
			t.Fatalf("Newton step %d: %v", k, err)
		}
		f2 := norm2(f)
		for a := 1.0; ; a /= 2 {
			for i := range h {
				trial[i] = h[i] + a*step[i]
			}
			net.Field(ft, trial)
			if norm2(ft) < (1-1e-4*a)*f2 || a < 1e-6 {
				copy(h, trial)
				break
			}
		}
	}
	t.Errorf("Newton did not converge in 40 steps")
}

func infNorm(x []float64) float64 {
	var m float64
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

func norm2(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}

var _ = dynamics.Tanh

// TestMeasureStates logs GMRES iteration counts at two kinds of states of
// random g = 1.5 tanh networks (b = 0): the origin, a fixed point where
// phi' = 1 (J = -I + W, right-hand side random), and a state on the
// attractor (the benchmark's), right-hand side -F. Opt-in like
// TestMeasureNewton:
//
//	FPFIND_KRYLOV_STATES=500,2000 go test -run MeasureStates -v ./internal/krylov/
func TestMeasureStates(t *testing.T) {
	env := os.Getenv("FPFIND_KRYLOV_STATES")
	if env == "" {
		t.Skip("set FPFIND_KRYLOV_STATES=500,2000 to run")
	}
	for _, fs := range strings.Split(env, ",") {
		n, err := strconv.Atoi(fs)
		if err != nil {
			t.Fatal(err)
		}
		net := tanhNet(t, n, 1.5, 1)
		rnd := newRand(50, 0)
		d, f, x := make([]float64, n), make([]float64, n), make([]float64, n)
		op := func(dst, v []float64) { net.JacVecAt(dst, d, v) }
		full := min(n, 1000)
		for _, state := range []string{"origin", "attractor"} {
			var rhs []float64
			if state == "origin" {
				net.PhiPrime(d, make([]float64, n))
				rhs = randVec(rnd, n)
			} else {
				h := attractorState(net, 2)
				net.PhiPrime(d, h)
				net.Field(f, h)
				for i := range f {
					f[i] = -f[i]
				}
				rhs = f
			}
			line := fmt.Sprintf("n=%d %s:", n, state)
			for _, tol := range []float64{1e-6, 1e-12} {
				for _, m := range []int{100, full} {
					clear(x)
					res, err := krylov.NewGMRES(n, m).Solve(op, rhs, x, &krylov.Settings{Tol: tol, MaxIter: 2000})
					if err != nil {
						t.Fatal(err)
					}
					line += fmt.Sprintf(" tol=%g m=%d: %d %s %.1e;", tol, m, res.Iter, res.Status, res.Residual)
				}
			}
			t.Log(line)
		}
	}
}
