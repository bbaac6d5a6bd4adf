package fixedpoint

import "github.com/fpfind/fpfind/internal/kernel"

// lbfgs is the limited-memory BFGS inverse Hessian in the compact form of
// Byrd, Nocedal and Schnabel (1994), eq. (3.1):
//
//	H = γI + [S γY] [R⁻ᵀ(D + γYᵀY)R⁻¹  -R⁻ᵀ; -R⁻¹  0] [Sᵀ; γYᵀ]
//
// with S, Y the last m curvature pairs (oldest first), R the upper triangle
// of SᵀY, D its diagonal and γ = sᵀy/yᵀy of the newest pair. H g equals
// the two-loop recursion's (Nocedal and Wright 2006, Alg. 7.4) in exact
// arithmetic, but its O(mN) work is two streaming products with the stacked
// pairs (Sᵀg and Yᵀg in one, the combination in the other) instead of 4m
// short dot and axpy calls in sequence: with m = 100 at N = 200 the
// two-loop recursion cost more than the gradient itself.
//
// The products of a new pair y = g⁺ - g with the kept ones come from those
// with the two gradients, which the directions need anyway (Sᵀy = Sᵀg⁺ -
// Sᵀg), so adding a pair costs two dot products. The small matrices are kept
// in chronological order in a window of a 2m x 2m array that slides by one
// per dropped pair and is moved back to the start once every m pairs, so
// the triangular solves run over contiguous memory.
type lbfgs struct {
	n, m       int
	pairs      []float64 // 2m x n: s of slot j in row 2j, y in row 2j+1
	hist, next int       // kept pairs; slot of the next pair
	gamma      float64

	// Window: chronological pair c is at index w0+c of the small arrays.
	w0, cap2 int
	r, rt    []float64 // cap2 x cap2: r[i][j] = rt[j][i] = s_i^T y_j, i <= j
	yy       []float64 // cap2 x cap2: y_i^T y_j

	p, pOld   []float64 // 2m by slot: products of the pairs with g, with the previous g
	pending   bool      // a pair was added since the last direction
	coef      []float64 // 2m by slot: combination coefficients
	p1, p2, a []float64 // m, chronological: Sᵀg, Yᵀg, R⁻¹Sᵀg
	t         []float64 // m, chronological
}

func newLBFGS(n, m int) *lbfgs {
	c := 2 * m
	return &lbfgs{
		n: n, m: m, cap2: c,
		pairs: make([]float64, 2*m*n),
		r:     make([]float64, c*c), rt: make([]float64, c*c), yy: make([]float64, c*c),
		p: make([]float64, 2*m), pOld: make([]float64, 2*m), coef: make([]float64, 2*m),
		p1: make([]float64, m), p2: make([]float64, m), a: make([]float64, m), t: make([]float64, m),
	}
}

// reset forgets every pair.
func (l *lbfgs) reset() {
	l.hist, l.next, l.w0 = 0, 0, 0
	l.pending = false
}

// slot returns the slot (row pair of pairs) of the c-th oldest kept pair.
func (l *lbfgs) slot(c int) int {
	if l.hist < l.m {
		return c
	}
	return (l.next + c) % l.m
}

// add appends the pair (s, y) with sᵀy > 0, where y is the difference of
// the gradient after the step and the one the last direction was computed
// for, dropping the oldest pair when m are kept.
func (l *lbfgs) add(s, y []float64) {
	m, k, c := l.m, l.next, l.cap2
	if l.hist == m {
		l.w0++ // drop the oldest
		l.hist--
	}
	if l.w0+l.hist+1 > c {
		l.slide()
	}
	copy(l.pairs[2*k*l.n:], s)
	copy(l.pairs[(2*k+1)*l.n:(2*k+2)*l.n], y)
	pos := l.w0 + l.hist
	sy, yy := dot(s, y), dot(y, y)
	l.r[pos*c+pos], l.rt[pos*c+pos], l.yy[pos*c+pos] = sy, sy, yy
	l.gamma = sy / yy
	l.next = (k + 1) % m
	l.hist++
	// The products with the older pairs follow at the next direction, from
	// those with the new gradient.
	l.pending = l.hist > 1
}

// slide moves the window of the small arrays back to their start.
func (l *lbfgs) slide() {
	c, h, w0 := l.cap2, l.hist, l.w0
	for _, a := range [][]float64{l.r, l.rt, l.yy} {
		for i := 0; i < h; i++ {
			copy(a[i*c:i*c+h], a[(w0+i)*c+w0:(w0+i)*c+w0+h])
		}
	}
	l.w0 = 0
}

// direction writes d = -H g; with no pair kept it writes -g.
func (l *lbfgs) direction(d, g []float64) {
	h, c := l.hist, l.cap2
	if h == 0 {
		for i, v := range g {
			d[i] = -v
		}
		return
	}
	rows := 2 * h
	kernel.Gemv(l.p[:rows], 0, l.pairs, l.n, g)
	if l.pending {
		// Products of the newest pair with the older ones: Sᵀy = Sᵀg - Sᵀg_old.
		nw := l.w0 + h - 1
		for j := 0; j < h-1; j++ {
			sj, pj := l.slot(j), l.w0+j
			sy := l.p[2*sj] - l.pOld[2*sj]
			yy := l.p[2*sj+1] - l.pOld[2*sj+1]
			l.r[pj*c+nw], l.rt[nw*c+pj] = sy, sy
			l.yy[pj*c+nw], l.yy[nw*c+pj] = yy, yy
		}
		l.pending = false
	}
	copy(l.pOld[:rows], l.p[:rows])
	p1, p2, a, t := l.p1[:h], l.p2[:h], l.a[:h], l.t[:h]
	for j := 0; j < h; j++ {
		s := l.slot(j)
		p1[j], p2[j] = l.p[2*s], l.p[2*s+1]
	}
	w0 := l.w0
	r, rt := l.r[w0*c+w0:], l.rt[w0*c+w0:] // R and Rᵀ from the window's corner
	// a = R⁻¹ Sᵀg by blocked back substitution: the rows of a block less
	// the solved part below it (one product), then the block's triangle.
	copy(a, p1)
	for j1 := h; j1 > 0; j1 -= triBlock {
		j0 := max(j1-triBlock, 0)
		if j1 < h {
			kernel.Gemv(t[j0:j1], 0, r[j0*c+j1:], c, a[j1:h])
			for j := j0; j < j1; j++ {
				a[j] -= t[j]
			}
		}
		for j := j1 - 1; j >= j0; j-- {
			row := r[j*c:]
			a[j] = (a[j] - dotPlain(row[j+1:j1], a[j+1:j1])) / row[j]
		}
	}
	// t = (D + γYᵀY) a - γYᵀg.
	kernel.Gemv(t, 0, l.yy[w0*c+w0:], c, a)
	for j := range t {
		t[j] = r[j*c+j]*a[j] + l.gamma*(t[j]-p2[j])
	}
	// t <- R⁻ᵀ t by blocked forward substitution on the rows of Rᵀ.
	u := l.p1[:h] // Sᵀg is no longer needed
	for j0 := 0; j0 < h; j0 += triBlock {
		j1 := min(j0+triBlock, h)
		if j0 > 0 {
			kernel.Gemv(u[j0:j1], 0, rt[j0*c:], c, t[:j0])
			for j := j0; j < j1; j++ {
				t[j] -= u[j]
			}
		}
		for j := j0; j < j1; j++ {
			row := rt[j*c:]
			t[j] = (t[j] - dotPlain(row[j0:j], t[j0:j])) / row[j]
		}
	}
	// d = -(γg + S R⁻ᵀt - γY a).
	for j := 0; j < h; j++ {
		s := l.slot(j)
		l.coef[2*s] = -t[j]
		l.coef[2*s+1] = l.gamma * a[j]
	}
	for i, v := range g {
		d[i] = -l.gamma * v
	}
	kernel.GemvT(d, 1, l.pairs, l.n, l.coef[:rows])
}

// triBlock is the block size of the triangular solves.
const triBlock = 16

// dotPlain is a dot product of short vectors with four accumulators.
func dotPlain(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}
