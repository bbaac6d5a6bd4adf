package sweep

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/fpfind/fpfind/internal/atomicfile"
	"github.com/fpfind/fpfind/internal/enum"
	"github.com/fpfind/fpfind/io/report"
)

// PlanFile is the name of the plan in a sweep's folder.
const PlanFile = "sweep.json"

// Files returns the result files of the network named name in the folder
// dir: its .npz and .json, and the record of its failure.
func Files(dir, name string) (npz, json, failed string) {
	p := filepath.Join(dir, name)
	return p + ".npz", p + ".json", p + ".failed.json"
}

// ReadPlan reads the plan of the sweep in dir.
func ReadPlan(dir string) (*report.SweepPlan, error) {
	path := filepath.Join(dir, PlanFile)
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no sweep in this folder (no %s)", dir, PlanFile)
		}
		return nil, err
	}
	defer f.Close()
	var p report.SweepPlan
	if err := report.Read(f, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if p.Command != "sweep" {
		return nil, fmt.Errorf("%s: not a sweep's plan (command %q)", path, p.Command)
	}
	return &p, nil
}

// WritePlan writes the plan into dir all or nothing, unless the same plan
// is there already (the tasks of a job array each write it).
func WritePlan(dir string, p *report.SweepPlan) error {
	if old, err := ReadPlan(dir); err == nil && slices.EqualFunc(old.Networks, p.Networks, sameEntry) && old.Version == p.Version {
		return nil
	}
	return atomicfile.Write(filepath.Join(dir, PlanFile), true, func(w io.Writer) error { return report.Write(w, p) })
}

// sameEntry reports whether two plan entries are the same network, labels
// and settings.
func sameEntry(a, b report.SweepEntry) bool {
	return a.Network == b.Network && a.Name == b.Name && slices.Equal(a.Labels, b.Labels) &&
		slices.Equal(a.Flags, b.Flags) && slices.Equal(a.Settings, b.Settings)
}

// State is where a network of a sweep stands, from the files alone.
type State int

const (
	// Missing: no result and no failure recorded.
	Missing State = iota
	// Done: NAME.npz and NAME.json hold its results.
	Done
	// Failed: NAME.failed.json records its error.
	Failed
	// Stale: a result or failure is there, made with other settings, by
	// another version of fpfind or from another content of the input.
	Stale
)

var stateNames = enum.Names[State]{Missing: "missing", Done: "done", Failed: "failed", Stale: "stale"}

func (s State) String() string { return stateNames.String(s) }

// Want says what a result must have been made with to count.
type Want struct {
	// Version is fpfind's version; "" accepts any.
	Version string
	// Hash returns the SHA-256 of the network at a path (report.HashPath);
	// nil accepts any content. An error counts as a hash of "".
	Hash func(path string) (string, error)
}

// Status is the state of one network, with its result or failure.
type Status struct {
	State State
	// Reason says why a result is stale.
	Reason  string
	Result  *report.Find         // Done
	Failure *report.SweepFailure // Failed
}

// Check returns the state of the network e of a sweep in dir (e as the
// plan lists it: its Settings decide).
func Check(dir string, e report.SweepEntry, want Want) Status {
	_, jsonPath, failedPath := Files(dir, e.Name)
	hash, hashed := "", false
	sameInput := func(h string) bool {
		if want.Hash == nil {
			return true
		}
		if !hashed {
			hash, _ = want.Hash(e.Network)
			hashed = true
		}
		return h == hash
	}
	var stale string
	var doc report.Find
	switch found, err := readDoc(jsonPath, &doc); {
	case err != nil:
		stale = err.Error()
	case found:
		npzPath, _, _ := Files(dir, e.Name)
		if why := mismatch(doc.Sweep, doc.Version, e, want); why != "" {
			stale = why
		} else if _, err := os.Stat(npzPath); err != nil {
			stale = filepath.Base(npzPath) + " is missing"
		} else if !sameInput(doc.Input.SHA256) {
			stale = "the network's file changed since"
		} else {
			return Status{State: Done, Result: &doc}
		}
	}
	var fail report.SweepFailure
	switch found, err := readDoc(failedPath, &fail); {
	case err != nil:
		stale = err.Error()
	case found:
		if why := mismatch(&fail.Sweep, fail.Version, e, want); why != "" {
			stale = why
		} else if !sameInput(fail.Input.SHA256) {
			stale = "the network's file changed since"
		} else {
			return Status{State: Failed, Failure: &fail}
		}
	}
	if stale != "" {
		return Status{State: Stale, Reason: stale}
	}
	return Status{State: Missing}
}

// readDoc reads the document at path into doc; found is false when there
// is no file.
func readDoc(path string, doc any) (found bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	if err := report.Read(f, doc); err != nil {
		return false, fmt.Errorf("%s cannot be read: %v", filepath.Base(path), err)
	}
	return true, nil
}

// mismatch says why a record (got, made by version) is not the result of
// the entry want, or "".
func mismatch(got *report.SweepEntry, version string, e report.SweepEntry, want Want) string {
	switch {
	case got == nil:
		return "not made by a sweep"
	case got.Network != e.Network || !slices.Equal(got.Flags, e.Flags):
		return "made from another network or flags"
	case !slices.Equal(got.Settings, e.Settings):
		return "made with other settings"
	case want.Version != "" && version != want.Version:
		return fmt.Sprintf("made by fpfind %s, not %s", version, want.Version)
	}
	return ""
}
