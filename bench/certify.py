#!/usr/bin/python3
"""Issue #21's targets, measured in one run.

1. What --certify adds to find on the flip-flop (target: at most 20%):
   fpfind find testdata/flipflop.npz --timing -q, with and without
   --certify, alternately, --repeats times each; the median wall times,
   their ratio, and the certifying stage's own seconds (from --timing).

2. --complete's growth with N (target: 2 to 8 units in seconds): for each
   N of --sizes, --nets random tanh networks (W = 2 randn(N, N)/sqrt(N),
   b = 0.3 randn(N), numpy seed 1000 N + k) are written to .npz files, and

     fpfind find NET --complete --explore=false -n 16 --timing -q -o P

   proves the set (the complete search's own seconds and boxes, from
   --timing); the reference, scipy.optimize.root (hybr, analytic Jacobian)
   from a grid of starts (levels^N; 4 levels up to N = 6, 3 up to N = 8,
   then --random-starts uniform ones), is timed on the same network, and
   every root it finds (max|F| <= 1e-10) must lie within its cert_radius
   of a point of the complete set (the script stops otherwise).

3. --complete where W has low rank (--hopfield): Hopfield networks of N
   units storing p random +-1 patterns (W = (2/N) sum xi xi^T, numpy seed
   N + p), searched over the p coordinates of W's rank; the reference is
   scipy's root from --random-starts uniform starts in [-1, 1]^N, and again
   every root it finds must lie in a certified ball of the complete set.

Usage (from the repository root, after go build -o /tmp/fpfind ./cmd/fpfind):
  /usr/bin/python3 bench/certify.py [--fpfind /tmp/fpfind] [--repeats 7]
      [--sizes 2,4,6,8,10] [--nets 2] [--random-starts 6000] [--max-boxes N]
      [--hopfield 16:3,32:3,64:3,128:2] [--skip-flipflop] [--skip-growth]
"""
import argparse
import itertools
import json
import os
import tempfile

import numpy as np
from scipy.optimize import root
import re
import statistics
import subprocess
import time


def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stderr}")
    return dt, p.stdout, p.stderr


def flipflop(fp, repeats):
    net = "testdata/flipflop.npz"
    plain, cert, stage = [], [], []
    for _ in range(repeats):
        dt, _, _ = run([fp, "find", "--timing", net])
        plain.append(dt)
        dt, out, err = run([fp, "find", "--certify", "--timing", net])
        cert.append(dt)
        m = re.search(r"certifying ([0-9.]+) s \((\d+) points\)", err)
        stage.append(float(m.group(1)))
        npts = int(m.group(2))
        if f"{npts} of {npts} fixed points" not in out:
            raise SystemExit("not every flip-flop point was certified:\n" + out)
    a, b, s = statistics.median(plain), statistics.median(cert), statistics.median(stage)
    print("## find --certify on the flip-flop (N = 64, %d points), median of %d" % (npts, repeats))
    print()
    print("| find | find --certify | ratio | certifying stage | stage / find |")
    print("|---|---|---|---|---|")
    print(f"| {a:.3f} s | {b:.3f} s | {b / a:.3f} | {s:.3f} s | {s / a:.3f} |")
    print()


def scipy_search(W, b, starts):
    n = len(b)
    F = lambda h: -h + np.tanh(W @ h + b)
    J = lambda h: -np.eye(n) + (1 - np.tanh(W @ h + b) ** 2)[:, None] * W
    roots = []
    t0 = time.perf_counter()
    for s in starts:
        r = root(F, np.asarray(s, float), jac=J, method="hybr")
        if r.success and np.max(np.abs(F(r.x))) <= 1e-10:
            if not any(np.max(np.abs(r.x - q)) <= 1e-6 for q in roots):
                roots.append(r.x)
    return roots, time.perf_counter() - t0


def growth(fp, sizes, nets, random_starts, max_boxes):
    print("## --complete: growth with N (random tanh networks, W = 2 randn/sqrt(N), b = 0.3 randn)")
    print()
    print("| N | net | points (proven) | complete | boxes examined | complete search | find --complete (wall) | scipy starts | scipy roots | scipy | scipy / search |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as d:
        for n in sizes:
            for k in range(nets):
                rng = np.random.default_rng(1000 * n + k)
                W = 2 * rng.standard_normal((n, n)) / np.sqrt(n)
                b = 0.3 * rng.standard_normal(n)
                net = os.path.join(d, f"r{n}_{k}.npz")
                np.savez(net, W=W, b=b)
                pre = os.path.join(d, f"c{n}_{k}")
                cmd = [fp, "find", net, "--complete", "--explore=false", "-n", "16", "--timing", "-q", "-o", pre]
                if max_boxes:
                    cmd += ["--max-boxes", str(max_boxes)]
                wall, out, err = run(cmd)
                m = re.search(r"complete search ([0-9.]+) s \((\d+) boxes examined", err)
                search, boxes = float(m.group(1)), int(m.group(2))
                r = np.load(pre + ".npz")
                complete = bool(r["complete"])
                fixed = r["kind"] == "fixed"
                pts, rad = r["fixed_points"][fixed], r["cert_radius"][fixed]
                if n <= 6:
                    starts = list(itertools.product([-0.9, -0.3, 0.3, 0.9], repeat=n))
                elif n <= 8:
                    starts = list(itertools.product([-0.8, 0, 0.8], repeat=n))
                else:
                    starts = np.random.default_rng(n).uniform(-1, 1, (random_starts, n))
                roots, st = scipy_search(W, b, starts)
                check_roots(roots, pts, rad, f"N = {n} net {k}")
                print(f"| {n} | {k} | {len(pts)} ({int(np.sum(r['source'] == 'interval'))} added) | {complete} | {boxes} | {search:.4f} s | {wall:.2f} s | {len(starts)} | {len(roots)} | {st:.2f} s | {st / max(search, 1e-3):.1f} |", flush=True)
    print()


def check_roots(roots, pts, rad, what):
    for q in roots:
        if not np.any(np.max(np.abs(pts - q), axis=1) <= rad):
            raise SystemExit(f"{what}: scipy's root {q} is in no certified ball of the complete set")


def hopfield(fp, cases, random_starts):
    print("## --complete on low-rank W: Hopfield networks (W = (2/N) sum of p random +-1 patterns)")
    print()
    print("| N | p | search rank | points (proven) | complete | boxes examined | complete search | scipy starts | scipy roots | scipy |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as d:
        for n, p in cases:
            rng = np.random.default_rng(n + p)
            xi = rng.choice([-1.0, 1.0], (p, n))
            W = 2 * xi.T @ xi / n
            net = os.path.join(d, f"h{n}_{p}.npz")
            np.savez(net, W=W)
            pre = os.path.join(d, f"res_h{n}_{p}")
            _, out, err = run([fp, "find", net, "--complete", "--explore=false", "-n", "16", "--timing", "-q", "--format", "json", "-o", pre])
            m = re.search(r"complete search ([0-9.]+) s \((\d+) boxes examined", err)
            r = np.load(pre + ".npz")
            doc = json.loads(out)
            fixed = r["kind"] == "fixed"
            pts, rad = r["fixed_points"][fixed], r["cert_radius"][fixed]
            starts = np.random.default_rng(n).uniform(-1, 1, (random_starts, n))
            roots, st = scipy_search(W, np.zeros(n), starts)
            check_roots(roots, pts, rad, f"Hopfield N = {n}, p = {p}")
            print(f"| {n} | {p} | {doc['complete_search']['search_rank']} | {len(pts)} ({int(np.sum(r['source'] == 'interval'))} added) | {bool(r['complete'])} | {m.group(2)} | {float(m.group(1)):.3f} s | {random_starts} | {len(roots)} | {st:.2f} s |", flush=True)
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fpfind", default="/tmp/fpfind")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--sizes", default="2,4,6,8,10")
    ap.add_argument("--nets", type=int, default=2)
    ap.add_argument("--random-starts", type=int, default=6000)
    ap.add_argument("--max-boxes", type=int, default=0)
    ap.add_argument("--skip-flipflop", action="store_true")
    ap.add_argument("--skip-growth", action="store_true")
    ap.add_argument("--hopfield", default="16:3,32:3,64:3,128:2")
    a = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} (on {os.cpu_count()} cores)")
    print()
    if not a.skip_flipflop:
        flipflop(a.fpfind, a.repeats)
    if not a.skip_growth:
        growth(a.fpfind, [int(x) for x in a.sizes.split(",")], a.nets, a.random_starts, a.max_boxes)
    if a.hopfield:
        hopfield(a.fpfind, [tuple(int(v) for v in c.split(":")) for c in a.hopfield.split(",")], min(a.random_starts, 2000))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
