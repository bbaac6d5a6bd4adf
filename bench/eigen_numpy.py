#!/usr/bin/python3
"""Time numpy.linalg.eigvals / eig on the matrices of internal/eigen's
BenchmarkGeev (N(0, 1/n) entries; same distribution, numpy's own generator).

Run with Debian's python:  /usr/bin/python3 bench/eigen_numpy.py [N ...]
Prints one line per size: n, then wall and CPU seconds (all threads) for
values only and with right vectors (best of a few runs). CPU seconds are
steadier than wall time on a shared machine; compare them with the cpu-s/op
metric of BenchmarkGeev.
"""
import sys
import time

import numpy as np


def best(f, reps):
    """Best wall time and best CPU time (all threads) over reps runs."""
    t, c = float("inf"), float("inf")
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        f()
        t = min(t, time.perf_counter() - t0)
        c = min(c, time.process_time() - c0)
    return t, c


def main():
    sizes = [int(s) for s in sys.argv[1:]] or [256, 1024, 2048]
    rng = np.random.default_rng(1)
    print(f"numpy {np.__version__}")
    print("n values_wall_s values_cpu_s vectors_wall_s vectors_cpu_s")
    for n in sizes:
        a = rng.standard_normal((n, n)) / np.sqrt(n)
        reps = 3 if n <= 1024 else 1
        tv = best(lambda: np.linalg.eigvals(a), reps)
        te = best(lambda: np.linalg.eig(a), reps)
        print(f"{n} {tv[0]:.4f} {tv[1]:.4f} {te[0]:.4f} {te[1]:.4f}", flush=True)


if __name__ == "__main__":
    main()
