package numpy

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/fpfind/fpfind/dynamics"
	"gonum.org/v1/gonum/mat"
)

// The keys of a network file (DESIGN.md section 4).
const (
	KeyW          = "W"
	KeyB          = "b"
	KeyWIn        = "W_in"
	KeyU          = "u"
	KeyTau        = "tau"
	KeyActivation = "activation"
	KeyConvention = "convention"
	KeyAlpha      = "alpha"
)

// The keys of a PyTorch nn.RNN state dict, after the module prefix.
const (
	torchWhh = "weight_hh_l0"
	torchWih = "weight_ih_l0"
	torchBhh = "bias_hh_l0"
	torchBih = "bias_ih_l0"
)

// LoadOptions adjust how [LoadNetwork] reads a network. The zero value reads
// the file as it is.
type LoadOptions struct {
	// KeyPrefix is prepended to every key looked up, e.g. "model." for a
	// file whose keys are "model.W", "model.b". Empty means none for the
	// fpfind layout; for a PyTorch state dict the prefix before
	// "weight_hh_l0" (such as "rnn.") is found by itself.
	KeyPrefix string
	// Transpose reads W and W_in in row-vector layout (x^T W, so W_in is
	// M x N), and transposes them. It is never guessed from the shapes.
	Transpose bool
	// Activation and Convention, when not empty, override the file's
	// (names as in dynamics.ParseActivation and dynamics.ParseConvention).
	Activation string
	Convention string
	// Alpha, when > 0, overrides the file's alpha.
	Alpha float64
	// Tau, when not nil, overrides the file's tau (length 1 or N).
	Tau []float64
}

// Loaded is a network read from a file, with what the file held.
type Loaded struct {
	// Network is the network the file describes.
	Network *dynamics.Network
	// File is the path read; Format is "npz" or "npy folder".
	File, Format string
	// Layout is "fpfind" (the keys of DESIGN.md) or "torch" (an nn.RNN
	// state dict); Prefix is the module prefix found or given, e.g. "rnn.".
	Layout, Prefix string
	// Arrays describes every array of the file, sorted by key.
	Arrays []ArrayInfo
	// Other holds the arrays that are not part of the dynamics (a readout
	// W_out, b_out, training metadata), sorted by key, with their full
	// names. They never change the network.
	Other []Array
}

// ArrayInfo describes one array of a file.
type ArrayInfo struct {
	Key     string // the full key in the file
	Dtype   string // as stored, e.g. "<f4"
	Fortran bool   // stored in Fortran (column-major) order
	Shape   []int
	Role    string // the network field it fills ("W", "b", ...), or "" for other keys
}

// OtherArray returns the kept-aside array with the given key, or nil.
func (l *Loaded) OtherArray(key string) *Array {
	for i := range l.Other {
		if l.Other[i].Name == key {
			return &l.Other[i]
		}
	}
	return nil
}

// LoadNetwork reads a network from an .npz file or from a folder of .npy
// files, with the keys of DESIGN.md section 4 (W, b, W_in, u, tau,
// activation, convention, alpha) or those of a PyTorch nn.RNN state dict
// (weight_hh_l0 = W, weight_ih_l0 = W_in, bias_hh_l0 + bias_ih_l0 = b, any
// module prefix; discrete convention unless opts says otherwise). opts may
// be nil.
//
// Every array is checked (dtype, shape, finite values, tau > 0). An error
// for bad data is a *[FormatError] naming the file, the key and the problem.
func LoadNetwork(path string, opts *LoadOptions) (*Loaded, error) {
	if opts == nil {
		opts = &LoadOptions{}
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, &FormatError{File: path, Err: osErr(err)}
	}
	var arrays []*Array
	format := "npz"
	if st.IsDir() {
		format = "npy folder"
		arrays, err = readFolder(path)
	} else {
		arrays, err = ReadNPZ(path)
	}
	if err != nil {
		return nil, err
	}
	l, err := build(path, arrays, opts)
	if err != nil {
		return nil, err
	}
	l.Format = format
	return l, nil
}

// build makes the network from the arrays of a file.
func build(file string, arrays []*Array, opts *LoadOptions) (*Loaded, error) {
	bad := func(key string, format string, args ...any) (*Loaded, error) {
		return nil, &FormatError{File: file, Key: key, Err: fmt.Errorf(format, args...)}
	}
	byName := make(map[string]*Array, len(arrays))
	for _, a := range arrays {
		byName[a.Name] = a
	}
	l := &Loaded{File: file, Layout: "fpfind", Prefix: opts.KeyPrefix}
	roles := map[string]string{} // full key -> role
	p := opts.KeyPrefix
	// Keys of each config field in this file, for error messages.
	keyOf := map[string]string{}

	var (
		w, win      *Array
		b, u, tau   *Array
		act, conv   *Array
		alpha       *Array
		torchBiases []*Array
	)
	if a := byName[p+KeyW]; a != nil {
		w = a
		for _, k := range []string{KeyW, KeyB, KeyWIn, KeyU, KeyTau, KeyActivation, KeyConvention, KeyAlpha} {
			keyOf[k] = p + k
		}
		win, b, u, tau = byName[p+KeyWIn], byName[p+KeyB], byName[p+KeyU], byName[p+KeyTau]
		act, conv, alpha = byName[p+KeyActivation], byName[p+KeyConvention], byName[p+KeyAlpha]
	} else {
		// A PyTorch state dict?
		var found []string
		for _, a := range arrays {
			if pre, ok := strings.CutSuffix(a.Name, torchWhh); ok && strings.HasPrefix(a.Name, p) {
				found = append(found, pre)
			}
		}
		switch len(found) {
		case 0:
			return bad(p+KeyW, "missing: the recurrent weights W (or a PyTorch %s) are required", torchWhh)
		case 1:
		default:
			return bad(found[1]+torchWhh, "more than one %s (%s and %s); give the module prefix", torchWhh, found[0]+torchWhh, found[1]+torchWhh)
		}
		pre := found[0]
		if byName[pre+"weight_hh_l1"] != nil {
			return bad(pre+"weight_hh_l1", "a stacked RNN (more than one layer) has no single W; only one layer is supported")
		}
		if byName[pre+"weight_hh_l0_reverse"] != nil {
			return bad(pre+"weight_hh_l0_reverse", "a bidirectional RNN is not supported")
		}
		l.Layout, l.Prefix = "torch", pre
		w, win = byName[pre+torchWhh], byName[pre+torchWih]
		keyOf[KeyW], keyOf[KeyWIn] = pre+torchWhh, pre+torchWih
		for _, k := range []string{torchBhh, torchBih} {
			if a := byName[pre+k]; a != nil {
				torchBiases = append(torchBiases, a)
			}
		}
		switch len(torchBiases) {
		case 1:
			keyOf[KeyB] = torchBiases[0].Name
		case 2:
			keyOf[KeyB] = torchBiases[0].Name + " + " + torchBiases[1].Name
		}
	}
	role := func(a *Array, r string) {
		if a != nil {
			roles[a.Name] = r
		}
	}
	role(w, KeyW)
	role(win, KeyWIn)
	role(b, KeyB)
	role(u, KeyU)
	role(tau, KeyTau)
	role(act, KeyActivation)
	role(conv, KeyConvention)
	role(alpha, KeyAlpha)
	for _, a := range torchBiases {
		role(a, KeyB)
	}

	var c dynamics.Config
	if l.Layout == "torch" {
		c.Convention = dynamics.Discrete
	}
	// W.
	wf, err := numeric(w)
	if err != nil {
		return bad(w.Name, "%v", err)
	}
	if len(w.Shape) != 2 {
		return bad(w.Name, "shape %s is not 2-d (want N x N)", pyShape(w.Shape))
	}
	n := w.Shape[0]
	if w.Shape[1] != n {
		return bad(w.Name, "not square: shape %s (want N x N)", pyShape(w.Shape))
	}
	if n == 0 {
		return bad(w.Name, "empty: shape %s", pyShape(w.Shape))
	}
	if i, isBad := nonFinite(wf); isBad {
		return bad(w.Name, "non-finite value %v at [%d, %d]", wf[i], i/n, i%n)
	}
	wm := mat.NewDense(n, n, wf)
	if opts.Transpose {
		wm = mat.DenseCopyOf(wm.T())
	}
	c.W = wm
	// W_in.
	m := 0
	if win != nil {
		f, err := numeric(win)
		if err != nil {
			return bad(win.Name, "%v", err)
		}
		if len(win.Shape) != 2 {
			return bad(win.Name, "shape %s is not 2-d (want N x M = %d x M)", pyShape(win.Shape), n)
		}
		r, cc := win.Shape[0], win.Shape[1]
		if opts.Transpose {
			if cc != n {
				return bad(win.Name, "shape %s does not fit N = %d (with Transpose, want M x N)", pyShape(win.Shape), n)
			}
			m = r
		} else {
			if r != n {
				return bad(win.Name, "shape %s does not fit N = %d (want N x M)", pyShape(win.Shape), n)
			}
			m = cc
		}
		if i, isBad := nonFinite(f); isBad {
			return bad(win.Name, "non-finite value %v at [%d, %d]", f[i], i/cc, i%cc)
		}
		if m > 0 {
			wi := mat.NewDense(r, cc, f)
			if opts.Transpose {
				wi = mat.DenseCopyOf(wi.T())
			}
			c.WIn = wi
		}
	}
	// Vectors.
	vec := func(a *Array, want int, what string) ([]float64, error) {
		f, err := numeric(a)
		if err != nil {
			return nil, err
		}
		if len(a.Shape) != 1 || a.Shape[0] != want {
			return nil, fmt.Errorf("shape %s does not fit %s (want (%d,))", pyShape(a.Shape), what, want)
		}
		if i, isBad := nonFinite(f); isBad {
			return nil, fmt.Errorf("non-finite value %v at [%d]", f[i], i)
		}
		return f, nil
	}
	if b != nil {
		if c.B, err = vec(b, n, fmt.Sprintf("N = %d", n)); err != nil {
			return bad(b.Name, "%v", err)
		}
	}
	if len(torchBiases) > 0 {
		c.B = make([]float64, n)
		for _, a := range torchBiases {
			f, err := vec(a, n, fmt.Sprintf("hidden size N = %d", n))
			if err != nil {
				return bad(a.Name, "%v", err)
			}
			for i, v := range f {
				c.B[i] += v
			}
		}
	}
	if u != nil {
		if win == nil {
			return bad(u.Name, "input u given without input weights %s", p+KeyWIn)
		}
		if c.U, err = vec(u, m, fmt.Sprintf("M = %d (the inputs of %s)", m, win.Name)); err != nil {
			return bad(u.Name, "%v", err)
		}
	}
	if tau != nil {
		f, err := numeric(tau)
		if err != nil {
			return bad(tau.Name, "%v", err)
		}
		if len(tau.Shape) > 1 || (len(tau.Shape) == 1 && tau.Shape[0] != 1 && tau.Shape[0] != n) {
			return bad(tau.Name, "shape %s does not fit N = %d (want a scalar, (1,) or (%d,))", pyShape(tau.Shape), n, n)
		}
		for i, v := range f {
			if !(v > 0) || math.IsInf(v, 0) {
				return bad(tau.Name, "value %v at [%d] is not a finite number > 0", v, i)
			}
		}
		c.Tau = f
	}
	if opts.Tau != nil {
		c.Tau = opts.Tau
		keyOf[KeyTau] = "tau (option)"
	}
	// Strings and alpha.
	if act != nil {
		s, err := scalarString(act)
		if err != nil {
			return bad(act.Name, "%v", err)
		}
		if c.Activation, err = dynamics.ParseActivation(s); err != nil {
			return bad(act.Name, "%v", err)
		}
	}
	if opts.Activation != "" {
		if c.Activation, err = dynamics.ParseActivation(opts.Activation); err != nil {
			return bad("activation (option)", "%v", err)
		}
	}
	if conv != nil {
		s, err := scalarString(conv)
		if err != nil {
			return bad(conv.Name, "%v", err)
		}
		if c.Convention, err = dynamics.ParseConvention(s); err != nil {
			return bad(conv.Name, "%v", err)
		}
	}
	if opts.Convention != "" {
		if c.Convention, err = dynamics.ParseConvention(opts.Convention); err != nil {
			return bad("convention (option)", "%v", err)
		}
		keyOf[KeyConvention] = "convention (option)"
	}
	if alpha != nil {
		f, err := numeric(alpha)
		if err != nil {
			return bad(alpha.Name, "%v", err)
		}
		if len(f) != 1 || len(alpha.Shape) > 1 {
			return bad(alpha.Name, "shape %s is not a scalar", pyShape(alpha.Shape))
		}
		switch {
		case c.Convention == dynamics.Leaky:
			c.Alpha = f[0]
		case opts.Convention != "":
			// The convention was overridden: the file's alpha does not apply.
			delete(roles, alpha.Name)
		default:
			return bad(alpha.Name, "alpha = %v is given, but the convention is %v (alpha belongs to leaky only)", f[0], c.Convention)
		}
	}
	if opts.Alpha > 0 {
		c.Alpha = opts.Alpha
		keyOf[KeyAlpha] = "alpha (option)"
	}
	if c.Convention == dynamics.Leaky && c.Alpha == 0 {
		k := keyOf[KeyAlpha]
		if k == "" {
			k = p + KeyAlpha
		}
		return bad(k, "missing: the leaky convention needs alpha = dt/tau in (0, 1]")
	}
	net, err := dynamics.New(c)
	if err != nil {
		var ce *dynamics.ConfigError
		if errors.As(err, &ce) {
			key := keyOf[fieldKey[ce.Field]]
			if key == "" {
				key = fieldKey[ce.Field]
			}
			return bad(key, "%s", ce.Problem)
		}
		return nil, &FormatError{File: file, Err: err}
	}
	l.Network = net
	for _, a := range arrays {
		r := roles[a.Name]
		l.Arrays = append(l.Arrays, ArrayInfo{Key: a.Name, Dtype: a.Dtype, Fortran: a.Fortran, Shape: a.Shape, Role: r})
		if r == "" {
			l.Other = append(l.Other, *a)
		}
	}
	slices.SortFunc(l.Arrays, func(a, b ArrayInfo) int { return strings.Compare(a.Key, b.Key) })
	slices.SortFunc(l.Other, func(a, b Array) int { return strings.Compare(a.Name, b.Name) })
	return l, nil
}

// fieldKey maps a dynamics.Config field to its file key.
var fieldKey = map[string]string{
	"W": KeyW, "WIn": KeyWIn, "U": KeyU, "B": KeyB, "Tau": KeyTau,
	"Activation": KeyActivation, "Convention": KeyConvention, "Alpha": KeyAlpha,
}

func numeric(a *Array) ([]float64, error) {
	f, ok := a.Data.([]float64)
	if !ok {
		return nil, fmt.Errorf("dtype %s is not a real number type", a.Dtype)
	}
	return f, nil
}

func scalarString(a *Array) (string, error) {
	s, ok := a.Strings()
	if !ok {
		return "", fmt.Errorf("dtype %s is not a string (want e.g. np.array('tanh'))", a.Dtype)
	}
	if len(s) != 1 || len(a.Shape) > 1 {
		return "", fmt.Errorf("shape %s is not a single string", pyShape(a.Shape))
	}
	return s[0], nil
}

func nonFinite(f []float64) (int, bool) {
	for i, v := range f {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return i, true
		}
	}
	return 0, false
}

// NetworkArrays returns the arrays of the fpfind layout (DESIGN.md section
// 4) that describe net: W, b, tau, activation, convention, and W_in and u
// when the network has inputs, alpha when it is leaky. tau is a scalar when
// every unit shares it.
func NetworkArrays(net *dynamics.Network) []Array {
	n := net.Dim()
	out := []Array{
		{Name: KeyW, Shape: []int{n, n}, Data: net.W().RawMatrix().Data},
		{Name: KeyB, Shape: []int{n}, Data: net.B()},
		{Name: KeyActivation, Shape: []int{}, Data: []string{net.Activation().String()}},
		{Name: KeyConvention, Shape: []int{}, Data: []string{net.Convention().String()}},
	}
	if net.UniformTau() {
		out = append(out, Array{Name: KeyTau, Shape: []int{}, Data: []float64{net.Tau(0)}})
	} else {
		out = append(out, Array{Name: KeyTau, Shape: []int{n}, Data: net.TauVec()})
	}
	if m := net.Inputs(); m > 0 {
		out = append(out,
			Array{Name: KeyWIn, Shape: []int{n, m}, Data: net.WIn().RawMatrix().Data},
			Array{Name: KeyU, Shape: []int{m}, Data: net.U()})
	}
	if net.Convention() == dynamics.Leaky {
		out = append(out, Array{Name: KeyAlpha, Shape: []int{}, Data: []float64{net.Alpha()}})
	}
	return out
}

// SaveNetwork writes net to an .npz file in the fpfind layout (see
// [NetworkArrays]), with extra arrays (a readout, metadata) alongside. An
// extra array may not use a network key (W, b, W_in, u, tau, activation,
// convention, alpha). The write is atomic, as with
// [WriteNPZ].
func SaveNetwork(path string, net *dynamics.Network, extra []Array) error {
	for _, e := range extra {
		switch e.Name {
		case KeyW, KeyB, KeyWIn, KeyU, KeyTau, KeyActivation, KeyConvention, KeyAlpha:
			return fmt.Errorf("numpy: extra array %q clashes with a network key", e.Name)
		}
	}
	arrays := NetworkArrays(net)
	return WriteNPZ(path, append(arrays, extra...))
}
