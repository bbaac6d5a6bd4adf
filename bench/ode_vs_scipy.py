#!/usr/bin/python3
"""Time package ode against scipy.integrate.solve_ivp in one run.

Run from anywhere with Debian's python3 (numpy, scipy) and Go on PATH:

    /usr/bin/python3 bench/ode_vs_scipy.py [--gain 1.5] [--scipy-batch 64] [--full]

The network: dh/dt = -h + tanh(W h + b), tau = 1, W = gain/sqrt(N) * N(0, 1),
b = 0.1 * N(0, 1), h0 ~ N(0, 1), all from numpy's default_rng(seed); the same
arrays go to Go as raw float64 files. Both sides: Dormand-Prince 5(4)
(solve_ivp RK45 / ode.DormandPrince), rtol=1e-6, atol=1e-9, t in [0, 100],
101 sample times (t_eval / Settings.Times).

(a) one trajectory at N = 256 and 1024: wall time (best of --repeat) and
    function evaluations of each, their ratio, and our cost per evaluation
    against a bare matrix-vector product W h of the same size (numpy's, and
    gonum's Dgemv) measured in this run.
(b) --batch trajectories at N = 256: ours on every core (SolveLockstep: one
    GEMM per stage with a shared step; SolveBatch: one trajectory per
    worker) against solve_ivp looping over them. Unless --full, solve_ivp
    runs --scipy-batch of them and its time is scaled to the batch (the loop
    is sequential, so the scaling is linear); the table says so.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy.integrate import solve_ivp


def network(rng, n, gain):
    W = gain / np.sqrt(n) * rng.standard_normal((n, n))
    b = 0.1 * rng.standard_normal(n)
    h0 = rng.standard_normal(n)
    return W, b, h0


def per_call(fn):
    """Seconds per call of fn: the best of 5 rounds of at least 40 ms."""
    fn()
    reps = 1
    while True:
        t = time.perf_counter()
        for _ in range(reps):
            fn()
        if time.perf_counter() - t > 0.04:
            break
        reps *= 2
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(reps):
            fn()
        best = min(best, (time.perf_counter() - t) / reps)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gain", type=float, default=1.5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sizes", default="256,1024")
    ap.add_argument("--batch-n", type=int, default=256)
    ap.add_argument("--batch", type=int, default=1024)
    ap.add_argument("--scipy-batch", type=int, default=64, help="trajectories solve_ivp really runs in (b)")
    ap.add_argument("--full", action="store_true", help="solve_ivp runs the whole batch")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rk4-step", type=float, default=0, help="also time a lockstep RK4 batch with this step (0: skip)")
    ap.add_argument("--t1", type=float, default=100.0)
    ap.add_argument("--rtol", type=float, default=1e-6)
    ap.add_argument("--atol", type=float, default=1e-9)
    a = ap.parse_args()

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    load_start = os.getloadavg()[0]
    sizes = [int(s) for s in a.sizes.split(",") if s]
    rng = np.random.default_rng(a.seed)
    nets = {}
    for n in sorted(set(sizes + [a.batch_n])):
        nets[n] = network(rng, n, a.gain)
    H0 = rng.standard_normal((a.batch, a.batch_n))
    t_eval = np.linspace(0, a.t1, 101)

    with tempfile.TemporaryDirectory() as tmp:
        for n, (W, b, h0) in nets.items():
            W.astype("<f8").tofile(os.path.join(tmp, "W%d.f64" % n))
            b.astype("<f8").tofile(os.path.join(tmp, "b%d.f64" % n))
            h0.astype("<f8").tofile(os.path.join(tmp, "h0%d.f64" % n))
        H0.astype("<f8").tofile(os.path.join(tmp, "H0.f64"))
        exe = os.path.join(tmp, "odebench")
        subprocess.run(["go", "build", "-o", exe, "./bench/odebench"], cwd=root, check=True)

        # One trajectory: scipy and Go alternate, --repeat times, and each
        # keeps its best time (the machine may be shared).
        sp, gs = {}, {}
        for _ in range(a.repeat):
            for n in sizes:
                W, b, h0 = nets[n]
                f = lambda t, h, W=W, b=b: -h + np.tanh(W @ h + b)
                t = time.perf_counter()
                sol = solve_ivp(f, (0, a.t1), h0, method="RK45", rtol=a.rtol, atol=a.atol, t_eval=t_eval)
                wall = time.perf_counter() - t
                assert sol.success, sol.message
                mv, fe = per_call(lambda: W @ h0), per_call(lambda: f(0, h0))
                if n not in sp:
                    sp[n] = dict(wall=wall, nfev=sol.nfev, y_end=sol.y[:, -1], matvec=mv, field=fe)
                s = sp[n]
                s["wall"], s["matvec"], s["field"] = min(s["wall"], wall), min(s["matvec"], mv), min(s["field"], fe)
                out = subprocess.run([exe, "-dir", tmp, "-single", str(n), "-batch-n", "0", "-t1", str(a.t1),
                                      "-rtol", str(a.rtol), "-atol", str(a.atol), "-repeat", "1"],
                                     check=True, capture_output=True, text=True).stdout
                r = json.loads(out)["single"][0]
                if n not in gs:
                    gs[n] = r
                for key in ("field_wall", "par_wall", "gemv", "field", "field_par"):
                    gs[n][key] = min(gs[n][key], r[key])

        # The batch: half of scipy's loop before ours and half after, so that
        # a change in the machine's load hits both alike.
        W, b, _ = nets[a.batch_n]
        f = lambda t, h: -h + np.tanh(W @ h + b)
        k = a.batch if a.full else min(a.scipy_batch, a.batch)
        nfev, sp_wall, sp_cpu = 0, 0.0, 0.0

        def scipy_loop(rows):
            nonlocal nfev, sp_wall, sp_cpu
            t, c = time.perf_counter(), time.process_time()
            for i in rows:
                sol = solve_ivp(f, (0, a.t1), H0[i], method="RK45", rtol=a.rtol, atol=a.atol, t_eval=t_eval)
                nfev += sol.nfev
            sp_wall += time.perf_counter() - t
            sp_cpu += time.process_time() - c

        load0 = os.getloadavg()[0]
        scipy_loop(range(0, k // 2))
        out = subprocess.run([exe, "-dir", tmp, "-single", "", "-batch-n", str(a.batch_n),
                              "-batch", str(a.batch), "-t1", str(a.t1), "-rtol", str(a.rtol),
                              "-atol", str(a.atol), "-rk4-step", str(a.rk4_step)],
                             check=True, capture_output=True, text=True).stdout
        go = json.loads(out)
        go["single"] = [gs[n] for n in sizes]
        scipy_loop(range(k // 2, k))
        sp_batch = sp_wall * a.batch / k
        sp_batch_cpu = sp_cpu * a.batch / k
        sp_nfev = nfev * a.batch / k
        load1 = os.getloadavg()[0]

    print("ode vs scipy.integrate.solve_ivp: tanh network, gain %g, seed %d, tau 1, t in [0, %g], "
          "rtol %g, atol %g, 101 samples; GOMAXPROCS %d; numpy %s; load average %.1f (start) %.1f (batch) %.1f (end)"
          % (a.gain, a.seed, a.t1, a.rtol, a.atol, go["gomaxprocs"], np.__version__, load_start, load0, load1))
    print()
    print("(a) one trajectory (wall: best of %d, alternating scipy and ours)" % a.repeat)
    hdr = ("%5s | %9s %6s | %9s %6s | %9s %6s | %7s | %8s %8s %8s %8s | %6s %6s | %8s"
           % ("N", "scipy s", "nfev", "ours 1c s", "nfev", "ours par", "nfev", "speedup",
              "ours/ev", "np W@h", "go W@h", "go par", "/np", "/go", "|dh(t1)|"))
    print(hdr)
    print("-" * len(hdr))
    for r in go["single"]:
        n = r["n"]
        s = sp[n]
        best = min(r["field_wall"], r["par_wall"])
        per_eval = best / r["par_nfev"]
        print("%5d | %9.4f %6d | %9.4f %6d | %9.4f %6d | %6.2fx | %6.1fus %6.1fus %6.1fus %6.1fus | %5.2fx %5.2fx | %8.1e"
              % (n, s["wall"], s["nfev"], r["field_wall"], r["field_nfev"], r["par_wall"], r["par_nfev"],
                 s["wall"] / best, per_eval * 1e6, s["matvec"] * 1e6, r["gemv"] * 1e6, r["field_par"] * 1e6,
                 per_eval / s["matvec"], per_eval / r["gemv"], np.max(np.abs(np.array(r["y_end"]) - s["y_end"]))))
    print("  ours 1c: Network.Field (internal/kernel's AVX2 product, one core); ours par: dynamics.Evaluator.ParallelField (rows split over cores, persistent helpers).")
    print("  speedup = scipy wall / best of ours; ours/ev = best of ours / nfev; np W@h, go W@h: one bare product;")
    print("  go par: one ParallelField call; /np, /go: ours per evaluation over the bare numpy / gonum product.")
    print()
    bt = go["batch"]
    print("(b) %d trajectories at N = %d" % (a.batch, a.batch_n))
    scaled = "" if k == a.batch else "  (ran %d, scaled x%g)" % (k, a.batch / k)
    print("  %-56s %9s %9s %10s %9s %9s" % ("", "wall s", "CPU s", "nfev", "speedup", "CPU ratio"))
    print("  %-56s %9.2f %9.2f %10.0f %9s %9s%s"
          % ("scipy solve_ivp RK45 looping (half before, half after)", sp_batch, sp_batch_cpu, sp_nfev, "1", "1", scaled))
    for name, wall, cpu, nf in [
            ("ours SolveBatch DP (own steps, %d workers)" % go["gomaxprocs"], bt["parallel_wall"], bt["parallel_cpu"],
             bt["parallel_nfev"]),
            ("ours SolveLockstep DP (groups of 64, GEMM/stage)", bt["lockstep_wall"], bt["lockstep_cpu"],
             bt["lockstep_nfev"])]:
        print("  %-56s %9.2f %9.2f %10d %8.2fx %8.2fx" % (name, wall, cpu, nf, sp_batch / wall, sp_batch_cpu / cpu))
    print("  speedup = scipy wall / ours wall; CPU ratio = scipy CPU / ours CPU (less sensitive to other load).")
    if bt.get("rk4_lockstep_wall"):
        print("  %-62s %9.2f s  nfev %10d  speedup %5.2fx"
              % ("ours SolveLockstep RK4 (step %g, one GEMM/stage)" % bt["rk4_step"], bt["rk4_lockstep_wall"],
                 int(4 * round(a.t1 / bt["rk4_step"])) * a.batch, sp_batch / bt["rk4_lockstep_wall"]))
    print("  max |lockstep - per-trajectory| over all samples: %.1e" % bt["max_diff_lockstep_vs_parallel"])
    print("  one FieldRows on the batch (GEMM %dx%d by %dx%d): %.2f ms"
          % (a.batch, a.batch_n, a.batch_n, a.batch_n, bt["gemm"] * 1e3))


if __name__ == "__main__":
    sys.exit(main())
