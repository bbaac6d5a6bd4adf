package dynamics

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// WithInput and WithBias give the network New gives with the same input or
// bias, bit for bit, and share the weights instead of copying them.
func TestWithInputBias(t *testing.T) {
	w := mat.NewDense(3, 3, []float64{0.5, -1, 0.2, 0.3, 0.9, -0.4, 1.1, 0.1, -0.7})
	win := mat.NewDense(3, 2, []float64{1, 0, -0.5, 2, 0.3, 0.3})
	base, err := New(Config{W: w, WIn: win, U: []float64{0.1, 0.2}, B: []float64{0.3, -0.2, 0.1}, Tau: []float64{1, 2, 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	h := []float64{0.2, -0.6, 0.9}
	for _, tc := range []struct {
		name string
		with func() (*Network, error)
		cfg  Config
	}{
		{"input", func() (*Network, error) { return base.WithInput([]float64{-1, 0.5}) },
			Config{W: w, WIn: win, U: []float64{-1, 0.5}, B: []float64{0.3, -0.2, 0.1}, Tau: []float64{1, 2, 0.5}}},
		{"bias", func() (*Network, error) { return base.WithBias([]float64{1, 2, 3}) },
			Config{W: w, WIn: win, U: []float64{0.1, 0.2}, B: []float64{1, 2, 3}, Tau: []float64{1, 2, 0.5}}},
	} {
		got, err := tc.with()
		if err != nil {
			t.Fatal(err)
		}
		want, err := New(tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		fg, fw := make([]float64, 3), make([]float64, 3)
		got.Field(fg, h)
		want.Field(fw, h)
		for i := range fg {
			if fg[i] != fw[i] {
				t.Errorf("%s: F = %v, want %v", tc.name, fg, fw)
				break
			}
		}
		if &got.w.Data[0] != &base.w.Data[0] || got.pk != base.pk {
			t.Errorf("%s: the weights were copied", tc.name)
		}
	}
	if _, err := base.WithInput([]float64{1}); err == nil {
		t.Error("WithInput accepts an input of the wrong length")
	}
	if _, err := base.WithBias([]float64{1, 2}); err == nil {
		t.Error("WithBias accepts a bias of the wrong length")
	}
}

// D3 is the derivative of D2: central differences agree to 1e-7 at points
// away from the kinks.
func TestD3(t *testing.T) {
	for _, a := range Activations() {
		for _, x := range []float64{-2.3, -0.7, 0.4, 1.9} {
			const h = 1e-5
			fd := (a.D2(x+h) - a.D2(x-h)) / (2 * h)
			if d := a.D3(x); math.Abs(d-fd) > 1e-7 {
				t.Errorf("%s: D3(%v) = %v, central difference of D2 %v", a, x, d, fd)
			}
		}
	}
}
