// SPDX-License-Identifier: MIT
/*
 * x86-64 signal frames: what the kernel pushes on the user stack before
 * running a handler (struct rt_sigframe: return address, ucontext with the
 * saved registers and mask, siginfo, then the FP state), and rt_sigreturn,
 * which restores from it. FP state is the 512-byte FXSAVE image for now.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stddef.h>
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
#define FPSTATE_SIZE 512
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
	struct arch_fpregs fp;
	uint64_t sp = t->regs.rsp, fp_addr, frame_addr;
	bool have_fp;

	if (!(act->flags & SA_RESTORER_))
		return -EFAULT;	/* x86-64 has no kernel-provided trampoline */
	if ((act->flags & SA_ONSTACK_) && t->altstack.ss_size && !(t->altstack.ss_flags & SS_DISABLE) &&
	    !on_altstack(t, sp))
		sp = t->altstack.ss_sp + t->altstack.ss_size;
	else
		sp -= REDZONE;
	have_fp = g_platform->ops->get_fpregs(t->mm->as, &fp) == 0;
	fp_addr = (sp - FPSTATE_SIZE) & ~63UL;
	frame_addr = ((fp_addr - sizeof(frame)) & ~15UL) - 8;

	memset(&frame, 0, sizeof(frame));
	frame.pretcode = act->restorer;
	frame.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	frame.uc.uc_stack = t->altstack;
	frame.uc.uc_stack.ss_flags = on_altstack(t, t->regs.rsp) ? SS_ONSTACK : t->altstack.ss_size ? 0 : SS_DISABLE;
	save_regs(&frame.uc.uc_mcontext, &t->regs);
	frame.uc.uc_mcontext.oldmask = old_mask;
	frame.uc.uc_mcontext.fpstate = have_fp ? fp_addr : 0;
	if (info->si_signo == SIGSEGV || info->si_signo == SIGBUS)
		frame.uc.uc_mcontext.cr2 = info->fault.addr;
	frame.uc.uc_sigmask = old_mask;
	frame.info = *info;
	frame.info.si_signo = sig;
	if ((have_fp && copy_out(t, uptr(fp_addr), &fp, sizeof(fp))) ||
	    copy_out(t, uptr(frame_addr), &frame, sizeof(frame)))
		return -EFAULT;
	t->regs.rdi = sig;
	t->regs.rsi = frame_addr + offsetof(struct rt_sigframe, info);
	t->regs.rdx = frame_addr + offsetof(struct rt_sigframe, uc);
	t->regs.rax = 0;
	t->regs.rip = act->handler;
	t->regs.rsp = frame_addr;
	t->regs.eflags &= ~(0x100UL | 0x400UL | 0x10000UL);	/* TF, DF, RF */
	return 0;
}

long restore_signal_frame(struct task *t)
{
	struct linux_ucontext uc;
	uint64_t frame_addr = t->regs.rsp - 8;
	struct arch_fpregs fp;

	if (copy_in(t, &uc, uptr(frame_addr + offsetof(struct rt_sigframe, uc)), sizeof(uc))) {
		task_force_signal(t, SIGSEGV, SI_KERNEL, 0);
		return 0;
	}
	load_regs(&t->regs, &uc.uc_mcontext);
	t->sigmask = uc.uc_sigmask & ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP));
	if (uc.uc_mcontext.fpstate) {
		if (copy_in(t, &fp, uptr(uc.uc_mcontext.fpstate), sizeof(fp))) {
			task_force_signal(t, SIGSEGV, SI_KERNEL, 0);
			return 0;
		}
		/* MXCSR reserved bits would make the host refuse the whole state */
		memset(fp.bytes + 28, 0, 4);
		g_platform->ops->set_fpregs(t->mm->as, &fp);
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
