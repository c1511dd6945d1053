// SPDX-License-Identifier: MIT
/*
 * trap_cost - what one trapped system call costs on this machine, natively
 * and in one process, by the two mechanisms the systrap platform could use:
 *
 *   native    getppid through a plain syscall instruction
 *   seccomp   the same instruction under a seccomp filter shaped like the
 *             stub's (arch check, caller address check, SECCOMP_RET_TRAP),
 *             a SIGSYS handler that writes the result and returns
 *   sud       Syscall User Dispatch (PR_SET_SYSCALL_USER_DISPATCH) with no
 *             selector byte and only the page holding the signal restorer
 *             excluded, the same handler
 *   sud+seccomp  both on: the dispatch happens before the filter runs
 *
 * Each mode runs in its own forked child (neither can be undone), pinned to
 * one CPU: the trap never leaves the thread. Prints one line per mode:
 * "<mode> <ns per call>". usage: trap_cost [iterations]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_ON 1
#endif

/*
 * The excluded page: a raw syscall entry and the signal restorer. Under
 * dispatch, calls from here go to the kernel (rt_sigreturn must).
 */
long excluded_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
void excluded_restorer(void);
extern const char excluded_start[], excluded_end[];
__asm__(".pushsection .text.trap_cost_excluded, \"ax\"\n"
	".balign 4096\n"
	"excluded_start:\n"
	"excluded_syscall:\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	mov %rcx, %rdx\n"
	"	mov %r8, %r10\n"
	"	mov %r9, %r8\n"
	"	mov 8(%rsp), %r9\n"
	"	syscall\n"
	"	ret\n"
	"excluded_restorer:\n"
	"	mov $15, %eax\n"
	"	syscall\n"
	"	ud2\n"
	".balign 4096\n"
	"excluded_end:\n"
	".popsection\n");

/* The measured call: a syscall instruction outside the excluded page. */
static inline long plain_getppid(void)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"((long)SYS_getppid) : "rcx", "r11", "memory");
	return ret;
}

static void on_sigsys(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;

	(void)sig, (void)si;
	uc->uc_mcontext.gregs[REG_RAX] = 4242;
}

struct k_sigaction {
	void (*handler)(int, siginfo_t *, void *);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

static int install_handler(void)
{
	struct k_sigaction ka = {
		.handler = on_sigsys,
		.flags = SA_SIGINFO | 0x04000000 /* SA_RESTORER */,
		.restorer = excluded_restorer,
	};

	return (int)excluded_syscall(SYS_rt_sigaction, SIGSYS, (long)&ka, 0, 8, 0, 0) ? -1 : 0;
}

/* The stub's shape: other ABIs trap, calls from the excluded page pass, the rest trap. */
static int install_filter(void)
{
	uint64_t lo = (uint64_t)excluded_start, hi = (uint64_t)excluded_end;
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(lo >> 32), 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer)),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)lo, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)hi, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	if ((lo >> 32) != ((hi - 1) >> 32))
		return -1;
	if (excluded_syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0))
		return -1;
	return excluded_syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)&prog, 0, 0, 0) ? -1 : 0;
}

static int enable_dispatch(void)
{
	/* The selector (last argument) is NULL: every call outside the range dispatches. */
	return excluded_syscall(SYS_prctl, PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, (long)excluded_start,
				excluded_end - excluded_start, 0, 0) ? -1 : 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);	/* the vDSO: no system call */
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Time @iters calls; the result must be @want each time (a trap that did not happen shows). */
static double measure(long iters, long want)
{
	double t0 = now_ns();

	for (long i = 0; i < iters; i++)
		if (plain_getppid() != want)
			return -1;
	return (now_ns() - t0) / iters;
}

static int run_mode(const char *mode, long iters)
{
	int fds[2];
	pid_t pid;
	double ns = -1;
	int status;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		bool trap = strcmp(mode, "native") != 0;
		bool ok = true;
		cpu_set_t one;

		CPU_ZERO(&one);
		CPU_SET(sched_getcpu(), &one);
		sched_setaffinity(0, sizeof(one), &one);
		if (trap)
			ok = install_handler() == 0;
		if (ok && strstr(mode, "seccomp"))
			ok = install_filter() == 0;
		if (ok && strstr(mode, "sud"))
			ok = enable_dispatch() == 0;
		if (ok) {
			measure(iters / 10, trap ? 4242 : getppid());
			ns = measure(iters, trap ? 4242 : getppid());
		}
		/* Under dispatch only the excluded page may call the kernel. */
		excluded_syscall(SYS_write, fds[1], (long)&ns, sizeof(ns), 0, 0, 0);
		excluded_syscall(SYS_exit_group, 0, 0, 0, 0, 0, 0);
	}
	close(fds[1]);
	if (pid < 0 || read(fds[0], &ns, sizeof(ns)) != sizeof(ns))
		ns = -1;
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	if (ns < 0)
		printf("%s n/a\n", mode);
	else
		printf("%s %.0f\n", mode, ns);
	return 0;
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 200000;
	static const char *const modes[] = { "native", "seccomp", "sud", "sud+seccomp" };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		run_mode(modes[i], iters);
	return 0;
}
