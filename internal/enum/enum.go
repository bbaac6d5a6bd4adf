// Package enum names the values of the small integer enumerations of the
// public packages (activations, conventions, methods, statuses, classes):
// one table of names per type, indexed by value, gives every type the same
// String, lookup by name and text marshalling. The parsers that accept
// aliases or ignore case, and their error messages, stay with each type.
package enum

import (
	"fmt"
	"reflect"
)

// Names holds the names of the values 0, 1, ..., len-1 of an enumeration T,
// indexed by value: enum.Names[Method]{Auto: "auto", Newton: "newton"}.
type Names[T ~int] []string

// Valid reports whether v has a name.
func (n Names[T]) Valid(v T) bool { return v >= 0 && int(v) < len(n) }

// String returns the name of v, or the type's name and the number, as in
// "Status(7)", for a value out of range.
func (n Names[T]) String(v T) string {
	if !n.Valid(v) {
		return fmt.Sprintf("%s(%d)", reflect.TypeFor[T]().Name(), int(v))
	}
	return n[v]
}

// Lookup returns the value whose name is s exactly, and whether there is
// one.
func (n Names[T]) Lookup(s string) (T, bool) {
	for i, name := range n {
		if name == s {
			return T(i), true
		}
	}
	return 0, false
}

// Text returns the name of v for encoding.TextMarshaler; a value out of
// range is an error that names its type, as "fixedpoint.Status(7) has no
// name".
func (n Names[T]) Text(v T) ([]byte, error) {
	if !n.Valid(v) {
		return nil, fmt.Errorf("%s(%d) has no name", reflect.TypeFor[T](), int(v))
	}
	return []byte(n[v]), nil
}
