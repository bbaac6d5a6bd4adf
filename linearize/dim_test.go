package linearize

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/fpfind/fpfind/dynamics"
	"github.com/fpfind/fpfind/internal/nettest"
)

// TestParticipationRatioExact: states +-a_i q_i along orthonormal q_i have
// covariance sum_i (a_i^2 / (T-1)) 2 q_i q_i^T, so PR = (sum a_i^2)^2 /
// sum a_i^4; equal a_i give PR = k.
func TestParticipationRatioExact(t *testing.T) {
	n := 7
	q := randOrthogonal(n, 4)
	for _, amps := range [][]float64{{1, 1, 1}, {2}, {1, 2, 3, 0.5}, {1, 1, 1, 1, 1, 1, 1}} {
		k := len(amps)
		x := mat.NewDense(2*k, n, nil)
		for i, a := range amps {
			for j := 0; j < n; j++ {
				x.Set(2*i, j, 3+a*q.At(j, i)) // an offset: the mean is removed
				x.Set(2*i+1, j, 3-a*q.At(j, i))
			}
		}
		var s2, s4 float64
		for _, a := range amps {
			s2 += a * a
			s4 += a * a * a * a
		}
		want := s2 * s2 / s4
		got, err := ParticipationRatio(x)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-want) > 1e-12*want {
			t.Errorf("amps %v: PR %v, want %v", amps, got, want)
		}
		// The transpose path (T < N) and the other (T >= N) agree.
		p, err := PrincipalComponents(x, 0)
		if err != nil {
			t.Fatal(err)
		}
		sum, sq := 0.0, 0.0
		for _, v := range p.Variances {
			sum += v
			sq += v * v
		}
		if math.Abs(sum*sum/sq-want) > 1e-9*want || math.Abs(sum-p.Total) > 1e-12*p.Total {
			t.Errorf("amps %v: PR from PCA %v, want %v", amps, sum*sum/sq, want)
		}
		// The leading component is +-q_i of the largest amplitude.
		im := 0
		for i, a := range amps {
			if a > amps[im] {
				im = i
			}
		}
		dot := 0.0
		for j := 0; j < n; j++ {
			dot += p.Components.At(j, 0) * q.At(j, im)
		}
		if (len(amps) == 1 || amps[0] != amps[1]) && math.Abs(math.Abs(dot)-1) > 1e-9 {
			t.Errorf("amps %v: leading component overlap %v", amps, dot)
		}
	}
	if _, err := ParticipationRatio(mat.NewDense(1, 3, nil)); err == nil {
		t.Error("one state accepted")
	}
	if _, err := PrincipalComponents(mat.NewDense(3, 3, nil), 4); !errors.Is(err, ErrNoComponents) {
		t.Errorf("k > N: %v", err)
	}
	bad := mat.NewDense(2, 2, []float64{1, 2, math.NaN(), 0})
	if _, err := PrincipalComponents(bad, 1); err == nil {
		t.Error("NaN accepted")
	}
}

// TestPCANumpy compares the variances, components (up to sign), the
// projection and the participation ratio with numpy on random data.
func TestPCANumpy(t *testing.T) {
	const tt, n, k = 60, 8, 3
	x := randDense(tt, n, 1, 17)
	// Give the data structure: scale columns.
	for j := 0; j < n; j++ {
		for i := 0; i < tt; i++ {
			x.Set(i, j, x.At(i, j)*float64(n-j)+0.1*float64(j))
		}
	}
	out := python(t, readMatrixPy+`
Xc = A - A.mean(axis=0)
U, s, Vt = np.linalg.svd(Xc, full_matrices=False)
var = s**2 / (A.shape[0] - 1)
C = np.cov(A, rowvar=False)
mu = np.linalg.eigvalsh(C)
print(repr(float(mu.sum()**2 / (mu**2).sum())))
print(" ".join(repr(float(v)) for v in var[:3]))
for i in range(3):
    v = Vt[i]
    v = v * np.sign(v[np.argmax(np.abs(v))])
    print(" ".join(repr(float(e)) for e in v))
`, matrixText(x))
	lines := strings.Split(strings.TrimSpace(out), "\n")
	nums := func(s string) []float64 {
		var r []float64
		for _, f := range strings.Fields(s) {
			v, _ := strconv.ParseFloat(f, 64)
			r = append(r, v)
		}
		return r
	}
	pr, err := ParticipationRatio(x)
	if err != nil {
		t.Fatal(err)
	}
	if want := nums(lines[0])[0]; math.Abs(pr-want) > 1e-12*want {
		t.Errorf("PR %v, numpy %v", pr, want)
	}
	p, err := PrincipalComponents(x, k)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range nums(lines[1]) {
		if math.Abs(p.Variances[i]-v) > 1e-11*v {
			t.Errorf("variance %d: %v, numpy %v", i, p.Variances[i], v)
		}
	}
	for c := 0; c < k; c++ {
		for j, v := range nums(lines[2+c]) {
			if math.Abs(p.Components.At(j, c)-v) > 1e-9 {
				t.Errorf("component %d[%d]: %v, numpy %v", c, j, p.Components.At(j, c), v)
			}
		}
	}
	proj := p.Project(nil, x)
	for c := 0; c < k; c++ {
		m, v := 0.0, 0.0
		for i := 0; i < tt; i++ {
			m += proj.At(i, c)
		}
		for i := 0; i < tt; i++ {
			v += proj.At(i, c) * proj.At(i, c)
		}
		if math.Abs(m) > 1e-10 || math.Abs(v/(tt-1)-p.Variances[c]) > 1e-10*p.Variances[c] {
			t.Errorf("projection %d: mean %v variance %v, want 0 and %v", c, m, v/(tt-1), p.Variances[c])
		}
	}
}

// TestOverlaps: v = sum_k r_k (u_k^H v) with biorthonormal left vectors,
// and InputJacobian against finite differences of one step of each
// convention in u.
func TestOverlaps(t *testing.T) {
	const n, m = 9, 2
	w := randDense(n, n, 1.2/math.Sqrt(n), 50)
	win := randDense(n, m, 1, 51)
	u := []float64{0.3, -0.2}
	h := randVec(n, 0.5, 52)
	for _, cv := range []struct {
		conv  dynamics.Convention
		alpha float64
	}{{dynamics.Continuous, 0}, {dynamics.Leaky, 0.3}, {dynamics.Discrete, 0}} {
		net := nettest.Must(t, dynamics.Config{W: w, WIn: win, U: u, B: randVec(n, 0.1, 53), Tau: []float64{1.5}, Convention: cv.conv, Alpha: cv.alpha})
		b, err := InputJacobian(net, h)
		if err != nil {
			t.Fatal(err)
		}
		// Finite differences of the step map (maps) or field (continuous).
		step := func(uu []float64) []float64 {
			nn, err := net.WithInput(uu)
			if err != nil {
				t.Fatal(err)
			}
			out := make([]float64, n)
			if cv.conv == dynamics.Continuous {
				nn.Field(out, h)
			} else {
				nn.Map(out, h)
			}
			return out
		}
		const d = 1e-6
		for j := 0; j < m; j++ {
			up, um := append([]float64(nil), u...), append([]float64(nil), u...)
			up[j] += d
			um[j] -= d
			fp, fm := step(up), step(um)
			for i := 0; i < n; i++ {
				if fd := (fp[i] - fm[i]) / (2 * d); math.Abs(fd-b.At(i, j)) > 1e-8 {
					t.Errorf("%v: dstep/du[%d][%d] = %v, finite difference %v", cv.conv, i, j, b.At(i, j), fd)
				}
			}
		}
		sp, err := At(net, h, &Settings{Vectors: LeftRightVectors})
		if err != nil {
			t.Fatal(err)
		}
		col := mat.Col(nil, 0, b)
		c := sp.LeftOverlap(nil, col)
		for i := 0; i < n; i++ {
			var s complex128
			for k := range c {
				s += sp.Right.At(i, k) * c[k]
			}
			if cmplx.Abs(s-complex(col[i], 0)) > 1e-12 {
				t.Fatalf("%v: reconstruction %v, want %v", cv.conv, s, col[i])
			}
		}
		ro := sp.RightOverlap(nil, col)
		for k := range ro {
			var s complex128
			for i := 0; i < n; i++ {
				s += sp.Right.At(i, k) * complex(col[i], 0)
			}
			if cmplx.Abs(s-ro[k]) > 1e-14 {
				t.Errorf("right overlap %v, want %v", ro[k], s)
			}
		}
	}
	noIn := nettest.Must(t, dynamics.Config{W: w})
	if _, err := InputJacobian(noIn, h); err == nil {
		t.Error("no input: no error")
	}
	_ = fmt.Sprint
}
