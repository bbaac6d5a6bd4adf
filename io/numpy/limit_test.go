package numpy

import (
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestHumanBytes(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{0, "0 bytes"}, {999, "999 bytes"}, {1000, "1 kB"}, {1536, "1.54 kB"}, {999_499, "999 kB"},
		{999_500, "1 MB"}, {25_275_383_808, "25.3 GB"}, {320_000_000_000, "320 GB"}, {math.MaxInt64, "9.22 EB"},
	} {
		if got := humanBytes(c.n); got != c.want {
			t.Errorf("humanBytes(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

// TestReadNPYStream reads .npy files from a pipe, whose size is unknown
// until the end: the header decides what is read, truncation and trailing
// data are still told.
func TestReadNPYStream(t *testing.T) {
	if _, err := os.Stat("/dev/fd/0"); err != nil {
		t.Skip("no /dev/fd on this system")
	}
	for _, c := range []struct {
		name string
		b    []byte
		want string
	}{
		{"whole", w2, ""},
		{"truncated", w2[:len(w2)-3], "unexpected EOF"},
		{"trailing", append(append([]byte(nil), w2...), "junk"...), "trailing garbage after the 32 bytes of shape (2, 2) of <f8"},
	} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		go func() { w.Write(c.b); w.Close() }()
		a, err := ReadNPY("/dev/fd/" + strconv.Itoa(int(r.Fd())))
		r.Close()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want == "" && !slices.Equal(a.Data.([]float64), []float64{1, 2, 3, 4}):
			t.Errorf("%s: got %v", c.name, a.Data)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: got %v, want an error saying %q", c.name, err, c.want)
		}
	}
}
