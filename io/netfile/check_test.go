package netfile

import (
	"errors"
	"path/filepath"
	"testing"
)

// LoadOptions.Check sees N and M from the headers alone, before any data is
// decoded, and its error comes back unchanged: a caller can refuse a W of
// 12.8 GB (a sparse file here) that the memory budget alone would let
// through, without reading it.
func TestLoadCheckBeforeData(t *testing.T) {
	dir := t.TempDir()
	sparseNPY(t, filepath.Join(dir, "W.npy"), 40000)
	stop := errors.New("too big for what the caller will do")
	var gotN, gotM int
	var err error
	alloc := allocated(func() {
		_, err = LoadNetwork(dir, &LoadOptions{MaxBytes: -1, Check: func(n, m int) error {
			gotN, gotM = n, m
			return stop
		}})
	})
	if alloc > refusalBudget {
		t.Errorf("refusing through Check cost %d bytes (more than %d)", alloc, refusalBudget)
	}
	if err != stop {
		t.Errorf("LoadNetwork returned %v, want the Check's error unchanged", err)
	}
	if gotN != 40000 || gotM != 0 {
		t.Errorf("Check saw N = %d, M = %d; want 40000, 0", gotN, gotM)
	}

	// A Check that accepts lets the load go on: the two-unit network, with
	// its N and M.
	gotN, gotM = -1, -1
	l, err := LoadNetwork(filepath.Join("..", "..", "testdata", "two_units.npz"), &LoadOptions{Check: func(n, m int) error {
		gotN, gotM = n, m
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if gotN != l.Network.Dim() || gotM != l.Network.Inputs() {
		t.Errorf("Check saw N = %d, M = %d; the network has %d, %d", gotN, gotM, l.Network.Dim(), l.Network.Inputs())
	}
}
