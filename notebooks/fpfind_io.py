"""fpfind_io: read fpfind results and write networks for fpfind, numpy only.

fpfind (https://github.com/fpfind/fpfind) writes its results as PREFIX.npz
plus a PREFIX.json summary, with the keys of DESIGN.md section 4. This module
turns them into plain numpy arrays and a tidy per-point table, reads the
network files fpfind reads (our keys or a PyTorch state dict), simulates a
network in numpy, and exports a torch ``nn.RNN`` or a custom CTRNN module to
our .npz layout. torch is imported only inside the export functions.

    import fpfind_io as fio
    res = fio.load_result("results.npz")        # also reads results.json
    tab = fio.point_table(res)                  # numpy structured array
    print(fio.format_table(tab))
    net = fio.load_network("net.npz")           # our keys or torch keys
    hs = fio.simulate(net, h0, steps=500)       # (steps+1, I, N)

The model (DESIGN.md section 1): x = W h + W_in u + b, and
continuous: tau dh/dt = -h + phi(x); leaky: h <- h + alpha (-h + phi(x));
discrete: h <- phi(x).
"""

import json
import os

import numpy as np

__all__ = [
    "RESULT_KEYS", "load_result", "point_table", "format_table", "time_constants",
    "load_network", "save_network", "simulate", "field", "operator",
    "export_rnn", "export_ctrnn", "save_state_dict",
]

#: Keys of a result .npz (DESIGN.md section 4). The eigenvector keys are optional.
RESULT_KEYS = ("fixed_points", "q", "residual_inf", "kind", "stability", "n_unstable",
               "multiplicity", "eigenvalues", "inits", "finals", "status")
_OPTIONAL_KEYS = ("eigvecs_right", "eigvecs_left")
_STRING_KEYS = ("kind", "stability", "status")

# ---------------------------------------------------------------- results


class Result(dict):
    """The arrays of a result file, as a dict, plus ``.meta`` (the parsed
    PREFIX.json, or {}), ``.path``, ``.input_path`` (the network file the
    .json names) and the model facts ``.convention``, ``.alpha``, ``.tau``
    (None when unknown). Keys also read as attributes:
    ``res.fixed_points is res["fixed_points"]``."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def n_points(self):
        """Number of unique points K."""
        return self["fixed_points"].shape[0]


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


def load_result(path, meta_path=None):
    """Load an fpfind result: PREFIX.npz (path may omit the .npz) and, when it
    exists, PREFIX.json. Returns a Result with every array of the file; the
    string arrays (kind, stability, status) as numpy unicode arrays, the
    eigenvalues as complex128. Raises KeyError naming a missing required key,
    ValueError for inconsistent shapes."""
    path = os.fspath(path)
    if not path.endswith(".npz"):
        path += ".npz"
    res = Result()
    with np.load(path, allow_pickle=False) as z:
        for k in z.files:
            res[k] = z[k]
    missing = [k for k in RESULT_KEYS if k not in res]
    if missing:
        raise KeyError(f"{path}: missing result key(s) {', '.join(missing)}")
    for k in _STRING_KEYS:
        res[k] = res[k].astype(str)
    res["eigenvalues"] = res["eigenvalues"].astype(np.complex128)
    fp = res["fixed_points"]
    N = fp.shape[-1] if fp.size else res["inits"].shape[-1]
    K = fp.size // N if N else 0
    res["fixed_points"] = res["fixed_points"].reshape(K, N)
    res["eigenvalues"] = res["eigenvalues"].reshape(K, -1)
    for k in ("q", "residual_inf", "kind", "stability", "n_unstable", "multiplicity"):
        if res[k].shape != (K,):
            raise ValueError(f"{path}: key {k} has shape {res[k].shape}, want ({K},)")
    if res["status"].shape[0] != res["inits"].shape[0]:
        raise ValueError(f"{path}: status has {res['status'].shape[0]} entries, inits {res['inits'].shape[0]}")
    meta_path = meta_path or path[:-4] + ".json"
    res.meta = {}
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            res.meta = json.load(f)
    res.path = path
    conv, alpha, tau, res.input_path = _model_facts(res.meta)
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
    """Time constant of every mode (DESIGN.md section 3), in units of time:
    -1/Re(lambda) for continuous, -dt/ln|lambda| for leaky (dt = alpha*tau)
    and discrete (dt = 1 step). Unstable modes give negative values, neutral
    ones inf. Works on any array shape."""
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
    """One row per unique point, as a numpy structured array with fields
    index, kind, stability, n_unstable, q, residual_inf, multiplicity,
    slowest_tau (largest positive time constant; inf for a neutral mode, nan
    when none decays), lead_re, lead_im (the leading eigenvalue, as sorted in
    the file). Sort or filter it like any numpy array:
    ``tab[tab["stability"] == "stable"]``."""
    K = res.n_points
    dt = np.dtype([("index", "i8"), ("kind", "U8"), ("stability", "U10"), ("n_unstable", "i8"),
                   ("q", "f8"), ("residual_inf", "f8"), ("multiplicity", "i8"),
                   ("slowest_tau", "f8"), ("lead_re", "f8"), ("lead_im", "f8")])
    tab = np.zeros(K, dt)
    tab["index"] = np.arange(K)
    for k in ("kind", "stability", "n_unstable", "q", "residual_inf", "multiplicity"):
        tab[k] = res[k]
    tc = time_constants(res["eigenvalues"], res.convention, res.alpha, res.tau if res.tau is not None else 1.0)
    for i in range(K):
        pos = tc[i][tc[i] > 0]
        tab["slowest_tau"][i] = pos.max() if pos.size else np.nan
    if K:
        tab["lead_re"] = res["eigenvalues"][:, 0].real
        tab["lead_im"] = res["eigenvalues"][:, 0].imag
    return tab


def format_table(tab):
    """The point table as aligned text, one line per point."""
    head = f"{'#':>3} {'kind':<6} {'class':<9} {'n_u':>3} {'q':>10} {'|F|inf':>10} {'mult':>5} {'slowest decay':>13} {'leading eigenvalue':>24}"
    lines = [head]
    for r in tab:
        lead = f"{r['lead_re']:.5f}{r['lead_im']:+.5f}j"
        lines.append(f"{r['index']:>3} {r['kind']:<6} {r['stability']:<9} {r['n_unstable']:>3} "
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
    """Read a network file the way fpfind does (DESIGN.md section 4): our keys
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
    """The linear operator at h for the network's convention (DESIGN.md
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
    (the Euler-Maruyama convention of DESIGN.md section 1, times 1/tau)."""
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
