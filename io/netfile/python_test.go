package netfile

import (
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/pythontest"
	"github.com/fpfind/fpfind/io/numpy"
)

// writeNets writes networks in every float dtype, byte order and memory
// order numpy offers (plus integer W, compressed archives, a folder of .npy
// files and torch-style state dicts) into argv[1].
const writeNets = `
import os, sys
import numpy as np
out = sys.argv[1]
rng = np.random.default_rng(7)
n, m = 5, 2
made = []
def save(name, d, compressed=False):
    (np.savez_compressed if compressed else np.savez)(os.path.join(out, name), **d)
    made.append(name)
for dt in ['<f4', '>f4', '<f8', '>f8']:
    for order in ['C', 'F']:
        W = np.asarray(rng.standard_normal((n, n)), dtype=dt, order=order)
        W_in = np.asarray(rng.standard_normal((n, m)), dtype=dt, order=order)
        d = dict(W=W, W_in=W_in, b=rng.standard_normal(n).astype(dt),
                 u=rng.standard_normal(m).astype(dt), tau=rng.uniform(0.5, 2, n).astype(dt),
                 activation=np.array('softplus').astype(dt[0] + 'U8'),
                 convention=np.array('continuous'),
                 W_out=np.asarray(rng.standard_normal((3, n)), dtype=dt, order=order))
        tag = ('le' if dt[0] == '<' else 'be') + dt[1:] + order
        save('net_%s.npz' % tag, d, compressed=(order == 'F'))
        tw = lambda *s: np.asarray(rng.standard_normal(s), dtype=dt, order=order)
        save('torch_%s.npz' % tag, {'model.rnn.weight_hh_l0': tw(n, n), 'model.rnn.weight_ih_l0': tw(n, m),
            'model.rnn.bias_hh_l0': tw(n), 'model.rnn.bias_ih_l0': tw(n), 'model.fc.weight': tw(2, n),
            'model.fc.bias': tw(2)})
for dt in ['<i4', '>i8', '|i1', '<u2']:
    W = np.asarray(rng.integers(-3, 4, (n, n)) if dt[1] == 'i' else rng.integers(0, 4, (n, n)), dtype=dt)
    save('int_%s.npz' % dt[1:], dict(W=W, tau=np.array(2, dtype=dt), convention=np.array('leaky'), alpha=np.array(0.25)))
os.mkdir(os.path.join(out, 'folder'))
np.save(os.path.join(out, 'folder', 'W.npy'), np.asfortranarray(rng.standard_normal((n, n)).astype('>f8')))
np.save(os.path.join(out, 'folder', 'b.npy'), rng.standard_normal(n).astype('<f4'))
np.save(os.path.join(out, 'folder', 'activation.npy'), np.array(b'sigmoid'))
np.save(os.path.join(out, 'folder', 'convention.npy'), np.array('discrete'))
made.append('folder')
print('\n'.join(made))
`

// checkNets compares what Go wrote back (argv[2]/<name>.npz) with the
// originals (argv[1]/<name>) exactly, after numpy's own conversion to
// float64.
const checkNets = `
import os, sys
import numpy as np
src, dst = sys.argv[1], sys.argv[2]
bad = []
def load(p):
    if os.path.isdir(p):
        return {f[:-4]: np.load(os.path.join(p, f)) for f in os.listdir(p) if f.endswith('.npy')}
    with np.load(p) as z:
        return {k: z[k] for k in z.files}
def same(name, key, got, want):
    want = np.asarray(want)
    if want.dtype.kind in 'fiu':
        want = want.astype(np.float64)
    if got.dtype.kind == 'f' and got.dtype != np.dtype('<f8'):
        bad.append('%s %s: dtype %s, want <f8' % (name, key, got.dtype))
    if got.shape != want.shape or not np.array_equal(got, want):
        bad.append('%s %s: got %r, want %r' % (name, key, got, want))
for name in sys.argv[3:]:
    a = load(os.path.join(src, name))
    g = load(os.path.join(dst, name + ('.npz' if not name.endswith('.npz') else '')))
    if name.startswith('torch'):
        p = 'model.rnn.'
        exp = {'W': a[p + 'weight_hh_l0'], 'W_in': a[p + 'weight_ih_l0'],
               'b': a[p + 'bias_hh_l0'].astype(np.float64) + a[p + 'bias_ih_l0'].astype(np.float64),
               'u': np.zeros(a[p + 'weight_ih_l0'].shape[1]), 'tau': np.array(1.0),
               'activation': np.array('tanh'), 'convention': np.array('discrete'),
               'model.fc.weight': a['model.fc.weight'], 'model.fc.bias': a['model.fc.bias']}
    else:
        exp = dict(a)
        exp.setdefault('b', np.zeros(a['W'].shape[0]))
        exp.setdefault('activation', np.array('tanh'))
        if 'tau' in exp and exp['tau'].ndim == 0:
            exp['tau'] = exp['tau'].astype(np.float64)
        exp.setdefault('tau', np.array(1.0))
    if set(g) != set(exp):
        bad.append('%s: keys %s, want %s' % (name, sorted(g), sorted(exp)))
        continue
    for k in exp:
        if exp[k].dtype.kind == 'S':
            exp[k] = np.array(exp[k].item().decode('latin-1'))
        if exp[k].dtype.kind == 'U':
            if g[k].dtype.kind != 'U' or g[k].shape != () or str(g[k]) != str(exp[k]):
                bad.append('%s %s: got %r, want %r' % (name, k, g[k], exp[k]))
        else:
            same(name, k, g[k], exp[k])
        if not g[k].flags.c_contiguous:
            bad.append('%s %s: not C order' % (name, k))
print('\n'.join(bad) if bad else 'OK %d files' % (len(sys.argv) - 3))
`

func TestPythonRoundTrip(t *testing.T) {
	pythontest.Need(t, "numpy")
	src, dst := t.TempDir(), t.TempDir()
	names := strings.Fields(pythontest.Run(t, writeNets, "", src))
	if len(names) < 17 {
		t.Fatalf("python wrote only %q", names)
	}
	for _, name := range names {
		l, err := LoadNetwork(filepath.Join(src, name), nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out := filepath.Join(dst, strings.TrimSuffix(name, ".npz")+".npz")
		if err := SaveNetwork(out, l.Network, l.Other); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if strings.HasPrefix(name, "net_") && (len(l.Other) != 1 || l.Other[0].Name != "W_out") {
			t.Errorf("%s: other keys %+v, want W_out", name, l.Other)
		}
	}
	got := pythontest.Run(t, checkNets, "", append([]string{src, dst}, names...)...)
	if strings.TrimSpace(got) != "OK "+strconv.Itoa(len(names))+" files" {
		t.Errorf("numpy found differences:\n%s", got)
	}

	// Negative control: a network whose bias differs in the last bit must
	// be caught by the same check.
	l, err := LoadNetwork(filepath.Join(src, "net_lef8C.npz"), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := l.Network.Config()
	c.B[0] = math.Nextafter(c.B[0], math.Inf(1))
	net, err := dynamics.New(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := SaveNetwork(filepath.Join(dst, "net_lef8C.npz"), net, l.Other); err != nil {
		t.Fatal(err)
	}
	got = pythontest.Run(t, checkNets, "", src, dst, "net_lef8C.npz")
	if !strings.Contains(got, "net_lef8C.npz b: got") {
		t.Errorf("numpy missed a one-ulp change in b:\n%s", got)
	}
}

// TestPythonReadsResults writes every result type with numpy.WriteNPZ and has
// numpy check dtype, shape and values exactly.
func TestPythonReadsResults(t *testing.T) {
	pythontest.Need(t, "numpy")
	p := filepath.Join(t.TempDir(), "res.npz")
	const k, n = 3, 4
	ev := make([]complex128, k*n*n)
	for i := range ev {
		ev[i] = complex(float64(i)+0.5, -float64(i)/3)
	}
	fp := make([]float64, k*n)
	for i := range fp {
		fp[i] = 1 / float64(i+1)
	}
	err := numpy.WriteNPZ(p, []numpy.Array{
		{Name: "fixed_points", Shape: []int{k, n}, Data: fp},
		{Name: "eigvecs_right", Shape: []int{k, n, n}, Data: ev},
		{Name: "multiplicity", Shape: []int{k}, Data: []int64{5, 1, -(1 << 60)}},
		{Name: "stability", Shape: []int{k}, Data: []string{"stable", "saddle", "unstable"}},
		{Name: "seed", Shape: []int{}, Data: []int{42}},
		{Name: "note", Shape: []int{}, Data: []string{"ünïcode ✓"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := pythontest.Run(t, `
import sys
import numpy as np
z = np.load(sys.argv[1])
assert z.files == ['eigvecs_right', 'fixed_points', 'multiplicity', 'note', 'seed', 'stability'], z.files
i = np.arange(48)
ev = (i + 0.5) - 1j * (i / 3)
assert z['eigvecs_right'].dtype == np.complex128 and np.array_equal(z['eigvecs_right'], ev.reshape(3, 4, 4))
fp = 1 / np.arange(1, 13, dtype=np.float64)
assert z['fixed_points'].dtype == np.float64 and np.array_equal(z['fixed_points'], fp.reshape(3, 4))
assert z['multiplicity'].dtype == np.int64 and list(z['multiplicity']) == [5, 1, -(1 << 60)]
assert list(z['stability']) == ['stable', 'saddle', 'unstable']
assert z['seed'].shape == () and z['seed'] == 42
assert str(z['note']) == 'ünïcode ✓'
print('OK')
`, "", p)
	if strings.TrimSpace(got) != "OK" {
		t.Errorf("numpy: %s", got)
	}
}
