#include "textflag.h"

// func reflect3AVX2(r0, r1, r2 *float64, n int, v1, v2, t0, t1, t2 float64)
//
// DI, SI, DX the rows, CX their length in bytes (a multiple of 32), AX the
// byte offset of the column; Y10, Y11 v1, v2 and Y12-Y14 t0-t2 broadcast.
// Each column: s = x0 + v1 x1 (FMA), s += v2 x2 (FMA), x_i -= t_i s (FMA).
TEXT ·reflect3AVX2(SB), NOSPLIT, $0-72
	MOVQ         r0+0(FP), DI
	MOVQ         r1+8(FP), SI
	MOVQ         r2+16(FP), DX
	MOVQ         n+24(FP), CX
	SHLQ         $3, CX
	VBROADCASTSD v1+32(FP), Y10
	VBROADCASTSD v2+40(FP), Y11
	VBROADCASTSD t0+48(FP), Y12
	VBROADCASTSD t1+56(FP), Y13
	VBROADCASTSD t2+64(FP), Y14
	XORQ         AX, AX

rloop:
	VMOVUPD      (DI)(AX*1), Y0
	VMOVUPD      (SI)(AX*1), Y1
	VMOVUPD      (DX)(AX*1), Y2
	VMOVAPD      Y0, Y3
	VFMADD231PD  Y1, Y10, Y3
	VFMADD231PD  Y2, Y11, Y3
	VFNMADD231PD Y3, Y12, Y0
	VFNMADD231PD Y3, Y13, Y1
	VFNMADD231PD Y3, Y14, Y2
	VMOVUPD      Y0, (DI)(AX*1)
	VMOVUPD      Y1, (SI)(AX*1)
	VMOVUPD      Y2, (DX)(AX*1)
	ADDQ         $32, AX
	CMPQ         AX, CX
	JL           rloop
	VZEROUPPER
	RET
