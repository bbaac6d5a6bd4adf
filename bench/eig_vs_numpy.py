#!/usr/bin/python3
"""Time fpfind's eigen-decomposition (linearize.Decompose, gonum's pure-Go
dgeev) against numpy.linalg.eigvals / numpy.linalg.eig (LAPACK dgeev on
OpenBLAS) on the same matrices, in the same run, and print the ratios.

The matrices are J = W - I with W ~ N(0, 1.5^2/N) (seed 1): the Jacobian of
a g = 1.5 tanh network at its origin.

Usage (from the repository root; use Debian's python3, which has numpy):

    /usr/bin/python3 bench/eig_vs_numpy.py [--sizes 128,256,512,1024] [--reps 3] [--threads 1|default]

--threads 1 sets OPENBLAS_NUM_THREADS=1 (and OMP/MKL) before numpy is
imported, for a one-thread comparison; the Go side is single-threaded.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

ap = argparse.ArgumentParser()
ap.add_argument("--sizes", default="128,256,512,1024")
ap.add_argument("--reps", type=int, default=3)
ap.add_argument("--threads", default="1", help="1 or default")
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


with tempfile.TemporaryDirectory() as tmp:
    exe = os.path.join(tmp, "eigbench")
    subprocess.run(["go", "build", "-o", exe, "./bench/eigbench"], cwd=root, check=True)
    rng = np.random.default_rng(1)
    paths, mats = [], []
    for n in sizes:
        J = rng.standard_normal((n, n)) * 1.5 / np.sqrt(n) - np.eye(n)
        p = os.path.join(tmp, f"J{n}.npy")
        np.save(p, J)
        paths.append(p)
        mats.append(J)
    reps = [args.reps if n <= 512 else 1 for n in sizes]
    go = {}
    for p, r in zip(paths, reps):
        out = subprocess.run([exe, "-reps", str(r), p], check=True, capture_output=True, text=True).stdout.split()
        go[p] = (float(out[1]), float(out[2]))
    print(f"# numpy {np.__version__}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'default')}; times in seconds, min of reps")
    print(f"{'N':>6} {'go values':>10} {'np eigvals':>10} {'ratio':>6} | {'go +right':>10} {'np eig':>10} {'ratio':>6}")
    for n, p, J, r in zip(sizes, paths, mats, reps):
        tv = best(lambda: np.linalg.eigvals(J), r)
        te = best(lambda: np.linalg.eig(J), r)
        gv, ge = go[p]
        print(f"{n:>6} {gv:>10.4f} {tv:>10.4f} {gv / tv:>6.2f} | {ge:>10.4f} {te:>10.4f} {ge / te:>6.2f}")
