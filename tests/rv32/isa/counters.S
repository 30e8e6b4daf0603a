/*
 * counters.S: the Zicsr counters a user program may read. cycle and
 * instret must strictly increase across some work, time must not go back,
 * their 64-bit values (read with the rdXh/rdX/rdXh retry idiom) likewise,
 * and csrrs/csrrc/csrrsi with x0 or 0 read without writing. The values
 * differ between machines, so only the comparisons are printed (1 = held).
 */
	/* Read a 64-bit counter as (\hi, \lo): the retry idiom. */
	.macro READ64 hi, lo, csr, csrh
1:	csrr \hi, \csrh
	csrr \lo, \csr
	csrr t6, \csrh
	bne \hi, t6, 1b
	.endm

	/* \res = 1 if (\h2,\l2) > (\h1,\l1), unsigned 64-bit. */
	.macro GT64 res, h1, l1, h2, l2
	sltu \res, \h1, \h2
	bne \h1, \h2, 2f
	sltu \res, \l1, \l2
2:
	.endm

	.macro WORK                 /* a few hundred instructions */
	li t5, 100
3:	addi t5, t5, -1
	bnez t5, 3b
	.endm

	.text
	.globl test_main
test_main:
	rdcycle s2
	WORK
	rdcycle s3
	sltu a0, s2, s3             /* cycle increased */

	rdinstret s4
	WORK
	rdinstret s5
	sltu a1, s4, s5             /* instret increased */

	rdtime s6
	WORK
	rdtime s7
	sltu a2, s7, s6
	xori a2, a2, 1              /* time did not go back */

	READ64 s2, s3, cycle, cycleh
	WORK
	READ64 s4, s5, cycle, cycleh
	GT64 a3, s2, s3, s4, s5

	READ64 s2, s3, instret, instreth
	WORK
	READ64 s4, s5, instret, instreth
	GT64 a4, s2, s3, s4, s5

	READ64 s2, s3, time, timeh
	WORK
	READ64 s4, s5, time, timeh
	GT64 a5, s4, s5, s2, s3
	xori a5, a5, 1              /* time64 did not go back */

	/* Reads through the other read-only forms. */
	rdinstret s2
	csrrs s3, instret, x0
	csrrc s4, instret, x0
	csrrsi s5, instret, 0
	csrrci s6, instret, 0
	sltu a6, s2, s3
	sltu t0, s3, s4
	and a6, a6, t0
	sltu t0, s4, s5
	and a6, a6, t0
	sltu t0, s5, s6
	and a6, a6, t0              /* each later read is larger */
	csrrs x0, cycle, x0         /* rd = x0: still only a read */
	mv a7, x0

	/* Clear the raw values: they must not be printed. */
	.irp r, s2, s3, s4, s5, s6, s7, t5, t6
	li \r, 0
	.endr
	j test_end

	.bss
	.globl test_data, test_data_end
test_data:
test_data_end:
