#!/usr/bin/python3
"""Time numpy.linalg.eigvals / eig on the matrices of internal/eigen's
BenchmarkGeev (N(0, 1/n) entries; same distribution, numpy's own generator).

Run with Debian's python:  /usr/bin/python3 bench/eigen_numpy.py [N ...]
Prints one line per size: n, seconds for values only, seconds with right
vectors (best of a few runs), and the BLAS numpy uses.
"""
import sys
import time

import numpy as np


def best(f, reps):
    t = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        t = min(t, time.perf_counter() - t0)
    return t


def main():
    sizes = [int(s) for s in sys.argv[1:]] or [256, 1024, 2048]
    rng = np.random.default_rng(1)
    cfg = np.show_config(mode="dicts") if hasattr(np, "show_config") else {}
    try:
        blas = cfg["Build Dependencies"]["blas"]["name"]
    except Exception:
        blas = "?"
    print(f"numpy {np.__version__}, blas {blas}")
    print("n values_s vectors_s")
    for n in sizes:
        a = rng.standard_normal((n, n)) / np.sqrt(n)
        reps = 3 if n <= 1024 else 1
        tv = best(lambda: np.linalg.eigvals(a), reps)
        te = best(lambda: np.linalg.eig(a), reps)
        print(f"{n} {tv:.4f} {te:.4f}", flush=True)


if __name__ == "__main__":
    main()
