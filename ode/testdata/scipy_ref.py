"""Reference trajectories for ode's tests, from scipy (Debian's python3).

Reads a JSON problem on stdin:
  {"W": [[...]], "b": [...], "tau": t, "h0": [...], "t1": T, "times": [...],
   "rtol": r, "atol": a, "linear_W": [[...]], "linear_h0": [...]}
and writes JSON on stdout:
  {"rk45": [[...]], "dop853": [[...]], "dop853_tight": [[...]], "expm": [[...]],
   "rk45_nfev": k, ...}
with one row per requested time: solve_ivp RK45 and DOP853 at (rtol, atol),
DOP853 at rtol=1e-13, atol=1e-15, and expm(J t) h0 for the linear network
J = (linear_W - I) / tau (scipy.linalg.expm).
"""
import json
import sys

import numpy as np
from scipy.integrate import solve_ivp
from scipy.linalg import expm

p = json.load(sys.stdin)
W = np.array(p["W"])
b = np.array(p["b"])
tau = p["tau"]
h0 = np.array(p["h0"])
times = np.array(p["times"])


def f(t, h):
    return (-h + np.tanh(W @ h + b)) / tau


out = {}
for key, method, rtol, atol in [
    ("rk45", "RK45", p["rtol"], p["atol"]),
    ("dop853", "DOP853", p["rtol"], p["atol"]),
    ("dop853_tight", "DOP853", 1e-13, 1e-15),
]:
    sol = solve_ivp(f, (0.0, p["t1"]), h0, method=method, t_eval=times, rtol=rtol, atol=atol)
    if not sol.success:
        sys.exit("solve_ivp failed: " + sol.message)
    out[key] = sol.y.T.tolist()
    out[key + "_nfev"] = int(sol.nfev)

LW = np.array(p["linear_W"])
J = (LW - np.eye(len(LW))) / tau
out["expm"] = [(expm(J * t) @ np.array(p["linear_h0"])).tolist() for t in times]
json.dump(out, sys.stdout)
