#!/usr/bin/python3
"""Generate the small test networks of fpfind's testdata/ folder.

Run from anywhere with Debian's Python (it needs numpy and scipy):

    /usr/bin/python3 testdata/gen_networks.py

Every random draw uses numpy.random.default_rng with a fixed seed, and the
.npz archives are written with a fixed time stamp, so a rerun gives the same
bytes. Each network's known answer is checked here (scipy.optimize.brentq
for the scalar equations, numpy.linalg.eigvals for the spectra) and
documented in testdata/README.md.
"""

import io
import os
import zipfile

import numpy as np
from scipy.optimize import brentq

HERE = os.path.dirname(os.path.abspath(__file__))


def savez(name, **arrays):
    """np.savez with entries in sorted order and a fixed time stamp."""
    path = os.path.join(HERE, name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for key in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.asanyarray(arrays[key]), allow_pickle=False)
            info = zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            zf.writestr(info, buf.getvalue())
    print(f"{name}: {', '.join(sorted(arrays))}")


def s(x):
    return np.array(x)  # 0-d string array, as docs/DESIGN.md asks


# m* > 0 with m = tanh(2 m): the stable fixed points of the w = 2 unit.
M2 = brentq(lambda m: m - np.tanh(2 * m), 0.5, 1.0, xtol=1e-15)
assert abs(M2 - 0.957504) < 5e-7, M2
print(f"tanh(2m) = m at m = {M2:.15f}")

# 1. A single tanh unit, w = 2: h* in {0, +-M2}; J(0) = -1 + 2 = 1 (unstable),
# J(+-M2) = -1 + 2 (1 - M2^2) < 0 (stable).
savez("tanh1.npz", W=np.array([[2.0]]), b=np.zeros(1), tau=np.array(1.0),
      activation=s("tanh"), convention=s("continuous"))
assert -1 + 2 * (1 - M2**2) < 0

# 2. W = 0 with a bias and per-unit tau: the only fixed point is h* = tanh(b),
# J = -diag(1/tau), eigenvalues -1/tau = -2, -1, -0.5.
b0 = np.array([0.5, -1.0, 2.0])
savez("zero_weights.npz", W=np.zeros((3, 3)), b=b0, tau=np.array([0.5, 1.0, 2.0]),
      activation=s("tanh"))

# 3. Two units coupled symmetrically, W = [[0, 1.5], [1.5, 0]]: h* = 0 (a
# saddle: eigenvalues -1 +- 1.5) and +-(m, m) with m = tanh(1.5 m) (stable).
M15 = brentq(lambda m: m - np.tanh(1.5 * m), 0.5, 1.0, xtol=1e-15)
W2 = np.array([[0.0, 1.5], [1.5, 0.0]])
savez("two_units.npz", W=W2, activation=s("tanh"))
lam = np.linalg.eigvals(-np.eye(2) + (1 - np.tanh(1.5 * M15) ** 2) * W2)
assert np.all(lam.real < 0), lam
print(f"two_units: m = {M15:.15f}, spectrum at (m, m) = {np.sort(lam)}")
# The same network as big-endian float32 in Fortran order (1.5 is exact in
# float32), to check the reader on a non-native layout.
savez("two_units_f4be_fortran.npz", W=np.asfortranarray(W2.astype(">f4")),
      b=np.zeros(2, dtype=">f4"), activation=s("tanh"))

# 4. A scaled rotation W = a R(theta), tau = 2: at h = 0, J = (-I + a R)/tau,
# eigenvalues (-1 + a e^{+-i theta}) / tau. With a < 1 the origin is the only
# fixed point (tanh is a contraction and |a R h| = a |h|).
a, th, tau = 0.9, np.pi / 4, 2.0
R = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
savez("rotation.npz", W=a * R, tau=np.array(tau), activation=s("tanh"))
lam = np.linalg.eigvals((-np.eye(2) + a * R) / tau)
want = (-1 + a * np.exp(1j * th * np.array([1, -1]))) / tau
assert np.allclose(np.sort_complex(lam), np.sort_complex(want), rtol=0, atol=1e-14)
print(f"rotation: eigenvalues at 0 = {want}")

# 5. A Hopfield network with gain 2: W = (2/N) sum_k xi_k xi_k^T over P = 3
# orthogonal +-1 patterns (rows of a Sylvester-Hadamard matrix), N = 16.
# W xi_k = 2 xi_k, so h = m xi_k is a fixed point when m = tanh(2 m): the
# stored patterns sit at h* = +-M2 xi_k, stable, with J = -I + 2 (1 - M2^2)
# on span(xi) and -I elsewhere.
H = np.array([[1.0]])
while H.shape[0] < 16:
    H = np.block([[H, H], [H, -H]])
xi = H[[1, 2, 5]]
Wh = 2.0 / 16 * xi.T @ xi
for k in range(3):
    h = M2 * xi[k]
    assert np.max(np.abs(-h + np.tanh(Wh @ h))) < 1e-15
savez("hopfield.npz", W=Wh, activation=s("tanh"), patterns=xi)

# 6. A random tanh network, g = 0.8, N = 50, b = 0: W = g/sqrt(N) * N(0, 1).
rng = np.random.default_rng(8)
Wg = 0.8 / np.sqrt(50) * rng.standard_normal((50, 50))
rho = np.max(np.abs(np.linalg.eigvals(Wg)))
assert rho < 1
savez("random_g0.8.npz", W=Wg, activation=s("tanh"))
print(f"random_g0.8: spectral radius of W = {rho:.6f}")

# 7. A random tanh network, g = 1.5, N = 200: chaotic, many fixed points
# (for benchmarks).
rng = np.random.default_rng(15)
savez("random_g1.5_n200.npz", W=1.5 / np.sqrt(200) * rng.standard_normal((200, 200)),
      activation=s("tanh"))

# 8. A float32 PyTorch nn.RNN state dict (hidden 8, input 3) saved through
# numpy with the module prefix "rnn.", plus a readout "fc." that is kept
# aside. fpfind reads W = weight_hh_l0, W_in = weight_ih_l0,
# b = bias_hh_l0 + bias_ih_l0, convention discrete.
rng = np.random.default_rng(42)
k = 1 / np.sqrt(8)
f32 = lambda *shape: rng.uniform(-k, k, shape).astype(np.float32)
savez("torch_rnn.npz", **{
    "rnn.weight_ih_l0": f32(8, 3),
    "rnn.weight_hh_l0": f32(8, 8),
    "rnn.bias_ih_l0": f32(8),
    "rnn.bias_hh_l0": f32(8),
    "fc.weight": f32(2, 8),
    "fc.bias": f32(2),
})

# 9. A leaky network: the w = 2 unit with alpha = dt/tau = 0.1. Same fixed
# points as tanh1 (0, +-M2); M = 0.9 + 0.1 w phi'(x): 1.1 at 0 (unstable),
# 0.9 + 0.2 (1 - M2^2) at +-M2 (stable).
savez("leaky.npz", W=np.array([[2.0]]), tau=np.array(1.0), activation=s("tanh"),
      convention=s("leaky"), alpha=np.array(0.1))
print(f"leaky: M(+-m) = {0.9 + 0.2 * (1 - M2**2):.15f}")
