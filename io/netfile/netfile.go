package netfile

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/io/numpy"
	"gonum.org/v1/gonum/mat"
)

// The keys of a network file (docs/DESIGN.md section 4).
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
	// MaxBytes bounds the memory the arrays read from the file may take
	// once decoded, all arrays together: 8 bytes per element of a real
	// dtype (read as float64), 16 per complex element, and for strings 16
	// bytes per element plus their UTF-8 bytes. It is checked from the .npy
	// headers before any data is read; a file over it gets an error
	// wrapping [numpy.ErrTooLarge]. 0 means the machine's physical memory (as
	// bounded by a cgroup limit), or no limit when that is unknown; a
	// negative value means no limit.
	MaxBytes int64
	// Check, when not nil, is called with the network's N and M once every
	// header is read and the layout checked, before any array's data is
	// decoded; an error from it stops the load and is returned as is. A
	// caller uses it to refuse a network too large for what it will do
	// with it (its own copies of W, say) without reading the file.
	Check func(n, m int) error
}

// Loaded is a network read from a file, with what the file held.
type Loaded struct {
	// Network is the network the file describes.
	Network *dynamics.Network
	// File is the path read; Format is "npz" or "npy folder".
	File, Format string
	// Layout is "fpfind" (the keys of docs/DESIGN.md) or "torch" (an nn.RNN
	// state dict); Prefix is the module prefix found or given, e.g. "rnn.".
	Layout, Prefix string
	// Arrays describes every array of the file, sorted by key.
	Arrays []ArrayInfo
	// Other holds the arrays that are not part of the dynamics (a readout
	// W_out, b_out, training metadata), sorted by key, with their full
	// names. They never change the network.
	Other []numpy.Array
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
func (l *Loaded) OtherArray(key string) *numpy.Array {
	for i := range l.Other {
		if l.Other[i].Name == key {
			return &l.Other[i]
		}
	}
	return nil
}

// LoadNetwork reads a network from an .npz file or from a folder of .npy
// files, with the keys of docs/DESIGN.md section 4 (W, b, W_in, u, tau,
// activation, convention, alpha) or those of a PyTorch nn.RNN state dict
// (weight_hh_l0 = W, weight_ih_l0 = W_in, bias_hh_l0 + bias_ih_l0 = b, any
// module prefix; discrete convention unless opts says otherwise). opts may
// be nil.
//
// The file is read header first: every array's header is read, the layout
// and every shape and dtype checked and the decoded size charged to
// opts.MaxBytes before any data is decoded. Then every array is checked
// (finite values, tau > 0, known activation and convention). An error for
// bad data is a *[numpy.FormatError] naming the file, the key and the problem.
func LoadNetwork(path string, opts *LoadOptions) (*Loaded, error) {
	if opts == nil {
		opts = &LoadOptions{}
	}
	check := func(heads []*numpy.Array) error {
		y, err := resolve(path, heads, opts)
		if err != nil || opts.Check == nil {
			return err
		}
		return opts.Check(y.n, y.m)
	}
	arrays, folder, err := numpy.ReadArrays(path, &numpy.ReadOptions{MaxBytes: opts.MaxBytes, Check: check})
	if err != nil {
		return nil, err
	}
	format := "npz"
	if folder {
		format = "npy folder"
	}
	l, err := build(path, arrays, opts)
	if err != nil {
		return nil, err
	}
	l.Format = format
	return l, nil
}

// layout is the plan of a network file: the array that fills each field,
// found from the keys and checked for dtype and shape, which the headers
// alone tell.
type layout struct {
	layout, prefix string
	w, win         *numpy.Array
	b, u, tau      *numpy.Array
	act, conv      *numpy.Array
	alpha          *numpy.Array
	torchBiases    []*numpy.Array
	roles          map[string]string // full key -> role
	keyOf          map[string]string // config field -> key(s), for messages
	n, m           int
}

// resolve finds the layout of a file from its arrays' keys, shapes and
// dtypes; their Data may be nil (headers only).
func resolve(file string, arrays []*numpy.Array, opts *LoadOptions) (*layout, error) {
	bad := func(key string, format string, args ...any) (*layout, error) {
		return nil, &numpy.FormatError{File: file, Key: key, Err: fmt.Errorf(format, args...)}
	}
	byName := make(map[string]*numpy.Array, len(arrays))
	for _, a := range arrays {
		byName[a.Name] = a
	}
	p := opts.KeyPrefix
	y := &layout{layout: "fpfind", prefix: p, roles: map[string]string{}, keyOf: map[string]string{}}
	if a := byName[p+KeyW]; a != nil {
		y.w = a
		for _, k := range []string{KeyW, KeyB, KeyWIn, KeyU, KeyTau, KeyActivation, KeyConvention, KeyAlpha} {
			y.keyOf[k] = p + k
		}
		y.win, y.b, y.u, y.tau = byName[p+KeyWIn], byName[p+KeyB], byName[p+KeyU], byName[p+KeyTau]
		y.act, y.conv, y.alpha = byName[p+KeyActivation], byName[p+KeyConvention], byName[p+KeyAlpha]
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
			return bad(found[1]+torchWhh, "more than one %s (%s and %s); give the module prefix", torchWhh, numpy.QuoteKey(found[0]+torchWhh), numpy.QuoteKey(found[1]+torchWhh))
		}
		pre := found[0]
		if err := torchCell(file, pre, byName); err != nil {
			return nil, err
		}
		if byName[pre+"weight_hh_l1"] != nil {
			return bad(pre+"weight_hh_l1", "a stacked RNN (more than one layer, num_layers > 1) has no single W; only a one-layer nn.RNN is supported")
		}
		if byName[pre+"weight_hh_l0_reverse"] != nil {
			return bad(pre+"weight_hh_l0_reverse", "a bidirectional RNN is not supported")
		}
		y.layout, y.prefix = "torch", pre
		y.w, y.win = byName[pre+torchWhh], byName[pre+torchWih]
		y.keyOf[KeyW], y.keyOf[KeyWIn] = pre+torchWhh, pre+torchWih
		for _, k := range []string{torchBhh, torchBih} {
			if a := byName[pre+k]; a != nil {
				y.torchBiases = append(y.torchBiases, a)
			}
		}
		switch len(y.torchBiases) {
		case 1:
			y.keyOf[KeyB] = y.torchBiases[0].Name
		case 2:
			y.keyOf[KeyB] = y.torchBiases[0].Name + " + " + y.torchBiases[1].Name
		}
	}
	for _, r := range []struct {
		a    *numpy.Array
		role string
	}{{y.w, KeyW}, {y.win, KeyWIn}, {y.b, KeyB}, {y.u, KeyU}, {y.tau, KeyTau}, {y.act, KeyActivation}, {y.conv, KeyConvention}, {y.alpha, KeyAlpha}} {
		if r.a != nil {
			y.roles[r.a.Name] = r.role
		}
	}
	for _, a := range y.torchBiases {
		y.roles[a.Name] = KeyB
	}

	// W.
	w := y.w
	if err := realDtype(w); err != nil {
		return bad(w.Name, "%v", err)
	}
	if len(w.Shape) != 2 {
		return bad(w.Name, "shape %s is not 2-d (want N x N)", numpy.ShapeString(w.Shape))
	}
	n := w.Shape[0]
	if w.Shape[1] != n {
		return bad(w.Name, "not square: shape %s (want N x N)", numpy.ShapeString(w.Shape))
	}
	if n == 0 {
		return bad(w.Name, "empty: shape %s", numpy.ShapeString(w.Shape))
	}
	y.n = n
	// W_in.
	if win := y.win; win != nil {
		if err := realDtype(win); err != nil {
			return bad(win.Name, "%v", err)
		}
		if len(win.Shape) != 2 {
			return bad(win.Name, "shape %s is not 2-d (want N x M = %d x M)", numpy.ShapeString(win.Shape), n)
		}
		r, cc := win.Shape[0], win.Shape[1]
		if opts.Transpose {
			if cc != n {
				return bad(win.Name, "shape %s does not fit N = %d (with Transpose, want M x N)", numpy.ShapeString(win.Shape), n)
			}
			y.m = r
		} else {
			if r != n {
				return bad(win.Name, "shape %s does not fit N = %d (want N x M)", numpy.ShapeString(win.Shape), n)
			}
			y.m = cc
		}
	}
	// Vectors.
	vec := func(a *numpy.Array, want int, what string) error {
		if err := realDtype(a); err != nil {
			return &numpy.FormatError{File: file, Key: a.Name, Err: err}
		}
		if len(a.Shape) != 1 || a.Shape[0] != want {
			return &numpy.FormatError{File: file, Key: a.Name, Err: fmt.Errorf("shape %s does not fit %s (want (%d,))", numpy.ShapeString(a.Shape), what, want)}
		}
		return nil
	}
	if y.b != nil {
		if err := vec(y.b, n, fmt.Sprintf("N = %d", n)); err != nil {
			return nil, err
		}
	}
	for _, a := range y.torchBiases {
		if err := vec(a, n, fmt.Sprintf("hidden size N = %d", n)); err != nil {
			return nil, err
		}
	}
	if u := y.u; u != nil {
		if y.win == nil {
			return bad(u.Name, "input u given without input weights %s", numpy.QuoteKey(p+KeyWIn))
		}
		if err := vec(u, y.m, fmt.Sprintf("M = %d (the inputs of %s)", y.m, numpy.QuoteKey(y.win.Name))); err != nil {
			return nil, err
		}
	}
	if tau := y.tau; tau != nil {
		if err := realDtype(tau); err != nil {
			return bad(tau.Name, "%v", err)
		}
		if len(tau.Shape) > 1 || (len(tau.Shape) == 1 && tau.Shape[0] != 1 && tau.Shape[0] != n) {
			return bad(tau.Name, "shape %s does not fit N = %d (want a scalar, (1,) or (%d,))", numpy.ShapeString(tau.Shape), n, n)
		}
	}
	for _, a := range []*numpy.Array{y.act, y.conv} {
		if a == nil {
			continue
		}
		if !a.IsString() {
			return bad(a.Name, "dtype %s is not a string (want e.g. np.array('tanh'))", a.Dtype)
		}
		if a.Len() != 1 || len(a.Shape) > 1 {
			return bad(a.Name, "shape %s is not a single string", numpy.ShapeString(a.Shape))
		}
	}
	if a := y.alpha; a != nil {
		if err := realDtype(a); err != nil {
			return bad(a.Name, "%v", err)
		}
		if a.Len() != 1 || len(a.Shape) > 1 {
			return bad(a.Name, "shape %s is not a scalar", numpy.ShapeString(a.Shape))
		}
	}
	return y, nil
}

// torchCell refuses the state dict of a GRU or an LSTM, whose weight_hh_l0
// stacks 3 or 4 gates' N x N blocks (3N x N, 4N x N), and of an LSTM with
// projections (weight_hr_l0).
func torchCell(file, pre string, byName map[string]*numpy.Array) error {
	const supported = "fpfind reads nn.RNN (Elman) state dicts and CTRNNs in its own layout (W, b, W_in, u, tau, ...); GRU and LSTM cells are not supported"
	if a := byName[pre+"weight_hr_l0"]; a != nil {
		return &numpy.FormatError{File: file, Key: a.Name, Err: fmt.Errorf("this looks like an LSTM with projections (proj_size > 0); %s", supported)}
	}
	w := byName[pre+torchWhh]
	if len(w.Shape) != 2 || w.Shape[1] == 0 {
		return nil
	}
	r, c := w.Shape[0], w.Shape[1]
	var cell, gates string
	switch r {
	case 3 * c:
		cell, gates = "GRU", "reset, update and new gates"
	case 4 * c:
		cell, gates = "LSTM", "input, forget, cell and output gates"
	default:
		return nil
	}
	return &numpy.FormatError{File: file, Key: w.Name, Err: fmt.Errorf("shape %s has %d = %d x %d rows, the %s of a %s cell of hidden size %d; %s",
		numpy.ShapeString(w.Shape), r, r/c, c, gates, cell, c, supported)}
}

// build makes the network from the arrays of a file.
func build(file string, arrays []*numpy.Array, opts *LoadOptions) (*Loaded, error) {
	y, err := resolve(file, arrays, opts)
	if err != nil {
		return nil, err
	}
	bad := func(key string, format string, args ...any) (*Loaded, error) {
		return nil, &numpy.FormatError{File: file, Key: key, Err: fmt.Errorf(format, args...)}
	}
	l := &Loaded{File: file, Layout: y.layout, Prefix: y.prefix}
	n, m := y.n, y.m
	var c dynamics.Config
	if y.layout == "torch" {
		c.Convention = dynamics.Discrete
	}
	// W.
	wf, err := numeric(y.w)
	if err != nil {
		return bad(y.w.Name, "%v", err)
	}
	if i, isBad := nonFinite(wf); isBad {
		return bad(y.w.Name, "non-finite value %v at [%d, %d]", wf[i], i/n, i%n)
	}
	wm := mat.NewDense(n, n, wf)
	if opts.Transpose {
		wm = mat.DenseCopyOf(wm.T())
	}
	c.W = wm
	// W_in.
	if win := y.win; win != nil {
		f, err := numeric(win)
		if err != nil {
			return bad(win.Name, "%v", err)
		}
		r, cc := win.Shape[0], win.Shape[1]
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
	vec := func(a *numpy.Array) ([]float64, error) {
		f, err := numeric(a)
		if err != nil {
			return nil, err
		}
		if i, isBad := nonFinite(f); isBad {
			return nil, fmt.Errorf("non-finite value %v at [%d]", f[i], i)
		}
		return f, nil
	}
	if y.b != nil {
		if c.B, err = vec(y.b); err != nil {
			return bad(y.b.Name, "%v", err)
		}
	}
	if len(y.torchBiases) > 0 {
		c.B = make([]float64, n)
		for _, a := range y.torchBiases {
			f, err := vec(a)
			if err != nil {
				return bad(a.Name, "%v", err)
			}
			for i, v := range f {
				c.B[i] += v
			}
		}
	}
	if y.u != nil {
		if c.U, err = vec(y.u); err != nil {
			return bad(y.u.Name, "%v", err)
		}
	}
	if tau := y.tau; tau != nil {
		f, err := numeric(tau)
		if err != nil {
			return bad(tau.Name, "%v", err)
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
		y.keyOf[KeyTau] = "tau (option)"
	}
	// Strings and alpha.
	if key, err := readName(&c.Activation, y.act, opts.Activation, "activation (option)", dynamics.ParseActivation); err != nil {
		return bad(key, "%v", err)
	}
	if key, err := readName(&c.Convention, y.conv, opts.Convention, "convention (option)", dynamics.ParseConvention); err != nil {
		return bad(key, "%v", err)
	}
	if opts.Convention != "" {
		y.keyOf[KeyConvention] = "convention (option)"
	}
	alphaGiven := false
	if alpha := y.alpha; alpha != nil {
		f, err := numeric(alpha)
		if err != nil {
			return bad(alpha.Name, "%v", err)
		}
		switch {
		case c.Convention == dynamics.Leaky:
			c.Alpha, alphaGiven = f[0], true
		case opts.Convention != "":
			// The convention was overridden: the file's alpha does not apply.
			delete(y.roles, alpha.Name)
		default:
			return bad(alpha.Name, "alpha = %v is given, but the convention is %v (alpha belongs to leaky only)", f[0], c.Convention)
		}
	}
	if opts.Alpha > 0 {
		c.Alpha, alphaGiven = opts.Alpha, true
		y.keyOf[KeyAlpha] = "alpha (option)"
	}
	if c.Convention == dynamics.Leaky {
		k := y.keyOf[KeyAlpha]
		if k == "" {
			k = y.prefix + KeyAlpha
		}
		switch {
		case !alphaGiven:
			return bad(k, "missing: the leaky convention needs alpha = dt/tau in (0, 1]")
		case !(c.Alpha > 0 && c.Alpha <= 1):
			return bad(k, "alpha = %v is not in (0, 1] (the leaky convention's alpha = dt/tau must be > 0 and at most 1)", c.Alpha)
		}
	}
	net, err := dynamics.New(c)
	if err != nil {
		var ce *dynamics.ConfigError
		if errors.As(err, &ce) {
			key := y.keyOf[fieldKey[ce.Field]]
			if key == "" {
				key = fieldKey[ce.Field]
			}
			return bad(key, "%s", ce.Problem)
		}
		return nil, &numpy.FormatError{File: file, Err: err}
	}
	l.Network = net
	for _, a := range arrays {
		r := y.roles[a.Name]
		l.Arrays = append(l.Arrays, ArrayInfo{Key: a.Name, Dtype: a.Dtype, Fortran: a.Fortran, Shape: a.Shape, Role: r})
		if r == "" {
			l.Other = append(l.Other, *a)
		}
	}
	slices.SortFunc(l.Arrays, func(a, b ArrayInfo) int { return strings.Compare(a.Key, b.Key) })
	slices.SortFunc(l.Other, func(a, b numpy.Array) int { return strings.Compare(a.Name, b.Name) })
	return l, nil
}

// fieldKey maps a dynamics.Config field to its file key.
var fieldKey = map[string]string{
	"W": KeyW, "WIn": KeyWIn, "U": KeyU, "B": KeyB, "Tau": KeyTau,
	"Activation": KeyActivation, "Convention": KeyConvention, "Alpha": KeyAlpha,
}

func numeric(a *numpy.Array) ([]float64, error) {
	f, ok := a.Float64s()
	if !ok {
		return nil, fmt.Errorf("dtype %s is not a real number type", a.Dtype)
	}
	return f, nil
}

// realDtype checks that a holds real numbers, from its Data or, for a
// header without data, its Dtype.
func realDtype(a *numpy.Array) error {
	if !a.IsReal() {
		return fmt.Errorf("dtype %s is not a real number type", a.Dtype)
	}
	return nil
}

// readName sets *dst to the value of a named setting (the activation, the
// convention): the file's single string a when there is one, then the
// option opt when it is not empty, which overrides the file. On error it
// returns the key to blame: a's name, or optKey for the option.
func readName[T any](dst *T, a *numpy.Array, opt, optKey string, parse func(string) (T, error)) (key string, err error) {
	if a != nil {
		s, err := scalarString(a)
		if err == nil {
			*dst, err = parse(s)
		}
		if err != nil {
			return a.Name, err
		}
	}
	if opt != "" {
		if *dst, err = parse(opt); err != nil {
			return optKey, err
		}
	}
	return "", nil
}

func scalarString(a *numpy.Array) (string, error) {
	s, ok := a.Strings()
	if !ok {
		return "", fmt.Errorf("dtype %s is not a string (want e.g. np.array('tanh'))", a.Dtype)
	}
	if len(s) != 1 || len(a.Shape) > 1 {
		return "", fmt.Errorf("shape %s is not a single string", numpy.ShapeString(a.Shape))
	}
	return s[0], nil
}

// nonFinite returns the index of the first NaN or infinity of f.
func nonFinite(f []float64) (int, bool) {
	i := slices.IndexFunc(f, func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) })
	return i, i >= 0
}

// NetworkArrays returns the arrays of the fpfind layout (docs/DESIGN.md section
// 4) that describe net: W, b, tau, activation, convention, and W_in and u
// when the network has inputs, alpha when it is leaky. tau is a scalar when
// every unit shares it.
func NetworkArrays(net *dynamics.Network) []numpy.Array {
	n := net.Dim()
	out := []numpy.Array{
		{Name: KeyW, Shape: []int{n, n}, Data: net.W().RawMatrix().Data},
		{Name: KeyB, Shape: []int{n}, Data: net.B()},
		{Name: KeyActivation, Shape: []int{}, Data: []string{net.Activation().String()}},
		{Name: KeyConvention, Shape: []int{}, Data: []string{net.Convention().String()}},
	}
	if net.UniformTau() {
		out = append(out, numpy.Array{Name: KeyTau, Shape: []int{}, Data: []float64{net.Tau(0)}})
	} else {
		out = append(out, numpy.Array{Name: KeyTau, Shape: []int{n}, Data: net.TauVec()})
	}
	if m := net.Inputs(); m > 0 {
		out = append(out,
			numpy.Array{Name: KeyWIn, Shape: []int{n, m}, Data: net.WIn().RawMatrix().Data},
			numpy.Array{Name: KeyU, Shape: []int{m}, Data: net.U()})
	}
	if net.Convention() == dynamics.Leaky {
		out = append(out, numpy.Array{Name: KeyAlpha, Shape: []int{}, Data: []float64{net.Alpha()}})
	}
	return out
}

// SaveNetwork writes net to an .npz file in the fpfind layout (see
// [NetworkArrays]), with extra arrays (a readout, metadata) alongside. An
// extra array may not use a network key (W, b, W_in, u, tau, activation,
// convention, alpha). The write is atomic, as with
// [numpy.WriteNPZ].
func SaveNetwork(path string, net *dynamics.Network, extra []numpy.Array) error {
	arrays, err := networkFile(net, extra)
	if err != nil {
		return err
	}
	return numpy.WriteNPZ(path, arrays)
}

// networkFile returns the arrays SaveNetwork writes.
func networkFile(net *dynamics.Network, extra []numpy.Array) ([]numpy.Array, error) {
	for _, e := range extra {
		switch e.Name {
		case KeyW, KeyB, KeyWIn, KeyU, KeyTau, KeyActivation, KeyConvention, KeyAlpha:
			return nil, fmt.Errorf("numpy: extra array %q clashes with a network key", e.Name)
		}
	}
	return append(NetworkArrays(net), extra...), nil
}
