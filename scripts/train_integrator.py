#!/usr/bin/python3
"""Trains testdata/integrator.npz: a leaky tanh network that integrates
pulses (issue #21's trained integrator, whose fixed and slow points form an
approximate line attractor).

The trials (numpy seed 21): T = 100 steps, one input channel with a pulse
of amplitude +-U(0.1, 0.4) at each step with probability 0.05; the target
is the running sum of the pulses (trials whose sum leaves [-0.9, 0.9] are
drawn again), from step 1 on. They are written to a temporary .npz and the
network is trained by the repository's own trainer,

  fpfind train --task data --data TRIALS --n 32 --alpha 0.2 --gain 0.9
               --rule bptt --seed 21 --steps 3000 -o PREFIX

(about a minute on 2 cores), then copied to testdata/integrator.npz with
its W, W_in, b, alpha, convention (leaky), W_out and b_out.

Usage (from the repository root): /usr/bin/python3 scripts/train_integrator.py [--fpfind PATH] [--steps 3000]
"""
import argparse
import os
import subprocess
import tempfile

import numpy as np


def trials(rng, t, b):
    x = np.zeros((t, b, 1))
    y = np.zeros((t, b, 1))
    for i in range(b):
        while True:
            pulse = (rng.random(t) < 0.05) * rng.choice([-1.0, 1.0], t) * rng.uniform(0.1, 0.4, t)
            s = np.cumsum(pulse)
            if np.all(np.abs(s) <= 0.9):
                break
        x[:, i, 0], y[:, i, 0] = pulse, s
    return x, y


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fpfind", default="go run ./cmd/fpfind")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--out", default="testdata/integrator.npz")
    a = ap.parse_args()
    rng = np.random.default_rng(21)
    x, y = trials(rng, 100, 2048)
    with tempfile.TemporaryDirectory() as d:
        data = os.path.join(d, "trials.npz")
        np.savez(data, inputs=x, targets=y)
        pre = os.path.join(d, "integ")
        cmd = a.fpfind.split() + ["train", "--task", "data", "--data", data, "--n", "32", "--alpha", "0.2", "--gain", "0.9",
                                  "--rule", "bptt", "--seed", "21", "--steps", str(a.steps), "--checkpoint-every", "0", "-q", "-o", pre]
        subprocess.run(cmd, check=True)
        r = dict(np.load(pre + ".npz"))
        keep = {k: r[k] for k in ["W", "W_in", "b", "alpha", "convention", "activation", "W_out", "b_out"] if k in r}
        np.savez(a.out, **keep)
        print("wrote", a.out, "with", sorted(keep))


if __name__ == "__main__":
    main()
