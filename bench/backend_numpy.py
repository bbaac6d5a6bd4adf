#!/usr/bin/python3
"""Times numpy.linalg.eigvals, eig and solve on the matrices of
internal/backend's BenchmarkGeev and BenchmarkLU (same splitmix64
generator, so the same matrices), for the table in bench/backend_results.md.

Run with Debian's python3 (numpy on the system OpenBLAS):
    /usr/bin/python3 bench/backend_numpy.py            # the whole table
    /usr/bin/python3 bench/backend_numpy.py op N reps  # one figure
Each figure is the best of `reps` runs, in seconds per operation.
"""
import sys
import time
import numpy as np


def bench_matrix(n):
    k = np.arange(1, n * n + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = np.uint64(1) + k * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    u = (z >> np.uint64(11)).astype(np.float64) * 2.0**-53 * 2 - 1
    return (u * np.sqrt(3 / n)).reshape(n, n)


def best(f, reps):
    t = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        t.append(time.perf_counter() - t0)
    return min(t)


OPS = {
    "values": lambda a: np.linalg.eigvals(a),
    "vectors": lambda a: np.linalg.eig(a),
    "solve": lambda a: np.linalg.solve(a, np.ones(a.shape[0])),
}


def main():
    if len(sys.argv) == 4:  # op n reps: one figure, for backend_compare.py
        op, n, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        a = bench_matrix(n)
        print(best(lambda: OPS[op](a), reps))
        return
    print("op       N     numpy s/op")
    for n in (256, 1024, 2048):
        a = bench_matrix(n)
        reps = 5 if n <= 1024 else 2
        print(f"values   {n:<5d} {best(lambda: np.linalg.eigvals(a), reps):.4f}")
        print(f"vectors  {n:<5d} {best(lambda: np.linalg.eig(a), reps):.4f}")
    for n in (256, 1024, 2048, 4096):
        a = bench_matrix(n)
        b = np.ones(n)
        reps = 5 if n <= 2048 else 3
        print(f"solve    {n:<5d} {best(lambda: np.linalg.solve(a, b), reps):.4f}")
    print("checksum", repr(float(bench_matrix(4).sum())))


if __name__ == "__main__":
    main()
