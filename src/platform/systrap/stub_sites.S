/* SPDX-License-Identifier: MIT */
/*
 * The systrap stub's syscall sites: every syscall instruction the stub may
 * execute is here, labelled *_site right after it, so the seccomp filters can
 * allow each host syscall from one exact address (the build exports the
 * labels' offsets to the Sentry).
 *
 * The syscall thread and the new-thread prologue run with a looser filter
 * (mmap, munmap, clone...). Guest code runs in the same address space and
 * can write any writable page there, so that code uses no stack and no
 * writable memory: its inputs are registers and read-only pages only.
 */
#include "platform/systrap/layout.h"

#define NR_rt_sigreturn 15
#define NR_rt_sigprocmask 14
#define NR_clone 56
#define NR_futex 202
#define NR_pwrite64 18
#define NR_seccomp 317
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1

/* A label right after a syscall instruction: what seccomp sees as the caller. */
.macro site name
	.globl	\name
\name:
.endm

	.section .text.sites, "ax"
	.globl	stub_image_start
stub_image_start:
	/* The entry: the Sentry's fork child jumps here with %rsp on slot 1's stack. */
	and	$-16, %rsp
	call	stub_main
	ud2

	/* long stub_raw_syscall(long nr, long a0, ..., long a5) */
	.globl	stub_raw_syscall
	.type	stub_raw_syscall, @function
stub_raw_syscall:
	mov	%rdi, %rax
	mov	%rsi, %rdi
	mov	%rdx, %rsi
	mov	%rcx, %rdx
	mov	%r8, %r10
	mov	%r9, %r8
	mov	8(%rsp), %r9
	syscall
	site	stub_raw_syscall_site
	ret
	.size	stub_raw_syscall, . - stub_raw_syscall

	.globl	stub_restorer
stub_restorer:
	mov	$NR_rt_sigreturn, %eax
	syscall
	site	stub_restorer_site
	ud2

	/* A stub thread announces itself: this syscall traps (EV_READY). */
	.globl	stub_ready
stub_ready:
	mov	$STUB_READY_NR, %eax
	syscall
	site	stub_ready_site
	ud2

	/*
	 * The syscall thread's only syscall instruction; callers put their
	 * continuation in %rbx (no stack to call with).
	 */
systhread_syscall:
	syscall
	site	stub_systhread_site
	jmp	*%rbx

/*
 * The syscall thread. Registers: %r12 the request ring (read-only here),
 * %r15 the reply page, %r13d requests done, %r14 the current request's
 * number, %ebp the spin budget.
 */
	.globl	stub_systhread_start
stub_systhread_start:
	mov	$NR_seccomp, %eax
	mov	$1, %edi			/* SECCOMP_SET_MODE_FILTER */
	xor	%esi, %esi
	movabs	$(SYSTRAP_CODE + STUB_FPROG_SYS_OFF), %rdx
	lea	1f(%rip), %rbx
	jmp	systhread_syscall
1:	test	%rax, %rax
	jnz	systhread_die
	movabs	$SYSTRAP_SLOTS, %r12
	lea	REPLY_PAGE_OFF(%r12), %r15
	xor	%r13d, %r13d
systhread_loop:
	mov	$1, %ebp			/* look once more, then sleep: our task thread waits on this CPU */
2:	cmp	REQ_HEAD_OFF(%r12), %r13d
	jne	systhread_run
	pause
	dec	%ebp
	jnz	2b
	movl	$1, REPLY_SYS_SLEEPING_OFF(%r15)
	mfence
	cmp	REQ_HEAD_OFF(%r12), %r13d
	jne	3f
	mov	$NR_futex, %eax
	lea	REQ_HEAD_OFF(%r12), %rdi
	mov	$FUTEX_WAIT, %esi
	mov	%r13d, %edx
	xor	%r10d, %r10d
	lea	3f(%rip), %rbx
	jmp	systhread_syscall
3:	movl	$0, REPLY_SYS_SLEEPING_OFF(%r15)
	jmp	systhread_loop
systhread_run:
	mov	%r13d, %ecx
	and	$(REQ_RING_ENTRIES - 1), %ecx
	shl	$6, %ecx
	lea	REQ_ENTRIES_OFF(%r12, %rcx), %rcx
	mov	0(%rcx), %r14
	mov	8(%rcx), %rdi
	mov	16(%rcx), %rsi
	mov	24(%rcx), %rdx
	mov	32(%rcx), %r10
	mov	40(%rcx), %r8
	mov	48(%rcx), %r9
	mov	%r14, %rax
	lea	4f(%rip), %rbx
	jmp	systhread_syscall
4:	test	%rax, %rax
	jnz	5f
	cmp	$NR_clone, %r14
	je	newthread_start			/* we are the new thread */
	/*
	 * Report: the result (for its errno) where guest code could forge it,
	 * then the entry's sequence number into REQ_FAILED if it failed, and
	 * into REQ_DONE, which guest code cannot forge (see layout.h).
	 */
5:	mov	%r13d, %ecx
	and	$(REQ_RING_ENTRIES - 1), %ecx
	mov	%rax, REPLY_RESULTS_OFF(%r15, %rcx, 8)
	shl	$6, %ecx
	lea	(REQ_ENTRIES_OFF + REQ_ENTRY_SEQ_OFF)(%r12, %rcx), %rsi
	cmp	$-4095, %rax
	jb	6f
	mov	$REQ_FAILED_OFF, %r10d
	lea	6f(%rip), %rbx
	jmp	systhread_report
6:	mov	$REQ_DONE_OFF, %r10d
	lea	7f(%rip), %rbx
	jmp	systhread_report
7:	inc	%r13d
	cmpl	$0, REPLY_WAITING_OFF(%r15)
	je	systhread_loop
	mov	$NR_futex, %eax
	lea	REQ_DONE_OFF(%r12), %rdi
	mov	$FUTEX_WAKE, %esi
	mov	$1, %edx
	lea	systhread_loop(%rip), %rbx
	jmp	systhread_syscall
systhread_die:
	ud2

	/* pwrite64(STUB_SHARED_FD, %rsi, 4, %r10), then on to %rbx; %rsi survives. */
systhread_report:
	mov	$NR_pwrite64, %eax
	mov	$STUB_SHARED_FD, %edi
	mov	$4, %edx
	syscall
	site	stub_report_site
	cmp	$4, %rax
	jne	systhread_die
	jmp	*%rbx

	/* The new thread's syscall instruction, used before its guest filter is on. */
newthread_syscall:
	syscall
	site	stub_newthread_site
	jmp	*%rbx

/*
 * A thread the syscall thread cloned: %rsp is the top of its slot's stack,
 * every signal is blocked and only the syscall thread's filter applies.
 * Unblock signals and take on the guest filter, still without touching
 * writable memory; from then on it may use its stack and C.
 */
newthread_start:
	mov	$NR_rt_sigprocmask, %eax
	mov	$2, %edi			/* SIG_SETMASK */
	lea	stub_empty_sigset(%rip), %rsi
	xor	%edx, %edx
	mov	$8, %r10d
	lea	1f(%rip), %rbx
	jmp	newthread_syscall
1:	mov	$NR_seccomp, %eax
	mov	$1, %edi
	xor	%esi, %esi
	movabs	$(SYSTRAP_CODE + STUB_FPROG_GUEST_OFF), %rdx
	lea	2f(%rip), %rbx
	jmp	newthread_syscall
2:	test	%rax, %rax
	jnz	systhread_die
	and	$-16, %rsp
	call	stub_thread_main
	ud2

/*
 * Start the syscall thread: clone without a stack of its own (it never
 * uses one). Returns the new tid, or -errno, in the caller.
 */
	.globl	stub_spawn_systhread
stub_spawn_systhread:
	mov	$NR_clone, %eax
	mov	$SYSTRAP_SYSTHREAD_CLONE_FLAGS, %edi
	xor	%esi, %esi
	xor	%edx, %edx
	xor	%r10d, %r10d
	xor	%r8d, %r8d
	syscall
	test	%rax, %rax
	jz	stub_systhread_start
	ret

/*
 * The fast path: patched syscall sites come here, with %rax free (the
 * original `mov $nr, %eax` overwrote it), %rcx = nr << 48 | the return
 * address and %r11 free (the syscall instruction clobbers both). %gs is
 * this thread's context unless the guest changed it: checked first, with
 * the flags kept in %ax (lahf/seto) meanwhile. Then it saves the guest
 * registers into the context, runs on the slot stack and hands off in C;
 * the Sentry's answer (any register, including %rip and %rsp) is loaded
 * back and jumped to. The guest's FP state is never touched here.
 */
#define R(name) (CTX_REGS_OFF + 8 * FR_##name)

	/*
	 * Interrupts (the Sentry's signal) landing in [stub_fast_bad_gs,
	 * stub_fast_restore) are dropped by the handler: a hand-off or a trap
	 * follows at once. In [stub_fast_restore, stub_fast_end) the handler
	 * completes the return from ctx->regs and reports the guest's state.
	 */

	/* %gs is not ours: trap, and the Sentry reads the call from %rcx. */
	.globl	stub_fast_bad_gs
stub_fast_bad_gs:
	add	$0x7f, %al
	sahf
	.globl	stub_fast_bad_gs_site
stub_fast_bad_gs_site:
	ud2

	.globl	stub_fast_entry
stub_fast_entry:
	lahf
	seto	%al
	rdgsbase %r11
	test	$(SYSTRAP_SLOT_SIZE - 1), %r11d
	jnz	stub_fast_bad_gs
	shr	$SYSTRAP_SLOT_SHIFT, %r11
	sub	$((SYSTRAP_SLOTS >> SYSTRAP_SLOT_SHIFT) + 1), %r11
	cmp	$(SYSTRAP_NR_SLOTS - 2), %r11
	ja	stub_fast_bad_gs
	mov	%rsp, %gs:R(RSP)
	movl	$0, %gs:CTX_CMD_OFF		/* no command yet: see fast_path_interrupted() */
	rdgsbase %rsp
	add	$SYSTRAP_SLOT_SIZE, %rsp
	add	$0x7f, %al			/* OF back from %al, the rest from %ah */
	sahf
	pushfq
	popq	%gs:R(RFLAGS)
	mov	%rcx, %rax
	shr	$FAST_NR_SHIFT, %rax
	shl	$(64 - FAST_NR_SHIFT), %rcx
	shr	$(64 - FAST_NR_SHIFT), %rcx
	mov	%rax, %gs:R(RAX)
	mov	%rbx, %gs:R(RBX)
	mov	%rcx, %gs:R(RCX)
	mov	%rdx, %gs:R(RDX)
	mov	%rsi, %gs:R(RSI)
	mov	%rdi, %gs:R(RDI)
	mov	%rbp, %gs:R(RBP)
	mov	%r8, %gs:R(R8)
	mov	%r9, %gs:R(R9)
	mov	%r10, %gs:R(R10)
	mov	%r12, %gs:R(R12)
	mov	%r13, %gs:R(R13)
	mov	%r14, %gs:R(R14)
	mov	%r15, %gs:R(R15)
	mov	%rcx, %gs:R(RIP)
	cld
	call	stub_fast_syscall
	.globl	stub_fast_restore
stub_fast_restore:
	/* Only from the call above, on the slot stack: a stray jump here faults. */
	rdgsbase %rax
	add	$SYSTRAP_SLOT_SIZE, %rax
	cmp	%rax, %rsp
	jne	stub_frame_site
	mov	%gs:R(RAX), %rax
	mov	%gs:R(RBX), %rbx
	mov	%gs:R(RCX), %rcx
	mov	%gs:R(RDX), %rdx
	mov	%gs:R(RSI), %rsi
	mov	%gs:R(RDI), %rdi
	mov	%gs:R(RBP), %rbp
	mov	%gs:R(R8), %r8
	mov	%gs:R(R9), %r9
	mov	%gs:R(R10), %r10
	mov	%gs:R(R11), %r11
	mov	%gs:R(R12), %r12
	mov	%gs:R(R13), %r13
	mov	%gs:R(R14), %r14
	mov	%gs:R(R15), %r15
	pushq	%gs:R(RFLAGS)
	popfq
	mov	%gs:R(RSP), %rsp
	jmp	*%gs:R(RIP)
	.globl	stub_fast_end
stub_fast_end:
	/* CMD_FRAME: the handler turns this into EV_FRAME. */
	.globl	stub_frame_site
stub_frame_site:
	ud2

	.section .rodata
	.p2align 3
stub_empty_sigset:
	.quad	0

	.section .note.GNU-stack, "", @progbits
