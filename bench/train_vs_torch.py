#!/usr/bin/env python3
"""Training speed of fpfind's train package against torch and numpy, on the
same weights and trials, in one run.

BPTT: the time of one training step (forward, backward through time, Adam)
of fpfind (bench/trainbench, -workers 2) and of torch on CPU (float64,
torch.set_num_threads(2), autograd through the same leaky loop), at
N = 64, 256 and 1024 with the same batch and trial length; the first step's
loss and gradient norm are compared, so both compute the same thing.

RFLO online: the time per time step of one trial with the weights changed
by SGD at every step, fpfind against a numpy implementation of the same
rule (Murray 2019; eligibility traces, random feedback B), at N = 256; the
weights at the end are compared.

Run from the repository root with Debian's python3:

    /usr/bin/python3 bench/train_vs_torch.py [--sizes 64,256,1024] [--batch 32] [--steps 100] [--repeat 5]
"""
import argparse, json, os, subprocess, sys, tempfile, time
import numpy as np
import torch

torch.set_default_dtype(torch.float64)


def problem(n, m, k, t, b, seed, alpha=0.2):
    rng = np.random.default_rng(seed)
    return dict(
        W=rng.normal(0, 0.9 / np.sqrt(n), (n, n)), W_in=rng.normal(0, 1, (n, m)), b=rng.normal(0, 0.1, n),
        W_out=rng.normal(0, 1 / np.sqrt(n), (k, n)), b_out=np.zeros(k), alpha=np.array(alpha),
        X=rng.choice([-1.0, 0.0, 1.0], p=[0.025, 0.95, 0.025], size=(t, b, m)),
        Y=rng.choice([-1.0, 1.0], size=(t, b, k)), feedback=rng.normal(0, 1 / np.sqrt(n), (n, k)))


def go(mode, path, repeat, workers, lr):
    out = subprocess.run([GO_BENCH, "-mode", mode, "-in", path, "-steps", str(repeat), "-workers", str(workers), "-lr", str(lr)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def torch_bptt(p, repeat, lr):
    P = {k: torch.tensor(v) for k, v in p.items()}
    W, Win, b, Wout, bout = (P[k].clone().requires_grad_() for k in ("W", "W_in", "b", "W_out", "b_out"))
    X, Y, a = P["X"], P["Y"], float(p["alpha"])
    T, B, _ = X.shape
    params = [W, Win, b, Wout, bout]
    opt = torch.optim.Adam(params, lr=lr)
    times, first, cpu0 = [], None, 0.0
    for s in range(repeat + 1):
        if s == 1:
            cpu0 = time.process_time()
        t0 = time.perf_counter()
        opt.zero_grad()
        h = torch.zeros(B, W.shape[0])
        L = 0
        for t in range(T):
            h = h + a * (-h + torch.tanh(h @ W.T + X[t] @ Win.T + b))
            L = L + ((Y[t] - h @ Wout.T - bout) ** 2).sum()
        L = L / (2 * T * B)
        L.backward()
        if s == 0:
            first = (L.item(), torch.sqrt(sum((q.grad ** 2).sum() for q in params)).item())
        opt.step()
        if s > 0:
            times.append(time.perf_counter() - t0)
    return float(np.median(times)), (time.process_time() - cpu0) / repeat, first


def numpy_rflo_online(p, lr):
    """One trial (the batch's first), weights changed by SGD at every step."""
    W, Win, b = p["W"].copy(), p["W_in"].copy(), p["b"].copy()
    Wout, bout, B, a = p["W_out"].copy(), p["b_out"].copy(), p["feedback"], float(p["alpha"])
    X, Y = p["X"][:, 0, :], p["Y"][:, 0, :]
    T, M = X.shape
    n = W.shape[0]
    Theta = np.concatenate([W, Win, b[:, None]], axis=1)  # N x (N + M + 1), u = Theta z
    trace = np.zeros_like(Theta)
    h = np.zeros(n)
    z = np.empty(n + M + 1)
    t0, c0 = time.perf_counter(), time.process_time()
    for t in range(T):
        z[:n], z[n:n + M], z[n + M] = h, X[t], 1.0
        th = np.tanh(Theta @ z)
        hn = h + a * (th - h)
        e = (Wout @ hn + bout - Y[t]) / T
        trace *= 1 - a
        trace += np.outer(a * (1 - th * th), z)
        Theta -= lr * ((B @ e)[:, None] * trace)
        Wout -= lr * np.outer(e, hn)
        bout -= lr * e
        h = hn
    return (time.perf_counter() - t0) / T, (time.process_time() - c0) / T, Theta[:, :n]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="64,256,1024")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=100, help="time steps T of a trial")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rflo-n", type=int, default=256)
    ap.add_argument("--rflo-steps", type=int, default=400)
    a = ap.parse_args()
    torch.set_num_threads(2)
    tmp = tempfile.mkdtemp()
    print(f"# torch {torch.__version__} on {torch.get_num_threads()} threads, numpy {np.__version__}; "
          f"load average {os.getloadavg()[0]:.1f} at start")
    print(f"\nBPTT, one training step (forward, backward, Adam), batch {a.batch}, T = {a.steps}, float64")
    print(f"{'N':>6} {'fpfind s':>10} {'torch s':>10} {'torch/fpfind':>13} {'CPU s: fpfind':>14} {'torch':>9} {'ratio':>6} {'loss rel diff':>14} {'|g| rel diff':>13}")
    for n in [int(s) for s in a.sizes.split(",")]:
        p = problem(n, 3, 3, a.steps, a.batch, n)
        path = os.path.join(tmp, f"p{n}.npz")
        np.savez(path, **p)
        reps = a.repeat if n < 1024 else max(2, a.repeat // 2)
        g = go("bptt", path, reps, 2, 1e-3)
        ts, tc, (tl, tg) = torch_bptt(p, reps, 1e-3)
        print(f"{n:>6} {g['per_step']:>10.4g} {ts:>10.4g} {ts / g['per_step']:>13.2f} {g['cpu_per_step']:>14.4g} {tc:>9.4g} {tc / g['cpu_per_step']:>6.2f} "
              f"{abs(g['loss'] - tl) / tl:>14.1e} {abs(g['grad_norm'] - tg) / tg:>13.1e}", flush=True)
    n = a.rflo_n
    print(f"\nRFLO online (SGD at every step), one trial of T = {a.rflo_steps}, N = {n}, per time step")
    p = problem(n, 3, 3, a.rflo_steps, 1, 7)
    path = os.path.join(tmp, "rflo.npz")
    np.savez(path, **p)
    g = go("rflo-online", path, a.repeat, 2, 1e-2)
    g1 = go("rflo-online", path, a.repeat, 1, 1e-2)
    runs = [numpy_rflo_online(p, 1e-2) for _ in range(a.repeat)]
    ns = float(np.median([r[0] for r in runs]))
    nc = float(np.median([r[1] for r in runs]))
    w = runs[0][2]
    diff = np.abs(np.array(g["w"]).reshape(n, n) - w).max() / np.abs(w).max()
    print(f"{'':>6} {'fpfind s':>10} {'numpy s':>10} {'numpy/fpfind':>13} {'CPU s: fpfind':>14} {'numpy':>9} {'ratio':>6} {'W rel diff':>11}")
    for lab, r in (("-j 2", g), ("-j 1", g1)):
        print(f"{lab:>6} {r['per_step']:>10.3g} {ns:>10.3g} {ns / r['per_step']:>13.1f} {r['cpu_per_step']:>14.3g} {nc:>9.3g} {nc / r['cpu_per_step']:>6.1f} {diff:>11.1e}")
    print(f"\n# load average {os.getloadavg()[0]:.1f} at the end")


GO_BENCH = os.environ.get("TRAINBENCH", "")
if __name__ == "__main__":
    if not GO_BENCH:
        GO_BENCH = os.path.join(tempfile.mkdtemp(), "trainbench")
        subprocess.run(["go", "build", "-o", GO_BENCH, "./bench/trainbench"], check=True)
    main()
