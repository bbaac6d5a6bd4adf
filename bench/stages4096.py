#!/usr/bin/python3
"""The stages of `fpfind find` on the chaotic N = 4096 network that do not
depend on its runs (issue #17): the origin's partial spectrum and its
unstable manifolds, against scipy on the same network, in one run.

The network: tanh, tau = 1, b = 0, W ~ N(0, 1.5^2/N) drawn by
numpy.random.default_rng(N) (as bench/scale.py and bench/explore_results.md
make it). Its origin is a saddle whose Jacobian J = W - I has eigenvalues
filling a disc of radius 1.5 about -1: the rightmost ones crowd.

1. fpfind: `fpfind find NET --inits-file ZERO --seed 1 --timing -q -o OUT`,
   ZERO being 65 zero rows (the origin alone, with the worker count of
   `-n 64`: its first solve is one Newton step). stderr gives the seconds
   of the linearising stage (the origin's 20 leading eigenvalues with their
   right vectors, linearize.LeadingAll) and of the manifold stage (its 4
   leading unstable directions followed both ways: 8 trajectories in one
   lockstep group until they stall), and OUT.npz the eigenvalues.
2. scipy: scipy.sparse.linalg.eigs on J as a LinearOperator (each product
   one numpy dgemv, W - I never formed), k = 20, which='LR', tol = 1e-12,
   ncv = 160 (fpfind's subspace at N = 4096): its seconds and products, and
   the largest difference from fpfind's eigenvalues.
3. scipy: solve_ivp (RK45, rtol 1e-5, atol 1e-9, fpfind's tolerances) of 8
   trajectories from 1e-3 sqrt(N) along random unit directions at the
   origin, stacked into one system (one W @ Y product, N x 8, per stage),
   for as long as fpfind's stop them (--t-end, 50.78 time constants by
   default: 20.78 plus the 30 of the stall rule).

Usage (from the repository root; Debian's python3 has numpy and scipy):

    /usr/bin/python3 bench/stages4096.py [--n 4096] [--fpfind PATH] [--dir /tmp/stages4096] [--t-end 50.78] [--skip-ivp]

It prints the machine's load with each timing: on this shared 2-core
machine, seconds measured under load are upper bounds.
"""
import argparse
import os
import re
import subprocess
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load():
    return open("/proc/loadavg").read().split()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--fpfind", default="")
    ap.add_argument("--dir", default="/tmp/stages4096")
    ap.add_argument("--t-end", type=float, default=50.78)
    ap.add_argument("--skip-ivp", action="store_true")
    args = ap.parse_args()
    n = args.n
    os.makedirs(args.dir, exist_ok=True)
    net = os.path.join(args.dir, "g15_%d.npz" % n)
    rng = np.random.default_rng(n)
    w = rng.normal(0, 1.5 / np.sqrt(n), (n, n))
    if not os.path.exists(net):
        np.savez(net, W=w, b=np.zeros(n))
    zero = os.path.join(args.dir, "zero65_%d.npy" % n)
    np.save(zero, np.zeros((65, n)))
    fp = args.fpfind
    if not fp:
        fp = os.path.join(args.dir, "fpfind")
        subprocess.run(["go", "build", "-o", fp, "./cmd/fpfind"], cwd=ROOT, check=True)

    out = os.path.join(args.dir, "origin")
    l0 = load()
    t0 = time.perf_counter()
    r = subprocess.run([fp, "find", net, "--inits-file", zero, "--seed", "1", "--timing", "-q", "-o", out, "--force"],
                       capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    lin = float(re.search(r"linearising ([\d.]+) s", r.stderr).group(1))
    man = float(re.search(r"following unstable manifolds ([\d.]+) s", r.stderr).group(1))
    ours = np.load(out + ".npz")["eigenvalues"][0]
    ours = ours[np.isfinite(ours)]
    print("fpfind (load %s): %.1f s in all, linearising %.2f s, manifolds %.2f s" % (l0, wall, lin, man))

    import scipy.sparse.linalg as sla
    from scipy.integrate import solve_ivp

    count = [0]

    def mv(v):
        count[0] += 1
        return w @ v - v

    op = sla.LinearOperator((n, n), matvec=mv, dtype=np.float64)
    l1 = load()
    t0 = time.perf_counter()
    vals = sla.eigs(op, k=20, which="LR", tol=1e-12, ncv=160, return_eigenvectors=False,
                    v0=np.random.default_rng(1).standard_normal(n))
    eigs_s = time.perf_counter() - t0
    vals = vals[np.argsort(-vals.real)]
    # Each of fpfind's values against the nearest of scipy's (conjugates
    # included: fpfind keeps one member of a pair cut at the 20th place).
    ref = np.concatenate([vals, vals.conj()])
    diff = max(np.min(np.abs(ref - v)) for v in ours)
    print("scipy eigs (load %s): %.2f s, %d products; fpfind's %d values within %.2e of scipy's (|J| ~ %.2f)"
          % (l1, eigs_s, count[0], len(ours), diff, np.abs(vals).max() + 1))
    print("  linearising: fpfind / scipy = %.2f" % (lin / eigs_s))

    if args.skip_ivp:
        return
    v = np.random.default_rng(2).standard_normal((n, 8))
    v /= np.linalg.norm(v, axis=0)
    y0 = (1e-3 * np.sqrt(n) * v).ravel(order="F")

    def f(_, y):
        h = y.reshape((n, 8), order="F")
        return (np.tanh(w @ h) - h).ravel(order="F")

    l2 = load()
    t0 = time.perf_counter()
    sol = solve_ivp(f, (0, args.t_end), y0, method="RK45", rtol=1e-5, atol=1e-9)
    ivp_s = time.perf_counter() - t0
    print("scipy solve_ivp of 8 trajectories to t = %.2f (load %s): %.2f s, %d evaluations, status %d"
          % (args.t_end, l2, ivp_s, sol.nfev, sol.status))
    print("  manifold stage: fpfind / scipy = %.2f" % (man / ivp_s))


if __name__ == "__main__":
    main()
