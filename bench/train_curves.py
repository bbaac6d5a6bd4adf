#!/usr/bin/env python3
"""Draw the loss curves of several fpfind train runs in one figure, from
their PREFIX.json (the training loss of every step, smoothed over 1% of the
steps, and the held-out loss of each evaluation).

    /usr/bin/python3 bench/train_curves.py -o curves.png LABEL=PREFIX.json ...
"""
import argparse, json
import numpy as np
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-o", required=True)
    ap.add_argument("--title", default="")
    ap.add_argument("runs", nargs="+", help="LABEL=PREFIX.json")
    a = ap.parse_args()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for run in a.runs:
        label, path = run.split("=", 1)
        d = json.load(open(path))
        loss = np.array([np.nan if v is None else v for v in d["loss"]], float)
        w = max(1, len(loss) // 100)
        smooth = np.convolve(loss, np.ones(w) / w, mode="valid")
        line, = ax.plot(np.arange(w, len(loss) + 1), smooth, lw=1.5, label=f"{label}: training loss")
        ev = d["evals"]
        ax.plot([e["step"] for e in ev], [e["loss"] for e in ev], "o", ms=2.5, color=line.get_color(), alpha=0.6,
                label=f"{label}: held-out loss")
    ax.set_yscale("log")
    ax.set_xlabel("training step (trial)")
    ax.set_ylabel("loss")
    ax.set_title(a.title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(a.o, dpi=110)


if __name__ == "__main__":
    main()
