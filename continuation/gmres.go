package continuation

import "math"

// GMRES settings of the matrix-free bordered solves.
const (
	// gmresRestart is the Krylov space's size before a restart.
	gmresRestart = 60
	// gmresMaxProducts bounds the products of one solve; beyond it the
	// solve falls back to the dense factorisation.
	gmresMaxProducts = 300
	// gmresTol is the relative residual a solve reaches: |A z - b| <=
	// gmresTol |b|.
	gmresTol = 1e-11
)

// krylovSpace is GMRES's workspace: the basis (restart + 1 vectors of
// N + 1), the Hessenberg matrix and the Givens rotations.
type krylovSpace struct {
	v      [][]float64
	h      [][]float64 // h[j] is column j, restart + 1 entries
	cs, sn []float64
	g      []float64
	av     []float64
}

func newKrylovSpace(n int) *krylovSpace {
	k := &krylovSpace{cs: make([]float64, gmresRestart), sn: make([]float64, gmresRestart), g: make([]float64, gmresRestart+1), av: make([]float64, n)}
	for range gmresRestart + 1 {
		k.v = append(k.v, make([]float64, n))
	}
	for range gmresRestart {
		k.h = append(k.h, make([]float64, gmresRestart+1))
	}
	return k
}

// apply writes the product of the prepared bordered matrix [J dF/dp; r]
// with z into dst: (J z_h + dF/dp z_p, r . z), J z_h from one product with
// W (dynamics.Network.JacVecAt), no N x N matrix.
func (w *work) apply(dst, z []float64) {
	n := w.n
	w.net.JacVecAt(dst[:n], w.d, z[:n])
	zp := z[n]
	for i := range n {
		dst[i] += w.gp[i] * zp
	}
	dst[n] = dotPlain(w.r, z)
	w.stat.Products++
}

// gmres overwrites b with the solution of the prepared bordered system by
// restarted GMRES (Saad and Schultz 1986; modified Gram-Schmidt, Givens
// rotations) from zero, to a relative residual of gmresTol. It reports
// false, leaving b as it was, when gmresMaxProducts products do not get
// there.
func (w *work) gmres(b []float64) bool {
	m := w.n + 1
	if w.kry == nil {
		w.kry = newKrylovSpace(m)
	}
	k := w.kry
	bn := math.Sqrt(dotPlain(b, b))
	if bn == 0 {
		return true
	}
	x := make([]float64, m)
	r := append([]float64(nil), b...)
	products := 0
	for products < gmresMaxProducts {
		beta := math.Sqrt(dotPlain(r, r))
		if beta <= gmresTol*bn {
			copy(b, x)
			return true
		}
		for i := range r {
			k.v[0][i] = r[i] / beta
		}
		for i := range k.g {
			k.g[i] = 0
		}
		k.g[0] = beta
		j := 0
		for ; j < gmresRestart && products < gmresMaxProducts; j++ {
			w.apply(k.v[j+1], k.v[j])
			products++
			hj := k.h[j]
			for i := 0; i <= j; i++ {
				hj[i] = dotPlain(k.v[j+1], k.v[i])
				axpy(k.v[j+1], -hj[i], k.v[i])
			}
			hj[j+1] = math.Sqrt(dotPlain(k.v[j+1], k.v[j+1]))
			if hj[j+1] > 0 {
				for i := range k.v[j+1] {
					k.v[j+1][i] /= hj[j+1]
				}
			}
			for i := 0; i < j; i++ {
				a, c := hj[i], hj[i+1]
				hj[i], hj[i+1] = k.cs[i]*a+k.sn[i]*c, -k.sn[i]*a+k.cs[i]*c
			}
			d := math.Hypot(hj[j], hj[j+1])
			if d == 0 {
				return false
			}
			k.cs[j], k.sn[j] = hj[j]/d, hj[j+1]/d
			hj[j], hj[j+1] = d, 0
			k.g[j+1] = -k.sn[j] * k.g[j]
			k.g[j] = k.cs[j] * k.g[j]
			if math.Abs(k.g[j+1]) <= gmresTol*bn {
				j++
				break
			}
		}
		// x += V y, with H y = g solved by back substitution.
		y := make([]float64, j)
		for i := j - 1; i >= 0; i-- {
			s := k.g[i]
			for l := i + 1; l < j; l++ {
				s -= k.h[l][i] * y[l]
			}
			y[i] = s / k.h[i][i]
		}
		for i := range j {
			axpy(x, y[i], k.v[i])
		}
		// The true residual, against the drift of the recurrence.
		w.apply(r, x)
		products++
		for i := range r {
			r[i] = b[i] - r[i]
		}
		if math.IsNaN(r[0]) {
			return false
		}
	}
	if math.Sqrt(dotPlain(r, r)) <= gmresTol*bn {
		copy(b, x)
		return true
	}
	return false
}

// axpy adds a x to y.
func axpy(y []float64, a float64, x []float64) {
	for i := range y {
		y[i] += a * x[i]
	}
}
