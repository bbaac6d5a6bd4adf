package dynamics

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// SpeedGradRows agrees with SpeedGrad (itself checked against finite
// differences) for every activation and convention, and each row is
// bit-identical to the same state evaluated alone, for sizes that exercise
// the kernel's tile edges and its packed path (N = 300).
func TestSpeedGradRows(t *testing.T) {
	for _, n := range []int{1, 13, 300} {
		for _, act := range Activations() {
			for _, conv := range []Convention{Continuous, Leaky, Discrete} {
				net := randomNet(t, n, 2, 1.5, act, conv, conv == Continuous, 21)
				const m = 9
				h := make([]float64, m*n)
				for r := range m {
					copy(h[r*n:], randomState(n, uint64(30+r)))
				}
				grad, f, q := make([]float64, m*n), make([]float64, m*n), make([]float64, m)
				net.SpeedGradRows(grad, f, h, m, q)
				g1, f1, q1 := make([]float64, n), make([]float64, n), make([]float64, 1)
				gs, fs := make([]float64, n), make([]float64, n)
				for r := range m {
					hr := h[r*n : (r+1)*n]
					qs := net.SpeedGrad(gs, fs, hr)
					if math.Abs(q[r]-qs) > 1e-13*qs {
						t.Fatalf("N %d %v %v row %d: q = %v, SpeedGrad %v", n, act, conv, r, q[r], qs)
					}
					var gmax float64
					for _, v := range gs {
						gmax = math.Max(gmax, math.Abs(v))
					}
					for i := range gs {
						if d := math.Abs(grad[r*n+i] - gs[i]); d > 1e-12*(1+gmax) {
							t.Fatalf("N %d %v %v row %d: grad[%d] = %v, SpeedGrad %v", n, act, conv, r, i, grad[r*n+i], gs[i])
						}
						if d := math.Abs(f[r*n+i] - fs[i]); d > 1e-12*(1+math.Abs(fs[i])) {
							t.Fatalf("N %d %v %v row %d: F[%d] = %v, SpeedGrad %v", n, act, conv, r, i, f[r*n+i], fs[i])
						}
					}
					net.SpeedGradRows(g1, f1, hr, 1, q1)
					if math.Float64bits(q1[0]) != math.Float64bits(q[r]) {
						t.Fatalf("N %d %v %v row %d: q alone %v, in a batch %v", n, act, conv, r, q1[0], q[r])
					}
					for i := range g1 {
						if math.Float64bits(g1[i]) != math.Float64bits(grad[r*n+i]) || math.Float64bits(f1[i]) != math.Float64bits(f[r*n+i]) {
							t.Fatalf("N %d %v %v row %d: element %d differs alone and in a batch", n, act, conv, r, i)
						}
					}
				}
			}
		}
	}
}

// JacVecRowsAt agrees with JacVecAt, row by row, and each row is
// bit-identical alone and in a batch.
func TestJacVecRowsAt(t *testing.T) {
	for _, n := range []int{1, 13, 300} {
		net := randomNet(t, n, 2, 1.5, Tanh, Continuous, true, 22)
		const m = 6
		d, v := make([]float64, m*n), make([]float64, m*n)
		for r := range m {
			net.PhiPrime(d[r*n:(r+1)*n], randomState(n, uint64(40+r)))
			copy(v[r*n:], randomState(n, uint64(50+r)))
		}
		dst := make([]float64, m*n)
		net.JacVecRowsAt(dst, d, v, m)
		one, ref := make([]float64, n), make([]float64, n)
		for r := range m {
			net.JacVecAt(ref, d[r*n:(r+1)*n], v[r*n:(r+1)*n])
			net.JacVecRowsAt(one, d[r*n:(r+1)*n], v[r*n:(r+1)*n], 1)
			for i := range ref {
				if math.Abs(dst[r*n+i]-ref[i]) > 1e-12*(1+math.Abs(ref[i])) {
					t.Fatalf("N %d row %d: [%d] = %v, JacVecAt %v", n, r, i, dst[r*n+i], ref[i])
				}
				if math.Float64bits(one[i]) != math.Float64bits(dst[r*n+i]) {
					t.Fatalf("N %d row %d: element %d differs alone and in a batch", n, r, i)
				}
			}
		}
	}
}

func TestSpeedGradRowsPanics(t *testing.T) {
	net := randomNet(t, 4, 0, 1, Tanh, Continuous, false, 1)
	for name, f := range map[string]func(){
		"short": func() {
			net.SpeedGradRows(make([]float64, 8), make([]float64, 8), make([]float64, 7), 2, make([]float64, 2))
		},
		"q": func() {
			net.SpeedGradRows(make([]float64, 8), make([]float64, 8), make([]float64, 8), 2, make([]float64, 1))
		},
		"alias": func() { s := make([]float64, 8); net.SpeedGradRows(s, s, make([]float64, 8), 2, make([]float64, 2)) },
		"mixed par": func() {
			net.SpeedGradJacVecRows(make([]float64, 4), make([]float64, 8), make([]float64, 8), 1, make([]float64, 1), make([]float64, 4), 1, 0)
		},
		"mixed short d": func() {
			net.SpeedGradJacVecRows(make([]float64, 4), make([]float64, 8), make([]float64, 8), 1, make([]float64, 1), make([]float64, 3), 1, 1)
		},
		"field short d": func() {
			net.SpeedFieldJacVecRows(nil, make([]float64, 8), make([]float64, 8), 0, nil, make([]float64, 4), 1, 1, 1)
		},
		"field d aliases h": func() {
			s := make([]float64, 4)
			net.SpeedFieldJacVecRows(nil, make([]float64, 4), s, 0, nil, s, 1, 0, 1)
		},
		"mixed alias": func() {
			s := make([]float64, 8)
			net.SpeedGradJacVecRows(make([]float64, 4), s, make([]float64, 8), 1, make([]float64, 1), s[:4], 1, 1)
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// FieldRows gives each row the same bits alone and in a batch.
func TestFieldRowsBitIdenticalAlone(t *testing.T) {
	const n, b = 300, 5
	net := randomNet(t, n, 2, 1, Tanh, Continuous, true, 10)
	hs := mat.NewDense(b, n, nil)
	for k := range b {
		hs.SetRow(k, randomState(n, uint64(11+k)))
	}
	all := &mat.Dense{}
	net.FieldRows(all, hs)
	for k := range b {
		one := &mat.Dense{}
		net.FieldRows(one, hs.Slice(k, k+1, 0, n).(*mat.Dense))
		for i := range n {
			if math.Float64bits(one.At(0, i)) != math.Float64bits(all.At(k, i)) {
				t.Fatalf("row %d unit %d: %v alone, %v in the batch", k, i, one.At(0, i), all.At(k, i))
			}
		}
	}
}

// SpeedGradJacVecRows gives, row for row, the bits of SpeedGradRows on the
// speed rows and of JacVecRowsAt on the product rows, whatever the split,
// for sizes on both sides of the kernel's panel paths (N = 300) and with
// per-unit time constants.
func TestSpeedGradJacVecRows(t *testing.T) {
	for _, n := range []int{5, 300} {
		for _, conv := range []Convention{Continuous, Leaky} {
			net := randomNet(t, n, 1, 1.5, Tanh, conv, true, 23)
			for _, sp := range [][2]int{{0, 3}, {3, 0}, {1, 1}, {5, 7}, {9, 2}} {
				m, mv := sp[0], sp[1]
				h := make([]float64, (m+mv)*n)
				for r := range m + mv {
					copy(h[r*n:], randomState(n, uint64(40+r)))
				}
				d := make([]float64, mv*n)
				for r := range mv {
					net.PhiPrime(d[r*n:(r+1)*n], randomState(n, uint64(60+r)))
				}
				grad, f, q := make([]float64, m*n), make([]float64, (m+mv)*n), make([]float64, m)
				net.SpeedGradJacVecRows(grad, f, h, m, q, d, mv, 1+m%3)
				gs, fs, qs := make([]float64, m*n), make([]float64, m*n), make([]float64, m)
				net.SpeedGradRows(gs, fs, h[:m*n], m, qs)
				jv := make([]float64, mv*n)
				net.JacVecRowsAt(jv, d, h[m*n:], mv)
				same := func(what string, a, b []float64) {
					for i := range a {
						if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
							t.Fatalf("N %d %v %d+%d rows: %s[%d] = %v, separately %v", n, conv, m, mv, what, i, a[i], b[i])
						}
					}
				}
				same("grad", grad, gs)
				same("F", f[:m*n], fs)
				same("q", q, qs)
				same("J v", f[m*n:], jv)
			}
		}
	}
}

// SpeedFieldJacVecRows' field rows carry the bits of the same states' F as
// speed rows (SpeedGradRows) and agree with Field and PhiPrime to rounding;
// every row, of every kind, is bit-identical alone and in any batch, for
// any par.
func TestSpeedFieldJacVecRows(t *testing.T) {
	for _, n := range []int{5, 300} {
		for _, act := range []Activation{Tanh, Softplus} {
			net := randomNet(t, n, 1, 1.5, act, Continuous, true, 29)
			for _, sp := range [][3]int{{0, 1, 0}, {0, 4, 0}, {2, 3, 1}, {3, 0, 2}, {1, 9, 4}} {
				m, mf, mv := sp[0], sp[1], sp[2]
				rows := m + mf + mv
				h := make([]float64, rows*n)
				for r := range rows {
					copy(h[r*n:], randomState(n, uint64(70+r)))
				}
				d := make([]float64, (mf+mv)*n)
				for r := range mv {
					net.PhiPrime(d[(mf+r)*n:(mf+r+1)*n], randomState(n, uint64(90+r)))
				}
				grad, f, q := make([]float64, m*n), make([]float64, rows*n), make([]float64, m)
				net.SpeedFieldJacVecRows(grad, f, h, m, q, d, mf, mv, 1+rows%2)
				// The field rows as speed rows.
				gs, fs, qs := make([]float64, (m+mf)*n), make([]float64, (m+mf)*n), make([]float64, m+mf)
				net.SpeedGradRows(gs, fs, h[:(m+mf)*n], m+mf, qs)
				jv := make([]float64, mv*n)
				net.JacVecRowsAt(jv, d[mf*n:], h[(m+mf)*n:], mv)
				same := func(what string, a, b []float64) {
					t.Helper()
					for i := range a {
						if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
							t.Fatalf("N %d %v %d+%d+%d rows: %s[%d] = %v, separately %v", n, act, m, mf, mv, what, i, a[i], b[i])
						}
					}
				}
				same("grad", grad, gs[:m*n])
				same("F", f[:(m+mf)*n], fs)
				same("q", q, qs[:m])
				same("J v", f[(m+mf)*n:], jv)
				for r := range mf {
					hr := h[(m+r)*n : (m+r+1)*n]
					// Alone, one field row.
					f1, d1 := make([]float64, n), make([]float64, n)
					net.SpeedFieldJacVecRows(nil, f1, hr, 0, nil, d1, 1, 0, 1)
					same("F alone", f1, f[(m+r)*n:(m+r+1)*n])
					same("phi' alone", d1, d[r*n:(r+1)*n])
					// Against Field and PhiPrime, to rounding.
					fw, dw := make([]float64, n), make([]float64, n)
					net.Field(fw, hr)
					net.PhiPrime(dw, hr)
					for i := range n {
						if math.Abs(f1[i]-fw[i]) > 1e-12*(1+math.Abs(fw[i])) || math.Abs(d1[i]-dw[i]) > 1e-12 {
							t.Fatalf("N %d %v row %d unit %d: F %v phi' %v, Field %v PhiPrime %v", n, act, r, i, f1[i], d1[i], fw[i], dw[i])
						}
					}
				}
			}
		}
	}
}
