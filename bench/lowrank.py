#!/usr/bin/python3
"""Low-rank networks (plus a random bulk) whose every fixed point is known,
and how many of them fpfind finds.

The network: tau = 1, continuous time, tanh, no bias, no input,

    W = g X + M S M^T / N,

M an N x R matrix of standard normal entries, S an R x R matrix, X an
N x N matrix of independent N(0, 1/N) entries (the random bulk, gain g).

Reference (independent of fpfind: numpy only):

1. g = 0. A fixed point h = tanh(W h) has x = W h = M kappa with
   kappa = S M^T tanh(M kappa) / N, an R-dimensional equation. Every root
   lies in the box |kappa_r| <= sum_s |S_rs| |M_s|_1 / N; Newton's method
   in R dimensions from a grid of starts over that box (GRID^R starts)
   finds them, and each is then polished in N dimensions.
2. g > 0. Each root of g = 0 is followed along the bulk gain by natural
   continuation (STEPS equal steps of g, dense Newton in N dimensions from
   the previous point, secant predictor). A step whose Newton does not
   converge in 8 iterations, or two branches that meet, abort the
   reference: the set is then not known. Continuation cannot see pairs of
   points born in folds along the way; a point fpfind finds that the
   reference lacks is reported as "extra", never silently counted.

Each network is written to DIR/NAME.npz (keys W, tau, activation) and its
reference points to DIR/NAME.ref.npy (K x N), once; later runs reuse them.
Then fpfind (built from this tree) runs

    fpfind find DIR/NAME.npz --seed 1 -q -o DIR/NAME.out [EXTRA...]

under /usr/bin/time (wall seconds, peak RSS), and its fixed points are
matched to the reference (max-norm distance <= 1e-6 max(1, |h|_inf)).

Usage (from the repository root):
  /usr/bin/python3 bench/lowrank.py [--cases default|quick|big] [--dir /tmp/lowrank]
      [--fpfind PATH] [--extra '...'] [--only NAME]
"""

import argparse
import os
import shlex
import subprocess
import sys
import time

import numpy as np


def network(n, rank, s, g, seed):
    """Returns W and its parts (M, S, X) for the given size and gains."""
    rng = np.random.default_rng(seed)
    m = rng.standard_normal((n, rank))
    x = rng.standard_normal((n, n)) / np.sqrt(n) if g > 0 else None
    w = m @ s @ m.T / n
    if g > 0:
        w = w + g * x
    return w, m, x


def lowrank_roots(m, s, grid):
    """Every root kappa of kappa = S M^T tanh(M kappa) / N, by Newton from
    a GRID^R grid over the box that holds them all."""
    n, rank = m.shape
    bound = np.abs(s) @ (np.abs(m).sum(axis=0) / n) * 1.05
    axes = [np.linspace(-b, b, grid) for b in bound]
    starts = np.array(np.meshgrid(*axes, indexing="ij")).reshape(rank, -1).T
    roots = []
    for k in starts:
        for _ in range(60):
            t = np.tanh(m @ k)
            f = k - s @ (m.T @ t) / n
            jac = np.eye(rank) - s @ (m.T * (1 - t * t)) @ m / n
            try:
                d = np.linalg.solve(jac, f)
            except np.linalg.LinAlgError:
                break
            k = k - d
            if np.max(np.abs(d)) < 1e-14 * max(1, np.max(np.abs(k))):
                break
        t = np.tanh(m @ k)
        if np.max(np.abs(k - s @ (m.T @ t) / n)) > 1e-12:
            continue
        if all(np.max(np.abs(k - r)) > 1e-7 * max(1, np.max(np.abs(r))) for r in roots):
            roots.append(k)
    return roots


def newton(w, h, iters=8):
    """Dense Newton on F(h) = -h + tanh(W h); returns h or None."""
    n = len(h)
    for _ in range(iters):
        t = np.tanh(w @ h)
        f = -h + t
        if np.max(np.abs(f)) <= 1e-13:
            return h
        jac = (1 - t * t)[:, None] * w - np.eye(n)
        h = h - np.linalg.solve(jac, f)
    t = np.tanh(w @ h)
    return h if np.max(np.abs(t - h)) <= 1e-12 else None


def reference(n, rank, s, g, seed, steps=8):
    """The network's W and every fixed point (K x N), or an error string."""
    grid = 201 if rank <= 2 else 41
    w, m, x = network(n, rank, s, g, seed)
    w0 = m @ s @ m.T / n
    pts = []
    for k in lowrank_roots(m, s, grid):
        h = newton(w0, np.tanh(m @ k))
        if h is None:
            return w, f"a root of the R-dimensional equation does not polish in N = {n}"
        pts.append(h)
    if g > 0:
        prev = [None] * len(pts)
        for j in range(1, steps + 1):
            wj = w0 + (g * j / steps) * x
            for i, h in enumerate(pts):
                guess = h if prev[i] is None else 2 * h - prev[i]
                hn = newton(wj, guess)
                if hn is None:
                    return w, f"continuation of point {i} fails at bulk gain {g * j / steps}"
                prev[i], pts[i] = h, hn
            for a in range(len(pts)):
                for b in range(a):
                    if np.max(np.abs(pts[a] - pts[b])) < 1e-4:
                        return w, f"points {a} and {b} meet at bulk gain {g * j / steps}"
    return w, np.array(pts)


def savez(path, **arrays):
    np.savez(path, **arrays)


# name: (N, rank, S, bulk gain, seed)
S2 = np.diag([2.2, 1.6])
CASES = {
    "quick": [
        ("r2b_256", 256, 2, S2, 0.5, 1),
        ("r2b_1024", 1024, 2, S2, 0.5, 2),
    ],
    "default": [
        ("r2b_256", 256, 2, S2, 0.5, 1),
        ("r2b_1024", 1024, 2, S2, 0.5, 2),
        ("r2b_2048", 2048, 2, S2, 0.5, 3),
        ("r2b_4096", 4096, 2, S2, 0.5, 4),
        ("r2_4096", 4096, 2, S2, 0.0, 5),
        ("r3b_1024", 1024, 3, np.diag([2.4, 1.9, 1.5]), 0.3, 6),
    ],
    "big": [
        ("r2_10000", 10000, 2, S2, 0.0, 7),
    ],
}


def match(found, ref):
    """How many reference points fpfind found, and how many of its fixed
    points are in no reference."""
    hit = 0
    used = np.zeros(len(found), bool)
    for r in ref:
        tol = 1e-6 * max(1, np.max(np.abs(r)))
        d = np.max(np.abs(found - r), axis=1) if len(found) else np.array([])
        ok = np.nonzero(d <= tol)[0]
        if len(ok):
            hit += 1
            used[ok] = True
    return hit, int((~used).sum())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", default="default", choices=sorted(CASES))
    ap.add_argument("--dir", default="/tmp/lowrank")
    ap.add_argument("--fpfind", default="")
    ap.add_argument("--extra", default="")
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    exe = a.fpfind
    if not exe:
        exe = os.path.join(a.dir, "fpfind")
        subprocess.run(["go", "build", "-o", exe, "./cmd/fpfind"], check=True)
    print(f"{'network':<10} {'N':>6} {'R':>2} {'bulk':>5} {'known':>6} {'found':>6} {'extra':>6} {'seconds':>8} {'peak MB':>8}")
    for name, n, rank, s, g, seed in CASES[a.cases]:
        if a.only and name != a.only:
            continue
        net = os.path.join(a.dir, name + ".npz")
        ref_path = os.path.join(a.dir, name + ".ref.npy")
        if not (os.path.exists(net) and os.path.exists(ref_path)):
            t0 = time.time()
            w, ref = reference(n, rank, s, g, seed)
            if isinstance(ref, str):
                print(f"{name:<10} reference failed: {ref}")
                continue
            savez(net, W=w, tau=np.array(1.0), activation=np.array("tanh"))
            np.save(ref_path, ref)
            print(f"# {name}: reference of {len(ref)} points in {time.time() - t0:.1f} s", file=sys.stderr)
        ref = np.load(ref_path)
        out = os.path.join(a.dir, name + ".out")
        cmd = ["/usr/bin/time", "-f", "%e %M", exe, "find", net, "--seed", "1", "-q", "--force", "-o", out] + shlex.split(a.extra)
        p = subprocess.run(cmd, capture_output=True, text=True)
        last = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "nan 0"
        secs, rss = last.split()[-2:]
        if p.returncode != 0:
            print(f"{name:<10} fpfind failed ({p.returncode}): {p.stderr.strip()[:300]}")
            continue
        res = np.load(out + ".npz")
        kind = res["kind"]
        found = res["fixed_points"][kind == "fixed"]
        hit, extra = match(found, ref)
        print(f"{name:<10} {n:>6} {rank:>2} {g:>5.2f} {len(ref):>6} {hit:>6} {extra:>6} {float(secs):>8.1f} {int(rss) / 1024:>8.0f}")


if __name__ == "__main__":
    main()
