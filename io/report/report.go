package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
)

// SchemaVersion is the version of the document layout written by this
// package (the "schema_version" key).
const SchemaVersion = 1

// Program is the value of the "program" key.
const Program = "fpfind"

// Header is the part common to every document. It is embedded, so its keys
// come first in each document.
type Header struct {
	SchemaVersion int     `json:"schema_version"` // SchemaVersion
	Program       string  `json:"program"`        // Program
	Version       string  `json:"version"`        // from Version()
	GoVersion     string  `json:"go_version"`     // the Go release that built the program
	Command       string  `json:"command"`        // find, simulate, linearize or info
	Input         Input   `json:"input"`
	Network       Network `json:"network"`
}

// NewHeader returns a Header for the given command with the schema, program
// and version keys filled in.
func NewHeader(command string) Header {
	v, gov := Version()
	return Header{
		SchemaVersion: SchemaVersion,
		Program:       Program,
		Version:       v,
		GoVersion:     gov,
		Command:       command,
	}
}

// Input identifies the network file that was read.
type Input struct {
	// Path is the path as given on the command line.
	Path string `json:"path"`
	// SHA256 is the hex SHA-256 of the file; for a folder of .npy files,
	// see HashPath.
	SHA256 string `json:"sha256"`
}

// Network describes the network as it was used, after the file was read and
// the command-line overrides applied.
type Network struct {
	N          int    `json:"n"`          // units
	M          int    `json:"m"`          // input channels
	Convention string `json:"convention"` // continuous, leaky or discrete
	Activation string `json:"activation"` // tanh, relu, ...
	Alpha      Float  `json:"alpha"`      // dt/tau of the leaky convention, 0 otherwise
	TauMin     Float  `json:"tau_min"`    // smallest time constant
	TauMax     Float  `json:"tau_max"`    // largest time constant (= tau_min when uniform)
}

// Model holds the command-line overrides of the network file (empty when
// not given), so a run can be repeated with the same flags.
type Model struct {
	Convention string  `json:"convention,omitempty"`
	Alpha      Float   `json:"alpha,omitempty"`
	Activation string  `json:"activation,omitempty"`
	Tau        []Float `json:"tau,omitempty"`
	Transpose  bool    `json:"transpose,omitempty"`
	KeyPrefix  string  `json:"key_prefix,omitempty"`
}

// Outputs lists the files written by a run (empty keys are omitted).
type Outputs struct {
	NPZ  string `json:"npz,omitempty"`
	JSON string `json:"json,omitempty"`
	Plot string `json:"plot,omitempty"`
}

// Version returns the program's module version from the build information
// ("devel" for a build from a working tree) and the Go version that built it.
func Version() (version, goVersion string) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel", "unknown"
	}
	version = bi.Main.Version
	if version == "" || version == "(devel)" {
		version = "devel"
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if version == "devel" && rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		version += "+" + rev + dirty
	}
	return version, bi.GoVersion
}

// HashPath returns the hex SHA-256 of the file at path. For a folder it
// hashes the listing that `LC_ALL=C sha256sum *.npy` prints in it (one line
// per .npy file in byte order of the names: the hex SHA-256 of the file, two
// spaces, the name, a newline), so `sha256sum *.npy | sha256sum` in that
// folder gives the same value, and the hash changes when any array changes.
func HashPath(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if !st.IsDir() {
		return hashFile(path)
	}
	ents, err := os.ReadDir(path)
	if err != nil {
		return "", err
	}
	var names []string
	for _, e := range ents {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".npy") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	h := sha256.New()
	for _, name := range names {
		sum, err := hashFile(filepath.Join(path, name))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s  %s\n", sum, name)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Write encodes doc as indented JSON, ending in a newline, to w.
func Write(w io.Writer, doc any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// Read decodes one document from r into doc, a pointer to one of the
// document types. Unknown keys are an error.
func Read(r io.Reader, doc any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	return dec.Decode(doc)
}
