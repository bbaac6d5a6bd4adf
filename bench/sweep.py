#!/usr/bin/python3
"""What a sweep costs beyond its analyses: `fpfind sweep` over many small
networks (N = 64) against the same analyses run as one `fpfind find`
process each (the shell loop it replaces), the rerun that finds every
network done, and a job array on the local Slurm against the local sweep.

    /usr/bin/python3 bench/sweep.py                          # 1000 networks, then 100 on Slurm
    /usr/bin/python3 bench/sweep.py --nets 200 --slurm-nets 0
    /usr/bin/python3 bench/sweep.py --flipflop out/ff     # fixed points forming over training

--flipflop DIR trains the 3-bit flip-flop with `fpfind train` (N = 64, BPTT,
seed 1, 1000 steps, a checkpoint every 20), sweeps the checkpoints and
draws DIR/flipflop.png with `fpfind collect --plot --along step`.

Run from the repository root with Debian's python3 (numpy). The Slurm part
needs a cluster (`.ci/slurm/local.sh start` makes one on this machine, as
root); --slurm-nets 0 skips it. Everything runs in one sitting, on the same
networks: random tanh networks W = g/sqrt(N) N(0, 1), gains 1.1 to 1.5
(several fixed points each, a fraction of a second of analysis), seeded.
"""

import argparse
import csv
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np


def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd, ok=(0,)):
    t0, c0 = time.perf_counter(), cpu()
    p = subprocess.run(cmd, capture_output=True, text=True)
    t, c = time.perf_counter() - t0, cpu() - c0
    if p.returncode not in ok:
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stderr[-3000:]}")
    return t, c, p


def table(fpfind, d):
    p = subprocess.run([fpfind, "collect", "-q", d], capture_output=True, text=True, check=True)
    return list(csv.DictReader(p.stdout.splitlines()))


def without_seconds(rows):
    return [{k: v for k, v in r.items() if k != "seconds"} for r in rows]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nets", type=int, default=1000)
    ap.add_argument("--n", type=int, default=64)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--slurm-nets", type=int, default=100)
    ap.add_argument("--array-max", type=int, default=10)
    ap.add_argument("--keep", help="work in this folder and keep it")
    ap.add_argument("--flipflop", metavar="DIR", help="only the sweep over the flip-flop's training, in DIR")
    args = ap.parse_args()
    if args.flipflop:
        return flipflop(args.flipflop)

    work = args.keep or tempfile.mkdtemp(prefix="fpfind-sweep-bench-")
    os.makedirs(work, exist_ok=True)
    fpfind = os.path.join(work, "fpfind")
    subprocess.run(["go", "build", "-o", fpfind, "./cmd/fpfind"], check=True)
    nets = os.path.join(work, "nets")
    os.makedirs(nets, exist_ok=True)
    rows = []
    for i in range(args.nets):
        g = 1.1 + 0.1 * (i % 5)
        rng = np.random.default_rng(i)
        path = os.path.join(nets, f"net{i:04d}.npz")
        if not os.path.exists(path):
            np.savez(path, W=g / np.sqrt(args.n) * rng.standard_normal((args.n, args.n)), activation=np.array("tanh"))
        rows.append((path, i, round(g, 2)))
    manifest = os.path.join(work, "nets.csv")
    with open(manifest, "w") as f:
        f.write("network,seed,gain\n")
        f.writelines(f"{p},{s},{g}\n" for p, s, g in rows)
    load = os.getloadavg()
    print(f"{args.nets} networks of N = {args.n}, -j {args.jobs}, {os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the start")

    # The sweep.
    out = os.path.join(work, "sweep")
    shutil.rmtree(out, ignore_errors=True)
    t_sweep, c_sweep, _ = timed([fpfind, "sweep", "-q", "-o", out, "-j", str(args.jobs), manifest])
    tab = table(fpfind, out)
    done = [r for r in tab if r["status"] == "done"]
    s = sum(float(r["seconds"]) for r in done)
    print(f"sweep: {t_sweep:.1f} s wall, {c_sweep:.1f} s CPU ({c_sweep / (args.jobs * t_sweep):.0%} of {args.jobs} cores); "
          f"{len(done)} done; analyses {s:.1f} s in all ({s / len(done) * 1e3:.0f} ms each)")
    idle = args.jobs * t_sweep - s
    print(f"  analyses in flight on average {s / t_sweep:.2f} of {args.jobs}; wall outside them: {idle:.1f} s of {args.jobs} x wall "
          f"= {idle / s:.1%} of the analysis time ({idle / len(done) * 1e3:.1f} ms per network)")

    # The analyses alone: one fpfind find process per network writing no file
    # (so its CPU also holds a process start and the reading of the network,
    # which the sweep pays once and per network).
    script = f'exec "{fpfind}" find -q -j 1 "$1" >/dev/null'
    t0, c0 = time.perf_counter(), cpu()
    subprocess.run(["xargs", "-P", str(args.jobs), "-n", "1", "sh", "-c", script, "sh"], input="\n".join(p for p, _, _ in rows),
                   text=True, check=True)
    t_bare, c_bare = time.perf_counter() - t0, cpu() - c0
    print(f"analyses alone (find processes, no output): {t_bare:.1f} s wall, {c_bare:.1f} s CPU; "
          f"the sweep's CPU beyond them: {c_sweep - c_bare:+.1f} s = {(c_sweep - c_bare) / c_bare:+.1%} "
          f"({(c_sweep - c_bare) / args.nets * 1e3:+.1f} ms per network)")

    # The shell loop it replaces: one fpfind find process per network, 2 at a time.
    loop = os.path.join(work, "loop")
    shutil.rmtree(loop, ignore_errors=True)
    os.makedirs(loop)
    script = f'exec "{fpfind}" find -q -j 1 -o "{loop}/$(basename "$1" .npz)" "$1" >/dev/null'
    t0, c0 = time.perf_counter(), cpu()
    subprocess.run(["xargs", "-P", str(args.jobs), "-n", "1", "sh", "-c", script, "sh"], input="\n".join(p for p, _, _ in rows),
                   text=True, check=True)
    t_loop, c_loop = time.perf_counter() - t0, cpu() - c0
    same = 0
    for r in done:
        a = open(os.path.join(out, r["result"] + ".npz"), "rb").read()
        b = open(os.path.join(loop, os.path.basename(r["network"])[:-4] + ".npz"), "rb").read()
        same += a == b
    print(f"loop of fpfind find processes: {t_loop:.1f} s wall, {c_loop:.1f} s CPU; sweep/loop wall {t_sweep / t_loop:.3f}; "
          f"{same} of {len(done)} .npz byte-identical to the sweep's")

    # The rerun: every network done.
    t_again, c_again, p = timed([fpfind, "sweep", "-o", out, "-j", str(args.jobs), manifest])
    print(f"rerun (all done): {t_again:.2f} s wall ({t_again / args.nets * 1e3:.2f} ms per network): {p.stderr.strip().splitlines()[-1]}")

    # Slurm: the first networks as a job array, against a local sweep of the same.
    m = args.slurm_nets
    if m > 0:
        small = os.path.join(work, "nets_slurm.csv")
        with open(small, "w") as f:
            f.write("network,seed,gain\n")
            f.writelines(f"{p},{s},{g}\n" for p, s, g in rows[:m])
        local = os.path.join(work, "local_slurm")
        shutil.rmtree(local, ignore_errors=True)
        t_local, _, _ = timed([fpfind, "sweep", "-q", "-o", local, "-j", str(args.jobs), small])
        cl = os.path.join(work, "slurm")
        shutil.rmtree(cl, ignore_errors=True)
        t_slurm, _, p = timed([fpfind, "sweep", "-o", cl, "--slurm", "--wait", "--array-max", str(args.array_max),
                               "--cpus", "1", "--progress", "never", small])
        same = without_seconds(table(fpfind, local)) == without_seconds(table(fpfind, cl))
        s_local = sum(float(r["seconds"]) for r in table(fpfind, local) if r["status"] == "done")
        s_slurm = sum(float(r["seconds"]) for r in table(fpfind, cl) if r["status"] == "done")
        print(f"{m} networks: local sweep {t_local:.1f} s, job array of {min(m, args.array_max)} tasks (--wait) {t_slurm:.1f} s: "
              f"scheduler and polling {t_slurm - t_local:+.1f} s; analyses {s_local:.1f} s local, {s_slurm:.1f} s in the tasks; "
              f"tables {'identical but seconds' if same else 'DIFFERENT'}")
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the end")
    if not args.keep:
        shutil.rmtree(work)


def flipflop(d):
    """Train the flip-flop with checkpoints, sweep them, print the counts
    along training and draw them."""
    os.makedirs(os.path.join(d, "ckpt"), exist_ok=True)
    fpfind = os.path.join(d, "fpfind")
    subprocess.run(["go", "build", "-o", fpfind, "./cmd/fpfind"], check=True)
    subprocess.run([fpfind, "train", "--task", "flipflop", "--bits", "3", "--n", "64", "--rule", "bptt", "--seed", "1",
                    "--steps", "1000", "--checkpoint-every", "20", "--force", "-q", "-o", os.path.join(d, "ckpt", "ff")],
                   check=True, stdout=subprocess.DEVNULL)
    t, c, _ = timed([fpfind, "sweep", "-q", "-o", os.path.join(d, "sweep"), os.path.join(d, "ckpt")])
    subprocess.run([fpfind, "collect", "-q", "--force", os.path.join(d, "sweep"), "-o", os.path.join(d, "flipflop.csv"),
                    "--plot", os.path.join(d, "flipflop.png"), "--along", "step"], check=True)
    rows = [r for r in csv.DictReader(open(os.path.join(d, "flipflop.csv"))) if r["step"]]
    rows.sort(key=lambda r: int(r["step"]))
    print(f"{len(rows)} checkpoints swept in {t:.1f} s ({c:.1f} s CPU); step: fixed (stable, saddle) slow, leading |lambda|")
    for r in rows:
        lead = abs(complex(float(r["leading_re"]), float(r["leading_im"])))
        print(f"{int(r['step']):5d}: {r['n_fixed']:>3} ({r['n_stable']}, {r['n_saddle']:>2}) {r['n_slow']}, {lead:.4f}")
    print("figure:", os.path.join(d, "flipflop.png"))


if __name__ == "__main__":
    main()
