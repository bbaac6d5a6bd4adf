#include "textflag.h"

#define T_ABS tanhc<>+0(SB) // mask of all bits but the sign
#define T_SIGN tanhc<>+32(SB) // the sign bit
#define T_LOG2E tanhc<>+64(SB) // 1/ln 2
#define T_LN2U tanhc<>+96(SB) // ln 2, upper part
#define T_LN2L tanhc<>+128(SB) // ln 2, lower part
#define T_SIXTEENTH tanhc<>+160(SB) // 1/16
#define T_E8 tanhc<>+192(SB) // 1/8!
#define T_E7 tanhc<>+224(SB) // 1/7!
#define T_E6 tanhc<>+256(SB) // 1/6!
#define T_E5 tanhc<>+288(SB) // 1/5!
#define T_E4 tanhc<>+320(SB) // 1/4!
#define T_E3 tanhc<>+352(SB) // 1/3!
#define T_HALF tanhc<>+384(SB) // 1/2
#define T_ONE tanhc<>+416(SB) // 1
#define T_TWO tanhc<>+448(SB) // 2
#define T_BIAS tanhc<>+480(SB) // the exponent's bias (an integer)
#define T_P0 tanhc<>+512(SB) // tanhP[0]
#define T_P1 tanhc<>+544(SB) // tanhP[1]
#define T_P2 tanhc<>+576(SB) // tanhP[2]
#define T_Q0 tanhc<>+608(SB) // tanhQ[0]
#define T_Q1 tanhc<>+640(SB) // tanhQ[1]
#define T_Q2 tanhc<>+672(SB) // tanhQ[2]
#define T_BIG tanhc<>+704(SB) // 0.625, where the rational branch ends
#define T_SAT tanhc<>+736(SB) // MAXLOG/2 = 44.0148..., beyond which tanh is +-1

// The constants of tanhAVX2, each in the four lanes of a YMM register: the
// values of math's tanh.go (tanhP, tanhQ, MAXLOG) and of exp_amd64.s (the
// reduction by ln 2 and the Taylor coefficients), as float64 bits.
DATA tanhc<>+0(SB)/8, $0x7fffffffffffffff
DATA tanhc<>+8(SB)/8, $0x7fffffffffffffff
DATA tanhc<>+16(SB)/8, $0x7fffffffffffffff
DATA tanhc<>+24(SB)/8, $0x7fffffffffffffff
DATA tanhc<>+32(SB)/8, $0x8000000000000000
DATA tanhc<>+40(SB)/8, $0x8000000000000000
DATA tanhc<>+48(SB)/8, $0x8000000000000000
DATA tanhc<>+56(SB)/8, $0x8000000000000000
DATA tanhc<>+64(SB)/8, $0x3ff71547652b82fe
DATA tanhc<>+72(SB)/8, $0x3ff71547652b82fe
DATA tanhc<>+80(SB)/8, $0x3ff71547652b82fe
DATA tanhc<>+88(SB)/8, $0x3ff71547652b82fe
DATA tanhc<>+96(SB)/8, $0x3fe62e42fefa3000
DATA tanhc<>+104(SB)/8, $0x3fe62e42fefa3000
DATA tanhc<>+112(SB)/8, $0x3fe62e42fefa3000
DATA tanhc<>+120(SB)/8, $0x3fe62e42fefa3000
DATA tanhc<>+128(SB)/8, $0x3d53de6af278ece6
DATA tanhc<>+136(SB)/8, $0x3d53de6af278ece6
DATA tanhc<>+144(SB)/8, $0x3d53de6af278ece6
DATA tanhc<>+152(SB)/8, $0x3d53de6af278ece6
DATA tanhc<>+160(SB)/8, $0x3fb0000000000000
DATA tanhc<>+168(SB)/8, $0x3fb0000000000000
DATA tanhc<>+176(SB)/8, $0x3fb0000000000000
DATA tanhc<>+184(SB)/8, $0x3fb0000000000000
DATA tanhc<>+192(SB)/8, $0x3efa01a01a01a01a
DATA tanhc<>+200(SB)/8, $0x3efa01a01a01a01a
DATA tanhc<>+208(SB)/8, $0x3efa01a01a01a01a
DATA tanhc<>+216(SB)/8, $0x3efa01a01a01a01a
DATA tanhc<>+224(SB)/8, $0x3f2a01a01a01a01a
DATA tanhc<>+232(SB)/8, $0x3f2a01a01a01a01a
DATA tanhc<>+240(SB)/8, $0x3f2a01a01a01a01a
DATA tanhc<>+248(SB)/8, $0x3f2a01a01a01a01a
DATA tanhc<>+256(SB)/8, $0x3f56c16c16c16c17
DATA tanhc<>+264(SB)/8, $0x3f56c16c16c16c17
DATA tanhc<>+272(SB)/8, $0x3f56c16c16c16c17
DATA tanhc<>+280(SB)/8, $0x3f56c16c16c16c17
DATA tanhc<>+288(SB)/8, $0x3f81111111111111
DATA tanhc<>+296(SB)/8, $0x3f81111111111111
DATA tanhc<>+304(SB)/8, $0x3f81111111111111
DATA tanhc<>+312(SB)/8, $0x3f81111111111111
DATA tanhc<>+320(SB)/8, $0x3fa5555555555555
DATA tanhc<>+328(SB)/8, $0x3fa5555555555555
DATA tanhc<>+336(SB)/8, $0x3fa5555555555555
DATA tanhc<>+344(SB)/8, $0x3fa5555555555555
DATA tanhc<>+352(SB)/8, $0x3fc5555555555555
DATA tanhc<>+360(SB)/8, $0x3fc5555555555555
DATA tanhc<>+368(SB)/8, $0x3fc5555555555555
DATA tanhc<>+376(SB)/8, $0x3fc5555555555555
DATA tanhc<>+384(SB)/8, $0x3fe0000000000000
DATA tanhc<>+392(SB)/8, $0x3fe0000000000000
DATA tanhc<>+400(SB)/8, $0x3fe0000000000000
DATA tanhc<>+408(SB)/8, $0x3fe0000000000000
DATA tanhc<>+416(SB)/8, $0x3ff0000000000000
DATA tanhc<>+424(SB)/8, $0x3ff0000000000000
DATA tanhc<>+432(SB)/8, $0x3ff0000000000000
DATA tanhc<>+440(SB)/8, $0x3ff0000000000000
DATA tanhc<>+448(SB)/8, $0x4000000000000000
DATA tanhc<>+456(SB)/8, $0x4000000000000000
DATA tanhc<>+464(SB)/8, $0x4000000000000000
DATA tanhc<>+472(SB)/8, $0x4000000000000000
DATA tanhc<>+480(SB)/8, $0x00000000000003ff
DATA tanhc<>+488(SB)/8, $0x00000000000003ff
DATA tanhc<>+496(SB)/8, $0x00000000000003ff
DATA tanhc<>+504(SB)/8, $0x00000000000003ff
DATA tanhc<>+512(SB)/8, $0xbfeedc5baafd6f4b
DATA tanhc<>+520(SB)/8, $0xbfeedc5baafd6f4b
DATA tanhc<>+528(SB)/8, $0xbfeedc5baafd6f4b
DATA tanhc<>+536(SB)/8, $0xbfeedc5baafd6f4b
DATA tanhc<>+544(SB)/8, $0xc058d26a0e26682d
DATA tanhc<>+552(SB)/8, $0xc058d26a0e26682d
DATA tanhc<>+560(SB)/8, $0xc058d26a0e26682d
DATA tanhc<>+568(SB)/8, $0xc058d26a0e26682d
DATA tanhc<>+576(SB)/8, $0xc0993ac030580563
DATA tanhc<>+584(SB)/8, $0xc0993ac030580563
DATA tanhc<>+592(SB)/8, $0xc0993ac030580563
DATA tanhc<>+600(SB)/8, $0xc0993ac030580563
DATA tanhc<>+608(SB)/8, $0x405c33f28a581b86
DATA tanhc<>+616(SB)/8, $0x405c33f28a581b86
DATA tanhc<>+624(SB)/8, $0x405c33f28a581b86
DATA tanhc<>+632(SB)/8, $0x405c33f28a581b86
DATA tanhc<>+640(SB)/8, $0x40a176fa0e5535fa
DATA tanhc<>+648(SB)/8, $0x40a176fa0e5535fa
DATA tanhc<>+656(SB)/8, $0x40a176fa0e5535fa
DATA tanhc<>+664(SB)/8, $0x40a176fa0e5535fa
DATA tanhc<>+672(SB)/8, $0x40b2ec102442040c
DATA tanhc<>+680(SB)/8, $0x40b2ec102442040c
DATA tanhc<>+688(SB)/8, $0x40b2ec102442040c
DATA tanhc<>+696(SB)/8, $0x40b2ec102442040c
DATA tanhc<>+704(SB)/8, $0x3fe4000000000000
DATA tanhc<>+712(SB)/8, $0x3fe4000000000000
DATA tanhc<>+720(SB)/8, $0x3fe4000000000000
DATA tanhc<>+728(SB)/8, $0x3fe4000000000000
DATA tanhc<>+736(SB)/8, $0x404601e678fc457b
DATA tanhc<>+744(SB)/8, $0x404601e678fc457b
DATA tanhc<>+752(SB)/8, $0x404601e678fc457b
DATA tanhc<>+760(SB)/8, $0x404601e678fc457b
GLOBL tanhc<>(SB), RODATA|NOPTR, $768

// func tanhAVX2(dst, src *float64, n int)
//
// dst[i] = tanh(src[i]) for n elements, n a multiple of 4, four at a time:
// both branches of math's tanh.go on every lane, then the lane's own
// chosen, each operation as tanhGo rounds it, so the bits are tanhGo's:
//
//   - |x| >= 0.625: 1 - 2/(exp(2|x|)+1), with x's sign; exp(w) as math's
//     archExp computes it with FMA (exp_amd64.s): k = round(w/ln 2), r = (w
//     - k ln2U - k ln2L)/16 by two fused steps, e^r - 1 by Horner's rule
//     in fused steps, squared up four times as y(y+2) (the last plus 1,
//     fused), times 2^k;
//   - |x| < 0.625: x + x s P(s)/Q(s) with s = x^2 (Cephes' rational);
//   - |x| > MAXLOG/2: +-1; x = +-0: x.
//
// NaN falls through to the rational branch and stays NaN, as in math.
// Y0 x, Y1 |x|, Y2-Y7 the exponential's branch, Y8 x's sign, Y9-Y12 the
// rational branch, Y13 the masks, Y15 zero. dst may be src.
TEXT ·tanhAVX2(SB), NOSPLIT, $0-24
	MOVQ   dst+0(FP), DI
	MOVQ   src+8(FP), SI
	MOVQ   n+16(FP), CX
	VXORPD Y15, Y15, Y15

tanh4:
	CMPQ CX, $4
	JL   tanhdone
	VMOVUPD (SI), Y0
	VANDPD  T_ABS, Y0, Y1

	// s = exp(w), w = 2|x|.
	VADDPD       Y1, Y1, Y2
	VMULPD       T_LOG2E, Y2, Y3
	VCVTPD2DQY   Y3, X3            // k
	VCVTDQ2PD    X3, Y4
	VFNMADD231PD T_LN2U, Y4, Y2    // w - k ln2U
	VFNMADD231PD T_LN2L, Y4, Y2
	VMULPD       T_SIXTEENTH, Y2, Y2 // r
	VMOVUPD      T_E8, Y5
	VFMADD213PD  T_E7, Y2, Y5
	VFMADD213PD  T_E6, Y2, Y5
	VFMADD213PD  T_E5, Y2, Y5
	VFMADD213PD  T_E4, Y2, Y5
	VFMADD213PD  T_E3, Y2, Y5
	VFMADD213PD  T_HALF, Y2, Y5
	VFMADD213PD  T_ONE, Y2, Y5
	VMULPD       Y5, Y2, Y2        // e^r - 1
	VADDPD       T_TWO, Y2, Y5
	VMULPD       Y5, Y2, Y2        // e^2r - 1
	VADDPD       T_TWO, Y2, Y5
	VMULPD       Y5, Y2, Y2        // e^4r - 1
	VADDPD       T_TWO, Y2, Y5
	VMULPD       Y5, Y2, Y2        // e^8r - 1
	VADDPD       T_TWO, Y2, Y5
	VFMADD213PD  T_ONE, Y5, Y2     // e^16r
	VPMOVSXDQ    X3, Y6
	VPADDQ       T_BIAS, Y6, Y6
	VPSLLQ       $52, Y6, Y6       // 2^k
	VMULPD       Y6, Y2, Y2        // s

	// 1 - 2/(s+1), with x's sign.
	VADDPD  T_ONE, Y2, Y2
	VMOVUPD T_TWO, Y6
	VDIVPD  Y2, Y6, Y6
	VMOVUPD T_ONE, Y7
	VSUBPD  Y6, Y7, Y7
	VANDPD  T_SIGN, Y0, Y8
	VORPD   Y8, Y7, Y7

	// x + x s P(s)/Q(s), s = x^2.
	VMULPD Y0, Y0, Y9
	VMULPD T_P0, Y9, Y10
	VADDPD T_P1, Y10, Y10
	VMULPD Y9, Y10, Y10
	VADDPD T_P2, Y10, Y10
	VADDPD T_Q0, Y9, Y11
	VMULPD Y9, Y11, Y11
	VADDPD T_Q1, Y11, Y11
	VMULPD Y9, Y11, Y11
	VADDPD T_Q2, Y11, Y11
	VMULPD Y9, Y0, Y12
	VMULPD Y10, Y12, Y12
	VDIVPD Y11, Y12, Y12
	VADDPD Y0, Y12, Y12

	// Each lane's branch.
	VCMPPD    $0x1d, T_BIG, Y1, Y13 // |x| >= 0.625 (false for NaN)
	VBLENDVPD Y13, Y7, Y12, Y12
	VCMPPD    $0x1e, T_SAT, Y1, Y13 // |x| > MAXLOG/2
	VORPD     T_ONE, Y8, Y6
	VBLENDVPD Y13, Y6, Y12, Y12
	VCMPPD    $0x00, Y15, Y0, Y13   // x == 0
	VBLENDVPD Y13, Y0, Y12, Y12
	VMOVUPD   Y12, (DI)

	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $4, CX
	JMP  tanh4

tanhdone:
	VZEROUPPER
	RET
