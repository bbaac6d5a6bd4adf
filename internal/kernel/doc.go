// Package kernel holds fpfind's dense kernels, used in both builds (the
// OpenBLAS build replaces only LAPACK-level routines):
//
//   - matrix-vector products: y = beta y + A x for a row-major A ([Gemv]),
//     the dual product of one matrix with two vectors in a single pass over
//     it ([Gemv2]), and the transposed product y = beta y + A^T x ([GemvT]);
//   - matrix-matrix products C += A B ([GemmNN]), register-blocked, for
//     the trailing updates of internal/dense's blocked LU, and the upper
//     triangle of a symmetric product ([GemmUpper]: the speed's Hessian,
//     attractor's Gram matrices);
//   - a matrix packed once into the blocks of that kernel ([Packed], [Pack],
//     [PackTransposed]) and multiplied by many times ([GemmPacked]): the
//     network's W and W^T, so that the products of a batch of states share
//     one pass over W;
//   - [TraceSGDDot] and [TraceSGDDotRows], an eligibility trace advanced,
//     its gradient-descent step applied and the new weights' product with
//     a vector formed in one pass (train's online RFLO), with the bits of
//     the scalar expressions and of Gemv, each row followed by a
//     [TraceTail] of more traces and weights outside the product (the
//     inputs' and the bias's), and [DescendOuter], the delta rule's step
//     on a readout;
//   - [Tanh] of a vector, four lanes at a time, with math.Tanh's bits;
//   - [Reflect3], a Householder reflector of three elements applied to three
//     rows (the bulge-chasing updates of internal/eigen's QR sweeps);
//   - [ForRows], which splits rows among goroutines.
//
// The sections below are about the matrix-vector kernels; gemm.go and
// packed.go document the blocking of the matrix-matrix ones.
//
// A matrix-vector product reads each element of A once and does one
// multiply-add with it, so for matrices larger than the caches its speed is
// the memory bandwidth: 8 bytes of A per multiply-add. gonum's Dgemv (v0.17.0)
// uses SSE2 (two float64 per instruction, separate multiply and add) and on
// the machine of bench/ode_results.md ran 2.5x behind numpy's OpenBLAS at
// N = 1024. On amd64 CPUs with AVX2 and FMA (detected at run time with
// CPUID and XGETBV), [Gemv] and [Gemv2] use an assembly kernel that takes
// four rows of A at a time (two for [Gemv2]) with two 4-wide fused
// multiply-add accumulators per row and per vector, so each chunk of x is
// loaded once for several rows; elsewhere they use a pure-Go loop.
//
// # Summation order
//
// Every row is summed in the same fixed order whatever its position, the
// number of rows, or the kernel (4-row, 1-row, dual): with c = cols,
//
//	s0 = sum over k of A[i, 8k:8k+4] . x[8k:8k+4]   (4 lanes, FMA, k < c/8),
//	     then one more 4-chunk if c mod 8 >= 4,
//	s1 = sum over k of A[i, 8k+4:8k+8] . x[8k+4:8k+8],
//	s  = ((s0+s1)[0] + (s0+s1)[2]) + ((s0+s1)[1] + (s0+s1)[3]),
//	s  = fma(A[i,j], x[j], s) for the last c mod 4 columns in order,
//	y[i] = s + beta y[i].
//
// So results are deterministic and independent of how the rows are split
// among goroutines: a product computed in row blocks is bit-identical to the
// whole one, and [Gemv2] is bit-identical to two [Gemv] calls. They differ
// from gonum's Dgemv in the last bits (another order); the error bound is
// the usual one for a dot product, |y - Ax| <= gamma_c sum_j |A_ij||x_j|
// with gamma_c = c u / (1 - c u), u = 2^-53. The pure-Go fallback sums in
// another fixed order without fused multiply-adds, so its results differ in
// the last bits from the assembly's but are deterministic too.
//
// # The transposed product
//
// [GemvT] reads A row by row, as the loop of axpy operations
// y += x[i] A[i,:] does, but takes four rows at a time: with YMM fused
// multiply-adds, y[j:j+4] += w0 A[i,j:j+4] + ... + w3 A[i+3,j:j+4], so y is
// loaded and stored once per four rows rather than once per row. Each y[j]
// is the chain fma(x[i], A[i,j], .) over the rows i in order, starting from
// beta y[j] (or 0 when beta is 0). The pure-Go path computes the same chain
// with math.FMA, so for [GemvT] the assembly and the fallback are
// bit-identical, and so are products split into blocks of rows (the later
// blocks with beta = 1) or of columns. The error bound is that of a dot
// product of length len(x).
package kernel
