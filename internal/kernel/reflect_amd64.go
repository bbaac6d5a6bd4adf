package kernel

// reflect3AVX2 is Reflect3's loop on n columns (a multiple of 4, > 0), with
// t0 = tau, t1 = tau v1, t2 = tau v2.
//
//go:noescape
func reflect3AVX2(r0, r1, r2 *float64, n int, v1, v2, t0, t1, t2 float64)
