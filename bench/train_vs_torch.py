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

    /usr/bin/python3 bench/train_vs_torch.py [--sizes 64,256,1024] [--batch 32] [--steps 100] [--repeat 5] [--rflo-rounds 9]
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


def numpy_child(a):
    """A child process's numpy runs (so that its BLAS threads can be set
    from outside): the median time per step of a.repeat trials, as JSON,
    and the last weights to OUT."""
    p = dict(np.load(a.numpy_rflo[0]))
    runs = [numpy_rflo_online(p, 1e-2) for _ in range(a.repeat)]
    np.save(a.numpy_rflo[1], runs[-1][2])
    print(json.dumps({"per_step": float(np.median([r[0] for r in runs])), "cpu_per_step": float(np.median([r[1] for r in runs]))}))


def rflo(a, tmp):
    """RFLO online, fpfind against numpy in interleaved rounds: the machine's
    speed drifts by tens of percent within minutes, so each round runs every
    contender once (fpfind with 2 and 1 goroutines, numpy with OpenBLAS on 1
    thread and on its default), and the medians over rounds are compared."""
    n = a.rflo_n
    print(f"\nRFLO online (SGD at every step), one trial of T = {a.rflo_steps}, N = {n}, per time step; "
          f"{a.rflo_rounds} interleaved rounds, each the median of {a.repeat} trials")
    p = problem(n, 3, 3, a.rflo_steps, 1, 7)
    path, wpath = os.path.join(tmp, "rflo.npz"), os.path.join(tmp, "rflo_w.npy")
    np.savez(path, **p)
    times = {k: [] for k in ("-j 2", "-j 1", "numpy, 1 BLAS thread", "numpy, default BLAS threads")}
    cpu = {k: [] for k in times}
    last = None
    for _ in range(a.rflo_rounds):
        for lab, w in (("-j 2", 2), ("-j 1", 1)):
            last = go("rflo-online", path, a.repeat, w, 1e-2)
            times[lab].append(last["per_step"])
            cpu[lab].append(last["cpu_per_step"])
        for lab, env in (("numpy, 1 BLAS thread", {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}), ("numpy, default BLAS threads", {})):
            out = subprocess.run([sys.executable, os.path.abspath(__file__), "--repeat", str(a.repeat), "--numpy-rflo", path, wpath],
                                 env={**os.environ, **env}, check=True, capture_output=True, text=True).stdout
            r = json.loads(out)
            times[lab].append(r["per_step"])
            cpu[lab].append(r["cpu_per_step"])
    w = np.load(wpath)
    diff = np.abs(np.array(last["w"]).reshape(n, n) - w).max() / np.abs(w).max()
    med = {k: float(np.median(v)) for k, v in times.items()}
    cmed = {k: float(np.median(v)) for k, v in cpu.items()}
    print(f"{'':>28} {'median s':>10} {'fastest s':>10} {'CPU s':>10}")
    for k in times:
        print(f"{k:>28} {med[k]:>10.3g} {min(times[k]):>10.3g} {cmed[k]:>10.3g}")
    best = min(("numpy, 1 BLAS thread", "numpy, default BLAS threads"), key=lambda k: med[k])
    print(f"numpy at its best ({best}) / fpfind, medians: -j 2 {med[best] / med['-j 2']:.1f}x, -j 1 {med[best] / med['-j 1']:.1f}x; "
          f"fastest against fastest: -j 2 {min(times[best]) / min(times['-j 2']):.1f}x; weights' largest relative difference {diff:.1e}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="64,256,1024")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=100, help="time steps T of a trial")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rflo-n", type=int, default=256)
    ap.add_argument("--rflo-steps", type=int, default=400)
    ap.add_argument("--rflo-rounds", type=int, default=9, help="interleaved rounds of the RFLO comparison (0: skip it)")
    ap.add_argument("--numpy-rflo", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.numpy_rflo:
        numpy_child(a)
        return
    torch.set_num_threads(2)
    tmp = tempfile.mkdtemp()
    print(f"# torch {torch.__version__} on {torch.get_num_threads()} threads, numpy {np.__version__}; "
          f"load average {os.getloadavg()[0]:.1f} at start")
    print(f"\nBPTT, one training step (forward, backward, Adam), batch {a.batch}, T = {a.steps}, float64")
    print(f"{'N':>6} {'fpfind s':>10} {'torch s':>10} {'torch/fpfind':>13} {'CPU s: fpfind':>14} {'torch':>9} {'ratio':>6} {'loss rel diff':>14} {'|g| rel diff':>13}")
    for n in [int(s) for s in a.sizes.split(",") if s]:
        p = problem(n, 3, 3, a.steps, a.batch, n)
        path = os.path.join(tmp, f"p{n}.npz")
        np.savez(path, **p)
        reps = a.repeat if n < 1024 else max(2, a.repeat // 2)
        g = go("bptt", path, reps, 2, 1e-3)
        ts, tc, (tl, tg) = torch_bptt(p, reps, 1e-3)
        print(f"{n:>6} {g['per_step']:>10.4g} {ts:>10.4g} {ts / g['per_step']:>13.2f} {g['cpu_per_step']:>14.4g} {tc:>9.4g} {tc / g['cpu_per_step']:>6.2f} "
              f"{abs(g['loss'] - tl) / tl:>14.1e} {abs(g['grad_norm'] - tg) / tg:>13.1e}", flush=True)
    if a.rflo_rounds > 0:
        rflo(a, tmp)
    print(f"\n# load average {os.getloadavg()[0]:.1f} at the end")


GO_BENCH = os.environ.get("TRAINBENCH", "")
if __name__ == "__main__":
    if not GO_BENCH:
        GO_BENCH = os.path.join(tempfile.mkdtemp(), "trainbench")
        if "--numpy-rflo" not in sys.argv:
            subprocess.run(["go", "build", "-o", GO_BENCH, "./bench/trainbench"], check=True)
            os.environ["TRAINBENCH"] = GO_BENCH
    main()
