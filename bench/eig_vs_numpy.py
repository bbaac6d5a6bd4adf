#!/usr/bin/python3
"""Time fpfind's eigen-decomposition (linearize.Decompose on internal/eigen's
pure-Go dgeev, with the BLAS the command installs) against
numpy.linalg.eigvals / numpy.linalg.eig (LAPACK dgeev on OpenBLAS) on the
same matrices, in the same run, and print the ratios.

The matrices (seed 1) are, with --kind gauss, J = W - I with
W ~ N(0, 1.5^2/N): the Jacobian of a g = 1.5 tanh network at its origin;
with --kind tanh, J = -I + diag(1 - tanh(W h)^2) W at a state h uniform in
[-1, 1]^N: the Jacobians fpfind's linearisation meets on the chaotic
network of the uniform case.

Usage (from the repository root; use Debian's python3, which has numpy):

    /usr/bin/python3 bench/eig_vs_numpy.py [--sizes 100,200,256,500] [--kind tanh|gauss]
        [--reps 20] [--threads 1|default] [--base-dir DIR]

--threads 1 sets OPENBLAS_NUM_THREADS=1 (and OMP/MKL) before numpy is
imported, for a one-thread comparison; the Go side is single-threaded.
--base-dir DIR also builds bench/eigbench from the checkout in DIR (another
revision, e.g. a git worktree of main) and times it on the same matrices,
interleaved with ours, for a before/after table. Times are the minimum over
--reps runs (one run from N = 1024 on).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

ap = argparse.ArgumentParser()
ap.add_argument("--sizes", default="100,200,256,500")
ap.add_argument("--kind", default="tanh", choices=["tanh", "gauss"])
ap.add_argument("--reps", type=int, default=20)
ap.add_argument("--threads", default="1", help="1 or default")
ap.add_argument("--base-dir", default="")
args = ap.parse_args()
if args.threads != "default":
    for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[v] = args.threads

import numpy as np  # noqa: E402 (after the thread settings)

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sizes = [int(s) for s in args.sizes.split(",")]


def best(f, reps):
    t = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        t = min(t, time.perf_counter() - t0)
    return t


def matrix(rng, n):
    w = rng.standard_normal((n, n)) * 1.5 / np.sqrt(n)
    if args.kind == "gauss":
        return w - np.eye(n)
    h = rng.uniform(-1, 1, n)
    return -np.eye(n) + (1 - np.tanh(w @ h) ** 2)[:, None] * w


with tempfile.TemporaryDirectory() as tmp:
    exes = {"ours": os.path.join(tmp, "eigbench")}
    subprocess.run(["go", "build", "-o", exes["ours"], "./bench/eigbench"], cwd=root, check=True)
    if args.base_dir:
        exes["base"] = os.path.join(tmp, "eigbench_base")
        subprocess.run(["go", "build", "-o", exes["base"], "./bench/eigbench"], cwd=args.base_dir, check=True)
    rng = np.random.default_rng(1)
    paths, mats = [], []
    for n in sizes:
        J = matrix(rng, n)
        p = os.path.join(tmp, f"J{n}.npy")
        np.save(p, J)
        paths.append(p)
        mats.append(J)
    reps = [args.reps if n < 1024 else 1 for n in sizes]
    go = {k: {} for k in exes}
    for p, r in zip(paths, reps):
        # Interleaved: base and ours alternate, each its best of r runs,
        # twice.
        for _ in range(2):
            for k, exe in exes.items():
                out = subprocess.run([exe, "-reps", str(r), p], check=True, capture_output=True, text=True).stdout.split()
                v, e = float(out[1]), float(out[2])
                pv, pe = go[k].get(p, (v, e))
                go[k][p] = (min(v, pv), min(e, pe))
    print(f"# numpy {np.__version__}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'default')}; "
          f"kind {args.kind}; times in ms, min of reps")
    head = f"{'N':>5}"
    if "base" in exes:
        head += f" {'base vals':>10} {'ratio':>6}"
    head += f" {'go values':>10} {'np eigvals':>10} {'ratio':>6} |"
    if "base" in exes:
        head += f" {'base +right':>11} {'ratio':>6}"
    head += f" {'go +right':>10} {'np eig':>10} {'ratio':>6}"
    print(head)
    for n, p, J, r in zip(sizes, paths, mats, reps):
        tv = best(lambda: np.linalg.eigvals(J), r)
        te = best(lambda: np.linalg.eig(J), r)
        gv, ge = go["ours"][p]
        line = f"{n:>5}"
        if "base" in exes:
            bv, _ = go["base"][p]
            line += f" {bv * 1e3:>10.2f} {bv / tv:>6.2f}"
        line += f" {gv * 1e3:>10.2f} {tv * 1e3:>10.2f} {gv / tv:>6.2f} |"
        if "base" in exes:
            _, be = go["base"][p]
            line += f" {be * 1e3:>11.2f} {be / te:>6.2f}"
        line += f" {ge * 1e3:>10.2f} {te * 1e3:>10.2f} {ge / te:>6.2f}"
        print(line, flush=True)
