//go:build !amd64

package kernel

func reflect3AVX2(r0, r1, r2 *float64, n int, v1, v2, t0, t1, t2 float64) {
	panic("kernel: no assembly on this architecture")
}
