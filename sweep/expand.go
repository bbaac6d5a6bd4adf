package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/fpfind/fpfind/io/report"
)

// Expand returns the networks that the command line's arguments list, in
// their order: a manifest (IsManifest) gives its rows; a glob (an argument
// holding * ? or [ that names no file) the networks it matches, sorted; a
// folder holding .npy files is one network; any other folder gives the
// .npz files and the folders of .npy files directly inside it (a folder of
// checkpoints), sorted; anything else is taken as a network. Such a
// network named as a training checkpoint, PREFIX.stepNNNNNN.npz, gets the
// label step (NNNNNN as a number). A network
// listed twice with the same flags and labels is kept once; with other
// labels it is an error, as is a list that comes out empty.
func Expand(args []string) ([]Network, error) {
	var out []Network
	for _, a := range args {
		if IsManifest(a) {
			ns, err := ReadManifest(a)
			if err != nil {
				return nil, err
			}
			out = append(out, ns...)
			continue
		}
		paths := []string{a}
		if _, err := os.Stat(a); err != nil && strings.ContainsAny(a, "*?[") {
			m, err := filepath.Glob(a)
			if err != nil {
				return nil, fmt.Errorf("%s: bad pattern: %w", a, err)
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("%s: no file matches", a)
			}
			paths = m // sorted by filepath.Glob
		}
		for _, p := range paths {
			inner, err := folderNetworks(p)
			if err != nil {
				return nil, err
			}
			if inner == nil {
				inner = []string{p}
			}
			for _, q := range inner {
				out = append(out, Network{Path: q, Labels: stepLabel(q), From: "argument " + strconv.Quote(a)})
			}
		}
	}
	return dedupe(out)
}

// stepPattern matches the name of a training checkpoint, PREFIX.stepNNNNNN
// (docs/DESIGN.md section 6), with or without .npz.
var stepPattern = regexp.MustCompile(`\.step([0-9]+)(\.npz)?$`)

// stepLabel returns the label step of a checkpoint named PREFIX.stepNNNNNN
// (the number without its leading zeros), none for another name.
func stepLabel(path string) []report.Label {
	m := stepPattern.FindStringSubmatch(filepath.Base(path))
	if m == nil {
		return nil
	}
	n, err := strconv.ParseUint(m[1], 10, 64)
	if err != nil {
		return nil
	}
	return []report.Label{{Name: "step", Value: strconv.FormatUint(n, 10)}}
}

// folderNetworks returns, for a folder of networks, the networks inside it
// (.npz files and folders of .npy files, sorted), and nil for a network (a
// file, or a folder holding .npy files) or a path that is not there (its
// analysis reports it).
func folderNetworks(p string) ([]string, error) {
	st, err := os.Stat(p)
	if err != nil || !st.IsDir() || isNpyFolder(p) {
		return nil, nil
	}
	ents, err := os.ReadDir(p)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		q := filepath.Join(p, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), "."):
		case !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".npz"):
			out = append(out, q)
		case e.IsDir() && isNpyFolder(q):
			out = append(out, q)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: a folder with no network in it (no .npz file, no .npy file, no folder of .npy files)", p)
	}
	return out, nil
}

// isNpyFolder reports whether the folder p holds .npy files (a network).
func isNpyFolder(p string) bool {
	m, _ := filepath.Glob(filepath.Join(p, "*.npy"))
	return len(m) > 0
}

// dedupe drops repeated networks (same path, flags and labels), refuses a
// network listed twice with different labels, and an empty list.
func dedupe(ns []Network) ([]Network, error) {
	if len(ns) == 0 {
		return nil, fmt.Errorf("no network to analyse")
	}
	seen := map[string]int{}
	out := ns[:0:0]
	for _, n := range ns {
		id := Name(n.Path, n.Flags)
		if j, ok := seen[id]; ok {
			if !slices.Equal(out[j].Labels, n.Labels) {
				return nil, fmt.Errorf("%s (%s) is listed again with other labels (%s); give it other flags or list it once", n.Path, n.From, out[j].From)
			}
			continue
		}
		seen[id] = len(out)
		out = append(out, n)
	}
	return out, nil
}

// Name returns the stem of the result files of the network at path
// analysed with the per-network flags: the file or folder name without
// .npz (characters other than letters, digits and . _ + - replaced by _,
// at most 48 bytes), a dash, and 10 hex digits of the SHA-256 of the
// cleaned path and the flags. It depends on nothing else, so a network
// keeps its name however the list around it changes; the same network with
// other flags (another --input) gets another.
func Name(path string, flags []string) string {
	base := filepath.Base(filepath.Clean(path))
	if strings.EqualFold(filepath.Ext(base), ".npz") {
		base = base[:len(base)-4]
	}
	stem := []byte(base)
	for i, c := range stem {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '+' || c == '-') {
			stem[i] = '_'
		}
	}
	if len(stem) > 48 {
		stem = stem[:48]
	}
	if len(stem) == 0 || stem[0] == '.' {
		stem = append([]byte("n"), stem...)
	}
	h := sha256.New()
	h.Write([]byte(filepath.Clean(path)))
	for _, f := range flags {
		h.Write([]byte{0})
		h.Write([]byte(f))
	}
	return string(stem) + "-" + hex.EncodeToString(h.Sum(nil))[:10]
}

// ParseShard parses "I/K" (task I of K, 0 <= I < K), as --shard
// $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT gives it.
func ParseShard(s string) (i, k int, err error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	k, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || k < 1 || i < 0 || i >= k {
		return 0, 0, fmt.Errorf("want I/K with 0 <= I < K, such as 3/10")
	}
	return i, k, nil
}

// Shard returns the indices of the networks of shard i of k among n: i,
// i+k, i+2k, ... Every network falls in exactly one shard, and neighbours
// in the list (checkpoints of one run, whose cost grows along it) in
// different ones.
func Shard(n, i, k int) []int {
	var out []int
	for j := i; j < n; j += k {
		out = append(out, j)
	}
	return out
}
