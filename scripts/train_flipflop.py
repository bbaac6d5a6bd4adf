#!/usr/bin/python3
"""Train the 3-bit flip-flop task (Sussillo & Barak 2013) on a tanh CTRNN.

The network is the Euler-discretised continuous-time RNN of docs/DESIGN.md
section 1, convention "leaky":

    x = W h + W_in u + b,      h <- h + alpha (-h + tanh(x)),   y = W_out h + b_out

with N = 64 units, tau = 1, dt = 0.1 (alpha = dt / tau = 0.1), three input
channels carrying sparse +-1 pulses and three linear outputs that must hold
the sign of the last pulse on their channel. The recurrent parameters are
those of a torch.nn.RNN (weight_hh_l0 = W, weight_ih_l0 = W_in,
bias_hh_l0 + bias_ih_l0 = b), so the trained network is written twice:

    testdata/flipflop.npz        our keys (float64, exact casts of the float32
                                 parameters; b = bias_hh + bias_ih in float64)
    testdata/flipflop_torch.npz  the module's state dict through numpy (float32)
    testdata/flipflop.json       training curve, accuracy, seed, time, versions

After training, the script checks the fixed points of the autonomous network
(u = 0) with scipy: it must have 8 stable fixed points whose readouts carry
the 8 sign patterns. Run it with Debian's python3 (numpy, scipy, torch):

    /usr/bin/python3 scripts/train_flipflop.py            # train + save + check
    /usr/bin/python3 scripts/train_flipflop.py --check    # check the saved file
    /usr/bin/python3 scripts/train_flipflop.py --out DIR  # train into DIR instead

Everything is seeded; on 2 CPU threads training takes a few minutes.
"""

import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.join(HERE, "..", "testdata")

N = 64          # units
M = 3           # input channels = output channels = bits
ALPHA = 0.1     # dt / tau
TAU = 1.0
SEED = 7


def make_trials(rng, batch, steps, p_pulse=0.02, width=4, grace=12):
    """Draw flip-flop trials.

    Each channel gets pulse onsets with probability p_pulse per step (at least
    width + grace steps apart); a pulse holds +1 or -1 for `width` steps. The
    target of a channel is the sign of its last onset; it is scored (mask = 1)
    from `grace` steps after each onset on, never before the first onset.
    Returns float32 arrays u, target, mask of shape (steps, batch, M).
    """
    u = np.zeros((steps, batch, M), np.float32)
    tgt = np.zeros((steps, batch, M), np.float32)
    mask = np.zeros((steps, batch, M), np.float32)
    gap = width + grace
    for bi in range(batch):
        for c in range(M):
            t, last, sign = 0, -10**9, 0.0
            # Always one pulse early in the trial so most steps are scored.
            first = rng.integers(0, 15)
            while t < steps:
                onset = (t == first) or (t - last >= gap and rng.random() < p_pulse)
                if onset and t - last >= gap:
                    sign = 1.0 if rng.random() < 0.5 else -1.0
                    u[t:t + width, bi, c] = sign
                    last = t
                if sign != 0.0:
                    tgt[t, bi, c] = sign
                    if t - last >= grace:
                        mask[t, bi, c] = 1.0
                t += 1
    return u, tgt, mask


def build_model(torch):
    nn = torch.nn

    class FlipFlopCTRNN(nn.Module):
        """Euler-discretised tanh CTRNN with torch.nn.RNN's parameters."""

        def __init__(self, n, m, alpha):
            super().__init__()
            self.alpha = alpha
            self.rnn = nn.RNN(m, n, nonlinearity="tanh")  # parameters only
            self.readout = nn.Linear(n, m)
            with torch.no_grad():
                self.rnn.weight_hh_l0.normal_(0.0, 1.0 / np.sqrt(n))  # g = 1
                self.rnn.weight_ih_l0.normal_(0.0, 1.0)
                self.rnn.bias_hh_l0.zero_()
                self.rnn.bias_ih_l0.normal_(0.0, 0.1)

        def forward(self, u, h0, noise=0.0):
            r = self.rnn
            W, Win = r.weight_hh_l0, r.weight_ih_l0
            b = r.bias_hh_l0 + r.bias_ih_l0
            drive = u @ Win.T + b  # (T, B, N), input part of x for all steps
            h, hs = h0, []
            for t in range(u.shape[0]):
                x = h @ W.T + drive[t]
                h = h + self.alpha * (-h + torch.tanh(x))
                if noise > 0:
                    h = h + noise * torch.randn_like(h)
                hs.append(h)
            hs = torch.stack(hs)
            return self.readout(hs), hs

    return FlipFlopCTRNN(N, M, ALPHA)


def accuracy(torch, model, rng, trials=512, steps=400):
    """Fraction of scored (trial, step, channel) entries whose output sign is
    right, and fraction of trials that are right at every scored entry."""
    u, tgt, mask = make_trials(rng, trials, steps, p_pulse=0.01)
    with torch.no_grad():
        y, _ = model(torch.from_numpy(u), torch.zeros(trials, N))
    y = y.numpy()
    ok = (np.sign(y) == tgt) | (mask == 0)
    entry = ((np.sign(y) == tgt) & (mask == 1)).sum() / mask.sum()
    trial = ok.all(axis=(0, 2)).mean()
    return float(entry), float(trial)


def train(iters, batch, steps):
    import torch

    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    rng = np.random.default_rng(SEED)
    model = build_model(torch)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=iters // 3, gamma=0.3)
    curve = []
    t0 = time.time()
    for it in range(1, iters + 1):
        u, tgt, mask = make_trials(rng, batch, steps)
        h0 = 0.3 * torch.randn(batch, N)
        y, hs = model(torch.from_numpy(u), h0, noise=0.01)
        err = (y - torch.from_numpy(tgt)) ** 2 * torch.from_numpy(mask)
        loss = err.sum() / mask.sum()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if it % 25 == 0 or it == 1:
            curve.append({"iter": it, "loss": float(loss), "elapsed_s": round(time.time() - t0, 2)})
            print(f"iter {it:5d}  loss {float(loss):.5f}  {time.time() - t0:6.1f} s", flush=True)
    elapsed = time.time() - t0
    model.eval()
    acc_entry, acc_trial = accuracy(torch, model, np.random.default_rng(SEED + 1))
    print(f"held-out accuracy: {acc_entry:.5f} of scored entries, {acc_trial:.4f} of trials all right")
    return torch, model, curve, elapsed, acc_entry, acc_trial


def save(torch, model, curve, elapsed, acc_entry, acc_trial, args):
    os.makedirs(args.out, exist_ok=True)
    sd = {k: v.detach().cpu().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    np.savez(os.path.join(args.out, "flipflop_torch.npz"), **sd)
    f64 = {k: v.astype(np.float64) for k, v in sd.items()}
    np.savez(
        os.path.join(args.out, "flipflop.npz"),
        W=f64["rnn.weight_hh_l0"],
        W_in=f64["rnn.weight_ih_l0"],
        b=f64["rnn.bias_hh_l0"] + f64["rnn.bias_ih_l0"],
        u=np.zeros(M),
        tau=np.array(TAU),
        alpha=np.array(ALPHA),
        activation=np.array("tanh"),
        convention=np.array("leaky"),
        W_out=f64["readout.weight"],
        b_out=f64["readout.bias"],
    )
    meta = {
        "task": "3-bit flip-flop (Sussillo & Barak 2013)",
        "model": "tanh CTRNN, Euler-discretised: h <- h + alpha (-h + tanh(W h + W_in u + b)), y = W_out h + b_out",
        "N": N, "M": M, "alpha": ALPHA, "tau": TAU, "dt": ALPHA * TAU,
        "seed": SEED, "iterations": args.iters, "batch": args.batch, "steps_per_trial": args.steps,
        "optimizer": "Adam lr 1e-2, x0.3 every third of training, grad-norm clip 1.0, state noise 0.01 per step",
        "loss_curve": curve,
        "final_loss": curve[-1]["loss"],
        "heldout_accuracy_entries": acc_entry,
        "heldout_accuracy_trials": acc_trial,
        "heldout": "512 trials of 400 steps, pulse rate 0.01 per step per channel",
        "train_time_s": round(elapsed, 1),
        "torch_threads": torch.get_num_threads(),
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
    }
    with open(os.path.join(args.out, "flipflop.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")


def check(path, starts=400, seed=0, verbose=True):
    """Find the fixed points of the saved network with scipy and classify them.

    Returns a list of (h, n_unstable, readout) for the unique fixed points.
    """
    from scipy.optimize import root

    z = np.load(path)
    W, Win, b, Wout, bout = z["W"], z["W_in"], z["b"], z["W_out"], z["b_out"]
    alpha = float(z["alpha"])
    n = W.shape[0]
    F = lambda h: -h + np.tanh(W @ h + b)
    Jf = lambda h: -np.eye(n) + (1 - np.tanh(W @ h + b) ** 2)[:, None] * W
    # Starting states: trajectories of the flip-flop task, input on.
    rng = np.random.default_rng(seed)
    u, _, _ = make_trials(rng, 40, 300, p_pulse=0.02)
    h = np.zeros((40, n))
    states = []
    for t in range(u.shape[0]):
        h = h + alpha * (-h + np.tanh(h @ W.T + u[t] @ Win.T + b))
        states.append(h.copy())
    states = np.concatenate(states)
    inits = states[rng.integers(0, len(states), starts)] + 0.05 * rng.standard_normal((starts, n))
    pts = []
    for x0 in inits:
        sol = root(F, x0, jac=Jf, method="hybr", options={"xtol": 1e-13})
        if np.max(np.abs(F(sol.x))) > 1e-10:
            continue
        if not any(np.max(np.abs(sol.x - p)) < 1e-6 for p in pts):
            pts.append(sol.x)
    out = []
    for p in pts:
        Mop = (1 - alpha) * np.eye(n) + alpha * (1 - np.tanh(W @ p + b) ** 2)[:, None] * W
        ev = np.linalg.eigvals(Mop)
        nu = int(np.sum(np.abs(ev) > 1 + 1e-8))
        out.append((p, nu, Wout @ p + bout, np.max(np.abs(ev))))
    out.sort(key=lambda r: r[1])
    if verbose:
        for p, nu, y, rho in out:
            print(f"n_unstable {nu}  max|lambda| {rho:.6f}  readout {np.array2string(y, precision=3)}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--iters", type=int, default=800)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--check", action="store_true", help="only check the saved network")
    ap.add_argument("--out", default=TESTDATA, help="folder for the three files (default: testdata/)")
    args = ap.parse_args()
    if not args.check:
        torch, model, curve, elapsed, ae, at = train(args.iters, args.batch, args.steps)
        save(torch, model, curve, elapsed, ae, at, args)
    out = check(os.path.join(args.out, "flipflop.npz"))
    stable = [r for r in out if r[1] == 0]
    patterns = {tuple(np.sign(r[2]).astype(int)) for r in stable}
    print(f"{len(out)} fixed points: {len(stable)} stable, {len(out) - len(stable)} unstable; "
          f"{len(patterns)} sign patterns among the stable ones")
    ok = len(stable) == 8 and len(patterns) == 8 and len(out) > 8
    print("OK" if ok else "FAIL: not 8 stable memories plus saddles")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
