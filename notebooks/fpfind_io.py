"""fpfind_io: read fpfind outputs and write networks for fpfind, numpy only.

fpfind (https://github.com/fpfind/fpfind) writes each run's arrays to
PREFIX.npz and a summary to PREFIX.json (keys in docs/DESIGN.md section 4). This
module reads every output fpfind writes into numpy arrays, makes a tidy
per-point table of a spectrum, reads the network files fpfind reads (our keys
or a PyTorch state dict), simulates a network in numpy, exports a torch
``nn.RNN`` or a custom CTRNN module to our .npz layout, and finds and runs the
fpfind command of a repository checkout. torch is imported only inside the
export functions.

    import fpfind_io as fio
    res = fio.load_result("results")            # results.npz and results.json
    res.command                                 # "find", "linearize" or "simulate"
    tab = fio.point_table(res)                  # find or linearize: numpy structured array
    print(fio.format_table(tab))
    net = fio.load_network("net.npz")           # our keys or torch keys
    hs = fio.simulate(net, h0, steps=500)       # (steps+1, I, N)

``load_result`` returns a dict of arrays (keys also read as attributes) whose
class tells which command wrote it, also given as ``res.command``:

* ``FindResult`` (``fpfind find -o PREFIX``): the K unique points,
  fixed_points (K, N), q, residual_inf, kind, stability, n_unstable,
  n_marginal, multiplicity, source (K,), eigenvalues (K, C), and the I runs,
  inits, finals (I, N), status, point_index (I,).
* ``LinearizeResult`` (``fpfind linearize --at STATES -o PREFIX``): the K
  given states, states (K, N), q, residual_inf, stability, n_unstable,
  n_marginal (K,), eigenvalues (K, C); and ``fixed`` (K,), bool, from the
  .json when it is there (residual_inf <= --tol), else absent.
* ``SimulateResult`` (``fpfind simulate -o PREFIX``): t (T,), h (I, T, N)
  (NaN after a trajectory's last good sample), inits (I, N), status (I,).

The two spectrum kinds (find, linearize) always have n_eigenvalues (K,), the
eigenvalues computed per point (C = N, or the count of ``--eigs``; the rest of
a row is NaN), and two bool arrays (K,) that are computed from the others when
the file predates them: class_undecided (a partial spectrum that cannot tell a
saddle from an unstable point) and n_unstable_lower_bound (n_unstable counts
only the computed eigenvalues, all unstable, and there may be more). The
eigenvectors eigvecs_right and eigvecs_left (K, N, C) are there only when they
were asked for. String arrays are numpy unicode arrays, eigenvalues complex128.

Every result also has ``.path`` (the .npz), ``.meta`` (the parsed .json, or {}
when there is none), ``.input_path`` (the network file the .json names) and
the model facts ``.convention``, ``.alpha``, ``.tau`` (None when unknown). A
file that is not an fpfind output, or one whose arrays do not fit together,
raises ``ResultError`` (a ValueError) naming the file and the problem.

The model (docs/DESIGN.md section 1): x = W h + W_in u + b, and
continuous: tau dh/dt = -h + phi(x); leaky: h <- h + alpha (-h + phi(x));
discrete: h <- phi(x).
"""

import json
import os
import shlex
import subprocess
import zipfile

import numpy as np

__all__ = [
    "RESULT_KEYS", "FIND_KEYS", "LINEARIZE_KEYS", "SIMULATE_KEYS",
    "Result", "FindResult", "LinearizeResult", "SimulateResult", "ResultError",
    "load_result", "point_table", "format_table", "time_constants",
    "load_network", "save_network", "simulate", "field", "operator",
    "MODULE", "repo_root", "fpfind_command", "run_fpfind",
    "export_rnn", "export_ctrnn", "save_state_dict",
]

#: Keys every .npz of ``fpfind find`` has.
FIND_KEYS = ("fixed_points", "q", "residual_inf", "kind", "stability", "n_unstable",
             "multiplicity", "eigenvalues", "inits", "finals", "status")
#: The keys of ``fpfind find``, under their first name.
RESULT_KEYS = FIND_KEYS
#: Keys every .npz of ``fpfind linearize`` has.
LINEARIZE_KEYS = ("states", "q", "residual_inf", "stability", "n_unstable", "eigenvalues")
#: Keys every .npz of ``fpfind simulate`` has.
SIMULATE_KEYS = ("t", "h", "inits", "status")

_REQUIRED = {"find": FIND_KEYS, "linearize": LINEARIZE_KEYS, "simulate": SIMULATE_KEYS}
# The keys that tell the commands' files apart when there is no .json.
_SIGNATURE = {"find": ("fixed_points", "finals"), "linearize": ("states", "eigenvalues"),
              "simulate": ("t", "h")}

# ---------------------------------------------------------------- results


class ResultError(ValueError):
    """A file that is not an fpfind output, or whose arrays do not fit
    together; the message names the file and the problem."""


class Result(dict):
    """The arrays of an fpfind output, as a dict, plus ``.command`` (which
    command wrote it), ``.meta`` (the parsed PREFIX.json, or {}), ``.path``,
    ``.input_path`` (the network file the .json names) and the model facts
    ``.convention``, ``.alpha``, ``.tau`` (None when unknown). Keys also read
    as attributes: ``res.q is res["q"]``."""

    command = None

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class FindResult(Result):
    """What ``fpfind find`` writes: unique points, their spectra, and the runs."""

    command = "find"

    @property
    def n_points(self):
        """Number of unique points K."""
        return self["fixed_points"].shape[0]


class LinearizeResult(Result):
    """What ``fpfind linearize`` writes: the spectra at given states."""

    command = "linearize"

    @property
    def n_points(self):
        """Number of states K."""
        return self["states"].shape[0]


class SimulateResult(Result):
    """What ``fpfind simulate`` writes: trajectories sampled at times t."""

    command = "simulate"

    @property
    def n_trajectories(self):
        """Number of trajectories I."""
        return self["h"].shape[0]


_CLASSES = {"find": FindResult, "linearize": LinearizeResult, "simulate": SimulateResult}


def _model_facts(meta):
    """convention, alpha, tau and the input path from a result's .json: the
    "network" section (the model as used), else the "model" section (the
    command-line overrides), else top-level keys."""
    net = meta.get("network") if isinstance(meta.get("network"), dict) else {}
    model = meta.get("model") if isinstance(meta.get("model"), dict) else {}

    def pick(key):
        for d in (net, model, meta):
            v = d.get(key)
            if v not in (None, "", 0, []):
                return v
        return None

    tau = None
    if net.get("tau_min") is not None and net.get("tau_min") == net.get("tau_max"):
        tau = float(net["tau_min"])
    elif pick("tau") is not None:
        t = np.asarray(pick("tau"), dtype=np.float64)
        tau = float(t.reshape(-1)[0]) if t.size == 1 else t
    inp = meta.get("input") if isinstance(meta.get("input"), dict) else {}
    alpha = pick("alpha")
    return pick("convention"), (float(alpha) if alpha is not None else None), tau, inp.get("path")


def _scalar(a):
    a = np.asarray(a)
    if a.dtype.kind in "US":
        return str(a.reshape(-1)[0]) if a.size else ""
    return a.reshape(-1)[0].item() if a.size == 1 else a


def _read_npz(path):
    """Every array of the .npz at path, as a dict; ResultError for a file
    that is not a readable .npz (FileNotFoundError when it does not exist)."""
    try:
        z = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise ResultError(f"{path}: not an fpfind output (not a readable .npz: {e})") from e
    if not isinstance(z, np.lib.npyio.NpzFile):
        raise ResultError(f"{path}: not an fpfind output (a single array, not an .npz archive)")
    arrays = {}
    with z:
        for k in z.files:
            try:
                arrays[k] = z[k]
            except Exception as e:  # a member numpy cannot read: object dtype, truncated, ...
                raise ResultError(f"{path}: key {k}: {e}") from e
    return arrays


def _read_meta(path):
    try:
        with open(path, encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, ValueError) as e:
        raise ResultError(f"{path}: not an fpfind summary: {e}") from e
    if not isinstance(meta, dict):
        raise ResultError(f"{path}: not an fpfind summary (a JSON {type(meta).__name__}, not an object)")
    return meta


def _which_command(path, arrays, meta, meta_path):
    """The command that wrote the output: the .json's "command" when there is
    a .json, else the one whose keys the .npz has."""
    by_keys = [c for c, ks in _SIGNATURE.items() if all(k in arrays for k in ks)]
    cmd = meta.get("command") if meta else None
    if meta and cmd not in _REQUIRED:
        what = "no \"command\"" if cmd is None else f"command {cmd!r}"
        raise ResultError(f"{meta_path}: {what}; want the summary of fpfind find, linearize or simulate")
    if cmd is None:
        if len(by_keys) != 1:
            want = "; ".join(f"{c}: {', '.join(ks)}" for c, ks in _SIGNATURE.items())
            raise ResultError(f"{path}: not an fpfind output: keys {sorted(arrays)} do not tell find, "
                              f"linearize or simulate apart ({want})")
        cmd = by_keys[0]
    missing = [k for k in _REQUIRED[cmd] if k not in arrays]
    if missing:
        raise ResultError(f"{path}: not an output of fpfind {cmd}"
                          + (f" (as {meta_path} says)" if meta else "")
                          + f": missing key(s) {', '.join(missing)}")
    return cmd


def _want_shape(path, arrays, key, shape):
    a = arrays.get(key)
    if a is not None and a.shape != tuple(shape):
        raise ResultError(f"{path}: key {key} has shape {a.shape}, want {tuple(shape)}")


def _spectrum(path, res, K, N):
    """Check and complete the spectrum arrays of a find or linearize output
    of K points in N dimensions."""
    ev = res["eigenvalues"].astype(np.complex128)
    if ev.ndim != 2:
        if K == 0 or ev.size % K:
            raise ResultError(f"{path}: key eigenvalues has shape {ev.shape}, want ({K}, C)")
        ev = ev.reshape(K, -1)
    if ev.shape[0] != K or ev.shape[1] > N:
        raise ResultError(f"{path}: key eigenvalues has shape {ev.shape}, want ({K}, C) with C <= N = {N}")
    res["eigenvalues"] = ev
    C = ev.shape[1]
    for k in ("q", "residual_inf", "stability", "n_unstable", "n_marginal", "n_eigenvalues",
              "class_undecided", "n_unstable_lower_bound", "kind", "multiplicity", "source"):
        _want_shape(path, res, k, (K,))
    for k in ("eigvecs_right", "eigvecs_left"):
        _want_shape(path, res, k, (K, N, C))
        if k in res:
            res[k] = res[k].astype(np.complex128)
    if "n_eigenvalues" not in res:
        res["n_eigenvalues"] = np.sum(~np.isnan(ev), axis=1).astype(np.int64)
    ne = res["n_eigenvalues"]
    if "class_undecided" in res:
        res["class_undecided"] = res["class_undecided"].astype(bool)
    else:
        res["class_undecided"] = np.zeros(K, bool)
    if "n_unstable_lower_bound" in res:
        res["n_unstable_lower_bound"] = res["n_unstable_lower_bound"].astype(bool)
    else:
        # Files from before the key: a partial spectrum's count is a lower
        # bound when every computed eigenvalue is unstable.
        res["n_unstable_lower_bound"] = (ne < N) & (ne > 0) & (res["n_unstable"] >= ne)


def load_result(path, meta_path=None):
    """Load an output of fpfind find, linearize or simulate: PREFIX.npz (path
    may be the prefix, the .npz or the .json) and, when it exists, PREFIX.json
    (or meta_path). Returns a FindResult, LinearizeResult or SimulateResult
    (see the module's doc); which one comes from the .json's "command", or
    from the keys of the .npz when there is no .json. Raises
    FileNotFoundError when the .npz does not exist, and ResultError (a
    ValueError naming the file) for anything that is not an fpfind output or
    has arrays that do not fit together."""
    path = os.fspath(path)
    if path.endswith(".json"):
        path = path[: -len(".json")]
    if not path.endswith(".npz"):
        path += ".npz"
    arrays = _read_npz(path)
    if meta_path is not None:
        meta_path = os.fspath(meta_path)
        meta = _read_meta(meta_path)
    else:
        meta_path = path[:-4] + ".json"
        meta = _read_meta(meta_path) if os.path.exists(meta_path) else {}
    cmd = _which_command(path, arrays, meta, meta_path)
    res = _CLASSES[cmd]()
    for k, a in arrays.items():
        res[k] = a.astype(str) if a.dtype.kind in "US" else a
    if cmd == "simulate":
        h, t = res["h"], res["t"]
        if h.ndim != 3 or t.ndim != 1 or h.shape[1] != t.shape[0]:
            raise ResultError(f"{path}: h has shape {h.shape} and t {t.shape}, want (I, T, N) and (T,)")
        I, _, N = h.shape
        _want_shape(path, res, "inits", (I, N))
        _want_shape(path, res, "status", (I,))
    else:
        pts = res["fixed_points" if cmd == "find" else "states"]
        if pts.ndim != 2:
            raise ResultError(f"{path}: key {'fixed_points' if cmd == 'find' else 'states'} has shape {pts.shape}, want (K, N)")
        K, N = pts.shape
        _spectrum(path, res, K, N)
        if cmd == "find":
            I = res["inits"].shape[0]
            _want_shape(path, res, "inits", (I, N))
            _want_shape(path, res, "finals", (I, N))
            _want_shape(path, res, "status", (I,))
            _want_shape(path, res, "point_index", (I,))
        else:
            states = meta.get("states")
            if isinstance(states, list) and len(states) == K and all(isinstance(s, dict) and "fixed" in s for s in states):
                res["fixed"] = np.array([bool(s["fixed"]) for s in states])
    res.meta = meta
    res.path = path
    conv, alpha, tau, res.input_path = _model_facts(meta)
    if conv is None and "convention" in res:
        conv = _scalar(res["convention"])
    if alpha is None and "alpha" in res:
        alpha = float(_scalar(res["alpha"]))
    if tau is None and "tau" in res:
        tau = _scalar(res["tau"])
    res.convention = str(conv) if conv is not None else None
    res.alpha, res.tau = alpha, tau
    return res


def time_constants(eigenvalues, convention, alpha=None, tau=1.0):
    """Time constant of every mode (docs/DESIGN.md section 3), in units of time:
    -1/Re(lambda) for continuous, -dt/ln|lambda| for leaky (dt = alpha*tau)
    and discrete (dt = 1 step). Unstable modes give negative values, neutral
    ones inf, NaN padding NaN. Works on any array shape."""
    ev = np.asarray(eigenvalues, dtype=np.complex128)
    with np.errstate(divide="ignore"):
        if convention in (None, "continuous"):
            return -1.0 / ev.real
        if convention == "leaky":
            if alpha is None:
                raise ValueError("time_constants: leaky needs alpha")
            dt = float(alpha) * float(np.mean(tau if tau is not None else 1.0))
        elif convention == "discrete":
            dt = 1.0
        else:
            raise ValueError(f"time_constants: unknown convention {convention!r}")
        return -dt / np.log(np.abs(ev))


def point_table(res):
    """One row per point of a find or linearize output, as a numpy
    structured array with fields index, kind ("fixed" or "slow" for find;
    "fixed" or "state" for linearize, "" when the .json is missing),
    stability, n_unstable, nu_lower_bound (n_unstable is a lower bound),
    undecided (saddle or unstable), q, residual_inf, multiplicity (1 for
    linearize), slowest_tau (largest positive time constant; inf for a
    neutral mode, nan when none decays), lead_re, lead_im (the leading
    eigenvalue, as sorted in the file). Sort or filter it like any numpy
    array: ``tab[tab["stability"] == "stable"]``."""
    if res.command not in ("find", "linearize"):
        raise ValueError(f"point_table: {res.path} is an output of fpfind {res.command}, which has no points")
    K = res.n_points
    dt = np.dtype([("index", "i8"), ("kind", "U8"), ("stability", "U10"), ("n_unstable", "i8"),
                   ("nu_lower_bound", "?"), ("undecided", "?"),
                   ("q", "f8"), ("residual_inf", "f8"), ("multiplicity", "i8"),
                   ("slowest_tau", "f8"), ("lead_re", "f8"), ("lead_im", "f8")])
    tab = np.zeros(K, dt)
    tab["index"] = np.arange(K)
    for k in ("stability", "n_unstable", "q", "residual_inf"):
        tab[k] = res[k]
    tab["nu_lower_bound"] = res["n_unstable_lower_bound"]
    tab["undecided"] = res["class_undecided"]
    if res.command == "find":
        tab["kind"], tab["multiplicity"] = res["kind"], res["multiplicity"]
    else:
        tab["multiplicity"] = 1
        if "fixed" in res:
            tab["kind"] = np.where(res["fixed"], "fixed", "state")
    tc = time_constants(res["eigenvalues"], res.convention, res.alpha, res.tau if res.tau is not None else 1.0)
    for i in range(K):
        pos = tc[i][tc[i] > 0]
        tab["slowest_tau"][i] = pos.max() if pos.size else np.nan
    if K and res["eigenvalues"].shape[1]:
        tab["lead_re"] = res["eigenvalues"][:, 0].real
        tab["lead_im"] = res["eigenvalues"][:, 0].imag
    return tab


def format_table(tab):
    """The point table as aligned text, one line per point; as fpfind's own
    table, ">=" marks an n_unstable that is a lower bound and "?" a class the
    computed eigenvalues leave undecided."""
    head = f"{'#':>3} {'kind':<6} {'class':<9} {'n_u':>4} {'q':>10} {'|F|inf':>10} {'mult':>5} {'slowest decay':>13} {'leading eigenvalue':>24}"
    lines = [head]
    for r in tab:
        lead = f"{r['lead_re']:.5f}{r['lead_im']:+.5f}j"
        nu = (">=" if r["nu_lower_bound"] else "") + str(r["n_unstable"])
        cls = r["stability"] + ("?" if r["undecided"] else "")
        lines.append(f"{r['index']:>3} {r['kind']:<6} {cls:<9} {nu:>4} "
                     f"{r['q']:>10.2e} {r['residual_inf']:>10.2e} {r['multiplicity']:>5} "
                     f"{r['slowest_tau']:>13.4g} {lead:>24}")
    return "\n".join(lines)

# ---------------------------------------------------------------- networks


_ACT = {
    "tanh": (np.tanh, lambda x: 1.0 - np.tanh(x) ** 2),
    "relu": (lambda x: np.maximum(x, 0.0), lambda x: (x >= 0).astype(float)),
    "softplus": (lambda x: np.logaddexp(0.0, x), lambda x: 1.0 / (1.0 + np.exp(-x))),
    "sigmoid": (lambda x: 1.0 / (1.0 + np.exp(-x)), lambda x: np.exp(-x) / (1.0 + np.exp(-x)) ** 2),
    "linear": (lambda x: x, lambda x: np.ones_like(x)),
    "rectified-tanh": (lambda x: np.maximum(np.tanh(x), 0.0), lambda x: (x >= 0) * (1.0 - np.tanh(x) ** 2)),
}


def _find_key(z, name, prefix=None):
    """The key of z that is name or ends with '.'+name (a module prefix)."""
    if prefix is not None:
        return prefix + name if prefix + name in z else None
    if name in z:
        return name
    hits = [k for k in z if k.endswith("." + name)]
    if len(hits) > 1:
        raise ValueError(f"several keys end with {name}: {hits}; give key_prefix")
    return hits[0] if hits else None


def load_network(path, convention=None, alpha=None, tau=None, activation=None, key_prefix=None):
    """Read a network file the way fpfind does (docs/DESIGN.md section 4): our keys
    (W, b, W_in, u, tau, activation, convention, alpha) or a PyTorch nn.RNN
    state dict (weight_hh_l0, weight_ih_l0, bias_hh_l0 + bias_ih_l0, any
    module prefix; convention discrete unless told). Arguments override the
    file. Returns a dict of float64 arrays and strings, with any readout kept
    as W_out, b_out (ours, or torch keys readout.weight/readout.bias)."""
    with np.load(os.fspath(path), allow_pickle=False) as zf:
        z = {k: zf[k] for k in zf.files}
    net = {}
    kW = _find_key(z, "W", key_prefix) if key_prefix is not None else ("W" if "W" in z else None)
    if kW is not None:
        net["W"] = z[kW].astype(np.float64)
        pre = key_prefix or ""
        net["b"] = z[pre + "b"].astype(np.float64) if pre + "b" in z else np.zeros(net["W"].shape[0])
        if pre + "W_in" in z:
            net["W_in"] = z[pre + "W_in"].astype(np.float64)
        for k in ("W_out", "b_out"):
            if pre + k in z:
                net[k] = z[pre + k].astype(np.float64)
        file_conv = _scalar(z[pre + "convention"]) if pre + "convention" in z else "continuous"
        net["u"] = z[pre + "u"].astype(np.float64) if pre + "u" in z else None
        net["tau"] = z[pre + "tau"].astype(np.float64) if pre + "tau" in z else np.array(1.0)
        net["alpha"] = float(_scalar(z[pre + "alpha"])) if pre + "alpha" in z else None
        net["activation"] = _scalar(z[pre + "activation"]) if pre + "activation" in z else "tanh"
    else:
        khh = _find_key(z, "weight_hh_l0", key_prefix)
        if khh is None:
            raise KeyError(f"{path}: neither W nor a torch weight_hh_l0 key")
        pre = khh[: -len("weight_hh_l0")]
        net["W"] = z[khh].astype(np.float64)
        n = net["W"].shape[0]
        b = np.zeros(n)
        for k in ("bias_hh_l0", "bias_ih_l0"):
            if pre + k in z:
                b = b + z[pre + k].astype(np.float64)
        net["b"] = b
        if pre + "weight_ih_l0" in z:
            net["W_in"] = z[pre + "weight_ih_l0"].astype(np.float64)
        for mod in ("readout", "fc", "out", "linear", "decoder"):
            if mod + ".weight" in z:
                net["W_out"] = z[mod + ".weight"].astype(np.float64)
                if mod + ".bias" in z:
                    net["b_out"] = z[mod + ".bias"].astype(np.float64)
                break
        file_conv, net["u"], net["tau"], net["alpha"], net["activation"] = "discrete", None, np.array(1.0), None, "tanh"
    if net["u"] is None:
        m = net["W_in"].shape[1] if "W_in" in net else 0
        net["u"] = np.zeros(m)
    net["convention"] = convention or file_conv
    if alpha is not None:
        net["alpha"] = float(alpha)
    if tau is not None:
        net["tau"] = np.asarray(tau, dtype=np.float64)
    if activation is not None:
        net["activation"] = activation
    if net["convention"] == "leaky" and net["alpha"] is None:
        raise ValueError(f"{path}: convention leaky needs alpha")
    return net


def save_network(path, W, b=None, W_in=None, u=None, tau=1.0, activation="tanh",
                 convention="continuous", alpha=None, W_out=None, b_out=None, **extra):
    """Write a network in our .npz layout (float64; strings as 0-d arrays).
    Extra keyword arrays (training metadata) are stored too; fpfind keeps
    them aside."""
    W = np.asarray(W, dtype=np.float64)
    d = {"W": W, "b": np.zeros(W.shape[0]) if b is None else np.asarray(b, np.float64),
         "tau": np.asarray(tau, np.float64), "activation": np.array(activation),
         "convention": np.array(convention)}
    if W_in is not None:
        d["W_in"] = np.asarray(W_in, np.float64)
        d["u"] = np.zeros(d["W_in"].shape[1]) if u is None else np.asarray(u, np.float64)
    if convention == "leaky":
        if alpha is None:
            raise ValueError("save_network: convention leaky needs alpha")
        d["alpha"] = np.asarray(float(alpha))
    if W_out is not None:
        d["W_out"] = np.asarray(W_out, np.float64)
    if b_out is not None:
        d["b_out"] = np.asarray(b_out, np.float64)
    d.update({k: np.asarray(v) for k, v in extra.items()})
    np.savez(os.fspath(path), **d)
    return os.fspath(path)


def field(net, h, u=None):
    """F(h) = (-h + phi(W h + W_in u + b)) / tau for h of shape (..., N)."""
    phi, _ = _ACT[net["activation"]]
    x = h @ net["W"].T + net["b"]
    if "W_in" in net:
        x = x + (net["u"] if u is None else u) @ net["W_in"].T
    return (-h + phi(x)) / net["tau"]


def operator(net, h):
    """The linear operator at h for the network's convention (docs/DESIGN.md
    section 1): J, (1-alpha) I + alpha diag(phi') W, or diag(phi') W."""
    _, dphi = _ACT[net["activation"]]
    x = net["W"] @ h + net["b"]
    if "W_in" in net:
        x = x + net["W_in"] @ net["u"]
    DW = dphi(x)[:, None] * net["W"]
    n = len(h)
    c = net["convention"]
    if c == "continuous":
        return (-np.eye(n) + DW) / np.reshape(net["tau"], (-1, 1))
    if c == "leaky":
        return (1 - net["alpha"]) * np.eye(n) + net["alpha"] * DW
    return DW


def simulate(net, h0, steps, u=None, dt=None, noise=0.0, seed=0):
    """Iterate the network from h0 (N or I x N) for `steps` steps; returns
    (steps+1, I, N) with the start included. leaky and discrete use their own
    update; continuous uses Euler steps of size dt (default 0.1 * min tau).
    u: None (the file's constant input), an (M,) constant, or (steps, M) or
    (steps, I, M) samples. noise adds sigma * sqrt(step) * N(0, 1) per step
    (the Euler-Maruyama convention of docs/DESIGN.md section 1, times 1/tau)."""
    phi, _ = _ACT[net["activation"]]
    h = np.atleast_2d(np.asarray(h0, dtype=np.float64)).copy()
    rng = np.random.default_rng(seed)
    c = net["convention"]
    tau = np.asarray(net["tau"], np.float64)
    if c == "continuous" and dt is None:
        dt = 0.1 * float(np.min(tau))
    out = np.empty((steps + 1,) + h.shape)
    out[0] = h
    ut = None if u is None else np.asarray(u, np.float64)
    for t in range(steps):
        x = h @ net["W"].T + net["b"]
        if "W_in" in net:
            uu = net["u"] if ut is None else (ut if ut.ndim == 1 else ut[t])
            x = x + uu @ net["W_in"].T
        if c == "leaky":
            h = h + net["alpha"] * (-h + phi(x))
            step = net["alpha"] * np.mean(tau)
        elif c == "discrete":
            h = phi(x)
            step = 1.0
        else:
            h = h + dt * (-h + phi(x)) / tau
            step = dt
        if noise:
            h = h + noise / tau * np.sqrt(step) * rng.standard_normal(h.shape)
        out[t + 1] = h
    return out

# ---------------------------------------------------------------- running fpfind

#: The module path in the go.mod of an fpfind checkout.
MODULE = "github.com/fpfind/fpfind"


def repo_root(start=None):
    """The fpfind checkout that holds start (default: the working directory):
    the nearest folder upwards whose go.mod declares the fpfind module.
    Raises FileNotFoundError when there is none."""
    d = os.path.abspath(os.fspath(start) if start is not None else os.getcwd())
    while True:
        gomod = os.path.join(d, "go.mod")
        if os.path.isfile(gomod):
            with open(gomod, encoding="utf-8") as f:
                first = next((ln.split() for ln in f if ln.strip().startswith("module")), [])
            if first[1:2] == [MODULE]:
                return d
        parent = os.path.dirname(d)
        if parent == d:
            raise FileNotFoundError(f"no fpfind checkout (a go.mod of module {MODULE}) holds "
                                    f"{os.path.abspath(os.fspath(start) if start is not None else os.getcwd())}")
        d = parent


def fpfind_command(spec=None):
    """The fpfind command as a list: spec split as a shell would (a path to a
    built binary, say), or ``go run ./cmd/fpfind`` when spec is empty, which
    builds it from a checkout (run it from the repository root)."""
    return shlex.split(spec) if spec else ["go", "run", "./cmd/fpfind"]


def run_fpfind(*args, repo=None, command=None, quiet=False):
    """Run fpfind with args from the repository root (repo, default
    repo_root()), printing the command line and what fpfind prints (its last
    3000 characters, unless quiet); command is a list as fpfind_command
    returns (default: ``go run ./cmd/fpfind``). Raises RuntimeError with
    fpfind's error message when it exits non-zero. Returns the
    subprocess.CompletedProcess."""
    repo = repo or repo_root()
    cmd = list(command or fpfind_command()) + [os.fspath(a) if isinstance(a, os.PathLike) else str(a) for a in args]
    print("$ (cd " + shlex.quote(repo) + " && " + shlex.join(cmd) + ")")
    p = subprocess.run(cmd, cwd=repo, capture_output=True, text=True)
    if not quiet:
        print(p.stdout[-3000:], p.stderr[-3000:], sep="", end="")
    if p.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)} exited with {p.returncode}: {p.stderr.strip()[-2000:]}")
    return p

# ---------------------------------------------------------------- export (torch)


def _np(t):
    return t.detach().cpu().double().numpy()


def export_rnn(rnn, path, convention="discrete", alpha=None, tau=1.0, readout=None, u=None):
    """Export a single-layer, unidirectional torch.nn.RNN (tanh or relu) to our
    layout: W = weight_hh_l0, W_in = weight_ih_l0, b = bias_hh_l0 + bias_ih_l0
    (summed in float64). nn.RNN itself is the discrete map h <- phi(x); pass
    convention="leaky" and alpha for a CTRNN that reuses its parameters.
    readout: an optional nn.Linear stored as W_out, b_out. Returns path."""
    import torch  # noqa: F401  (only to fail early with a clear message)

    if rnn.num_layers != 1 or rnn.bidirectional:
        raise ValueError("export_rnn: only single-layer unidirectional nn.RNN")
    act = getattr(rnn, "nonlinearity", "tanh")
    sd = {k: _np(v) for k, v in rnn.state_dict().items()}
    b = np.zeros(sd["weight_hh_l0"].shape[0])
    for k in ("bias_hh_l0", "bias_ih_l0"):
        if k in sd:
            b = b + sd[k]
    kw = {}
    if readout is not None:
        kw["W_out"] = _np(readout.weight)
        if readout.bias is not None:
            kw["b_out"] = _np(readout.bias)
    return save_network(path, sd["weight_hh_l0"], b=b, W_in=sd["weight_ih_l0"], u=u, tau=tau,
                        activation=act, convention=convention, alpha=alpha, **kw)


def export_ctrnn(module, path, alpha, tau=1.0, activation="tanh", W="rnn.weight_hh_l0",
                 W_in="rnn.weight_ih_l0", b=("rnn.bias_hh_l0", "rnn.bias_ih_l0"),
                 W_out="readout.weight", b_out="readout.bias", u=None):
    """Export a custom CTRNN module h <- h + alpha (-h + phi(W h + W_in u + b))
    to our layout (convention leaky). The other arguments name the module's
    state-dict entries (b may be a tuple of entries that are summed); names
    that are absent (W_in, W_out, b_out) are skipped. Returns path."""
    sd = {k: _np(v) for k, v in module.state_dict().items()}
    if W not in sd:
        raise KeyError(f"export_ctrnn: no state-dict entry {W!r}; have {sorted(sd)}")
    n = sd[W].shape[0]
    bs = (b,) if isinstance(b, str) else tuple(b)
    bias = np.zeros(n)
    for k in bs:
        if k in sd:
            bias = bias + sd[k]
    return save_network(path, sd[W], b=bias, W_in=sd.get(W_in), u=u, tau=tau, activation=activation,
                        convention="leaky", alpha=alpha, W_out=sd.get(W_out), b_out=sd.get(b_out))


def save_state_dict(module, path):
    """What a PyTorch user does: np.savez of the state dict (dtype kept, so
    float32 for a default model). fpfind reads it as a torch layout."""
    np.savez(os.fspath(path), **{k: v.detach().cpu().numpy() for k, v in module.state_dict().items()})
    return os.fspath(path)
