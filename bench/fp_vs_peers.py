#!/usr/bin/python3
"""Compare fixedpoint.Find with scipy's root and FixedPointFinder's Adam.

One run, same network, same initial states, for each case:

  ours   fixedpoint.Find through bench/fpbench (Go, all cores), default
         settings (tol 1e-10);
  scipy  scipy.optimize.root(method='hybr', jac=True) from every initial
         state, the analytic Jacobian; success judged by max|F| <= 1e-8,
         not by its flag (its relative xtol fails at h = 0);
  adam   a torch re-implementation of FixedPointFinder's optimiser
         (mattgolub/fixed-point-finder, its PyTorch version): Adam on the
         mean of q over all states at once, lr 1.0, lr *= 0.95 whenever the
         mean q has not improved for 2 iterations, stop when every q <
         tol_q = 1e-12, |dq| < 1e-20 lr or 5000 iterations; float32; q of
         the Euler step with dt/tau = 0.1 (what FPF minimises for a CTRNN);
         then its unique-ing (2-norm 1e-3, lowest q) and outlier removal.

Cases: the tanh network g = 1.5, N = 200 of testdata/random_g1.5_n200.npz
(chaotic), and the trained 3-bit flip-flop testdata/flipflop.npz (N = 64)
when present, 1024 initial states each, sampled from trajectories of the
network plus Gaussian noise.

For every method it prints the wall time, the distinct points, how many of
them have max|F| < 1e-10, and the ratios; then whether we found every true
fixed point that scipy or Adam found (Adam's points are polished with a few
Newton steps in numpy to see which root, if any, each one sits on).

With --repeat K every method runs K times (ours each time in a new process,
so every run pays its start-up) and the fastest time is reported: on a
shared VM the same run varies by 10-40% from one minute to the next, most
for the 50 ms flip-flop case.

The case g15uniform is the harder one: 256 initial states uniform in
[-1, 1]^N (numpy seed 1) on the same chaotic network, linearisation
included on both sides: ours is the command line, `fpfind find --inits-file
--explore=false` (solving and the full spectrum of every point, --timing
for the stages) and, for what exploring adds, the same with --explore;
scipy is root from every state, then numpy.linalg.eigvals of the Jacobian
at each distinct root. Its table gives CPU seconds (user and system, all
threads) beside the wall time, and both ratios.

Usage: /usr/bin/python3 bench/fp_vs_peers.py [--inits 1024] [--skip-scipy]
       [--skip-adam] [--cases g15,flipflop,g15uniform] [--repeat 1]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import scipy.optimize
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load(path):
    d = np.load(path)
    W = d["W"].astype(np.float64)
    n = W.shape[0]
    b = d["b"].astype(np.float64) if "b" in d else np.zeros(n)
    if "W_in" in d and "u" in d:
        b = b + d["W_in"].astype(np.float64) @ d["u"].astype(np.float64)
    tau = np.broadcast_to(np.asarray(d["tau"], dtype=np.float64), (n,)).copy() if "tau" in d else np.ones(n)
    return W, b, tau


def field(W, b, tau, h):
    return (-h + np.tanh(h @ W.T + b)) / tau


def jac(W, b, tau, h):
    d = 1 - np.tanh(W @ h + b) ** 2
    return (d[:, None] * W - np.eye(len(h))) / tau[:, None]


def trajectories(W, b, tau, count, noise, seed, inputs=None):
    """count states from RK4 trajectories (64 of them, 16 samples each)."""
    rng = np.random.default_rng(seed)
    n = W.shape[0]
    ntraj = 64
    per = count // ntraj
    h = rng.normal(size=(ntraj, n)) * (0.5 if inputs is not None else 1.0)
    dt = 0.05
    out = []

    def f(h, bb):
        return (-h + np.tanh(h @ W.T + bb)) / tau

    def rk4(h, bb):
        k1 = f(h, bb)
        k2 = f(h + dt / 2 * k1, bb)
        k3 = f(h + dt / 2 * k2, bb)
        k4 = f(h + dt * k3, bb)
        return h + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)

    for step in range(int(20 / dt) + per * int(1 / dt)):
        bb = b
        if inputs is not None:
            # flip-flop: random +-1 pulses on the input channels
            Win, u0 = inputs
            p = rng.random((ntraj, Win.shape[1])) < 0.02
            s = rng.choice([-1.0, 1.0], size=p.shape)
            bb = b + (p * s) @ Win.T * 10  # a 0.1-long pulse of amplitude ~1 per step
        h = rk4(h, bb)
        if step >= int(20 / dt) and (step - int(20 / dt)) % int(1 / dt) == 0:
            out.append(h.copy())
    states = np.concatenate(out)[:count]
    return states + noise * rng.normal(size=states.shape)


def dedupe(points, q, tol):
    """max-norm dedupe (docs/DESIGN.md unique-tol), lowest q first."""
    keep = []
    for i in np.argsort(q, kind="stable"):
        x = points[i]
        if all(np.abs(x - y).max() > tol * max(1, np.abs(x).max(), np.abs(y).max()) for y in keep):
            keep.append(x)
    return np.array(keep).reshape(-1, points.shape[1] if len(points) else 0)


def run_ours(netpath, inits, tmp, extra=()):
    ipath = os.path.join(tmp, "inits.npy")
    opath = os.path.join(tmp, "ours%s.npy" % "".join(extra))
    np.save(ipath, inits)
    exe = os.path.join(tmp, "fpbench")
    if not os.path.exists(exe):
        subprocess.run(["go", "build", "-o", exe, "./bench/fpbench"], cwd=ROOT, check=True)
    out = subprocess.run([exe, "-net", netpath, "-inits", ipath, "-out", opath, *extra],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    s = json.loads(out)
    pts = np.load(opath) if s["fixed"] > 0 else np.zeros((0, inits.shape[1]))
    return s, pts


def run_scipy(W, b, tau, inits):
    def fun(h):
        return field(W, b, tau, h), jac(W, b, tau, h)

    t0 = time.perf_counter()
    xs, res = [], []
    for x0 in inits:
        r = scipy.optimize.root(fun, x0, jac=True, method="hybr")
        xs.append(r.x)
    t = time.perf_counter() - t0
    xs = np.array(xs)
    res = np.abs(field(W, b, tau, xs)).max(axis=1)
    return t, xs, res


def run_adam(W, b, tau, inits, alpha=0.1):
    torch.manual_seed(0)
    Wt = torch.tensor(W, dtype=torch.float32)
    bt = torch.tensor(b, dtype=torch.float32)
    taut = torch.tensor(tau, dtype=torch.float32)
    x = torch.tensor(inits, dtype=torch.float32, requires_grad=True)
    t0 = time.perf_counter()
    opt = torch.optim.Adam([x], lr=1.0)
    lr, best, stale = 1.0, np.inf, 0
    prev = None
    it = 0
    for it in range(5000):
        opt.zero_grad()
        step = x + alpha * (-x + torch.tanh(x @ Wt.T + bt)) / taut * taut  # Euler step of the leaky CTRNN
        q = 0.5 * ((x - step) ** 2).sum(dim=1)
        loss = q.mean()
        loss.backward()
        opt.step()
        mq = loss.item()
        if q.max().item() < 1e-12:
            break
        if prev is not None and abs(prev - mq) < 1e-20 * lr:
            break
        prev = mq
        if mq < best:
            best, stale = mq, 0
        else:
            stale += 1
            if stale >= 2:
                lr *= 0.95
                stale = 0
                for g in opt.param_groups:
                    g["lr"] = lr
    xs = x.detach().numpy().astype(np.float64)
    with torch.no_grad():
        step = x + alpha * (-x + torch.tanh(x @ Wt.T + bt))
        qs = (0.5 * ((x - step) ** 2).sum(dim=1)).numpy().astype(np.float64)
    # FPF's unique-ing: greedy 2-norm 1e-3 keeping the lowest q.
    keep = []
    for i in np.argsort(qs, kind="stable"):
        if all(np.linalg.norm(xs[i] - xs[j]) > 1e-3 for j in keep):
            keep.append(i)
    pts = xs[keep]
    # FPF's outlier removal: farther than 10x the mean start distance from the starts' centroid.
    c = inits.mean(axis=0)
    d0 = np.linalg.norm(inits - c, axis=1).mean()
    pts = pts[np.linalg.norm(pts - c, axis=1) <= 10 * d0]
    t = time.perf_counter() - t0
    return t, pts, it + 1


def polish(W, b, tau, x, iters=20):
    """Plain Newton from x; the root if it converges to max|F| < 1e-10 within 1e-2 of x."""
    y = x.copy()
    for _ in range(iters):
        f = field(W, b, tau, y)
        if np.abs(f).max() < 1e-10:
            return y if np.linalg.norm(y - x) < 1e-2 else None
        try:
            y = y - np.linalg.solve(jac(W, b, tau, y), f)
        except np.linalg.LinAlgError:
            return None
    return None


def covered(pts, ours, tol):
    """How many of pts are within max-norm tol of one of ours."""
    if len(pts) == 0:
        return 0, 0.0
    if len(ours) == 0:
        return 0, np.inf
    d = np.array([np.abs(ours - p).max(axis=1).min() for p in pts])
    return int((d <= tol).sum()), float(d.max())


def case(name, netpath, count, args, tmp):
    W, b, tau = load(netpath)
    inputs = None
    noise = 0.1
    if "flipflop" in name:
        d = np.load(netpath)
        inputs = (d["W_in"].astype(np.float64), d["u"])
        noise = 0.5  # FPF's flip-flop example adds noise 0.5 to sampled states
    inits = trajectories(W, b, tau, count, noise, seed=1, inputs=inputs)
    print(f"\n== {name}: N = {W.shape[0]}, {len(inits)} initial states (trajectories + noise {noise})", flush=True)
    rows = []
    ours_all = []
    for label, extra in (("ours (Find, auto)", ()), ("ours (Find, newton)", ("-method", "newton"))):
        s, ours = run_ours(netpath, inits, tmp, extra)
        for _ in range(args.repeat - 1):
            s["seconds"] = min(s["seconds"], run_ours(netpath, inits, tmp, extra)[0]["seconds"])
        ours_res = np.abs(field(W, b, tau, ours)).max(axis=1) if len(ours) else np.zeros(0)
        rows.append((label, s["seconds"], s["fixed"] + s["slow"], int((ours_res < 1e-10).sum()),
                     f'{s["fixed"]} fixed + {s["slow"]} slow; runs {s["statuses"]}'))
        ours_all.append((label, s, ours))
    report = {}
    if not args.skip_scipy:
        t, xs, res = run_scipy(W, b, tau, inits)
        for _ in range(args.repeat - 1):
            t = min(t, run_scipy(W, b, tau, inits)[0])
        ok = res <= 1e-8
        sp = dedupe(xs[ok], res[ok], 1e-6) if ok.any() else np.zeros((0, W.shape[0]))
        spres = np.abs(field(W, b, tau, sp)).max(axis=1) if len(sp) else np.zeros(0)
        rows.append(("scipy root hybr", t, len(sp), int((spres < 1e-10).sum()),
                     f"{int(ok.sum())}/{len(inits)} runs with max|F| <= 1e-8"))
        report["scipy"] = (sp, None)
    if not args.skip_adam:
        t, pts, iters = run_adam(W, b, tau, inits)
        for _ in range(args.repeat - 1):
            t = min(t, run_adam(W, b, tau, inits)[0])
        pres = np.abs(field(W, b, tau, pts)).max(axis=1) if len(pts) else np.zeros(0)
        roots = [polish(W, b, tau, p) for p in pts]
        roots = np.array([r for r in roots if r is not None]).reshape(-1, W.shape[0])
        roots = dedupe(roots, np.zeros(len(roots)), 1e-6) if len(roots) else roots
        rows.append(("Adam (FPF, torch f32)", t, len(pts), int((pres < 1e-10).sum()),
                     f"{iters} iterations; median max|F| {np.median(pres):.1e}; on {len(roots)} distinct roots"))
        report["adam"] = (roots, None)
    print(f"{'method':<24}{'wall s':>9}{'points':>8}{'|F|<1e-10':>11}  notes")
    for r in rows:
        print(f"{r[0]:<24}{r[1]:>9.3f}{r[2]:>8}{r[3]:>11}  {r[4]}")
    for label, s, ours in ours_all:
        ratios = ", ".join(f"{r[0]} / ours = {r[1] / s['seconds']:.1f}x" for r in rows[len(ours_all):])
        print(f"{label}: {ratios}")
        for k, (pts, _) in report.items():
            n, dmax = covered(pts, ours, 1e-6)
            print(f"  {k}: {len(pts)} true fixed points; found {n} of them (max-norm distance <= 1e-6; largest {dmax:.1e})")
        print(f"  Stats {s['stats']}; symmetric {s['symmetric']}; from symmetry {s['from_symmetry']}, from deflation {s['from_deflation']}; max residual {s['max_residual_fixed']:.1e}")


def uniform_case(netpath, args, tmp):
    """256 uniform starts on the chaotic network, linearisation included."""
    W, b, tau = load(netpath)
    n = W.shape[0]
    inits = np.random.default_rng(1).uniform(-1, 1, size=(256, n))
    ipath = os.path.join(tmp, "uniform.npy")
    np.save(ipath, inits)
    exe = os.path.join(tmp, "fpfind")
    if not os.path.exists(exe):
        subprocess.run(["go", "build", "-o", exe, "./cmd/fpfind"], cwd=ROOT, check=True)
    print(f"\n== g15uniform: N = {n}, 256 initial states uniform in [-1, 1]^N, linearisation included", flush=True)
    rows, found = [], {}
    for label, extra in (("ours (find, no exploring)", ["--explore=false"]), ("ours (find, exploring)", [])):
        best, cpu, pts, stages = None, None, None, ""
        for _ in range(args.repeat):
            out = os.path.join(tmp, "uniform_out")
            c0 = os.times()
            t0 = time.perf_counter()
            p = subprocess.run([exe, "find", netpath, "--inits-file", ipath, "--timing", "-q", "--force", "-o", out, *extra],
                               cwd=ROOT, check=True, capture_output=True, text=True)
            t = time.perf_counter() - t0
            c1 = os.times()
            if best is None or t < best:
                best = t
                cpu = (c1.children_user + c1.children_system) - (c0.children_user + c0.children_system)
                stages = "; ".join(l.split("timing: ", 1)[1] for l in p.stderr.splitlines() if "timing: " in l)
                r = np.load(out + ".npz")
                pts = r["fixed_points"][r["kind"] == "fixed"]
        rows.append((label, best, cpu, len(pts), stages))
        found[label] = pts
    if not args.skip_scipy:
        c0 = time.process_time()
        t0 = time.perf_counter()
        _, xs, res = run_scipy(W, b, tau, inits)
        ok = res <= 1e-8
        sp = dedupe(xs[ok], res[ok], 1e-6) if ok.any() else np.zeros((0, n))
        for x in sp:
            np.linalg.eigvals(jac(W, b, tau, x))
        t = time.perf_counter() - t0
        rows.append(("scipy root + eigvals", t, time.process_time() - c0, len(sp), f"{int(ok.sum())}/256 runs with max|F| <= 1e-8"))
    # CPU seconds (user + system, all threads) beside the wall time: on a
    # shared machine they are the fairer comparison.
    print(f"{'method':<28}{'wall s':>9}{'cpu s':>8}{'fixed':>7}  notes")
    for r in rows:
        print(f"{r[0]:<28}{r[1]:>9.3f}{r[2]:>8.2f}{r[3]:>7}  {r[4]}")
    if not args.skip_scipy:
        for label in found:
            k, dmax = covered(sp, found[label], 1e-6)
            ours = [r for r in rows if r[0] == label][0]
            print(f"{label}: scipy / ours = {rows[-1][1] / ours[1]:.1f}x wall, {rows[-1][2] / ours[2]:.1f}x cpu; "
                  f"found {k} of scipy's {len(sp)} points (largest distance {dmax:.1e})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inits", type=int, default=1024)
    ap.add_argument("--skip-scipy", action="store_true")
    ap.add_argument("--skip-adam", action="store_true")
    ap.add_argument("--cases", default="g15,flipflop")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run every method this many times and report the fastest (each of ours in a new process)")
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count())
    cases = {"g15": os.path.join(ROOT, "testdata", "random_g1.5_n200.npz"),
             "flipflop": os.path.join(ROOT, "testdata", "flipflop.npz")}
    with tempfile.TemporaryDirectory() as tmp:
        for c in args.cases.split(","):
            if c == "g15uniform":
                uniform_case(cases["g15"], args, tmp)
                continue
            if not os.path.exists(cases[c]):
                print(f"\n== {c}: {cases[c]} not present, skipped")
                continue
            case(c, cases[c], args.inits, args, tmp)


if __name__ == "__main__":
    sys.exit(main())
