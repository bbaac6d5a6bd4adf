package sweep

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fpfind/fpfind/io/report"
)

// Network is one network of a sweep, as listed: its path as given, the
// manifest's per-network flags and labels (none for a network named on the
// command line or matched by a glob), and where it was listed, for error
// messages ("runs.csv line 4").
type Network struct {
	Path   string
	Flags  []string
	Labels []report.Label
	From   string
}

// Reserved are the column names of the table that a label may not take.
var Reserved = []string{"network", "flags", "status", "convention", "n_points", "n_fixed", "n_slow", "n_stable", "n_saddle", "n_unstable",
	"n_marginal", "slowest_tau", "leading_re", "leading_im", "seconds", "result", "error"}

// IsManifest reports whether path names a manifest rather than a network:
// a file ending in .csv, .tsv or .txt.
func IsManifest(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".tsv", ".txt":
		return true
	}
	return false
}

// ReadManifest reads the manifest at path. A .csv (comma-separated) or .tsv
// (tab-separated) manifest has a header row naming its columns: network
// (required) is the network's path, as on the command line (relative to the
// current folder, not to the manifest's); flags (optional) holds flags of
// find for that network, split as a shell would split them (with '...' and
// "..." quoting); every other column is a label (an empty cell: no such label). A .txt manifest lists one
// path per line. Blank lines and lines starting with # are skipped.
func ReadManifest(path string) ([]Network, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such manifest", path)
		}
		return nil, err
	}
	defer f.Close()
	if strings.EqualFold(filepath.Ext(path), ".txt") {
		return readList(f, path)
	}
	comma := ','
	if strings.EqualFold(filepath.Ext(path), ".tsv") {
		comma = '\t'
	}
	return readTable(f, path, comma)
}

// readList reads a .txt manifest: one path per line.
func readList(r io.Reader, path string) ([]Network, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []Network
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, Network{Path: line, From: fmt.Sprintf("%s line %d", path, i+1)})
	}
	return out, nil
}

// readTable reads a .csv or .tsv manifest.
func readTable(r io.Reader, path string, comma rune) ([]Network, error) {
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.Comment = '#'
	cr.FieldsPerRecord = 0 // every row as wide as the header
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty manifest (want a header row with a column network)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	netCol, flagsCol := -1, -1
	for i, h := range header {
		h = strings.TrimSpace(h)
		header[i] = h
		switch {
		case h == "":
			return nil, fmt.Errorf("%s: column %d of the header has no name", path, i+1)
		case slices.Index(header[:i], h) >= 0:
			return nil, fmt.Errorf("%s: the header names the column %q twice", path, h)
		case h == "network":
			netCol = i
		case h == "flags":
			flagsCol = i
		case slices.Contains(Reserved, h):
			return nil, fmt.Errorf("%s: the label %q is a column of the sweep's table; rename it", path, h)
		}
	}
	if netCol < 0 {
		return nil, fmt.Errorf("%s: the header %q has no column network (the networks' paths)", path, strings.Join(header, string(comma)))
	}
	var out []Network
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		from := fmt.Sprintf("%s line %d", path, line)
		n := Network{Path: strings.TrimSpace(rec[netCol]), From: from}
		if n.Path == "" {
			return nil, fmt.Errorf("%s: the column network is empty", from)
		}
		if flagsCol >= 0 {
			if n.Flags, err = SplitFlags(rec[flagsCol]); err != nil {
				return nil, fmt.Errorf("%s: flags: %w", from, err)
			}
		}
		for i, v := range rec {
			if i != netCol && i != flagsCol && strings.TrimSpace(v) != "" {
				n.Labels = append(n.Labels, report.Label{Name: header[i], Value: strings.TrimSpace(v)})
			}
		}
		out = append(out, n)
	}
}

// SplitFlags splits s into words as a POSIX shell does, without expansions:
// on blanks, with '...' taken literally, "..." with \" and \\ escaped, and
// \ escaping the next character outside quotes.
func SplitFlags(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	in := false // inside a word
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if in {
				words = append(words, w.String())
				w.Reset()
				in = false
			}
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated ' in %q", s)
			}
			w.WriteString(s[i+1 : i+1+j])
			i += j + 1
			in = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				w.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated \" in %q", s)
			}
			in = true
		case c == '\\' && i+1 < len(s):
			i++
			w.WriteByte(s[i])
			in = true
		default:
			w.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, w.String())
	}
	return words, nil
}

// Quote returns s quoted for a POSIX shell, as it is when it needs no
// quotes.
func Quote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@%", r))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
