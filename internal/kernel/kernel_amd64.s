#include "textflag.h"

// func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL eaxArg+0(FP), AX
	MOVL ecxArg+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv() (eax, edx uint32)
TEXT ·xgetbv(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET

// HSUM reduces the accumulator pair (ya, yb) of one row to the scalar
// ((a0+b0)+(a2+b2)) + ((a1+b1)+(a3+b3)) in the low lane of xa; xb is scratch.
#define HSUM(ya, yb, xa, xb) \
	VADDPD       yb, ya, ya \
	VEXTRACTF128 $1, ya, xb \
	VADDPD       xb, xa, xa \
	VUNPCKHPD    xa, xa, xb \
	VADDSD       xb, xa, xa

// func gemvAVX2(y, a *float64, lda int, x *float64, rows, cols int, add bool)
//
// DI y, SI row 0 of the group, R10-R12 rows 1-3, R8 lda in bytes, DX x,
// CX rows left, BX cols, R13 bytes of the columns done 8 at a time, AX byte
// offset of the column, R9 tail counter.
TEXT ·gemvAVX2(SB), NOSPLIT, $0-49
	MOVQ y+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), R8
	SHLQ $3, R8
	MOVQ x+24(FP), DX
	MOVQ rows+32(FP), CX
	MOVQ cols+40(FP), BX
	MOVQ BX, R13
	ANDQ $-8, R13
	SHLQ $3, R13
	CMPQ CX, $4
	JL   rows1

loop4:
	LEAQ   (SI)(R8*1), R10
	LEAQ   (SI)(R8*2), R11
	LEAQ   (R11)(R8*1), R12
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	XORQ   AX, AX
	CMPQ   AX, R13
	JGE    c4four

c4eight:
	VMOVUPD     (DX)(AX*1), Y8
	VMOVUPD     32(DX)(AX*1), Y9
	VFMADD231PD (SI)(AX*1), Y8, Y0
	VFMADD231PD 32(SI)(AX*1), Y9, Y1
	VFMADD231PD (R10)(AX*1), Y8, Y2
	VFMADD231PD 32(R10)(AX*1), Y9, Y3
	VFMADD231PD (R11)(AX*1), Y8, Y4
	VFMADD231PD 32(R11)(AX*1), Y9, Y5
	VFMADD231PD (R12)(AX*1), Y8, Y6
	VFMADD231PD 32(R12)(AX*1), Y9, Y7
	ADDQ        $64, AX
	CMPQ        AX, R13
	JL          c4eight

c4four:
	TESTQ       $4, BX
	JZ          c4red
	VMOVUPD     (DX)(AX*1), Y8
	VFMADD231PD (SI)(AX*1), Y8, Y0
	VFMADD231PD (R10)(AX*1), Y8, Y2
	VFMADD231PD (R11)(AX*1), Y8, Y4
	VFMADD231PD (R12)(AX*1), Y8, Y6
	ADDQ        $32, AX

c4red:
	HSUM(Y0, Y1, X0, X1)
	HSUM(Y2, Y3, X2, X3)
	HSUM(Y4, Y5, X4, X5)
	HSUM(Y6, Y7, X6, X7)
	MOVQ BX, R9
	ANDQ $3, R9
	JZ   c4store

c4tail:
	VMOVSD      (DX)(AX*1), X8
	VFMADD231SD (SI)(AX*1), X8, X0
	VFMADD231SD (R10)(AX*1), X8, X2
	VFMADD231SD (R11)(AX*1), X8, X4
	VFMADD231SD (R12)(AX*1), X8, X6
	ADDQ        $8, AX
	DECQ        R9
	JNZ         c4tail

c4store:
	CMPB   add+48(FP), $0
	JEQ    c4put
	VADDSD (DI), X0, X0
	VADDSD 8(DI), X2, X2
	VADDSD 16(DI), X4, X4
	VADDSD 24(DI), X6, X6

c4put:
	VMOVSD X0, (DI)
	VMOVSD X2, 8(DI)
	VMOVSD X4, 16(DI)
	VMOVSD X6, 24(DI)
	ADDQ   $32, DI
	LEAQ   (R12)(R8*1), SI
	SUBQ   $4, CX
	CMPQ   CX, $4
	JGE    loop4

rows1:
	TESTQ CX, CX
	JZ    done

loop1:
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	XORQ   AX, AX
	CMPQ   AX, R13
	JGE    c1four

c1eight:
	VMOVUPD     (DX)(AX*1), Y8
	VMOVUPD     32(DX)(AX*1), Y9
	VFMADD231PD (SI)(AX*1), Y8, Y0
	VFMADD231PD 32(SI)(AX*1), Y9, Y1
	ADDQ        $64, AX
	CMPQ        AX, R13
	JL          c1eight

c1four:
	TESTQ       $4, BX
	JZ          c1red
	VMOVUPD     (DX)(AX*1), Y8
	VFMADD231PD (SI)(AX*1), Y8, Y0
	ADDQ        $32, AX

c1red:
	HSUM(Y0, Y1, X0, X1)
	MOVQ BX, R9
	ANDQ $3, R9
	JZ   c1store

c1tail:
	VMOVSD      (DX)(AX*1), X8
	VFMADD231SD (SI)(AX*1), X8, X0
	ADDQ        $8, AX
	DECQ        R9
	JNZ         c1tail

c1store:
	CMPB   add+48(FP), $0
	JEQ    c1put
	VADDSD (DI), X0, X0

c1put:
	VMOVSD X0, (DI)
	ADDQ   $8, DI
	ADDQ   R8, SI
	DECQ   CX
	JNZ    loop1

done:
	VZEROUPPER
	RET

// func gemv2AVX2(y1, y2, a *float64, lda int, x1, x2 *float64, rows, cols int, add bool)
//
// Rows two at a time (rows must be even). DI y1, R11 y2, SI row 0, R10
// row 1, R8 lda in bytes, DX x1, R12 x2, CX rows left, BX cols, R13 bytes of
// the columns done 8 at a time, AX byte offset, R9 tail counter.
// Accumulators: Y0,Y1 row 0 x1; Y2,Y3 row 0 x2; Y4,Y5 row 1 x1; Y6,Y7 row 1 x2.
TEXT ·gemv2AVX2(SB), NOSPLIT, $0-65
	MOVQ y1+0(FP), DI
	MOVQ y2+8(FP), R11
	MOVQ a+16(FP), SI
	MOVQ lda+24(FP), R8
	SHLQ $3, R8
	MOVQ x1+32(FP), DX
	MOVQ x2+40(FP), R12
	MOVQ rows+48(FP), CX
	MOVQ cols+56(FP), BX
	MOVQ BX, R13
	ANDQ $-8, R13
	SHLQ $3, R13

loop2:
	LEAQ   (SI)(R8*1), R10
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	XORQ   AX, AX
	CMPQ   AX, R13
	JGE    d2four

d2eight:
	VMOVUPD     (DX)(AX*1), Y8
	VMOVUPD     32(DX)(AX*1), Y9
	VMOVUPD     (R12)(AX*1), Y10
	VMOVUPD     32(R12)(AX*1), Y11
	VMOVUPD     (SI)(AX*1), Y12
	VMOVUPD     32(SI)(AX*1), Y13
	VMOVUPD     (R10)(AX*1), Y14
	VMOVUPD     32(R10)(AX*1), Y15
	VFMADD231PD Y12, Y8, Y0
	VFMADD231PD Y13, Y9, Y1
	VFMADD231PD Y12, Y10, Y2
	VFMADD231PD Y13, Y11, Y3
	VFMADD231PD Y14, Y8, Y4
	VFMADD231PD Y15, Y9, Y5
	VFMADD231PD Y14, Y10, Y6
	VFMADD231PD Y15, Y11, Y7
	ADDQ        $64, AX
	CMPQ        AX, R13
	JL          d2eight

d2four:
	TESTQ       $4, BX
	JZ          d2red
	VMOVUPD     (DX)(AX*1), Y8
	VMOVUPD     (R12)(AX*1), Y10
	VMOVUPD     (SI)(AX*1), Y12
	VMOVUPD     (R10)(AX*1), Y14
	VFMADD231PD Y12, Y8, Y0
	VFMADD231PD Y12, Y10, Y2
	VFMADD231PD Y14, Y8, Y4
	VFMADD231PD Y14, Y10, Y6
	ADDQ        $32, AX

d2red:
	HSUM(Y0, Y1, X0, X1)
	HSUM(Y2, Y3, X2, X3)
	HSUM(Y4, Y5, X4, X5)
	HSUM(Y6, Y7, X6, X7)
	MOVQ BX, R9
	ANDQ $3, R9
	JZ   d2store

d2tail:
	VMOVSD      (DX)(AX*1), X8
	VMOVSD      (R12)(AX*1), X10
	VMOVSD      (SI)(AX*1), X12
	VMOVSD      (R10)(AX*1), X14
	VFMADD231SD X12, X8, X0
	VFMADD231SD X12, X10, X2
	VFMADD231SD X14, X8, X4
	VFMADD231SD X14, X10, X6
	ADDQ        $8, AX
	DECQ        R9
	JNZ         d2tail

d2store:
	CMPB   add+64(FP), $0
	JEQ    d2put
	VADDSD (DI), X0, X0
	VADDSD (R11), X2, X2
	VADDSD 8(DI), X4, X4
	VADDSD 8(R11), X6, X6

d2put:
	VMOVSD X0, (DI)
	VMOVSD X2, (R11)
	VMOVSD X4, 8(DI)
	VMOVSD X6, 8(R11)
	ADDQ   $16, DI
	ADDQ   $16, R11
	LEAQ   (R10)(R8*1), SI
	SUBQ   $2, CX
	JNZ    loop2

	VZEROUPPER
	RET

// func gemvTAVX2(y, a *float64, lda int, x *float64, rows, cols int)
//
// DI y, SI row 0 of the group, R10-R12 rows 1-3, R8 lda in bytes, DX x (the
// weight of the group's row 0), CX rows left, BX cols, R13 bytes of the
// columns done 8 at a time, AX byte offset of the column, R9 tail counter.
// Y12-Y15 hold the four weights broadcast; every y[j] gets the FMAs of rows
// 0, 1, 2, 3 in this order.
TEXT ·gemvTAVX2(SB), NOSPLIT, $0-48
	MOVQ y+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), R8
	SHLQ $3, R8
	MOVQ x+24(FP), DX
	MOVQ rows+32(FP), CX
	MOVQ cols+40(FP), BX
	MOVQ BX, R13
	ANDQ $-8, R13
	SHLQ $3, R13
	CMPQ CX, $4
	JL   t1rows

t4loop:
	LEAQ         (SI)(R8*1), R10
	LEAQ         (SI)(R8*2), R11
	LEAQ         (R11)(R8*1), R12
	VBROADCASTSD (DX), Y12
	VBROADCASTSD 8(DX), Y13
	VBROADCASTSD 16(DX), Y14
	VBROADCASTSD 24(DX), Y15
	XORQ         AX, AX
	CMPQ         AX, R13
	JGE          t4four

t4eight:
	VMOVUPD     (DI)(AX*1), Y0
	VMOVUPD     32(DI)(AX*1), Y1
	VFMADD231PD (SI)(AX*1), Y12, Y0
	VFMADD231PD 32(SI)(AX*1), Y12, Y1
	VFMADD231PD (R10)(AX*1), Y13, Y0
	VFMADD231PD 32(R10)(AX*1), Y13, Y1
	VFMADD231PD (R11)(AX*1), Y14, Y0
	VFMADD231PD 32(R11)(AX*1), Y14, Y1
	VFMADD231PD (R12)(AX*1), Y15, Y0
	VFMADD231PD 32(R12)(AX*1), Y15, Y1
	VMOVUPD     Y0, (DI)(AX*1)
	VMOVUPD     Y1, 32(DI)(AX*1)
	ADDQ        $64, AX
	CMPQ        AX, R13
	JL          t4eight

t4four:
	TESTQ       $4, BX
	JZ          t4tailq
	VMOVUPD     (DI)(AX*1), Y0
	VFMADD231PD (SI)(AX*1), Y12, Y0
	VFMADD231PD (R10)(AX*1), Y13, Y0
	VFMADD231PD (R11)(AX*1), Y14, Y0
	VFMADD231PD (R12)(AX*1), Y15, Y0
	VMOVUPD     Y0, (DI)(AX*1)
	ADDQ        $32, AX

t4tailq:
	MOVQ BX, R9
	ANDQ $3, R9
	JZ   t4next

t4tail:
	VMOVSD      (DI)(AX*1), X0
	VFMADD231SD (SI)(AX*1), X12, X0
	VFMADD231SD (R10)(AX*1), X13, X0
	VFMADD231SD (R11)(AX*1), X14, X0
	VFMADD231SD (R12)(AX*1), X15, X0
	VMOVSD      X0, (DI)(AX*1)
	ADDQ        $8, AX
	DECQ        R9
	JNZ         t4tail

t4next:
	ADDQ $32, DX
	LEAQ (R12)(R8*1), SI
	SUBQ $4, CX
	CMPQ CX, $4
	JGE  t4loop

t1rows:
	TESTQ CX, CX
	JZ    tdone

t1loop:
	VBROADCASTSD (DX), Y12
	XORQ         AX, AX
	CMPQ         AX, R13
	JGE          t1four

t1eight:
	VMOVUPD     (DI)(AX*1), Y0
	VMOVUPD     32(DI)(AX*1), Y1
	VFMADD231PD (SI)(AX*1), Y12, Y0
	VFMADD231PD 32(SI)(AX*1), Y12, Y1
	VMOVUPD     Y0, (DI)(AX*1)
	VMOVUPD     Y1, 32(DI)(AX*1)
	ADDQ        $64, AX
	CMPQ        AX, R13
	JL          t1eight

t1four:
	TESTQ       $4, BX
	JZ          t1tailq
	VMOVUPD     (DI)(AX*1), Y0
	VFMADD231PD (SI)(AX*1), Y12, Y0
	VMOVUPD     Y0, (DI)(AX*1)
	ADDQ        $32, AX

t1tailq:
	MOVQ BX, R9
	ANDQ $3, R9
	JZ   t1next

t1tail:
	VMOVSD      (DI)(AX*1), X0
	VFMADD231SD (SI)(AX*1), X12, X0
	VMOVSD      X0, (DI)(AX*1)
	ADDQ        $8, AX
	DECQ        R9
	JNZ         t1tail

t1next:
	ADDQ $8, DX
	ADDQ R8, SI
	DECQ CX
	JNZ  t1loop

tdone:
	VZEROUPPER
	RET

// func gemm4x8AVX2(c *float64, ldc int, a *float64, lda int, b *float64, ldb int, k, cols int)
//
// C[0:4, 0:cols] += A[0:4, 0:k] B[0:k, 0:cols] for k >= 1 and cols a
// positive multiple of 8; strides are in elements. DI C at the column
// block, R8 ldc in bytes, SI and R10-R12 rows 0-3 of A, DX B at the column
// block, R13 ldb in bytes, R9 B at row kk, AX byte offset kk*8, CX k*8, BX
// columns left. Y0-Y7 hold the 4 x 8 tile of C (row r in Y(2r), Y(2r+1));
// every C[i,j] gets its FMAs in k order, as in gemvTAVX2.
TEXT ·gemm4x8AVX2(SB), NOSPLIT, $0-64
	MOVQ c+0(FP), DI
	MOVQ ldc+8(FP), R8
	SHLQ $3, R8
	MOVQ a+16(FP), SI
	MOVQ lda+24(FP), R9
	SHLQ $3, R9
	LEAQ (SI)(R9*1), R10
	LEAQ (SI)(R9*2), R11
	LEAQ (R11)(R9*1), R12
	MOVQ b+32(FP), DX
	MOVQ ldb+40(FP), R13
	SHLQ $3, R13
	MOVQ k+48(FP), CX
	SHLQ $3, CX
	MOVQ cols+56(FP), BX

gcol:
	VMOVUPD (DI), Y0
	VMOVUPD 32(DI), Y1
	VMOVUPD (DI)(R8*1), Y2
	VMOVUPD 32(DI)(R8*1), Y3
	LEAQ    (DI)(R8*2), R9
	VMOVUPD (R9), Y4
	VMOVUPD 32(R9), Y5
	VMOVUPD (R9)(R8*1), Y6
	VMOVUPD 32(R9)(R8*1), Y7
	MOVQ    DX, R9
	XORQ    AX, AX

gk:
	VMOVUPD      (R9), Y8
	VMOVUPD      32(R9), Y9
	VBROADCASTSD (SI)(AX*1), Y10
	VFMADD231PD  Y8, Y10, Y0
	VFMADD231PD  Y9, Y10, Y1
	VBROADCASTSD (R10)(AX*1), Y11
	VFMADD231PD  Y8, Y11, Y2
	VFMADD231PD  Y9, Y11, Y3
	VBROADCASTSD (R11)(AX*1), Y12
	VFMADD231PD  Y8, Y12, Y4
	VFMADD231PD  Y9, Y12, Y5
	VBROADCASTSD (R12)(AX*1), Y13
	VFMADD231PD  Y8, Y13, Y6
	VFMADD231PD  Y9, Y13, Y7
	ADDQ         R13, R9
	ADDQ         $8, AX
	CMPQ         AX, CX
	JL           gk

	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, (DI)(R8*1)
	VMOVUPD Y3, 32(DI)(R8*1)
	LEAQ    (DI)(R8*2), R9
	VMOVUPD Y4, (R9)
	VMOVUPD Y5, 32(R9)
	VMOVUPD Y6, (R9)(R8*1)
	VMOVUPD Y7, 32(R9)(R8*1)
	ADDQ    $64, DI
	ADDQ    $64, DX
	SUBQ    $8, BX
	JG      gcol
	VZEROUPPER
	RET

// func gemm8x16AVX512(c *float64, ldc int, a *float64, lda int, b *float64, ldb int, k, cols int, pf *float64, pfrow, pfskip, pfn, pfleft int)
//
// C[0:8, 0:cols] += A[0:8, 0:k] B[0:k, 0:cols] for k >= 1 and cols a
// positive multiple of 16; strides are in elements. Z0-Z15 hold the 8 x 16
// tile of C (row r in Z(2r), Z(2r+1)), Z16-Z17 a row of B, Z18-Z25 the
// broadcast column of A; every C[i,j] gets its FMAs in k order, as in
// gemm4x8AVX2, so both give the same bits. A is walked by three pointers
// that advance by one column per k: SI (rows 0, 1, 2, 4 through R9 = lda
// in bytes), R11 = SI + 3 lda (rows 3, 5, 7), R12 = SI + 2 lda (row 6).
// DI C at the column block, R8 ldc in bytes, DX B at the column block, R13
// ldb in bytes, R10 B at row kk, CX k left, BX columns left; while loading
// and storing the tile, R10 and AX point at C rows 3 and 2.
//
// While it multiplies, it prefetches pfn cache lines into L2 (one per k
// step), so that reading the next block of B from memory overlaps the
// arithmetic: R14 walks a row of lines from pf, R15 counts the bytes left
// in that row (pfleft at first, pfrow after), and at a row's end R14 jumps
// by pfskip bytes to the next.
TEXT ·gemm8x16AVX512(SB), NOSPLIT, $0-104
	MOVQ ldc+8(FP), R8
	SHLQ $3, R8
	MOVQ lda+24(FP), R9
	SHLQ $3, R9
	MOVQ ldb+40(FP), R13
	SHLQ $3, R13
	MOVQ c+0(FP), DI
	MOVQ b+32(FP), DX
	MOVQ cols+56(FP), BX
	MOVQ pf+64(FP), R14
	MOVQ pfleft+96(FP), R15

zcol:
	LEAQ    (DI)(R8*2), AX
	LEAQ    (AX)(R8*1), R10
	VMOVUPD (DI), Z0
	VMOVUPD 64(DI), Z1
	VMOVUPD (DI)(R8*1), Z2
	VMOVUPD 64(DI)(R8*1), Z3
	VMOVUPD (AX), Z4
	VMOVUPD 64(AX), Z5
	VMOVUPD (R10), Z6
	VMOVUPD 64(R10), Z7
	VMOVUPD (DI)(R8*4), Z8
	VMOVUPD 64(DI)(R8*4), Z9
	VMOVUPD (R10)(R8*2), Z10
	VMOVUPD 64(R10)(R8*2), Z11
	VMOVUPD (AX)(R8*4), Z12
	VMOVUPD 64(AX)(R8*4), Z13
	VMOVUPD (R10)(R8*4), Z14
	VMOVUPD 64(R10)(R8*4), Z15
	MOVQ    a+16(FP), SI
	LEAQ    (SI)(R9*2), R12
	LEAQ    (R12)(R9*1), R11
	MOVQ    k+48(FP), CX
	MOVQ    DX, R10

zk:
	VMOVUPD      (R10), Z16
	VMOVUPD      64(R10), Z17
	VBROADCASTSD (SI), Z18
	VBROADCASTSD (SI)(R9*1), Z19
	VBROADCASTSD (R12), Z20
	VBROADCASTSD (R11), Z21
	VBROADCASTSD (SI)(R9*4), Z22
	VBROADCASTSD (R11)(R9*2), Z23
	VBROADCASTSD (R12)(R9*4), Z24
	VBROADCASTSD (R11)(R9*4), Z25
	VFMADD231PD  Z16, Z18, Z0
	VFMADD231PD  Z17, Z18, Z1
	VFMADD231PD  Z16, Z19, Z2
	VFMADD231PD  Z17, Z19, Z3
	VFMADD231PD  Z16, Z20, Z4
	VFMADD231PD  Z17, Z20, Z5
	VFMADD231PD  Z16, Z21, Z6
	VFMADD231PD  Z17, Z21, Z7
	VFMADD231PD  Z16, Z22, Z8
	VFMADD231PD  Z17, Z22, Z9
	VFMADD231PD  Z16, Z23, Z10
	VFMADD231PD  Z17, Z23, Z11
	VFMADD231PD  Z16, Z24, Z12
	VFMADD231PD  Z17, Z24, Z13
	VFMADD231PD  Z16, Z25, Z14
	VFMADD231PD  Z17, Z25, Z15
	CMPQ         pfn+88(FP), $0
	JEQ          zpfdone
	PREFETCHT1   (R14)
	DECQ         pfn+88(FP)
	ADDQ         $64, R14
	SUBQ         $64, R15
	JNZ          zpfdone
	ADDQ         pfskip+80(FP), R14
	MOVQ         pfrow+72(FP), R15

zpfdone:
	ADDQ R13, R10
	ADDQ $8, SI
	ADDQ $8, R12
	ADDQ $8, R11
	DECQ CX
	JNZ  zk

	LEAQ    (DI)(R8*2), AX
	LEAQ    (AX)(R8*1), R10
	VMOVUPD Z0, (DI)
	VMOVUPD Z1, 64(DI)
	VMOVUPD Z2, (DI)(R8*1)
	VMOVUPD Z3, 64(DI)(R8*1)
	VMOVUPD Z4, (AX)
	VMOVUPD Z5, 64(AX)
	VMOVUPD Z6, (R10)
	VMOVUPD Z7, 64(R10)
	VMOVUPD Z8, (DI)(R8*4)
	VMOVUPD Z9, 64(DI)(R8*4)
	VMOVUPD Z10, (R10)(R8*2)
	VMOVUPD Z11, 64(R10)(R8*2)
	VMOVUPD Z12, (AX)(R8*4)
	VMOVUPD Z13, 64(AX)(R8*4)
	VMOVUPD Z14, (R10)(R8*4)
	VMOVUPD Z15, 64(R10)(R8*4)
	ADDQ    $128, DI
	ADDQ    $128, DX
	SUBQ    $16, BX
	JG      zcol
	VZEROUPPER
	RET

// TRACEDOT advances four elements at byte offset off: p (DI) = decay (Y0)
// * p + s (Y1) * z (DX); theta (SI) = theta + (-lr) (Y3) * (f (Y2) * p);
// acc += theta * x (R8). ya and yb are scratch.
#define TRACEDOT(off, ya, yb, acc) \
	VMULPD      off(DI), Y0, ya \
	VMULPD      off(DX), Y1, yb \
	VADDPD      yb, ya, ya \
	VMOVUPD     ya, off(DI) \
	VMULPD      Y2, ya, ya \
	VMULPD      Y3, ya, ya \
	VADDPD      off(SI), ya, ya \
	VMOVUPD     ya, off(SI) \
	VFMADD231PD off(R8), ya, acc

// func traceRowsAVX2(p *float64, ldp int, theta *float64, ldt int, z, x *float64, n, rows int, decay float64, s, f *float64, lr float64, dots *float64, tz *float64, nt int, tt *float64, ldtt int, learn *bool)
//
// TraceSGDDotRows on rows >= 1 rows, in one call: for row r, the first n
// elements of p (at r*ldp) and theta (at r*ldt), sixteen at a time (then
// eight, four), each operation rounded on its own (no FMA), as traceSGDGo:
// theta + (-lr)*(f*p) is theta - lr*(f*p) to the bit, as rounding to
// nearest is symmetric in sign. The sum of theta*x over the new theta
// follows the order of gemvAVX2's row (two accumulators of four,
// alternating by four elements, the last four into the first; then HSUM,
// then the last n mod 4 elements one at a time, their products fused into
// it) and goes into dots[r]; then the tail's nt elements, p's next ones
// with inputs tz and weights tt (at r*ldtt), each weight changed only
// where learn is set, outside the sum. Strides are in elements.
//
// BX is the row, R10, R11 and R12 the row's p, theta and tail weights, R9
// the row's last n mod 4 elements, R13 the tail's element, AX and R14
// scratch.
TEXT ·traceRowsAVX2(SB), NOSPLIT, $0-144
	MOVQ         p+0(FP), R10
	MOVQ         theta+16(FP), R11
	MOVQ         tt+120(FP), R12
	VBROADCASTSD decay+64(FP), Y0
	VBROADCASTSD lr+88(FP), Y3
	VXORPD       Y4, Y4, Y4
	VSUBPD       Y3, Y4, Y3        // -lr
	XORQ         BX, BX

trow:
	CMPQ         BX, rows+56(FP)
	JGE          tdone
	MOVQ         s+72(FP), AX
	VBROADCASTSD (AX)(BX*8), Y1
	MOVQ         f+80(FP), AX
	VBROADCASTSD (AX)(BX*8), Y2
	MOVQ         R10, DI
	MOVQ         R11, SI
	MOVQ         z+32(FP), DX
	MOVQ         x+40(FP), R8
	MOVQ         n+48(FP), CX
	MOVQ         CX, R9
	ANDQ         $3, R9
	ANDQ         $~3, CX
	VXORPD       Y14, Y14, Y14
	VXORPD       Y15, Y15, Y15

trow16:
	CMPQ CX, $16
	JL   trow8
	TRACEDOT(0, Y4, Y5, Y14)
	TRACEDOT(32, Y6, Y7, Y15)
	TRACEDOT(64, Y8, Y9, Y14)
	TRACEDOT(96, Y10, Y11, Y15)
	ADDQ $128, DI
	ADDQ $128, SI
	ADDQ $128, DX
	ADDQ $128, R8
	SUBQ $16, CX
	JMP  trow16

trow8:
	CMPQ CX, $8
	JL   trow4
	TRACEDOT(0, Y4, Y5, Y14)
	TRACEDOT(32, Y6, Y7, Y15)
	ADDQ $64, DI
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, R8
	SUBQ $8, CX

trow4:
	CMPQ CX, $4
	JL   trowsum
	TRACEDOT(0, Y4, Y5, Y14)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, R8

trowsum:
	HSUM(Y14, Y15, X14, X15)

trow1:
	TESTQ        R9, R9
	JZ           trowdot
	VMULSD       (DI), X0, X4
	VMULSD       (DX), X1, X5
	VADDSD       X5, X4, X4
	VMOVSD       X4, (DI)
	VMULSD       X2, X4, X4
	VMULSD       X3, X4, X4
	VADDSD       (SI), X4, X4
	VMOVSD       X4, (SI)
	VFMADD231SD  (R8), X4, X14
	ADDQ         $8, DI
	ADDQ         $8, SI
	ADDQ         $8, DX
	ADDQ         $8, R8
	DECQ         R9
	JMP          trow1

trowdot:
	MOVQ   dots+96(FP), AX
	VMOVSD X14, (AX)(BX*8)

	// The tail: DI is at p's element n.
	MOVQ tz+104(FP), DX
	MOVQ learn+136(FP), AX
	XORQ R13, R13

ttail:
	CMPQ     R13, nt+112(FP)
	JGE      tnext
	VMULSD   (DI)(R13*8), X0, X4
	VMULSD   (DX)(R13*8), X1, X5
	VADDSD   X5, X4, X4
	VMOVSD   X4, (DI)(R13*8)
	MOVBLZX  (AX)(R13*1), R14
	TESTL    R14, R14
	JZ       ttailnext
	VMULSD   X2, X4, X4
	VMULSD   X3, X4, X4
	VADDSD   (R12)(R13*8), X4, X4
	VMOVSD   X4, (R12)(R13*8)

ttailnext:
	INCQ R13
	JMP  ttail

tnext:
	MOVQ ldp+8(FP), AX
	LEAQ (R10)(AX*8), R10
	MOVQ ldt+24(FP), AX
	LEAQ (R11)(AX*8), R11
	MOVQ ldtt+128(FP), AX
	LEAQ (R12)(AX*8), R12
	INCQ BX
	JMP  trow

tdone:
	VZEROUPPER
	RET

// func descendOuterAVX2(a *float64, xi float64, y *float64, n int, lr float64)
//
// a[j] = a[j] - lr*(xi*y[j]) for n elements, n a multiple of 4, eight
// then four at a time, each operation rounded on its own, as in
// traceRowsAVX2: a + (-lr)*(xi*y) is a - lr*(xi*y) to the bit.
TEXT ·descendOuterAVX2(SB), NOSPLIT, $0-40
	MOVQ         a+0(FP), DI
	VBROADCASTSD xi+8(FP), Y0
	MOVQ         y+16(FP), SI
	MOVQ         n+24(FP), CX
	VBROADCASTSD lr+32(FP), Y1
	VXORPD       Y2, Y2, Y2
	VSUBPD       Y1, Y2, Y1 // -lr

outer8:
	CMPQ    CX, $8
	JL      outer4
	VMULPD  (SI), Y0, Y2
	VMULPD  32(SI), Y0, Y3
	VMULPD  Y1, Y2, Y2
	VMULPD  Y1, Y3, Y3
	VADDPD  (DI), Y2, Y2
	VADDPD  32(DI), Y3, Y3
	VMOVUPD Y2, (DI)
	VMOVUPD Y3, 32(DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	SUBQ    $8, CX
	JMP     outer8

outer4:
	CMPQ    CX, $4
	JL      outerdone
	VMULPD  (SI), Y0, Y2
	VMULPD  Y1, Y2, Y2
	VADDPD  (DI), Y2, Y2
	VMOVUPD Y2, (DI)

outerdone:
	VZEROUPPER
	RET
