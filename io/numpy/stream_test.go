package numpy

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

// The io.Reader and io.Writer forms round-trip every dtype a reader returns,
// and keep the memory limit and the trailing-data check.
func TestStreamRoundTrip(t *testing.T) {
	arrays := []Array{
		{Name: "z", Shape: []int{2}, Data: []complex128{1 + 2i, -3i}},
		{Name: "s", Shape: []int{}, Data: []string{"tanh"}},
		{Name: "a", Shape: []int{2, 3}, Data: []float64{1, 2, 3, 4, 5, 6}},
	}
	var buf bytes.Buffer
	if err := WriteNPZTo(&buf, arrays); err != nil {
		t.Fatal(err)
	}
	back, err := ReadNPZFrom(bytes.NewReader(buf.Bytes()), int64(buf.Len()), &ReadOptions{MaxBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 3 || back[0].Name != "a" || back[1].Name != "s" || back[2].Name != "z" {
		t.Fatalf("read back %d arrays, want a, s, z in order", len(back))
	}
	if f, ok := back[0].Float64s(); !ok || !slices.Equal(f, arrays[2].Data.([]float64)) || !slices.Equal(back[0].Shape, []int{2, 3}) {
		t.Errorf("a = %v %v", back[0].Shape, back[0].Data)
	}
	if s, ok := back[1].Strings(); !ok || s[0] != "tanh" {
		t.Errorf("s = %v", back[1].Data)
	}
	if z, ok := back[2].Complex128s(); !ok || !slices.Equal(z, arrays[0].Data.([]complex128)) {
		t.Errorf("z = %v", back[2].Data)
	}
	if _, err := ReadNPZFrom(bytes.NewReader(buf.Bytes()), int64(buf.Len()), &ReadOptions{MaxBytes: 8}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("an .npz over the limit: %v, want ErrTooLarge", err)
	}

	buf.Reset()
	if err := WriteNPYTo(&buf, arrays[2]); err != nil {
		t.Fatal(err)
	}
	one, err := ReadNPYFrom(bytes.NewReader(buf.Bytes()), 0)
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := one.Float64s(); !slices.Equal(f, arrays[2].Data.([]float64)) {
		t.Errorf("read back %v", one.Data)
	}
	if _, err := ReadNPYFrom(bytes.NewReader(buf.Bytes()), 47); !errors.Is(err, ErrTooLarge) {
		t.Errorf("an .npy over the limit: %v, want ErrTooLarge", err)
	}
	if _, err := ReadNPYFrom(bytes.NewReader(append(buf.Bytes(), 0)), 0); err == nil {
		t.Error("trailing data accepted")
	}
	var fe *FormatError
	if _, err := ReadNPYFrom(bytes.NewReader(buf.Bytes()[:buf.Len()-1]), 0); !errors.As(err, &fe) || fe.File != "" {
		t.Errorf("truncated data: %v, want a *FormatError without a file", err)
	}
}
