package notebooks_test

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// statesPy writes the states of linearize's --at files from a find result,
// with numpy alone: the first two unique points (stable), the last two
// (saddles: find orders points by class) and the first one moved by 1e-3
// (not a fixed point), as (5, N); and the last point alone, as (N).
const statesPy = `
import sys
import numpy as np
prefix, many, one = sys.argv[1:4]
with np.load(prefix + ".npz") as z:
    fp = z["fixed_points"]
np.save(many, np.concatenate([fp[:2], fp[-2:], fp[:1] + 1e-3]))
np.save(one, fp[-1])
print("states written")
`

// loadResultPy loads every output named in argv[1] (a JSON list of cases)
// with fpfind_io.load_result and checks it against the .npz and .json read
// independently with numpy and json: every array of the file, unchanged;
// the class and .command of the output; the keys each case must have or
// lack; the spectrum's per-point facts against the .json; the point table;
// the simulate arrays against the settings. Then older files (the optional
// keys removed) and files that are not fpfind outputs.
const loadResultPy = `
import json, os, shutil, sys
import numpy as np
sys.path.insert(0, ".")
import fpfind_io as fio

CLASS = {"find": fio.FindResult, "linearize": fio.LinearizeResult, "simulate": fio.SimulateResult}

def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in "US" or b.dtype.kind in "US":
        return a.dtype.kind == b.dtype.kind and np.array_equal(a, b)
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)

cases = json.loads(sys.argv[1])
for c in cases:
    prefix, cmd = c["prefix"], c["command"]
    res = fio.load_result(prefix)
    assert type(res) is CLASS[cmd] and res.command == cmd, (prefix, type(res), res.command)
    for other in (prefix + ".npz", prefix + ".json"):
        again = fio.load_result(other)
        assert again.command == cmd and sorted(again) == sorted(res), other
    with open(prefix + ".json") as f:
        meta = json.load(f)
    assert res.meta == meta and meta["command"] == cmd, prefix
    assert res.path == prefix + ".npz", res.path
    assert res.convention == "leaky" and res.alpha == 0.1 and res.tau == 1.0, (res.convention, res.alpha, res.tau)
    assert res.input_path == meta["input"]["path"], res.input_path
    with np.load(prefix + ".npz") as z:
        files = {k: z[k] for k in z.files}
    for k, a in files.items():
        assert same(res[k], a), (prefix, k, res[k].dtype, a.dtype, res[k].shape, a.shape)
    for k in c.get("present", []):
        assert k in res, (prefix, "missing", k)
    for k in c.get("absent", []):
        assert k not in res, (prefix, "has", k)
    for k, shape in c.get("shapes", {}).items():
        assert res[k].shape == tuple(shape), (prefix, k, res[k].shape, shape)

    if cmd == "simulate":
        s = meta["settings"]
        I, T, N = res.h.shape
        assert res.n_trajectories == I == s["inits"] and T == s["samples"] == res.t.size, (res.h.shape, s)
        assert np.array_equal(res.h[:, 0, :], res.inits), prefix
        assert res.t[0] == 0 and res.t[-1] == s["t_end"], res.t
        assert list(res.status) == [tr["status"] for tr in meta["trajectories"]], prefix
        print(f"ok: {prefix}: simulate, {I} trajectories x {T} samples")
        continue

    pts = res.fixed_points if cmd == "find" else res.states
    K, N = pts.shape
    assert res.n_points == K and res.eigenvalues.dtype == np.complex128, prefix
    rows = meta["points" if cmd == "find" else "states"]
    assert len(rows) == K, (prefix, len(rows), K)
    ne = np.sum(~np.isnan(res.eigenvalues), axis=1)
    assert np.array_equal(res.n_eigenvalues, ne), (prefix, res.n_eigenvalues, ne)
    for k in ("class_undecided", "n_unstable_lower_bound"):
        assert res[k].dtype == bool and res[k].shape == (K,), (prefix, k)
    # fpfind writes the per-point lower-bound flag in both files.
    assert "n_unstable_lower_bound" in files and all("n_unstable_lower_bound" in r for r in rows), prefix
    for i, row in enumerate(rows):
        assert row["stability"] == res.stability[i] and row["n_unstable"] == res.n_unstable[i], (prefix, i)
        assert row["n_eigenvalues"] == res.n_eigenvalues[i], (prefix, i)
        assert row.get("class_undecided", False) == res.class_undecided[i], (prefix, i)
        assert row["n_unstable_lower_bound"] == res.n_unstable_lower_bound[i], (prefix, i)
        if cmd == "linearize":
            assert row["fixed"] == res.fixed[i], (prefix, i)
    # n_unstable is a lower bound exactly when a partial spectrum's computed
    # eigenvalues are all unstable.
    lb = (ne < N) & (res.n_unstable == ne)
    assert np.array_equal(res.n_unstable_lower_bound, lb), (prefix, res.n_unstable_lower_bound, lb)
    assert lb.any() == c.get("lower_bounds", False), (prefix, "lower bounds", lb)
    tab = fio.point_table(res)
    lines = fio.format_table(tab).splitlines()
    assert len(tab) == K and len(lines) == K + 1, prefix
    for i in range(K):
        assert (">=" in lines[i + 1]) == bool(lb[i]), (prefix, lines[i + 1])
    if cmd == "linearize":
        at = np.load(c["at"])
        assert np.array_equal(res.states, at.reshape(-1, N)), prefix
        assert list(tab["kind"]) == ["fixed" if f else "state" for f in res.fixed], tab["kind"]
        assert res.fixed.tolist() == c["fixed"], (prefix, res.fixed)
    else:
        assert res.inits.shape[0] == meta["settings"]["inits"] == res.finals.shape[0], prefix
        assert tab["multiplicity"].sum() <= res.inits.shape[0], prefix
    for k in ("eigvecs_right", "eigvecs_left"):
        if k in res:
            assert res[k].shape == (K, N, res.eigenvalues.shape[1]) and res[k].dtype == np.complex128, (prefix, k)
    print(f"ok: {prefix}: {cmd}, {K} points, {res.eigenvalues.shape[1]} eigenvalues each, {int(lb.sum())} lower bounds")

# Older files: without n_unstable_lower_bound (and, older still, without
# n_eigenvalues and class_undecided), the arrays fpfind now writes are
# computed from the others.
work = sys.argv[2]
for c in cases:
    if c["command"] == "simulate":
        continue
    new = fio.load_result(c["prefix"])
    with np.load(c["prefix"] + ".npz") as z:
        files = {k: z[k] for k in z.files}
    for drop in (("n_unstable_lower_bound",), ("n_unstable_lower_bound", "n_eigenvalues", "class_undecided")):
        old = os.path.join(work, "old")
        np.savez(old + ".npz", **{k: v for k, v in files.items() if k not in drop})
        shutil.copy(c["prefix"] + ".json", old + ".json")
        res = fio.load_result(old)
        for k in drop:
            if k == "class_undecided" and new.n_eigenvalues.min() < new.eigenvalues.shape[1]:
                continue  # not computable from the rest: only from the file
            assert np.array_equal(res[k], new[k]), (c["prefix"], drop, k, res[k], new[k])
        os.remove(old + ".json")
        assert fio.load_result(old + ".npz").command == c["command"], (c["prefix"], "without .json")
print("ok: older files")

# Not fpfind outputs: a clear error naming the file.
def refused(path, want, exc=fio.ResultError, **kw):
    try:
        fio.load_result(path, **kw)
    except exc as e:
        msg = str(e)
        assert os.path.splitext(path)[0] in msg and want in msg, (path, msg)
        return msg
    raise AssertionError(f"{path}: loaded, want {exc.__name__} saying {want!r}")

find = next(c["prefix"] for c in cases if c["command"] == "find")
lin = next(c["prefix"] for c in cases if c["command"] == "linearize")
net = os.path.join(work, "net.npz")
shutil.copy(sys.argv[3], net)
msgs = [refused(net, "not an fpfind output")]
np.save(os.path.join(work, "array.npy"), np.zeros(3))
shutil.copy(os.path.join(work, "array.npy"), os.path.join(work, "array.npz"))
msgs.append(refused(os.path.join(work, "array.npz"), "not an fpfind output"))
with open(os.path.join(work, "junk.npz"), "wb") as f:
    f.write(b"PK\x03\x04 not really a zip file")
msgs.append(refused(os.path.join(work, "junk.npz"), "not an fpfind output"))
mixed = os.path.join(work, "mixed")
shutil.copy(lin + ".npz", mixed + ".npz")
shutil.copy(find + ".json", mixed + ".json")
msgs.append(refused(mixed + ".npz", "missing key(s) fixed_points"))
with open(mixed + ".json", "w") as f:
    json.dump({"command": "info"}, f)
msgs.append(refused(mixed + ".npz", "command 'info'"))
with open(mixed + ".json", "w") as f:
    f.write("[1, 2")
msgs.append(refused(mixed + ".npz", "not an fpfind summary"))
np.savez(os.path.join(work, "obj.npz"), fixed_points=np.array([None, 1], dtype=object))
msgs.append(refused(os.path.join(work, "obj.npz"), "key fixed_points"))
with np.load(find + ".npz") as z:
    bad = {k: z[k] for k in z.files}
bad["q"] = bad["q"][:-1]
np.savez(os.path.join(work, "short.npz"), **bad)
msgs.append(refused(os.path.join(work, "short.npz"), "key q has shape"))
refused(os.path.join(work, "absent"), "absent.npz", exc=FileNotFoundError)
assert all(isinstance(fio.ResultError(m), ValueError) for m in msgs)
print("ok: refused", len(msgs), "files that are not fpfind outputs")
`

// TestLoadResult generates every output fpfind writes (find, with full and
// partial spectra and with eigenvectors; linearize, of a (K x N) and an (N)
// states file, full and partial; simulate) with the CLI and checks that
// fpfind_io.load_result reads each one, against the files read with numpy.
func TestLoadResult(t *testing.T) {
	py := python(t, "numpy")
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	runFpfind(t, "find", flipflopNPZ, "-o", p("find"), "--seed", "1", "-n", "64", "--quiet")
	runFpfind(t, "find", flipflopNPZ, "-o", p("find_eigs"), "--seed", "1", "-n", "64", "--eigs", "2", "--vectors", "--quiet")
	runFpfind(t, "find", flipflopNPZ, "-o", p("find_vectors"), "--seed", "2", "-n", "8", "--explore=false", "--left-vectors", "--quiet")
	if b, err := exec.Command(py, "-c", statesPy, p("find"), p("at.npy"), p("at1.npy")).CombinedOutput(); err != nil {
		t.Fatalf("writing the states: %v\n%s", err, b)
	}
	runFpfind(t, "linearize", flipflopNPZ, "--at", p("at.npy"), "-o", p("lin"), "--quiet")
	runFpfind(t, "linearize", flipflopNPZ, "--at", p("at.npy"), "-o", p("lin_eigs"), "--eigs", "1", "--vectors", "--quiet")
	runFpfind(t, "linearize", flipflopNPZ, "--at", p("at1.npy"), "-o", p("lin_one"), "--left-vectors", "--quiet")
	runFpfind(t, "simulate", flipflopNPZ, "-o", p("sim"), "-n", "3", "--samples", "11", "--t-end", "5", "--quiet")
	runFpfind(t, "simulate", flipflopNPZ, "-o", p("sim_noise"), "-n", "2", "--samples", "4", "--noise", "0.05", "--quiet")

	type tcase struct {
		Prefix      string           `json:"prefix"`
		Command     string           `json:"command"`
		Present     []string         `json:"present,omitempty"`
		Absent      []string         `json:"absent,omitempty"`
		Shapes      map[string][]int `json:"shapes,omitempty"`
		LowerBounds bool             `json:"lower_bounds"`
		At          string           `json:"at,omitempty"`
		Fixed       []bool           `json:"fixed,omitempty"`
	}
	spectrum := []string{"n_marginal", "n_eigenvalues", "class_undecided", "n_unstable_lower_bound"}
	cases := []tcase{
		{Prefix: p("find"), Command: "find", Present: append([]string{"source", "point_index"}, spectrum...),
			Absent: []string{"eigvecs_right", "eigvecs_left", "states", "fixed"}},
		// The flip-flop's saddles with two or three unstable directions
		// have only lower bounds with --eigs 2.
		{Prefix: p("find_eigs"), Command: "find", Present: append([]string{"eigvecs_right", "edge_from", "edge_mode", "edge_sign", "edge_to"}, spectrum...),
			Absent: []string{"eigvecs_left"}, LowerBounds: true},
		{Prefix: p("find_vectors"), Command: "find", Present: []string{"eigvecs_right", "eigvecs_left"},
			Shapes: map[string][]int{"inits": {8, 64}, "finals": {8, 64}}},
		{Prefix: p("lin"), Command: "linearize", Present: append([]string{"fixed"}, spectrum...),
			Absent: []string{"eigvecs_right", "fixed_points", "kind"}, At: p("at.npy"),
			Shapes: map[string][]int{"states": {5, 64}, "eigenvalues": {5, 64}}, Fixed: []bool{true, true, true, true, false}},
		{Prefix: p("lin_eigs"), Command: "linearize", Present: []string{"eigvecs_right"}, Absent: []string{"eigvecs_left"},
			At: p("at.npy"), Shapes: map[string][]int{"eigenvalues": {5, 1}, "eigvecs_right": {5, 64, 1}},
			Fixed: []bool{true, true, true, true, false}, LowerBounds: true},
		{Prefix: p("lin_one"), Command: "linearize", Present: []string{"eigvecs_right", "eigvecs_left"}, At: p("at1.npy"),
			Shapes: map[string][]int{"states": {1, 64}, "eigvecs_left": {1, 64, 64}}, Fixed: []bool{true}},
		{Prefix: p("sim"), Command: "simulate", Absent: []string{"eigenvalues", "fixed_points"},
			Shapes: map[string][]int{"h": {3, 11, 64}, "t": {11}, "inits": {3, 64}, "status": {3}}},
		{Prefix: p("sim_noise"), Command: "simulate", Shapes: map[string][]int{"h": {2, 4, 64}}},
	}
	spec, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	b, err := exec.Command(py, "-c", loadResultPy, string(spec), work, flipflopNPZ).CombinedOutput()
	if err != nil {
		t.Fatalf("load_result check: %v\n%s", err, b)
	}
	out := string(b)
	if n := strings.Count(out, "ok: "); n != len(cases)+2 {
		t.Fatalf("load_result check printed %d ok lines, want %d:\n%s", n, len(cases)+2, out)
	}
	t.Log(strings.TrimSpace(out))
}
