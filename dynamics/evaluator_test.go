package dynamics

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// speedRows evaluates m speed rows with one worker.
func speedRows(net *Network, grad, f, h []float64, m int, q []float64) {
	net.NewEvaluator(1).Eval(&Batch{Speeds: m, H: h, F: f, Grad: grad, Q: q})
}

// jacVecRows evaluates m J v rows (phi' in d) with one worker.
func jacVecRows(net *Network, dst, d, v []float64, m int) {
	net.NewEvaluator(1).Eval(&Batch{JacVecs: m, H: v, F: dst, Phi: d})
}

// Speed rows agree with SpeedGrad (itself checked against finite
// differences) for every activation and convention, and each row is
// bit-identical to the same state evaluated alone, for sizes that exercise
// the kernel's tile edges and its packed path (N = 300).
func TestEvalSpeedRows(t *testing.T) {
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
				speedRows(net, grad, f, h, m, q)
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
					speedRows(net, g1, f1, hr, 1, q1)
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

// J v rows agree with JacVecAt, row by row, and each row is
// bit-identical alone and in a batch.
func TestEvalJacVecRows(t *testing.T) {
	for _, n := range []int{1, 13, 300} {
		net := randomNet(t, n, 2, 1.5, Tanh, Continuous, true, 22)
		const m = 6
		d, v := make([]float64, m*n), make([]float64, m*n)
		for r := range m {
			net.PhiPrime(d[r*n:(r+1)*n], randomState(n, uint64(40+r)))
			copy(v[r*n:], randomState(n, uint64(50+r)))
		}
		dst := make([]float64, m*n)
		jacVecRows(net, dst, d, v, m)
		one, ref := make([]float64, n), make([]float64, n)
		for r := range m {
			net.JacVecAt(ref, d[r*n:(r+1)*n], v[r*n:(r+1)*n])
			jacVecRows(net, one, d[r*n:(r+1)*n], v[r*n:(r+1)*n], 1)
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

// newBatch returns a batch of m speed, mf field and mv J v rows at random
// states, with phi' of the J v rows at random states too.
func newBatch(net *Network, m, mf, mv int, seed uint64) Batch {
	n := net.Dim()
	rows := m + mf + mv
	b := Batch{
		Speeds: m, Fields: mf, JacVecs: mv,
		H: make([]float64, rows*n), F: make([]float64, rows*n),
		Grad: make([]float64, m*n), Q: make([]float64, m), Phi: make([]float64, (mf+mv)*n),
	}
	for r := range rows {
		copy(b.H[r*n:], randomState(n, seed+uint64(r)))
	}
	for r := range mv {
		net.PhiPrime(b.Phi[(mf+r)*n:(mf+r+1)*n], randomState(n, seed+100+uint64(r)))
	}
	return b
}

// EvalAll gives every batch the bits Eval gives it alone, whatever the
// other batches hold and the evaluator's parallelism (which splits the
// copies from N = 600 and 120 rows on).
func TestEvalAllMatchesEval(t *testing.T) {
	shapes := [][3]int{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {2, 1, 3}, {0, 0, 0}, {0, 2, 2}, {3, 0, 0}}
	for _, n := range []int{1, 13, 300, 600} {
		net := randomNet(t, n, 2, 1.5, Tanh, Leaky, false, 23)
		for _, workers := range []int{1, 3} {
			ev := net.NewEvaluator(workers)
			var all, alone []Batch
			for copies := range 1 + 9*(n/600) {
				for k, sh := range shapes {
					seed := uint64(1000*copies + 10*k)
					all = append(all, newBatch(net, sh[0], sh[1], sh[2], seed))
					alone = append(alone, newBatch(net, sh[0], sh[1], sh[2], seed))
				}
			}
			ev.EvalAll(all)
			for k := range alone {
				a, b := &all[k], &alone[k]
				ev.Eval(b)
				for _, p := range [][2][]float64{{a.F, b.F}, {a.Grad, b.Grad}, {a.Q, b.Q}, {a.Phi, b.Phi}} {
					for i := range p[1] {
						if math.Float64bits(p[0][i]) != math.Float64bits(p[1][i]) {
							t.Fatalf("N %d, workers %d, batch %d: element %d is %v in EvalAll, %v alone", n, workers, k, i, p[0][i], p[1][i])
						}
					}
				}
			}
		}
	}
	// A batch Eval refuses is refused among others.
	net := randomNet(t, 4, 0, 1, Tanh, Continuous, false, 1)
	good, bad := newBatch(net, 1, 0, 0, 1), newBatch(net, 1, 0, 0, 2)
	bad.Q = nil
	defer func() {
		if recover() == nil {
			t.Error("EvalAll with a short batch: no panic")
		}
	}()
	net.NewEvaluator(1).EvalAll([]Batch{good, bad})
}

func TestEvalPanics(t *testing.T) {
	net := randomNet(t, 4, 0, 1, Tanh, Continuous, false, 1)
	ev := net.NewEvaluator(1)
	for name, f := range map[string]func(){
		"short": func() {
			ev.Eval(&Batch{Speeds: 2, Grad: make([]float64, 8), F: make([]float64, 8), H: make([]float64, 7), Q: make([]float64, 2)})
		},
		"q": func() {
			ev.Eval(&Batch{Speeds: 2, Grad: make([]float64, 8), F: make([]float64, 8), H: make([]float64, 8), Q: make([]float64, 1)})
		},
		"alias": func() {
			s := make([]float64, 8)
			ev.Eval(&Batch{Speeds: 2, Grad: s, F: s, H: make([]float64, 8), Q: make([]float64, 2)})
		},
		"negative": func() {
			ev.Eval(&Batch{Speeds: -1, Grad: make([]float64, 4), F: make([]float64, 8), H: make([]float64, 8), Q: make([]float64, 1)})
		},
		"mixed short phi": func() {
			ev.Eval(&Batch{Speeds: 1, JacVecs: 1, Grad: make([]float64, 4), F: make([]float64, 8), H: make([]float64, 8), Q: make([]float64, 1), Phi: make([]float64, 3)})
		},
		"field short phi": func() {
			ev.Eval(&Batch{Fields: 1, JacVecs: 1, F: make([]float64, 8), H: make([]float64, 8), Phi: make([]float64, 4)})
		},
		"field phi aliases h": func() {
			s := make([]float64, 4)
			ev.Eval(&Batch{Fields: 1, F: make([]float64, 4), H: s, Phi: s})
		},
		"mixed alias": func() {
			s := make([]float64, 8)
			ev.Eval(&Batch{Speeds: 1, JacVecs: 1, Grad: make([]float64, 4), F: s, H: make([]float64, 8), Q: make([]float64, 1), Phi: s[:4]})
		},
		"operator alias": func() {
			s := make([]float64, 4)
			ev.OperatorVecs([]OperatorProduct{{Dst: s, Phi: make([]float64, 4), V: s}})
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
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
	net.NewEvaluator(2).FieldRows(all, hs)
	for k := range b {
		one := &mat.Dense{}
		net.NewEvaluator(1).FieldRows(one, hs.Slice(k, k+1, 0, n).(*mat.Dense))
		for i := range n {
			if math.Float64bits(one.At(0, i)) != math.Float64bits(all.At(k, i)) {
				t.Fatalf("row %d unit %d: %v alone, %v in the batch", k, i, one.At(0, i), all.At(k, i))
			}
		}
	}
}

// A batch of the three kinds gives, row for row, the bits of the speed rows
// and of the J v rows evaluated on their own; its field rows carry the bits
// of the same states' F as speed rows and agree with Field and PhiPrime to
// rounding; every row, of every kind, is bit-identical alone and in any
// batch, for any number of workers.
func TestEvalMixedRows(t *testing.T) {
	for _, n := range []int{5, 300} {
		for _, act := range []Activation{Tanh, Softplus} {
			net := randomNet(t, n, 1, 1.5, act, Continuous, true, 29)
			for _, sp := range [][3]int{{0, 1, 0}, {0, 4, 0}, {2, 3, 1}, {3, 0, 2}, {1, 9, 4}, {0, 0, 3}, {3, 0, 0}, {5, 0, 7}, {9, 0, 2}} {
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
				net.NewEvaluator(1 + rows%3).Eval(&Batch{Speeds: m, Fields: mf, JacVecs: mv, Grad: grad, F: f, H: h, Q: q, Phi: d})
				// The field rows as speed rows.
				gs, fs, qs := make([]float64, (m+mf)*n), make([]float64, (m+mf)*n), make([]float64, m+mf)
				speedRows(net, gs, fs, h[:(m+mf)*n], m+mf, qs)
				jv := make([]float64, mv*n)
				jacVecRows(net, jv, d[mf*n:], h[(m+mf)*n:], mv)
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
					net.NewEvaluator(1).Eval(&Batch{Fields: 1, F: f1, H: hr, Phi: d1})
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

// OperatorVecs gives every product the bits of OperatorVecAt, for every
// convention, whatever the other products and the number of workers, at a
// size with one block of rows (N = 37) and one with many (N = 1100).
func TestOperatorVecs(t *testing.T) {
	for _, n := range []int{37, 1100} {
		for _, conv := range []Convention{Continuous, Leaky, Discrete} {
			net := randomNet(t, n, 1, 1.5, Tanh, conv, conv == Continuous, 20)
			const k = 3
			ps := make([]OperatorProduct, k)
			want := make([][]float64, k)
			for r := range ps {
				ps[r] = OperatorProduct{Dst: make([]float64, n), Phi: make([]float64, n), V: randomState(n, uint64(80+r))}
				net.PhiPrime(ps[r].Phi, randomState(n, uint64(90+r)))
				want[r] = make([]float64, n)
				net.OperatorVecAt(want[r], ps[r].Phi, ps[r].V)
			}
			for _, workers := range []int{1, 2, 3} {
				for _, p := range ps {
					for i := range p.Dst {
						p.Dst[i] = math.NaN()
					}
				}
				net.NewEvaluator(workers).OperatorVecs(ps[:1+workers%k])
				for r, p := range ps[:1+workers%k] {
					for i := range p.Dst {
						if math.Float64bits(p.Dst[i]) != math.Float64bits(want[r][i]) {
							t.Fatalf("N %d %v workers %d product %d row %d: %v, OperatorVecAt %v", n, conv, workers, r, i, p.Dst[i], want[r][i])
						}
					}
				}
			}
		}
	}
}

// OperatorNorms gives the infinity norm of the formed operator bit for
// bit, and its trace and squared Frobenius norm to rounding.
func TestOperatorNorms(t *testing.T) {
	for _, conv := range []Convention{Continuous, Leaky, Discrete} {
		const n = 23
		net := randomNet(t, n, 0, 1.5, Tanh, conv, conv == Continuous, 24)
		h := randomState(n, 25)
		d := make([]float64, n)
		net.PhiPrime(d, h)
		inf, trace, frob2 := net.OperatorNorms(d)
		a := &mat.Dense{}
		net.Operator(a, h)
		if want := mat.Norm(a, math.Inf(1)); math.Float64bits(inf) != math.Float64bits(want) {
			t.Errorf("%v: infinity norm %v, of the formed operator %v", conv, inf, want)
		}
		if want := mat.Trace(a); math.Abs(trace-want) > 1e-13*math.Max(1, math.Abs(want)) {
			t.Errorf("%v: trace %v, of the formed operator %v", conv, trace, want)
		}
		if f := mat.Norm(a, 2); math.Abs(frob2-f*f) > 1e-12*f*f {
			t.Errorf("%v: squared Frobenius norm %v, of the formed operator %v", conv, frob2, f*f)
		}
	}
}
