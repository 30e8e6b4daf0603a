/*
 * sys_signal.c: signal handlers, masks, the frame a handler runs on, and
 * rt_sigreturn.
 *
 * The frame pushed below the interrupted sp (16-byte aligned):
 *   +0    siginfo (128 bytes; si_signo filled in)
 *   +128  saved x1..x31, pc (32 words)
 *   +256  saved signal mask (8 bytes), a magic word (4), padding
 * The handler is called with a0 = signal, a1 = &siginfo, a2 = 0 and ra at
 * the space's sigreturn code (guest_sigreturn_addr), which calls
 * rt_sigreturn with sp back at the frame.
 */
#include <string.h>

#include "kproc/le.h"
#include "kproc/nos_errno.h"
#include "vm-rv32i/syscall.h"

#define FRAME_SIZE 272u
#define FRAME_REGS 128u
#define FRAME_MASK 256u
#define FRAME_MAGIC 0x4e6f5347u           /* "NoSG" */
#define SA_SIGINFO 0x4u
#define SA_NODEFER 0x40000000u
#define SA_RESETHAND 0x80000000u
#define UNBLOCKABLE ((1ull << (GSIG_KILL - 1)) | (1ull << (GSIG_STOP - 1)))

int signal_frame_push(struct guest *g, unsigned sig)
{
	struct guest_sigaction *act = &g->sigact[sig];
	uint32_t sp = (g->cpu.x[RV_SP] - FRAME_SIZE) & ~15u;
	uint8_t f[FRAME_SIZE];
	unsigned i;

	if (sp < 4096 || sp > g->cpu.x[RV_SP])
		return -1;
	memset(f, 0, sizeof(f));
	st_32(f, sig);
	st_32(f + 8, g->sig_from[sig] ? 0 : 0x80);     /* SI_USER, SI_KERNEL */
	st_32(f + 12, g->sig_from[sig]);
	st_32(f + 16, g->sig_from_uid[sig]);
	for (i = 1; i < 32; i++)
		st_32(f + FRAME_REGS + 4 * (i - 1), g->cpu.x[i]);
	st_32(f + FRAME_REGS + 4 * 31, g->cpu.pc);
	/* After rt_sigsuspend the handler returns to the mask from before it. */
	st_64(f + FRAME_MASK, g->restore_mask ? g->saved_mask : g->sig_mask);
	g->restore_mask = 0;
	st_32(f + FRAME_MASK + 8, FRAME_MAGIC);
	if (gmem_write(&g->mem, sp, f, sizeof(f)) < 0)
		return -1;
	g->cpu.x[RV_SP] = sp;
	g->cpu.x[RV_RA] = guest_sigreturn_addr(g);
	g->cpu.x[RV_A0] = sig;
	g->cpu.x[RV_A1] = sp;
	g->cpu.x[RV_A2] = 0;
	g->cpu.pc = act->handler;
	g->sig_mask |= act->mask;
	if (!(act->flags & SA_NODEFER))
		g->sig_mask |= 1ull << (sig - 1);
	g->sig_mask &= ~UNBLOCKABLE;
	if (act->flags & SA_RESETHAND)
		memset(act, 0, sizeof(*act));
	return 0;
}

SYS(rt_sigreturn)
{
	uint32_t sp = g->cpu.x[RV_SP];
	uint8_t f[FRAME_SIZE];
	unsigned i;

	(void)a;
	if (gmem_read(&g->mem, sp, f, sizeof(f)) < 0 ||
	    ld_32(f + FRAME_MASK + 8) != FRAME_MAGIC) {
		guest_exit(g, GSIG_SEGV);
		return SYS_PARKED;
	}
	for (i = 1; i < 32; i++)
		g->cpu.x[i] = ld_32(f + FRAME_REGS + 4 * (i - 1));
	g->cpu.pc = ld_32(f + FRAME_REGS + 4 * 31);
	g->sig_mask = ld_64(f + FRAME_MASK) & ~UNBLOCKABLE;
	guest_resume(g);
	return SYS_PARKED;
}

/* rt_sigaction(sig, act, oldact, sigsetsize): struct { handler, flags, mask }. */
SYS(rt_sigaction)
{
	uint32_t sig = a[0];
	uint8_t b[16];

	if (a[3] != 8)
		return -NOS_EINVAL;
	if (sig == 0 || sig > GUEST_SIG_MAX)
		return -NOS_EINVAL;
	if (a[2]) {
		st_32(b, g->sigact[sig].handler);
		st_32(b + 4, g->sigact[sig].flags);
		st_64(b + 8, g->sigact[sig].mask);
		if (gmem_write(&g->mem, a[2], b, sizeof(b)) < 0)
			return -NOS_EFAULT;
	}
	if (a[1]) {
		if (sig == GSIG_KILL || sig == GSIG_STOP)
			return -NOS_EINVAL;
		if (gmem_read(&g->mem, a[1], b, sizeof(b)) < 0)
			return -NOS_EFAULT;
		g->sigact[sig].handler = ld_32(b);
		g->sigact[sig].flags = ld_32(b + 4);
		g->sigact[sig].mask = ld_64(b + 8) & ~UNBLOCKABLE;
		if (g->sigact[sig].handler == 1)      /* SIG_IGN drops what is pending */
			g->sig_pending &= ~(1ull << (sig - 1));
	}
	return 0;
}

enum { SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2 };

/* rt_sigprocmask(how, set, oldset, sigsetsize) */
SYS(rt_sigprocmask)
{
	uint8_t b[8];
	uint64_t set;

	if (a[3] != 8)
		return -NOS_EINVAL;
	if (a[2]) {
		st_64(b, g->sig_mask);
		if (gmem_write(&g->mem, a[2], b, sizeof(b)) < 0)
			return -NOS_EFAULT;
	}
	if (!a[1])
		return 0;
	if (gmem_read(&g->mem, a[1], b, sizeof(b)) < 0)
		return -NOS_EFAULT;
	set = ld_64(b);
	switch (a[0]) {
	case SIG_BLOCK:
		g->sig_mask |= set;
		break;
	case SIG_UNBLOCK:
		g->sig_mask &= ~set;
		break;
	case SIG_SETMASK:
		g->sig_mask = set;
		break;
	default:
		return -NOS_EINVAL;
	}
	g->sig_mask &= ~UNBLOCKABLE;
	return 0;
}

/* rt_sigpending(set, sigsetsize) */
SYS(rt_sigpending)
{
	uint8_t b[8];

	if (a[1] != 8)
		return -NOS_EINVAL;
	st_64(b, g->sig_pending & g->sig_mask);
	return gmem_write(&g->mem, a[0], b, sizeof(b)) < 0 ? -NOS_EFAULT : 0;
}

/* rt_sigsuspend(mask, sigsetsize): wait with that mask until a signal is
 * delivered; always -EINTR. The mask comes back when the handler returns. */
SYS(rt_sigsuspend)
{
	uint8_t b[8];

	if (a[1] != 8)
		return -NOS_EINVAL;
	if (gmem_read(&g->mem, a[0], b, sizeof(b)) < 0)
		return -NOS_EFAULT;
	g->saved_mask = g->sig_mask;
	g->restore_mask = 1;
	g->sig_mask = ld_64(b) & ~UNBLOCKABLE;
	if (g->sig_pending & ~g->sig_mask)
		return -NOS_EINTR;
	g->state = GUEST_SUSPENDED;
	return SYS_PARKED;
}
