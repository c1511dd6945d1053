/* SPDX-License-Identifier: MIT */
/*
 * Stub process code for the ptrace platform. ptrace_stub_enter runs in the
 * child right after clone() with the Sentry's address space still present:
 * it copies the stub page to STUB_ADDR and jumps there. The stub page then
 * drops everything of the Sentry (all fds but the memory file, every other
 * mapping), asks to be traced by its parent thread and stops with int3.
 * From then on the tracer drives it: guest code runs under PTRACE_SYSEMU,
 * and host syscalls are injected at stub_syscall ("syscall; int3").
 * No stack is used anywhere here: the stack is unmapped along the way.
 */
#include "platform/ptrace/stub.h"

#define SYS_mmap 9
#define SYS_mprotect 10
#define SYS_munmap 11
#define SYS_rt_sigprocmask 14
#define SYS_ptrace 101
#define SYS_pause 34
#define SYS_exit_group 231
#define SYS_close_range 436

	.text
	.globl ptrace_stub_enter
	.type ptrace_stub_enter, @function
ptrace_stub_enter:
	mov	%rdi, %r15			/* memfd, kept across the copy */
	mov	$SYS_mmap, %eax
	movabs	$STUB_ADDR, %rdi
	mov	$STUB_SIZE, %esi
	mov	$3, %edx			/* PROT_READ | PROT_WRITE */
	mov	$0x32, %r10d			/* MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED */
	mov	$-1, %r8
	xor	%r9d, %r9d
	syscall
	movabs	$STUB_ADDR, %rdi
	cmp	%rdi, %rax
	jne	1f
	lea	stub_page_start(%rip), %rsi
	mov	$(stub_page_end - stub_page_start), %ecx
	cld
	rep movsb
	mov	$SYS_mprotect, %eax
	movabs	$STUB_ADDR, %rdi
	mov	$STUB_SIZE, %esi
	mov	$5, %edx			/* PROT_READ | PROT_EXEC */
	syscall
	test	%rax, %rax
	jnz	1f
	movabs	$STUB_ADDR, %rax
	jmp	*%rax
1:	mov	$SYS_exit_group, %eax
	mov	$111, %edi
	syscall
	.size ptrace_stub_enter, . - ptrace_stub_enter

	.section .rodata
	.p2align 4
stub_page_start:
	/* offset 0: continue the set-up at STUB_ADDR; %r15 = memfd */
	mov	$SYS_rt_sigprocmask, %eax
	mov	$2, %edi			/* SIG_SETMASK to the empty set */
	lea	stub_zero_set(%rip), %rsi
	xor	%edx, %edx
	mov	$8, %r10d
	syscall
	test	%r15, %r15
	jz	2f
	mov	$SYS_close_range, %eax
	xor	%edi, %edi
	lea	-1(%r15), %rsi
	xor	%edx, %edx
	syscall
2:	mov	$SYS_close_range, %eax
	lea	1(%r15), %rdi
	mov	$0xffffffff, %esi
	xor	%edx, %edx
	syscall
	mov	$SYS_munmap, %eax
	xor	%edi, %edi
	movabs	$STUB_ADDR, %rsi
	syscall
	mov	$SYS_munmap, %eax
	movabs	$(STUB_ADDR + STUB_SIZE), %rdi
	movabs	$(HOST_USER_TOP - STUB_ADDR - STUB_SIZE), %rsi
	syscall
	mov	$SYS_ptrace, %eax
	xor	%edi, %edi			/* PTRACE_TRACEME */
	xor	%esi, %esi
	xor	%edx, %edx
	xor	%r10d, %r10d
	syscall
	test	%rax, %rax
	jnz	3f
	int3					/* the tracer takes over here */
3:	mov	$SYS_exit_group, %eax
	mov	$112, %edi
	syscall
stub_zero_set:
	.quad	0
	.org	stub_page_start + STUB_SYSCALL_OFF
	syscall
	int3
	.org	stub_page_start + STUB_CLONE_OFF
	syscall
	test	%rax, %rax
	jnz	5f
4:	mov	$SYS_pause, %eax		/* the new thread: wait for our tracer */
	syscall
	jmp	4b
5:	int3
stub_page_end:

	.section .note.GNU-stack,"",@progbits
