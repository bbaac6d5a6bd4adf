#!/usr/bin/python3
"""fpfind continue against its references, on the same inputs in one run.

1. The trained flip-flop network (testdata/flipflop.npz, N = 64, leaky)
   along input channel 0 from -1 to 1, every branch through the start
   points fpfind finds at -1. References, timed on the same machine in the
   same run:
   - numpy: a plain pseudo-arclength loop (fixed Euclidean step 0.05,
     Newton on the bordered system, folds by a sign change of the
     tangent's p-component, located by 50 bisections), from fpfind's start
     points; the fold parameters are compared;
   - the grid workflow continuation replaces: `fpfind find --input u,0,0`
     at 41 inputs (what users do today with FixedPointFinder), timed.
2. A rank-1 network of N units (default 2048; W = s m m^T / N, s = 2,
   W_in = m, tanh, continuous, no bias) along its input from -1 to 1. The
   reduced equation z = u + s phi(z), phi(z) = mean_i m_i tanh(m_i z),
   gives every fixed point (h = tanh(m z)) and both folds exactly:
   s phi'(z*) = 1, u* = z* - s phi(z*) (scipy brentq); fpfind starts from
   the reduced solution at u = -1 (--at). Wall time and peak RSS by
   /usr/bin/time.

Usage (from the repository root, with fpfind built from this tree):
  /usr/bin/python3 bench/continue.py [--fpfind PATH] [--n 2048] [--dir /tmp/continue_bench] [--skip-large] [--skip-flipflop]
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
from scipy.optimize import brentq


def timed(cmd):
    """Runs cmd under /usr/bin/time; returns (wall seconds, peak RSS MiB,
    CPU seconds (user + system))."""
    out = subprocess.run(["/usr/bin/time", "-f", "%e %M %U %S"] + cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{out.stderr}")
    last = out.stderr.strip().splitlines()[-1].split()
    return float(last[0]), float(last[1]) / 1024, float(last[2]) + float(last[3])


def numpy_arclength(W, win, b, alpha, start, A, B, ds=0.05):
    """Pseudo-arclength in numpy on F(h, u) = -h + tanh(W h + win u + b)
    (the fixed-point equation of every convention); returns the fold
    parameters and the number of steps."""
    n = len(start)

    def F(y):
        return -y[:n] + np.tanh(W @ y[:n] + win * y[n] + b)

    def G(y):
        s = 1 - np.tanh(W @ y[:n] + win * y[n] + b) ** 2
        return np.hstack([s[:, None] * W - np.eye(n), (s * win)[:, None]])

    def correct(y, row, c):
        for _ in range(30):
            r = np.append(F(y), row @ y - c)
            if np.abs(r).max() < 1e-11:
                return y
            y = y - np.linalg.solve(np.vstack([G(y), row]), r)
        raise RuntimeError("corrector")

    def tangent(y, prev):
        t = np.linalg.solve(np.vstack([G(y), prev]), np.append(np.zeros(n), 1.0))
        return t / np.linalg.norm(t)

    e = np.zeros(n + 1)
    e[n] = 1
    y = correct(np.append(start, A), e, A)
    t = tangent(y, e * np.sign(B - A))
    folds, steps = [], 0
    lo_p, hi_p = min(A, B), max(A, B)
    while True:
        steps += 1
        yn = correct(y + ds * t, t, t @ y + ds)
        tn = tangent(yn, t)
        if tn[n] * t[n] < 0:
            lo, hi = 0.0, ds
            for _ in range(50):
                s = (lo + hi) / 2
                ys = correct(y + s * t, t, t @ y + s)
                if tangent(ys, t)[n] * t[n] > 0:
                    lo = s
                else:
                    hi = s
            folds.append(ys[n])
        if not (lo_p <= yn[n] <= hi_p) or steps > 20000:
            return folds, steps
        y, t = yn, tn


def flipflop(fpfind, d):
    print("== flip-flop (N = 64, leaky) along u:0 from -1 to 1")
    prefix = os.path.join(d, "ff")
    wall, rss, cpu = timed([fpfind, "continue", "-q", "--force", "--param", "u:0", "--from", "-1", "--to", "1", "-o", prefix, "testdata/flipflop.npz"])
    r = np.load(prefix + ".npz")
    ours = sorted(r["special_param"][r["special_type"] == "fold"])
    nb = len(r["branch_end"])
    print(f"fpfind continue: {wall:.2f} s wall ({cpu:.2f} s CPU), {rss:.0f} MiB, {nb} branches, {len(r['param'])} points, {len(ours)} folds")
    net = np.load("testdata/flipflop.npz")
    W, win, b = net["W"], net["W_in"][:, 0], net["b"]
    t0, c0 = time.perf_counter(), time.process_time()
    ref, steps = [], 0
    for h in r["start_points"]:
        f, s = numpy_arclength(W, win, b, float(net["alpha"]), h, -1.0, 1.0)
        ref += f
        steps += s
    tn, cn = time.perf_counter() - t0, time.process_time() - c0
    ref = sorted(ref)
    print(f"numpy pseudo-arclength (step 0.05, from the same {len(r['start_points'])} start points): {tn:.2f} s wall ({cn:.2f} s CPU), {steps} steps, {len(ref)} folds")
    if len(ref) == len(ours):
        print(f"  folds agree to {np.max(np.abs(np.array(ref) - np.array(ours))):.1e} in u")
    else:
        print(f"  FOLD COUNTS DIFFER: ours {len(ours)}, numpy {len(ref)}")
    tg, cg = 0.0, 0.0
    for u in np.linspace(-1, 1, 41):
        w, _, c = timed([fpfind, "-q", "--input", f"{u:.6f},0,0", "--format", "json", "testdata/flipflop.npz"])
        tg, cg = tg + w, cg + c
    print(f"grid of 41 fpfind find runs (step 0.05 in u, no folds located): {tg:.2f} s wall ({cg:.2f} s CPU)")
    print(f"ratios (wall; CPU): numpy / fpfind continue = {tn / wall:.1f}; {cn / cpu:.1f}, grid / fpfind continue = {tg / wall:.1f}; {cg / cpu:.1f}; "
          f"target: under 5 s ({'met' if wall < 5 else 'NOT met'})")


def lowrank(fpfind, d, n):
    print(f"== rank-1 network, N = {n}, along u:0 from -1 to 1")
    s = 2.0
    rng = np.random.default_rng(5)
    m = rng.standard_normal(n)
    path = os.path.join(d, f"lr{n}.npz")
    np.savez(path, W=s * np.outer(m, m) / n, W_in=m[:, None], u=np.zeros(1), activation=np.array("tanh"))

    def phi(z):
        return np.mean(m * np.tanh(m * z))

    def dphi(z):
        return np.mean(m * m * (1 - np.tanh(m * z) ** 2))

    z = -2.0
    for _ in range(100):
        z -= (z + 1 - s * phi(z)) / (1 - s * dphi(z))
    start = os.path.join(d, f"start{n}.npy")
    np.save(start, np.tanh(m * z))
    zs = brentq(lambda z: s * dphi(z) - 1, 0, 10, xtol=1e-15)
    exact = sorted([zs - s * phi(zs), -zs + s * phi(zs)])
    prefix = os.path.join(d, f"lr{n}.out")
    wall, rss, cpu = timed([fpfind, "continue", "-q", "--force", "--param", "u:0", "--from", "-1", "--to", "1", "--at", start, "-o", prefix, path])
    r = np.load(prefix + ".npz")
    ours = sorted(r["special_param"][r["special_type"] == "fold"])
    print(f"fpfind continue: {wall:.1f} s wall ({cpu:.1f} s CPU), {rss:.0f} MiB, {len(r['param'])} points, folds at {ours}")
    print(f"reduced equations: folds at {exact}")
    if len(ours) == 2:
        err = np.max(np.abs(np.array(ours) - np.array(exact)))
        print(f"  fold error {err:.1e} (target 1e-8: {'met' if err <= 1e-8 else 'NOT met'})")
    else:
        print("  FOLD COUNT DIFFERS")
    print(f"target: under 120 s and 2 GiB ({'met' if wall < 120 and rss < 2048 else 'NOT met'})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fpfind", default="fpfind")
    ap.add_argument("--n", type=int, default=2048)
    ap.add_argument("--dir", default="/tmp/continue_bench")
    ap.add_argument("--skip-large", action="store_true")
    ap.add_argument("--skip-flipflop", action="store_true")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    print(f"load average at start: {os.getloadavg()}")
    if not a.skip_flipflop:
        flipflop(a.fpfind, a.dir)
    if not a.skip_large:
        lowrank(a.fpfind, a.dir, a.n)
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
