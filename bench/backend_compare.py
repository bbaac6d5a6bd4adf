#!/usr/bin/python3
"""Compares internal/backend (built with -tags openblas) with numpy on the
same matrices, alternating the two so that both see the same load on a
shared machine. Each figure is the best of ROUNDS alternations.

    /usr/bin/python3 bench/backend_compare.py [threads]

threads (default: OpenBLAS's own default, all cores) is exported as
OPENBLAS_NUM_THREADS to both processes. Run from the repository root.
"""
import os
import re
import subprocess
import sys

ROUNDS = 3
CASES = [("values", 1024), ("vectors", 1024), ("values", 2048), ("vectors", 2048),
         ("solve", 1024), ("solve", 2048), ("solve", 4096)]


def go_time(binary, op, n, env):
    pat = (f"^BenchmarkGeev/openblas/{op}/N={n}$" if op != "solve"
           else f"^BenchmarkLU/openblas/N={n}$")
    out = subprocess.run([binary, "-test.run", "^$", "-test.bench", pat, "-test.benchtime", "1x"],
                         env=env, capture_output=True, text=True, check=True,
                         cwd="internal/backend").stdout
    m = re.search(r"\s(\d+(?:\.\d+)?) ns/op", out)
    if not m:
        sys.exit("no benchmark line in:\n" + out)
    return float(m.group(1)) * 1e-9


def np_time(op, n, env):
    out = subprocess.run(["/usr/bin/python3", "bench/backend_numpy.py", op, str(n), "1"],
                         env=env, capture_output=True, text=True, check=True).stdout
    return float(out)


def main():
    env = dict(os.environ)
    label = "default"
    if len(sys.argv) > 1:
        env["OPENBLAS_NUM_THREADS"] = label = sys.argv[1]
    binary = "/tmp/backend_openblas.test"
    subprocess.run(["go", "test", "-c", "-tags", "openblas", "-o", binary, "./internal/backend/"],
                   check=True)
    print(f"OPENBLAS_NUM_THREADS={label}, best of {ROUNDS} alternating runs, s/op")
    print(f"{'op':8s} {'N':>5s} {'openblas':>9s} {'numpy':>9s} {'ratio':>6s}")
    for op, n in CASES:
        g, p = float("inf"), float("inf")
        for _ in range(ROUNDS):
            g = min(g, go_time(binary, op, n, env))
            p = min(p, np_time(op, n, env))
        print(f"{op:8s} {n:5d} {g:9.4f} {p:9.4f} {g / p:6.2f}", flush=True)


if __name__ == "__main__":
    main()
