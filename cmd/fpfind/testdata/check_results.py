"""Check an fpfind results .npz against its .json and against numpy.

Usage: check_results.py RESULTS.npz RESULTS.json NETWORK.npz

Independent of fpfind's Go code: it recomputes F(h*) and the operator's
eigenvalues at every point from the network file with numpy.
"""
import json
import sys

import numpy as np

npz_path, json_path, net_path = sys.argv[1:4]
r = np.load(npz_path)
doc = json.load(open(json_path))
net = np.load(net_path)

K = doc["summary"]["points"]
I = doc["summary"]["inits"]
N = doc["network"]["n"]
# Eigenvalues per point: N, or the C leading ones (--eigs C).
C = int(r["n_eigenvalues"][0]) if K > 0 else N

want = {
    "fixed_points": ((K, N), "f8"),
    "q": ((K,), "f8"),
    "residual_inf": ((K,), "f8"),
    "kind": ((K,), "U"),
    "stability": ((K,), "U"),
    "n_unstable": ((K,), "i8"),
    "n_unstable_lower_bound": ((K,), "i8"),
    "n_marginal": ((K,), "i8"),
    "multiplicity": ((K,), "i8"),
    "source": ((K,), "U"),
    "n_eigenvalues": ((K,), "i8"),
    "eigenvalues": ((K, C), "c16"),
    "inits": ((I, N), "f8"),
    "finals": ((I, N), "f8"),
    "status": ((I,), "U"),
    "point_index": ((I,), "i8"),
    "convention": ((), "U"),
}
E = len(doc["edge_from"])
for k in ("edge_from", "edge_mode", "edge_sign", "edge_to"):
    want[k] = ((E,), "i8")
if C < N:
    want["class_undecided"] = ((K,), "i8")
if doc["settings"]["eigvecs_right"]:
    want["eigvecs_right"] = ((K, N, C), "c16")
if doc["settings"]["eigvecs_left"]:
    want["eigvecs_left"] = ((K, N, N), "c16")
if doc.get("attractors") is not None:
    A = len(doc["attractors"])
    S = sum(a["samples"] for a in doc["attractors"])
    EA = max([a["dim"] + 2 for a in doc["attractors"]], default=0)
    want["attractor"] = ((K,), "i8")
    for k, dt in (("kind", "U"), ("dim", "i8"), ("closed", "b1"), ("truncated", "b1"), ("length", "f8")):
        want["attractor_" + k] = ((A,), dt)
    want["attractor_samples"] = ((S, N), "f8")
    want["attractor_sample_id"] = ((S,), "i8")
    want["attractor_sample_speed"] = ((S,), "f8")
    want["attractor_sample_eigenvalues"] = ((S, EA), "c16")
    assert [p["attractor"] for p in doc["points"]] == r["attractor"].tolist(), ("attractor", r["attractor"])
assert np.all(r["n_eigenvalues"] == C), r["n_eigenvalues"]
assert set(r.files) == set(want), ("keys", sorted(r.files), sorted(want))
for k, (shape, dt) in want.items():
    a = r[k]
    assert a.shape == shape, (k, a.shape, shape)
    if dt == "U":
        assert a.dtype.kind == "U", (k, a.dtype)
    else:
        assert a.dtype == np.dtype(dt if dt == "b1" else "<" + dt), (k, a.dtype, dt)

conv = str(r["convention"])
assert conv == doc["network"]["convention"], conv

# Per-point facts agree with the .json.
for i, p in enumerate(doc["points"]):
    assert p["index"] == i
    assert r["kind"][i] == p["kind"], (i, "kind")
    assert r["stability"][i] == p["stability"], (i, "stability")
    assert r["n_unstable"][i] == p["n_unstable"], (i, "n_unstable")
    lb = r["n_unstable_lower_bound"][i]
    assert lb in (0, 1) and bool(lb) == p["n_unstable_lower_bound"], (i, "n_unstable_lower_bound")
    # A bound only where every computed eigenvalue is unstable.
    assert not lb or (C < N and r["n_unstable"][i] == C), (i, "n_unstable_lower_bound", C)
    assert r["multiplicity"][i] == p["multiplicity"], (i, "multiplicity")
    assert r["q"][i] == p["q"], (i, "q", r["q"][i], p["q"])
    assert r["residual_inf"][i] == p["residual_inf"], (i, "residual")
    lead = r["eigenvalues"][i, 0]
    assert [lead.real, lead.imag] == p["leading_eigenvalue"], (i, lead, p["leading_eigenvalue"])

# The fixed-point graph: each edge leaves a fixed point along one of its
# unstable modes, in both directions, and reaches a point or -1 (a slow
# region), -2 (diverged), -3 (budget spent); the .json mirrors the .npz.
for k in ("edge_from", "edge_mode", "edge_sign", "edge_to"):
    assert r[k].tolist() == doc[k], k
ef, em, es, et = r["edge_from"], r["edge_mode"], r["edge_sign"], r["edge_to"]
assert np.all((ef >= 0) & (ef < K)) and np.all((et >= -3) & (et < K))
assert set(es.tolist()) <= {-1, 1}
for e in range(E):
    i = ef[e]
    assert r["kind"][i] == "fixed" and r["n_unstable"][i] >= 1, (e, i)
    assert 0 <= em[e] < r["n_eigenvalues"][i], (e, em[e])
    lam = r["eigenvalues"][i, em[e]]
    assert (lam.real > 0) if str(r["convention"]) == "continuous" else (abs(lam) > 1), (e, lam)
assert set(r["source"].tolist()) <= {"sample", "manifold", "boundary", "deflation", "symmetry", "interval"}, set(r["source"])
for i, p in enumerate(doc["points"]):
    assert r["source"][i] == p["source"], (i, "source")

# Statuses and point indices.
st = doc["summary"]["status"]
for s in ("fixed", "slow", "not-converged", "diverged"):
    assert int(np.sum(r["status"] == s)) == st[s], (s, st[s])
pi = r["point_index"]
assert np.all((pi >= -1) & (pi < K))
for i in range(I):
    if pi[i] >= 0:
        assert r["status"][i] in ("fixed", "slow")
# multiplicity counts the runs that reached each point
counts = np.bincount(pi[pi >= 0], minlength=K)
assert np.array_equal(counts, r["multiplicity"]), (counts, r["multiplicity"])

# Ordering: by class (stable, saddle, unstable, marginal), then q.
rank = {"stable": 0, "saddle": 1, "unstable": 2, "marginal": 3}
keys = [(rank[s], q) for s, q in zip(r["stability"], r["q"])]
assert keys == sorted(keys), keys

# Recompute F and the operator with numpy from the network file (fpfind
# layout or a torch state dict), with the convention as the run used it.
keys = net.files
hh = [k for k in keys if k.endswith("weight_hh_l0")]
if hh:
    pre = hh[0][: -len("weight_hh_l0")]
    W = net[pre + "weight_hh_l0"].astype(float)
    b = net[pre + "bias_hh_l0"].astype(float) + net[pre + "bias_ih_l0"].astype(float)
    tau = np.ones(N)
else:
    W = net["W"].astype(float)
    b = net["b"].astype(float) if "b" in keys else np.zeros(N)
    if "W_in" in keys and "u" in keys:
        b = b + net["W_in"].astype(float) @ net["u"].astype(float)
    tau = np.broadcast_to(net["tau"].astype(float) if "tau" in keys else 1.0, (N,))
assert doc["network"]["activation"] == "tanh"
alpha = doc["network"]["alpha"]
tol = doc["settings"]["tol"]
for i in range(K):
    h = r["fixed_points"][i]
    x = W @ h + b
    F = (-h + np.tanh(x)) / tau
    if r["kind"][i] == "fixed":
        assert np.max(np.abs(F)) <= tol, (i, np.max(np.abs(F)))
    assert abs(np.max(np.abs(F)) - r["residual_inf"][i]) <= 1e-15 + 1e-9 * r["residual_inf"][i]
    d = 1 - np.tanh(x) ** 2
    if conv == "continuous":
        op = (-np.eye(N) + d[:, None] * W) / tau[:, None]
        key = lambda z: (-z.real, -z.imag)
    elif conv == "leaky":
        op = (1 - alpha) * np.eye(N) + alpha * d[:, None] * W
        key = lambda z: (-abs(z), -z.real, -z.imag)
    else:
        op = d[:, None] * W
        key = lambda z: (-abs(z), -z.real, -z.imag)
    ev = np.linalg.eigvals(op)
    got = r["eigenvalues"][i]
    if C < N:
        # The C leading ones, as sorted by docs/DESIGN.md.
        ev = np.array(sorted(ev, key=key)[:C])
        assert np.allclose(got, ev, rtol=1e-8, atol=1e-10 * np.abs(op).sum(1).max()), (i, got, ev)
    # Same multiset of eigenvalues (match greedily, nearest first).
    left = list(ev)
    for z in got:
        j = int(np.argmin([abs(z - w) for w in left]))
        assert abs(z - left[j]) <= 1e-8 * max(1, np.abs(ev).max()), (i, z, left[j])
        left.pop(j)
    # Sorted as docs/DESIGN.md says.
    if conv == "continuous":
        assert np.all(np.diff(got.real) <= 1e-12), (i, got)
    else:
        assert np.all(np.diff(np.abs(got)) <= 1e-12), (i, got)
    if "eigvecs_right" in r.files:
        V = r["eigvecs_right"][i]
        assert np.allclose(op @ V, V * got[None, :], atol=1e-8), (i, "right vectors")
    if "eigvecs_left" in r.files:
        L = r["eigvecs_left"][i]
        assert np.allclose(L.conj().T @ op, got[:, None] * L.conj().T, atol=1e-8), (i, "left vectors")
        assert np.allclose(L.conj().T @ r["eigvecs_right"][i], np.eye(N), atol=1e-6), (i, "biorthonormal")
print("OK", K, "points", I, "runs")
