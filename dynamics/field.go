package dynamics

import (
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/internal/kernel"
)

var impl = blas64.Implementation()

// row returns row i of the recurrent weights.
func (n *Network) row(i int) []float64 {
	return n.w.Data[i*n.w.Stride : i*n.w.Stride+n.n]
}

func alias(a, b []float64) bool { return len(a) > 0 && len(b) > 0 && &a[0] == &b[0] }

// PreActivation writes x(h) = W h + W_in u + b into dst. dst and h must have
// length N and must not be the same slice.
func (n *Network) PreActivation(dst, h []float64) {
	n.checkLen(dst, h)
	if alias(dst, h) {
		panic("dynamics: dst aliases h")
	}
	copy(dst, n.c)
	kernel.Gemv(dst, 1, n.w.Data, n.w.Stride, h)
}

// Field writes F(h) = (-h + phi(x(h))) / tau into dst. dst and h must have
// length N and must not be the same slice; h is not modified.
func (n *Network) Field(dst, h []float64) {
	n.PreActivation(dst, h)
	n.finishField(dst, h)
}

// finishField turns dst = x(h) into F(h).
func (n *Network) finishField(dst, h []float64) { n.finishRows(dst, h, 0) }

// finishRows turns dst = x(h)[r0:r0+len(dst)] into the field of those rows;
// h holds the same rows of the state.
func (n *Network) finishRows(dst, h []float64, r0 int) {
	act, it := n.act, n.invTau[r0:r0+len(dst)]
	switch act {
	case Tanh:
		tanhRow(dst, dst)
		for i, p := range dst {
			dst[i] = (p - h[i]) * it[i]
		}
	default:
		for i, x := range dst {
			dst[i] = (act.Phi(x) - h[i]) * it[i]
		}
	}
}

// FieldInput writes F(h) for the input u (length M) in place of the
// network's constant input into dst: (-h + phi(W h + W_in u + b)) / tau.
// It is the field of a time-varying input u(t).
func (n *Network) FieldInput(dst, h, u []float64) {
	n.checkLen(dst, h)
	if len(u) != n.m {
		panic(badLen)
	}
	if alias(dst, h) {
		panic("dynamics: dst aliases h")
	}
	copy(dst, n.b)
	if n.m > 0 {
		kernel.Gemv(dst, 1, n.win.Data, n.win.Stride, u)
	}
	kernel.Gemv(dst, 1, n.w.Data, n.w.Stride, h)
	n.finishField(dst, h)
}

// Map writes the update of a map convention into dst: h + alpha (-h +
// phi(x)) for Leaky and phi(x) for Discrete. For Continuous it writes
// h + tau F(h), the fixed point iteration h <- phi(x). dst must not be h.
func (n *Network) Map(dst, h []float64) {
	n.PreActivation(dst, h)
	a := n.alpha
	for i, x := range dst {
		p := n.act.Phi(x)
		if n.conv == Leaky {
			dst[i] = h[i] + a*(p-h[i])
		} else {
			dst[i] = p
		}
	}
}

// PhiPrime writes phi'(x(h)) into dst, the diagonal that [Network.JacVecAt]
// and [Network.OperatorVecAt] take. dst must not be h.
func (n *Network) PhiPrime(dst, h []float64) {
	n.PreActivation(dst, h)
	for i, x := range dst {
		dst[i] = n.act.D1(x)
	}
}

// Jacobian writes J(h) = diag(1/tau) (-I + diag(phi'(x)) W) into dst, in
// numerator layout: dst[i][j] = dF_i/dh_j. An empty dst is resized to
// N x N; a dst of another shape panics. It uses no scratch memory.
func (n *Network) Jacobian(dst *mat.Dense, h []float64) {
	n.checkLen(h)
	n.scaledRows(n.sized(dst), h, 1, 0, true)
}

// Operator writes the linear operator of the network's convention at h into
// dst: J(h) for Continuous, (1-alpha) I + alpha diag(phi') W for Leaky and
// diag(phi') W for Discrete (docs/DESIGN.md section 1). Its sizing rules are
// those of [Network.Jacobian].
func (n *Network) Operator(dst *mat.Dense, h []float64) {
	n.checkLen(h)
	d := n.sized(dst)
	switch n.conv {
	case Continuous:
		n.scaledRows(d, h, 1, 0, true)
	case Leaky:
		n.scaledRows(d, h, n.alpha, 1-n.alpha, false)
	default:
		n.scaledRows(d, h, 1, 0, false)
	}
}

// scaledRows writes row i of d as s_i W_i plus a diagonal term, with
// s_i = scale phi'(x_i) and diagonal diag, or, when perTau is set,
// s_i = scale phi'(x_i) / tau_i and diagonal -1/tau_i (the Jacobian). The
// last row of d holds x(h) until it is itself written, so no scratch memory
// is needed, and x is bit-identical to [Network.PreActivation]'s.
func (n *Network) scaledRows(d blas64.General, h []float64, scale, diag float64, perTau bool) {
	x := d.Data[(n.n-1)*d.Stride : (n.n-1)*d.Stride+n.n]
	copy(x, n.c)
	kernel.Gemv(x, 1, n.w.Data, n.w.Stride, h)
	for i := 0; i < n.n; i++ {
		s := scale * n.act.D1(x[i])
		di := d.Data[i*d.Stride : i*d.Stride+n.n]
		dg := diag
		if perTau {
			s *= n.invTau[i]
			dg = -n.invTau[i]
		}
		copy(di, n.row(i))
		impl.Dscal(n.n, s, di, 1)
		di[i] += dg
	}
}

// InputJacobian writes dF/du = diag(phi'(x)/tau) W_in (N x M) into dst: the
// direction in which each input channel pushes the state at h. An empty dst
// is resized. It panics when the network has no input.
func (n *Network) InputJacobian(dst *mat.Dense, h []float64) {
	n.checkLen(h)
	if n.m == 0 {
		panic("dynamics: network has no input")
	}
	if dst.IsEmpty() {
		dst.ReuseAs(n.n, n.m)
	}
	if r, c := dst.Dims(); r != n.n || c != n.m {
		panic(badShape)
	}
	d := dst.RawMatrix()
	for i := 0; i < n.n; i++ {
		x := impl.Ddot(n.n, n.row(i), 1, h, 1) + n.c[i]
		s := n.act.D1(x) * n.invTau[i]
		src := n.win.Data[i*n.win.Stride : i*n.win.Stride+n.m]
		di := d.Data[i*d.Stride : i*d.Stride+n.m]
		for j, w := range src {
			di[j] = s * w
		}
	}
}

func (n *Network) sized(dst *mat.Dense) blas64.General {
	if dst.IsEmpty() {
		dst.ReuseAs(n.n, n.n)
	}
	if r, c := dst.Dims(); r != n.n || c != n.n {
		panic(badShape)
	}
	return dst.RawMatrix()
}

// JacVec writes J(h) v into dst without forming J: (-v + phi'(x) ⊙ (W v)) / tau.
// It reads W once. dst must not alias h or v.
func (n *Network) JacVec(dst, h, v []float64) {
	n.checkLen(dst, h, v)
	if alias(dst, h) || alias(dst, v) {
		panic("dynamics: dst aliases an argument")
	}
	// Blocks of rows: x(h) into a stack buffer and W v into dst, both from
	// one pass over the rows (kernel.Gemv2); x is bit-identical to
	// PreActivation's.
	var xb [jacVecBlock]float64
	for i0 := 0; i0 < n.n; i0 += jacVecBlock {
		i1 := min(i0+jacVecBlock, n.n)
		x, wv := xb[:i1-i0], dst[i0:i1]
		copy(x, n.c[i0:i1])
		clear(wv)
		kernel.Gemv2(x, wv, 1, n.w.Data[i0*n.w.Stride:], n.w.Stride, h, v)
		for k, xi := range x {
			i := i0 + k
			dst[i] = (n.act.D1(xi)*wv[k] - v[i]) * n.invTau[i]
		}
	}
}

// jacVecBlock is the number of rows JacVec takes at a time.
const jacVecBlock = 64

// JacTVec writes J(h)^T v into dst without forming J:
// -v/tau + W^T (phi'(x) ⊙ v / tau). It reads W once from memory (each block
// of rows twice, the second time from cache). dst must not alias h or v.
func (n *Network) JacTVec(dst, h, v []float64) {
	n.checkLen(dst, h, v)
	if alias(dst, h) || alias(dst, v) {
		panic("dynamics: dst aliases an argument")
	}
	// Blocks of rows small enough to stay in cache: x(h) of the block
	// (bit-identical to PreActivation's), then the weights
	// phi'(x_i) v_i / tau_i in place of x, then W_block^T weights into dst.
	blk := jacTBlockRows(n.n)
	var xb [jacVecBlock]float64
	clear(dst)
	for i0 := 0; i0 < n.n; i0 += blk {
		i1 := min(i0+blk, n.n)
		x, rows := xb[:i1-i0], n.w.Data[i0*n.w.Stride:]
		copy(x, n.c[i0:i1])
		kernel.Gemv(x, 1, rows, n.w.Stride, h)
		for k, xi := range x {
			i := i0 + k
			x[k] = n.act.D1(xi) * v[i] * n.invTau[i]
		}
		kernel.GemvT(dst, 1, rows, n.w.Stride, x)
	}
	for i := range dst {
		dst[i] -= v[i] * n.invTau[i]
	}
}

// jacTBlockRows is the number of rows of W that JacTVec takes at a time:
// about 128 KiB of W, a multiple of 4 between 4 and jacVecBlock.
func jacTBlockRows(n int) int {
	return max(4, min(jacVecBlock, (1<<14)/max(n, 1)&^3))
}

// JacVecAt writes J v into dst for the state whose phi'(x) is d (from
// [Network.PhiPrime]): one matrix-vector product, for Krylov methods that
// apply the same J many times. dst must not alias d or v.
func (n *Network) JacVecAt(dst, d, v []float64) {
	n.checkLen(dst, d, v)
	if alias(dst, d) || alias(dst, v) {
		panic("dynamics: dst aliases an argument")
	}
	kernel.Gemv(dst, 0, n.w.Data, n.w.Stride, v)
	for i, wv := range dst {
		dst[i] = (d[i]*wv - v[i]) * n.invTau[i]
	}
}

// JacTVecAt writes J^T v into dst for the state whose phi'(x) is d.
// dst must not alias d or v.
func (n *Network) JacTVecAt(dst, d, v []float64) {
	n.checkLen(dst, d, v)
	if alias(dst, d) || alias(dst, v) {
		panic("dynamics: dst aliases an argument")
	}
	// W^T (d ⊙ v / tau) in blocks of rows, the weights in a stack buffer.
	var wb [jacVecBlock]float64
	clear(dst)
	for i0 := 0; i0 < n.n; i0 += jacVecBlock {
		i1 := min(i0+jacVecBlock, n.n)
		w := wb[:i1-i0]
		for k := range w {
			i := i0 + k
			w[k] = d[i] * v[i] * n.invTau[i]
		}
		kernel.GemvT(dst, 1, n.w.Data[i0*n.w.Stride:], n.w.Stride, w)
	}
	for i := range dst {
		dst[i] -= v[i] * n.invTau[i]
	}
}

// OperatorVecAt writes (operator) v into dst for the state whose phi'(x) is
// d: J v, ((1-alpha) I + alpha diag(d) W) v or diag(d) W v, following the
// convention. dst must not alias d or v.
func (n *Network) OperatorVecAt(dst, d, v []float64) {
	if n.conv == Continuous {
		n.JacVecAt(dst, d, v)
		return
	}
	n.checkLen(dst, d, v)
	if alias(dst, d) || alias(dst, v) {
		panic("dynamics: dst aliases an argument")
	}
	kernel.Gemv(dst, 0, n.w.Data, n.w.Stride, v)
	if n.conv == Leaky {
		a := n.alpha
		for i, wv := range dst {
			dst[i] = (1-a)*v[i] + a*d[i]*wv
		}
		return
	}
	for i, wv := range dst {
		dst[i] = d[i] * wv
	}
}

// Speed writes F(h) into f and returns q(h) = |F(h)|^2 / 2. f must not be h.
func (n *Network) Speed(f, h []float64) float64 {
	n.Field(f, h)
	return impl.Ddot(n.n, f, 1, f, 1) / 2
}

// SpeedGrad writes F(h) into f and the gradient of the speed, J(h)^T F(h),
// into grad, and returns q(h) = |F(h)|^2 / 2. It uses no scratch memory but
// a small stack buffer: x(h) is formed in f by one matrix-vector product (so
// f is bit-identical to [Network.Field]'s result), then, in blocks of rows,
// x is turned into F and the block's rows of W are added into grad
// (internal/kernel's GemvT). grad is bit-identical to [Network.JacTVec]'s
// J(h)^T f. grad, f and h must be distinct slices.
func (n *Network) SpeedGrad(grad, f, h []float64) float64 {
	n.checkLen(grad, f, h)
	if alias(grad, f) || alias(grad, h) || alias(f, h) {
		panic("dynamics: arguments alias")
	}
	clear(grad)
	n.PreActivation(f, h)
	var q float64
	var wb [jacVecBlock]float64
	for i0 := 0; i0 < n.n; i0 += jacVecBlock {
		i1 := min(i0+jacVecBlock, n.n)
		w := wb[:i1-i0]
		n.phiRow(w, f[i0:i1])
		for k := range w {
			i := i0 + k
			p, d1 := n.act.phiD1From(w[k], f[i])
			fi := (p - h[i]) * n.invTau[i]
			f[i] = fi
			q += fi * fi
			w[k] = d1 * fi * n.invTau[i]
		}
		kernel.GemvT(grad, 1, n.w.Data[i0*n.w.Stride:], n.w.Stride, w)
	}
	for i := range grad {
		grad[i] -= f[i] * n.invTau[i]
	}
	return q / 2
}
