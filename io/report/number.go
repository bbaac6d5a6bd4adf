package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
)

// Float is a float64 that encodes NaN and the infinities as JSON null.
// null decodes to NaN.
type Float float64

// MarshalJSON encodes f as encoding/json does a float64, or null when f is
// NaN or infinite.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(v)
}

// UnmarshalJSON decodes a JSON number, or null as NaN.
func (f *Float) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*f = Float(math.NaN())
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = Float(v)
	return nil
}

// Floats converts a []float64 to a []Float.
func Floats(x []float64) []Float {
	if x == nil {
		return nil
	}
	y := make([]Float, len(x))
	for i, v := range x {
		y[i] = Float(v)
	}
	return y
}

// Complex is a complex128 that encodes as the JSON array [re, im], each part
// a Float (so a NaN or infinite part is null).
type Complex complex128

// MarshalJSON encodes c as [re, im].
func (c Complex) MarshalJSON() ([]byte, error) {
	return json.Marshal([2]Float{Float(real(c)), Float(imag(c))})
}

// UnmarshalJSON decodes [re, im].
func (c *Complex) UnmarshalJSON(b []byte) error {
	var p []Float
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if len(p) != 2 {
		return fmt.Errorf("report: complex number needs [re, im], got %d values", len(p))
	}
	*c = Complex(complex(float64(p[0]), float64(p[1])))
	return nil
}
