#!/usr/bin/python3
"""The scaling table of issue #8: fpfind find at N = 256, 1024, 4096 (and
10000 when it fits), pure-Go and OpenBLAS builds, against scipy/numpy doing
the same work, with the machine's own limits measured in the same run.

For every N a random g = 1.5 tanh network (W = 1.5 randn/sqrt(N), numpy
seed N, key W, no b, tau = 1) is written to a temporary .npz and

  fpfind find NET -n 64 --seed 1 --timing -q --format json -o PREFIX
         --max-speed-iter S --max-iter M --deflation -1

runs under /usr/bin/time -v for both builds (wall time, maximum resident
set size; the stage seconds and work counts from the two --timing lines on
stderr). The same S and M are used at every N (see --max-speed-iter).

Derived per-unit costs, from the runs (aggregate over fpfind's 2 workers;
each charges ALL of the solving time to one kind of work, so it is an upper
bound on that unit's cost and the rate it implies a lower bound):

  pass    one O(N^2) pass over W: a J v product is one, a speed evaluation
          (F and J^T F) two, each moving 8 N^2 bytes; solve s / passes, as
          GB/s against the memory bandwidth measured here (numpy dgemv on a
          512 MB matrix, 1 and 2 threads; a numpy copy is printed too);
  LU      factorisations x 2/3 N^3 / (solve s x 2 workers), as GFLOP/s
          against numpy's 1-thread dgemm (each worker factorises on one
          core; the OpenBLAS build holds OpenBLAS to one thread);
  lin     linearising seconds per point (full eigen-decomposition up to
          N = 1024, the 20 rightmost eigenvalues by Krylov-Schur above).

Exponents are log-log slopes between N = 1024 and 4096.

scipy/numpy: scipy.optimize.root(method='hybr', jac=True) (analytic
Jacobian) from fpfind's own 64 initial states (PREFIX.npz 'inits'), one
after the other until all 64 ran or --scipy-budget seconds passed; when
cut short, the time for 64 is extrapolated from the runs done (marked ~).
Success is max|F| <= 1e-8; then numpy.linalg.eigvals of the Jacobian at
each distinct root. N = 4096 is skipped when the estimate from N = 1024
(x 4^3, the cost of hybr's dense QR) exceeds 5 minutes.

Linearising probe: the budgets above leave few or no points to linearise,
so for every N and build fpfind also starts from 4 states within 1e-6 of
the origin (a fixed point of these networks, b = 0) with --deflation -1
--max-iter 20 and the default --eigs, and reports linearising s per point
(--probe-only runs just this).

Memory (issue #8 part 5): fpfind find on the N = 4096 network with 1024
initial states and small budgets that still run every stage
(--mem-args), peak RSS from /usr/bin/time -v; target < 2 GB.

Usage (from the repository root):
  /usr/bin/python3 bench/scale.py [--sizes 256,1024,4096] [--max-speed-iter 100]
      [--max-iter 1] [--extra '--deflation -1'] [--scipy-budget 60] [--limit 420]
      [--skip-mem] [--skip-scipy]

Why the small budgets (chosen in session 2, when matrix-free Newton steps
were GMRES solves; since session 4 they are hooksteps of at most 100
products, and the default budgets at N = 4096 take about 3 minutes, see
scale_results.md): at N = 4096 a matrix-free Newton step on this
chaotic network often ran GMRES to its cap of 600 J v products (5 ms
each per worker), so one run with the default 100 Newton iterations took
about a minute and the 64 runs half an hour per build; with --max-iter 2
--max-speed-iter 300 the pure-Go build still passed 8 minutes at N = 4096
(killed), hence --max-iter 1 --max-speed-iter 100, which few runs survive
to a fixed point: the table measures cost, not yield. The memory run uses --method speed
(no Newton) for the same reason: 1024 runs of Newton-Krylov would take an
hour, and Newton adds only its Krylov basis (101 x N) per slot.
"""
import argparse
import json
import math
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEM_ARGS = "--method speed --max-speed-iter 10 --deflation -1 --eigs 4"

TIMING = re.compile(r"timing: initial states ([\d.]+) s, solving ([\d.]+) s, linearising ([\d.]+) s \((\d+) points?[^)]*\)")
WORK = re.compile(r"work: (\d+) Newton steps \(([\w-]+)\), (\d+) LU factorisations, (\d+) J v products, (\d+) Broyden steps, "
                  r"(\d+) speed evaluations, (\d+) Hessians, (\d+) chord steps, (\d+) early exits")


def sh(cmd, env=None, cwd=ROOT):
    return subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def uptime():
    return sh(["uptime"]).strip()


# ---------------------------------------------------------------- machine

MACHINE = r"""
import sys, time, numpy as np
what = sys.argv[1]
def best(f, k):
    t = float("inf")
    for _ in range(k):
        t0 = time.perf_counter(); f(); t = min(t, time.perf_counter() - t0)
    return t
rng = np.random.default_rng(0)
if what == "gemv":
    n = 8192
    W = rng.standard_normal((n, n)); x = rng.standard_normal(n); y = np.empty(n)
    print(8 * n * n / best(lambda: np.dot(W, x, out=y), 7) / 1e9)
elif what == "copy":
    a = rng.standard_normal(1 << 26); b = np.empty_like(a)
    print(2 * a.nbytes / best(lambda: np.copyto(b, a), 5) / 1e9)
else:
    n = 4096
    A = rng.standard_normal((n, n)); B = rng.standard_normal((n, n)); C = np.empty((n, n))
    print(2 * n ** 3 / best(lambda: np.matmul(A, B, out=C), 3) / 1e9)
"""


def machine():
    m = {}
    for threads in (1, 2):
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
        for what in ("gemv", "copy", "gemm"):
            if what == "copy" and threads == 2:
                continue  # numpy's copy is single-threaded
            m[what, threads] = float(sh(["/usr/bin/python3", "-c", MACHINE, what], env=env))
    return m


# ---------------------------------------------------------------- fpfind

def network(tmp, n):
    path = os.path.join(tmp, "g15_n%d.npz" % n)
    rng = np.random.default_rng(n)
    np.savez(path, W=1.5 * rng.standard_normal((n, n)) / math.sqrt(n))
    return path


def run_fpfind(exe, net, prefix, args, limit):
    cmd = ["/usr/bin/time", "-v", exe, "find", net, "--seed", "1", "--timing", "-q", "--format", "json",
           "-o", prefix, *args]
    # A session of its own, so that a run over the limit is ended with its
    # /usr/bin/time parent (killing the parent alone would orphan fpfind).
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = p.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        return None
    if p.returncode != 0:
        sys.exit("fpfind failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), err))
    r = {}
    t = TIMING.search(err)
    w = WORK.search(err)
    if not t or not w:
        sys.exit("no --timing lines in:\n" + err)
    r["init"], r["solve"], r["lin"] = (float(t.group(i)) for i in (1, 2, 3))
    r["points"] = int(t.group(4))
    (r["newton"], r["linear"], r["lu"], r["jv"], r["broyden"], r["speed"], r["hess"], r["chord"],
     r["early"]) = (w.group(i) if i == 2 else int(w.group(i)) for i in range(1, 10))
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", err)
    r["wall"] = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    r["rss"] = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1)) / 1024
    d = json.loads(out)
    s = d["summary"]
    r["status"] = s["status"]
    r["fixed_pts"] = s["fixed_points"]
    r["slow_pts"] = s["slow_points"]
    r["eigs"] = d["settings"]["eigs"]
    return r


# ---------------------------------------------------------------- scipy

def run_scipy(W, inits, budget):
    import scipy.optimize

    def fun(h):
        t = np.tanh(W @ h)
        return -h + t, (1 - t * t)[:, None] * W - np.eye(len(h))

    t0 = time.perf_counter()
    xs = []
    for x0 in inits:
        xs.append(scipy.optimize.root(fun, x0, jac=True, method="hybr").x)
        if time.perf_counter() - t0 > budget:
            break
    t = time.perf_counter() - t0
    xs = np.array(xs)
    res = np.abs(-xs + np.tanh(xs @ W.T)).max(axis=1)
    roots = []
    for i in np.argsort(res, kind="stable"):
        if res[i] > 1e-8:
            break
        x = xs[i]
        if all(np.abs(x - y).max() > 1e-6 * max(1, np.abs(x).max(), np.abs(y).max()) for y in roots):
            roots.append(x)
    t1 = time.perf_counter()
    for x in roots:
        np.linalg.eigvals(fun(x)[1])
    te = time.perf_counter() - t1
    return {"done": len(xs), "solve": t, "ok": int((res <= 1e-8).sum()), "roots": len(roots),
            "eig": te, "est64": t / len(xs) * len(inits)}


# ---------------------------------------------------------------- table

def slope(a, b, na, nb):
    if a is None or b is None or a <= 0 or b <= 0:
        return float("nan")
    return math.log(b / a) / math.log(nb / na)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="256,1024,4096")
    ap.add_argument("--inits", type=int, default=64)
    ap.add_argument("--max-speed-iter", type=int, default=100)
    ap.add_argument("--max-iter", type=int, default=1)
    ap.add_argument("--extra", default="--deflation -1", help="more fpfind flags, the same at every N")
    ap.add_argument("--scipy-budget", type=float, default=60)
    ap.add_argument("--skip-scipy", action="store_true")
    ap.add_argument("--skip-mem", action="store_true")
    ap.add_argument("--skip-probe", action="store_true")
    ap.add_argument("--probe-only", action="store_true", help="only the linearising probe")
    ap.add_argument("--mem-args", default=MEM_ARGS)
    ap.add_argument("--limit", type=float, default=420, help="kill an fpfind run after this many seconds")
    ap.add_argument("--max-10000", type=float, default=600,
                    help="run N = 10000 when the estimate for one build is below this many seconds")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    fargs = ["-n", str(args.inits), "--max-speed-iter", str(args.max_speed_iter),
             "--max-iter", str(args.max_iter), *args.extra.split()]
    print(uptime(), flush=True)
    print("command: /usr/bin/python3 bench/scale.py " + " ".join(sys.argv[1:]))
    print("fpfind flags at every N: --seed 1 --timing -q --format json " + " ".join(fargs), flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        exes = {}
        for build, tags in (("go", []), ("openblas", ["-tags", "openblas"])):
            exes[build] = os.path.join(tmp, "fpfind-" + build)
            sh(["go", "build", *tags, "-o", exes[build], "./cmd/fpfind"])
            print("%-9s %s" % (build, sh([exes[build], "--version"]).strip()))

        mach = machine()
        bw1, bw2 = mach["gemv", 1], mach["gemv", 2]
        pk1, pk2 = mach["gemm", 1], mach["gemm", 2]
        print("\nmachine (numpy, best of several): dgemv 8192^2 %.1f GB/s (1 thread), %.1f GB/s (2); "
              "copy %.1f GB/s (1 thread, read+write); dgemm 4096 %.1f GFLOP/s (1 thread), %.1f (2)"
              % (bw1, bw2, mach["copy", 1], pk1, pk2), flush=True)

        runs, sp, nets, killed = {}, {}, {}, []
        todo = list(sizes)
        while todo:
            n = todo.pop(0)
            nets[n] = network(tmp, n)
            if args.probe_only:
                continue
            for build in ("go", "openblas"):
                r = run_fpfind(exes[build], nets[n], os.path.join(tmp, "%s_%d" % (build, n)), fargs, args.limit)
                if r is None:
                    print("  N=%d %s: killed after %.0f s (--limit)" % (n, build, args.limit), flush=True)
                    killed.append((n, build))
                    continue
                runs[n, build] = r
                print("  N=%d %s: %.1f s, %.0f MB, %s" % (n, build, r["wall"], r["rss"], r["status"]), flush=True)
            if not args.skip_scipy:
                W = np.load(nets[n])["W"]
                ipath = [os.path.join(tmp, "%s_%d.npz" % (b, n)) for b in ("go", "openblas")]
                ipath = [q for q in ipath if os.path.exists(q)]
                if not ipath:
                    continue
                inits = np.load(ipath[0])["inits"]
                est = None
                if 1024 in sp and n > 1024:
                    est = sp[1024]["est64"] * (n / 1024) ** 3
                if est is not None and est > 300:
                    sp[n] = None
                    print("  N=%d scipy: skipped (estimated %.0f s for %d runs, from N = 1024 x (N/1024)^3)"
                          % (n, est, len(inits)), flush=True)
                else:
                    sp[n] = run_scipy(W, inits, args.scipy_budget)
                    s = sp[n]
                    print("  N=%d scipy: %d runs in %.1f s (%d with max|F| <= 1e-8, %d roots), eigvals %.1f s"
                          % (n, s["done"], s["solve"], s["ok"], s["roots"], s["eig"]), flush=True)
            if n == 4096 and 10000 not in sizes and not todo:
                w = [runs[m, b]["wall"] for m in (1024, 4096) for b in ("go",) if (m, b) in runs]
                if len(w) == 2:
                    e = slope(w[0], w[1], 1024, 4096)
                    est = w[1] * (10000 / 4096) ** max(e, 2)
                    gb = 8 * 10000 ** 2 / 1e9
                    if est < args.max_10000:
                        print("  N=10000: estimate %.0f s (pure Go), W %.1f GB: running" % (est, gb), flush=True)
                        todo.append(10000)
                        sizes.append(10000)
                    else:
                        print("  N=10000: skipped: estimate %.0f s per build (pure Go, N=4096 time x (10000/4096)^%.2f), "
                              "over the %.0f s limit (W alone is %.1f GB)" % (est, max(e, 2), args.max_10000, gb), flush=True)

        probe = {}
        if not args.skip_probe:
            rng = np.random.default_rng(0)
            for n in sizes:
                ip = os.path.join(tmp, "near0_%d.npy" % n)
                np.save(ip, 1e-6 * rng.standard_normal((4, n)))
                for build in ("go", "openblas"):
                    probe[n, build] = run_fpfind(exes[build], nets[n], os.path.join(tmp, "probe_%s_%d" % (build, n)),
                                                 ["--inits-file", ip, "--deflation", "-1", "--max-iter", "20"], args.limit)

        mem = None
        if not args.skip_mem and not args.probe_only:
            if 4096 not in nets:
                nets[4096] = network(tmp, 4096)
            mem = {}
            for build in ("go", "openblas"):
                mem[build] = run_fpfind(exes[build], nets[4096], os.path.join(tmp, "mem_" + build),
                                        ["-n", "1024", *args.mem_args.split()], args.limit)

    # ------------------------------------------------------------ print
    if runs:
        report(args, sizes, runs, sp, killed, bw2, pk1)
    report_probe(args, sizes, probe)
    report_mem(args, runs, mem)
    print("\n" + uptime())


def report(args, sizes, runs, sp, killed, bw2, pk1):
    print("\n== fpfind find, 64 initial states; stage seconds from --timing, peak from /usr/bin/time -v")
    hdr = ("%6s %-9s %8s %7s %7s %8s %7s %4s %-8s %6s %7s %8s %5s %-22s"
           % ("N", "build", "wall s", "peak MB", "init s", "solve s", "lin s", "pts", "linear", "LU", "J v",
              "speed ev", "hess", "runs fixed/slow/nc"))
    print(hdr)
    for n in sizes:
        for b in ("go", "openblas"):
            r = runs.get((n, b))
            if r is None:
                continue
            st = r["status"]
            print("%6d %-9s %8.1f %7.0f %7.2f %8.1f %7.1f %4d %-8s %6d %7d %8d %5d %d/%d/%d"
                  % (n, b, r["wall"], r["rss"], r["init"], r["solve"], r["lin"], r["points"], r["linear"], r["lu"],
                     r["jv"], r["speed"], r["hess"], st.get("fixed", 0), st.get("slow", 0), st.get("not-converged", 0)))
        s = sp.get(n)
        if s is not None:
            mark = "" if s["done"] == args.inits else "~"
            print("%6d %-9s %8s %7s %7s %8s %7.1f %4d  hybr: %d/%d runs timed, %d roots, eigvals of each"
                  % (n, "scipy", mark + "%.1f" % (s["est64"] + s["eig"]), "", "", mark + "%.1f" % s["est64"], s["eig"],
                     s["roots"], s["done"], args.inits, s["roots"]))
        elif n in sp:
            print("%6d %-9s  skipped (see above)" % (n, "scipy"))

    print("\n== per-unit costs from the runs (aggregate over fpfind's 2 workers) and fractions of this machine")
    print("%6s %-9s %9s %10s %9s %9s %11s %7s %9s" % ("N", "build", "passes", "ms/pass<=", "GB/s>=", "% of bw2",
                                                   "LU GF/s>=", "% pk1", "lin s/pt"))
    derived = {}
    for n in sizes:
        for b in ("go", "openblas"):
            r = runs.get((n, b))
            if r is None:
                continue
            passes = r["jv"] + 2 * r["speed"]
            tp = r["solve"] / passes if passes else float("nan")
            gbs = 8 * n * n / tp / 1e9 if passes else float("nan")
            gf = 2 / 3 * n ** 3 * r["lu"] / (2 * r["solve"]) / 1e9 if r["lu"] and r["solve"] else float("nan")
            lin = r["lin"] / r["points"] if r["points"] else float("nan")
            derived[n, b] = (tp, lin)
            print("%6d %-9s %9d %10.3f %9.1f %8.0f%% %11.2f %6.0f%% %9.3f"
                  % (n, b, passes, tp * 1e3, gbs, 100 * gbs / bw2, gf, 100 * gf / pk1, lin))
    print("(passes = J v products + 2 x speed evaluations, 8 N^2 bytes each. Both bounds charge ALL solving time to one"
          " kind of work: ms/pass = solve s / passes (an upper bound on the cost of a pass, so GB/s is a lower bound on"
          " the bandwidth reached), LU GF/s = factorisations x 2/3 N^3 / (solve s x 2 workers) (a lower bound on the rate"
          " of a 1-thread LU). bw2 = 2-thread dgemv %.1f GB/s, pk1 = 1-thread dgemm %.1f GFLOP/s, measured above.)"
          % (bw2, pk1))
    if killed:
        print("killed by --limit %.0f s: %s" % (args.limit, ", ".join("N=%d %s" % k for k in killed)))

    if all((m, b) in runs for m in (1024, 4096) for b in ("go", "openblas")):
        print("\n== fitted exponents, log-log slope between N = 1024 and 4096 (cost ~ N^e)")
        print("%-9s %7s %7s %7s %7s %9s %9s %9s" % ("build", "wall", "init", "solve", "lin", "lin/pt", "passes", "ms/pass"))
        for b in ("go", "openblas"):
            a, c = runs[1024, b], runs[4096, b]
            pa, pc = a["jv"] + 2 * a["speed"], c["jv"] + 2 * c["speed"]
            print("%-9s %7.2f %7.2f %7.2f %7.2f %9.2f %9.2f %9.2f"
                  % (b, slope(a["wall"], c["wall"], 1024, 4096), slope(a["init"], c["init"], 1024, 4096),
                     slope(a["solve"], c["solve"], 1024, 4096), slope(a["lin"], c["lin"], 1024, 4096),
                     slope(derived[1024, b][1], derived[4096, b][1], 1024, 4096), slope(pa, pc, 1024, 4096),
                     slope(derived[1024, b][0], derived[4096, b][0], 1024, 4096)))
        if 1024 in sp and sp.get(1024) and sp.get(4096):
            print("scipy     %7.2f" % slope(sp[1024]["est64"] + sp[1024]["eig"], sp[4096]["est64"] + sp[4096]["eig"], 1024, 4096))
        print("(the linear solver changes at N = 2048 (LU below, matrix-free above) and the spectra from full to 20 leading"
              " eigenvalues above N = 1024, so these slopes compare what fpfind does at each size, not one algorithm)")



def report_probe(args, sizes, probe):
    if probe:
        print("\n== linearising probe: 4 states within 1e-6 of the origin (a fixed point here: b = 0), --deflation -1"
              " --max-iter 20, default --eigs (all eigenvalues up to N = 1024, the 20 rightmost above)")
        for n in sizes:
            for b in ("go", "openblas"):
                r = probe.get((n, b))
                if r is None:
                    print("%6d %-9s killed after %.0f s (--limit)" % (n, b, args.limit))
                    continue
                lin = r["lin"] / r["points"] if r["points"] else float("nan")
                print("%6d %-9s wall %6.1f s, peak %5.0f MB, solve %6.2f s (%d %s steps, %d J v), lin %7.3f s for %d point(s):"
                      " %.3f s/point" % (n, b, r["wall"], r["rss"], r["solve"], r["newton"], r["linear"], r["jv"], r["lin"],
                                         r["points"], lin))
        for b in ("go", "openblas"):
            a, c = probe.get((1024, b)), probe.get((4096, b))
            if a and c and a["points"] and c["points"]:
                print("exponent of linearising s/point, 1024 -> 4096 (full decomposition -> 20 leading), %s: %.2f"
                      % (b, slope(a["lin"] / a["points"], c["lin"] / c["points"], 1024, 4096)))



def report_mem(args, runs, mem):
    if mem:
        print("\n== memory (issue #8 part 5): N = 4096, 1024 initial states, fpfind find -n 1024 " + args.mem_args)
        for b in ("go", "openblas"):
            r = mem[b]
            if r is None:
                print("%-9s killed after %.0f s (--limit)" % (b, args.limit))
                continue
            print("%-9s peak %6.0f MB (%s 2 GB), wall %.1f s; init %.1f s, solve %.1f s, lin %.1f s (%d points); "
                  "%d J v, %d speed evaluations; runs %s"
                  % (b, r["rss"], "under" if r["rss"] < 2048 else "OVER", r["wall"], r["init"], r["solve"], r["lin"],
                     r["points"], r["jv"], r["speed"], r["status"]))
        pk = max([runs[n, b]["rss"] for (n, b) in runs if n == 4096] or [float("nan")])
        print("peak of the 64-initial-state runs at N = 4096: %.0f MB" % pk)


if __name__ == "__main__":
    sys.exit(main())
