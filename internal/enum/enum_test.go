package enum_test

import (
	"testing"

	"github.com/fpfind/fpfind/internal/enum"
)

type color int

const (
	red color = iota
	green
)

var colorNames = enum.Names[color]{red: "red", green: "green"}

// String, Lookup and Text agree on the values with a name, and out of
// range String and Text name the type and the number.
func TestNames(t *testing.T) {
	for _, v := range []color{red, green} {
		name := colorNames.String(v)
		if back, ok := colorNames.Lookup(name); !ok || back != v {
			t.Errorf("Lookup(%q) = %v, %v; want %v", name, back, ok, v)
		}
		if b, err := colorNames.Text(v); err != nil || string(b) != name {
			t.Errorf("Text(%v) = %q, %v; want %q", v, b, err, name)
		}
	}
	if colorNames.String(green) != "green" {
		t.Errorf("String(green) = %q", colorNames.String(green))
	}
	for _, v := range []color{-1, 2} {
		if colorNames.Valid(v) {
			t.Errorf("Valid(%d) = true", v)
		}
	}
	if got := colorNames.String(7); got != "color(7)" {
		t.Errorf("String(7) = %q, want color(7)", got)
	}
	if _, err := colorNames.Text(-1); err == nil || err.Error() != "enum_test.color(-1) has no name" {
		t.Errorf("Text(-1) error = %v", err)
	}
	if _, ok := colorNames.Lookup("blue"); ok {
		t.Error("Lookup(blue) found a value")
	}
}
