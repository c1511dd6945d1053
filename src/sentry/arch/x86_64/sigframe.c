// SPDX-License-Identifier: MIT
/*
 * x86-64 signal frames: what the kernel pushes on the user stack before
 * running a handler (struct rt_sigframe: return address, ucontext with the
 * saved registers and mask, siginfo, then the FP state), and rt_sigreturn,
 * which restores from it. The FP state is the full XSAVE image (FP, SSE,
 * AVX, AVX-512...) with Linux's markers: FP_XSTATE_MAGIC1 in the FXSAVE
 * area's software bytes, FP_XSTATE_MAGIC2 after the image, UC_FP_XSTATE in
 * uc_flags. The bare 512-byte FXSAVE image is the fallback.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"
#include "platform/platform.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/mm/usercopy.h"

struct linux_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};
_Static_assert(sizeof(struct linux_sigcontext) == 256, "sigcontext");

struct linux_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct linux_stack uc_stack;
	struct linux_sigcontext uc_mcontext;
	linux_sigset_t uc_sigmask;
};
_Static_assert(sizeof(struct linux_ucontext) == 304, "kernel ucontext");

struct rt_sigframe {
	uint64_t pretcode;
	struct linux_ucontext uc;
	struct linux_siginfo info;
};

#define SA_ONSTACK_ 0x08000000
#define SA_RESTORER_ 0x04000000
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4
#define REDZONE 128
#define FXSAVE_SIZE 512
#define XSTATE_MAX 16384
#define XSTATE_MAGIC1 0x46505853u
#define XSTATE_MAGIC2 0x46505845u
#define UC_FP_XSTATE 0x1
#define SW_BYTES_OFFSET 464	/* struct _fpx_sw_bytes inside the FXSAVE image */

struct fpx_sw_bytes {
	uint32_t magic1;
	uint32_t extended_size;	/* xstate_size + sizeof(MAGIC2) */
	uint64_t xfeatures;	/* the image's XSTATE_BV */
	uint32_t xstate_size;
	uint32_t padding[7];
};
_Static_assert(sizeof(struct fpx_sw_bytes) == 48, "_fpx_sw_bytes");

#define XFEATURE_XTILEDATA 18
#define XSTATE_HDR_SIZE 64

/* The platform's full XSAVE image size (what get_xstate gives, set_xstate takes); 0 until known. */
static size_t g_platform_xsize;

static uint64_t read_xcr0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

/*
 * The user features a frame carries and the size of their standard-format
 * image, as Linux sizes signal frames (fpu_user_cfg.default_*): all enabled
 * user features but AMX tile data, which a process must ask for first.
 * ptrace's NT_X86_XSTATE hands over the larger maximal image instead.
 */
static size_t frame_xsize(uint64_t *features)
{
	static size_t size;
	static uint64_t mask;

	if (!size) {
		uint64_t xcr0 = read_xcr0();
		uint32_t a, b, c, d;

		size = FXSAVE_SIZE + XSTATE_HDR_SIZE;
		mask = xcr0 & 3;
		for (int i = 2; i < 63; i++) {
			if (!(xcr0 & (1ULL << i)) || i == XFEATURE_XTILEDATA)
				continue;
			__cpuid_count(0xd, i, a, b, c, d);
			if (c & 1)	/* supervisor state: not in user images */
				continue;
			mask |= 1ULL << i;
			size = MAX(size, (size_t)b + a);
		}
	}
	*features = mask;
	return size;
}

/* The current FP state as it goes into a frame: XSAVE with markers, or FXSAVE. */
static uint8_t *save_fpstate(struct task *t, size_t *size, bool *xstate)
{
	uint8_t *buf = xzalloc(XSTATE_MAX + 4);
	size_t n = XSTATE_MAX;
	struct fpx_sw_bytes sw = { 0 };

	*xstate = false;
	if (g_platform->ops->get_xstate && g_platform->ops->get_xstate(t->mm->as, buf, &n) == 0 && n > FXSAVE_SIZE &&
	    n <= XSTATE_MAX) {
		uint32_t magic2 = XSTATE_MAGIC2;
		uint64_t bv, features;
		size_t m = frame_xsize(&features);

		g_platform_xsize = n;
		memcpy(&bv, buf + FXSAVE_SIZE, 8);
		/* tile data not in use: the frame is as small as Linux's, so it fits where Linux's fits */
		if (m < n && !(bv & (1ULL << XFEATURE_XTILEDATA))) {
			memset(buf + m, 0, n - m);
			n = m;
		} else {
			features = bv | features;
		}
		sw.magic1 = XSTATE_MAGIC1;
		sw.extended_size = (uint32_t)n + 4;
		sw.xfeatures = features;
		sw.xstate_size = (uint32_t)n;
		memcpy(buf + SW_BYTES_OFFSET, &sw, sizeof(sw));
		memcpy(buf + n, &magic2, 4);
		*size = n + 4;
		*xstate = true;
		return buf;
	}
	if (g_platform->ops->get_fpregs(t->mm->as, (struct arch_fpregs *)buf) == 0) {
		*size = FXSAVE_SIZE;
		return buf;
	}
	free(buf);
	return NULL;
}

/* The platform's image size, asked once if no frame was made yet (a forged rt_sigreturn). */
static size_t platform_xsize(struct task *t)
{
	if (!g_platform_xsize && g_platform->ops->get_xstate) {
		uint8_t *probe = xmalloc(XSTATE_MAX);
		size_t n = XSTATE_MAX;

		if (g_platform->ops->get_xstate(t->mm->as, probe, &n) == 0 && n > FXSAVE_SIZE && n <= XSTATE_MAX)
			g_platform_xsize = n;
		free(probe);
	}
	return g_platform_xsize;
}

/*
 * Like Linux (fpu__clear_user_states), a handler starts with the FP state in
 * its initial configuration: an empty x87 stack, FCW 0x37f, MXCSR 0x1f80,
 * zeroed vector registers. The interrupted state lives on in the frame.
 */
static void reset_fpstate(struct task *t, bool xstate)
{
	size_t size = xstate ? platform_xsize(t) : 0;
	uint8_t *buf = xzalloc(MAX(size, (size_t)FXSAVE_SIZE + XSTATE_HDR_SIZE));
	uint16_t fcw = 0x37f;
	uint32_t mxcsr = 0x1f80;
	uint64_t xstate_bv = 3;	/* x87 and SSE from the image below, everything else initial */

	memcpy(buf, &fcw, 2);
	memcpy(buf + 24, &mxcsr, 4);
	if (xstate) {
		memcpy(buf + FXSAVE_SIZE, &xstate_bv, 8);
		if (g_platform->ops->set_xstate(t->mm->as, buf, size) == 0)
			goto out;
	}
	g_platform->ops->set_fpregs(t->mm->as, (struct arch_fpregs *)buf);
out:
	free(buf);
}

/* Flags a program may change through sigreturn: CF PF AF ZF SF TF DF OF RF AC ID and the like. */
#define FLAG_MASK 0x50dd5UL

static bool on_altstack(struct task *t, uint64_t sp)
{
	return t->altstack.ss_size && sp > t->altstack.ss_sp && sp - t->altstack.ss_sp <= t->altstack.ss_size;
}

static void save_regs(struct linux_sigcontext *sc, const struct arch_regs *r)
{
	sc->r8 = r->r8;
	sc->r9 = r->r9;
	sc->r10 = r->r10;
	sc->r11 = r->r11;
	sc->r12 = r->r12;
	sc->r13 = r->r13;
	sc->r14 = r->r14;
	sc->r15 = r->r15;
	sc->rdi = r->rdi;
	sc->rsi = r->rsi;
	sc->rbp = r->rbp;
	sc->rbx = r->rbx;
	sc->rdx = r->rdx;
	sc->rax = r->rax;
	sc->rcx = r->rcx;
	sc->rsp = r->rsp;
	sc->rip = r->rip;
	sc->eflags = r->eflags;
	sc->cs = (uint16_t)r->cs;
	sc->ss = (uint16_t)r->ss;
}

static void load_regs(struct arch_regs *r, const struct linux_sigcontext *sc)
{
	r->r8 = sc->r8;
	r->r9 = sc->r9;
	r->r10 = sc->r10;
	r->r11 = sc->r11;
	r->r12 = sc->r12;
	r->r13 = sc->r13;
	r->r14 = sc->r14;
	r->r15 = sc->r15;
	r->rdi = sc->rdi;
	r->rsi = sc->rsi;
	r->rbp = sc->rbp;
	r->rbx = sc->rbx;
	r->rdx = sc->rdx;
	r->rax = sc->rax;
	r->rcx = sc->rcx;
	r->rsp = sc->rsp;
	r->rip = sc->rip;
	r->eflags = (r->eflags & ~FLAG_MASK) | (sc->eflags & FLAG_MASK);
	r->orig_rax = (uint64_t)-1;
}

int setup_signal_frame(struct task *t, int sig, const struct linux_sigaction *act,
		       const struct linux_siginfo *info, linux_sigset_t old_mask)
{
	struct rt_sigframe frame;
	uint64_t sp = t->regs.rsp, fp_addr = 0, frame_addr;
	size_t fp_size = 0;
	bool xstate, nested = on_altstack(t, sp), entering = false;
	uint8_t *fp;

	if (!(act->flags & SA_RESTORER_))
		return -EFAULT;	/* x86-64 has no kernel-provided trampoline */
	if ((act->flags & SA_ONSTACK_) && t->altstack.ss_size && !(t->altstack.ss_flags & SS_DISABLE) && !nested) {
		sp = t->altstack.ss_sp + t->altstack.ss_size;
		entering = true;
	} else {
		sp -= REDZONE;
	}
	fp = save_fpstate(t, &fp_size, &xstate);
	fp_addr = (sp - fp_size) & ~63UL;
	frame_addr = ((fp_addr - sizeof(frame)) & ~15UL) - 8;
	/*
	 * Like Linux's get_sigframe(): a frame that would overflow the
	 * alternate stack (entering it, or already on it) is not written below
	 * it; the caller forces SIGSEGV instead.
	 */
	if ((entering || nested) && !on_altstack(t, frame_addr)) {
		free(fp);
		return -EFAULT;
	}

	memset(&frame, 0, sizeof(frame));
	frame.pretcode = act->restorer;
	frame.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS | (xstate ? UC_FP_XSTATE : 0);
	frame.uc.uc_stack = t->altstack;
	frame.uc.uc_stack.ss_flags = on_altstack(t, t->regs.rsp) ? SS_ONSTACK : t->altstack.ss_size ? 0 : SS_DISABLE;
	save_regs(&frame.uc.uc_mcontext, &t->regs);
	frame.uc.uc_mcontext.oldmask = old_mask;
	frame.uc.uc_mcontext.fpstate = fp ? fp_addr : 0;
	if (info->si_signo == SIGSEGV || info->si_signo == SIGBUS)
		frame.uc.uc_mcontext.cr2 = info->fault.addr;
	frame.uc.uc_sigmask = old_mask;
	frame.info = *info;
	frame.info.si_signo = sig;
	if ((fp && copy_out(t, uptr(fp_addr), fp, fp_size)) || copy_out(t, uptr(frame_addr), &frame, sizeof(frame))) {
		free(fp);
		return -EFAULT;
	}
	free(fp);
	if (fp)
		reset_fpstate(t, xstate);
	t->regs.rdi = sig;
	t->regs.rsi = frame_addr + offsetof(struct rt_sigframe, info);
	t->regs.rdx = frame_addr + offsetof(struct rt_sigframe, uc);
	t->regs.rax = 0;
	t->regs.rip = act->handler;
	t->regs.rsp = frame_addr;
	t->regs.eflags &= ~(0x100UL | 0x400UL | 0x10000UL);	/* TF, DF, RF */
	return 0;
}

/* Load the FP state a frame points at: XSAVE when its markers are intact, else FXSAVE. */
static int restore_fpstate(struct task *t, uint64_t addr)
{
	uint8_t *buf = xmalloc(XSTATE_MAX + 4);
	struct fpx_sw_bytes sw;
	uint32_t magic2 = 0;
	int err = -EFAULT;

	if (copy_in(t, buf, uptr(addr), FXSAVE_SIZE))
		goto out;
	memcpy(&sw, buf + SW_BYTES_OFFSET, sizeof(sw));
	if (g_platform->ops->set_xstate && sw.magic1 == XSTATE_MAGIC1 && sw.xstate_size > FXSAVE_SIZE &&
	    sw.xstate_size <= XSTATE_MAX && sw.extended_size == sw.xstate_size + 4 &&
	    copy_in(t, &magic2, uptr(addr + sw.xstate_size), 4) == 0 && magic2 == XSTATE_MAGIC2) {
		size_t full = MAX(platform_xsize(t), (size_t)sw.xstate_size);

		memset(buf, 0, full);
		if (copy_in(t, buf, uptr(addr), sw.xstate_size))
			goto out;
		if (full > sw.xstate_size) {
			/* a default-size frame: the components past its end (tile data) start initial */
			uint64_t bv, features;

			memcpy(&bv, buf + FXSAVE_SIZE, 8);
			frame_xsize(&features);
			bv &= features;
			memcpy(buf + FXSAVE_SIZE, &bv, 8);
		}
		/* a state the host refuses (bad header or MXCSR) is a bad frame */
		err = g_platform->ops->set_xstate(t->mm->as, buf, full) ? -EFAULT : 0;
		goto out;
	}
	/* MXCSR reserved bits would make the host refuse the whole state */
	memset(buf + 28, 0, 4);
	g_platform->ops->set_fpregs(t->mm->as, (struct arch_fpregs *)buf);
	err = 0;
out:
	free(buf);
	return err;
}

long restore_signal_frame(struct task *t)
{
	struct linux_ucontext uc;
	uint64_t frame_addr = t->regs.rsp - 8;

	if (copy_in(t, &uc, uptr(frame_addr + offsetof(struct rt_sigframe, uc)), sizeof(uc))) {
		task_force_signal(t, SIGSEGV, SI_KERNEL, 0);
		return 0;
	}
	load_regs(&t->regs, &uc.uc_mcontext);
	t->sigmask = uc.uc_sigmask & ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP));
	if (uc.uc_mcontext.fpstate && restore_fpstate(t, uc.uc_mcontext.fpstate)) {
		task_force_signal(t, SIGSEGV, SI_KERNEL, 0);
		return 0;
	}
	/* Like sigaltstack(&uc_stack), ignoring errors: the handler may have changed it. */
	if (!on_altstack(t, t->regs.rsp)) {
		t->altstack = uc.uc_stack;
		t->altstack.ss_flags &= SS_DISABLE;
		if (t->altstack.ss_flags & SS_DISABLE)
			t->altstack.ss_sp = t->altstack.ss_size = 0;
	}
	return (long)t->regs.rax;
}
