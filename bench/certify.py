#!/usr/bin/python3
"""Issue #21's targets, measured in one run.

1. What --certify adds to find on the flip-flop (target: at most 20%):
   fpfind find testdata/flipflop.npz --timing -q, with and without
   --certify, alternately, --repeats times each; the median wall times,
   their ratio, and the certifying stage's own seconds (from --timing).

Usage (from the repository root, after go build -o /tmp/fpfind ./cmd/fpfind):
  /usr/bin/python3 bench/certify.py [--fpfind /tmp/fpfind] [--repeats 7]
"""
import argparse
import os
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fpfind", default="/tmp/fpfind")
    ap.add_argument("--repeats", type=int, default=7)
    a = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} (on {os.cpu_count()} cores)")
    print()
    flipflop(a.fpfind, a.repeats)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
