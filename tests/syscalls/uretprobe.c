// SPDX-License-Identifier: MIT
/*
 * uretprobe (335): Linux 6.11 added it for its uprobe trampolines, and from
 * 6.12 on runs it before any seccomp filter. Called from anywhere else it
 * raises SIGILL (SI_KERNEL) just after the syscall instruction, with %rax
 * = -1. A kernel that claims an older release (cvisor claims 4.4) has no
 * such call: -ENOSYS, no signal. Under systrap, whose guest filter never
 * sees the call, the host's SIGILL reached the guest (found by the fuzzer,
 * seed 6: a worker thread died of SIGILL in glibc's syscall()).
 *
 * Each case accepts what the running kernel's release allows: the native
 * run on a new host may see SIGILL, the sandbox must see ENOSYS.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/utsname.h>
#include <ucontext.h>
#include "harness.h"

#define NR_URETPROBE 335

struct sigill_seen {
	int count, code;
	uint64_t rip, rax;
};

static __thread struct sigill_seen seen;

/* Record the SIGILL and make the call return -ENOSYS, so that both outcomes go on alike. */
static void on_sigill(int sig, siginfo_t *si, void *p)
{
	ucontext_t *uc = p;

	(void)sig;
	seen.count++;
	seen.code = si->si_code;
	seen.rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	seen.rax = (uint64_t)uc->uc_mcontext.gregs[REG_RAX];
	uc->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
}

/* The release uname reports is at least @major.@minor. */
static bool release_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) < 1)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

struct call_result {
	long ret;
	uint64_t after_syscall;		/* the address just past the syscall instruction */
	uint64_t rbx, rbp, r12, r13, r14, r15, rdi, rsi, rdx, r10, r8, r9;
};

#define MAGIC(n) (0x5a5a000000000000ULL | (n))

/* A raw uretprobe with every register it must keep set to a known value. */
static void call_uretprobe(struct call_result *c)
{
	register uint64_t r10 __asm__("r10") = MAGIC(10);
	register uint64_t r8 __asm__("r8") = MAGIC(8);
	register uint64_t r9 __asm__("r9") = MAGIC(9);
	register uint64_t r12 __asm__("r12") = MAGIC(12);
	register uint64_t r13 __asm__("r13") = MAGIC(13);
	register uint64_t r14 __asm__("r14") = MAGIC(14);
	register uint64_t r15 __asm__("r15") = MAGIC(15);
	uint64_t rdi = MAGIC(1), rsi = MAGIC(2), rdx = MAGIC(3), rbx = MAGIC(4);
	uint64_t after;
	long ret;

	__asm__ volatile("syscall\n"
			 "1: lea 1b(%%rip), %[after]"
			 : "=a"(ret), [after] "=&c"(after), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+b"(rbx),
			   "+r"(r10), "+r"(r8), "+r"(r9), "+r"(r12), "+r"(r13), "+r"(r14), "+r"(r15)
			 : "0"((long)NR_URETPROBE)
			 : "r11", "memory");
	c->ret = ret;
	c->after_syscall = after;
	c->rdi = rdi, c->rsi = rsi, c->rdx = rdx, c->rbx = rbx;
	c->r10 = r10, c->r8 = r8, c->r9 = r9;
	c->r12 = r12, c->r13 = r13, c->r14 = r14, c->r15 = r15;
}

static void install_sigill(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigill, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGILL, &sa, NULL));
}

/* One call, judged by the release the kernel claims; returns the failures as a count. */
static int check_one_call(void)
{
	struct call_result c;
	int bad = 0;

	memset(&seen, 0, sizeof(seen));
	call_uretprobe(&c);
#define BAD(cond) do { if (!(cond)) { printf("  not: %s\n", #cond); bad++; } } while (0)
	BAD(c.ret == -ENOSYS);
	BAD(c.rdi == MAGIC(1) && c.rsi == MAGIC(2) && c.rdx == MAGIC(3) && c.rbx == MAGIC(4));
	BAD(c.r10 == MAGIC(10) && c.r8 == MAGIC(8) && c.r9 == MAGIC(9));
	BAD(c.r12 == MAGIC(12) && c.r13 == MAGIC(13) && c.r14 == MAGIC(14) && c.r15 == MAGIC(15));
	if (release_at_least(6, 11)) {
		/* SIGILL or not, as the host's uprobe set-up decides; if SIGILL, Linux's. */
		if (seen.count) {
			BAD(seen.count == 1);
			BAD(seen.code == SI_KERNEL);
			BAD(seen.rip == c.after_syscall);
			BAD(seen.rax == (uint64_t)-1);
		}
	} else {
		BAD(seen.count == 0);	/* no uretprobe in this kernel: just ENOSYS */
	}
#undef BAD
	return bad;
}

TEST(uretprobe, enosys_or_sigill_by_release)
{
	install_sigill();
	for (int k = 0; k < 3; k++)
		EXPECT_EQ(check_one_call(), 0);
	signal(SIGILL, SIG_DFL);
}

static void *thread_calls(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)(check_one_call() + check_one_call());
}

/* The fuzzer's case: a second thread of a multi-threaded process makes the call. */
TEST(uretprobe, from_a_second_thread)
{
	pthread_t th;
	void *bad;

	install_sigill();
	CHECK(pthread_create(&th, NULL, thread_calls, NULL) == 0 ? 0 : -1);
	CHECK(pthread_join(th, &bad) == 0 ? 0 : -1);
	EXPECT_EQ((intptr_t)bad, 0);
	EXPECT_EQ(check_one_call(), 0);
	signal(SIGILL, SIG_DFL);
}

/* With SIGILL at its default action a new host would end the process: not a 4.4 kernel. */
TEST(uretprobe, default_action_does_not_kill_on_old_release)
{
	pid_t pid;
	int status;

	if (release_at_least(6, 11))
		SKIP("this kernel (%s) has uretprobe", "6.11 or later");
	pid = CHECK(fork());
	if (pid == 0) {
		struct call_result c;

		signal(SIGILL, SIG_DFL);
		call_uretprobe(&c);
		_exit(c.ret == -ENOSYS ? 0 : 1);
	}
	status = wait_status(pid);
	EXPECT_EXITED(status, 0);
}
