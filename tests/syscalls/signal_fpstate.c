// SPDX-License-Identifier: MIT
/*
 * The full FP/SSE/AVX state is kept where Linux keeps it: a signal handler
 * that clobbers xmm and ymm registers leaves the interrupted code's values
 * intact (the frame carries the xsave image, UC_FP_XSTATE), and a forked
 * child starts with its parent's ymm registers.
 */
#include <cpuid.h>
#include <signal.h>
#include <stdint.h>
#include <ucontext.h>
#include <sys/wait.h>
#include "harness.h"

static volatile int saw_xstate;

static bool have_avx(void)
{
	unsigned a, b, c, d;

	return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_AVX) && (c & bit_OSXSAVE);
}

__attribute__((target("avx"))) static void clobber_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	(void)si;
	saw_xstate = (uc->uc_flags & 1) != 0;	/* UC_FP_XSTATE */
	__asm__ volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\tvpcmpeqd %%ymm1, %%ymm1, %%ymm1" ::: "xmm0", "xmm1");
}

__attribute__((target("avx"))) static int ymm_survives(void)
{
	uint64_t before[4] = { 0x1111111111111111ULL, 0x2222222222222222ULL, 0x3333333333333333ULL,
			       0x4444444444444444ULL };
	uint64_t after[4];

	__asm__ volatile("vmovdqu %1, %%ymm0\n\t"
			 "mov %2, %%eax\n\t"	/* getpid() then kill(pid, SIGUSR1), keeping ymm0 live */
			 "mov $39, %%eax\n\tsyscall\n\t"
			 "mov %%eax, %%edi\n\tmov $10, %%esi\n\tmov $62, %%eax\n\tsyscall\n\t"
			 "vmovdqu %%ymm0, %0"
			 : "=m"(after)
			 : "m"(before), "i"(0)
			 : "rax", "rdi", "rsi", "rcx", "r11", "xmm0", "memory");
	return memcmp(before, after, sizeof(before)) == 0;
}

TEST(signal_fpstate, handler_cannot_clobber_avx)
{
	struct sigaction sa = { .sa_sigaction = clobber_handler, .sa_flags = SA_SIGINFO };

	if (!have_avx())
		SKIP("no AVX on this CPU");
	CHECK(sigaction(SIGUSR1, &sa, NULL));
	saw_xstate = 0;
	EXPECT_TRUE(ymm_survives());
	EXPECT_EQ(saw_xstate, 1);
	signal(SIGUSR1, SIG_DFL);
}

__attribute__((target("avx"))) static int fork_keeps_ymm(void)
{
	uint64_t in[4] = { 5, 6, 7, 8 }, out[4] = { 0 };
	long pid;
	int st;

	/* Raw fork right after loading ymm7: no library code may touch it in between. */
	__asm__ volatile("vmovdqu %2, %%ymm7\n\t"
			 "mov $57, %%eax\n\tsyscall\n\t"
			 "vmovdqu %%ymm7, %1"
			 : "=a"(pid), "=m"(out)
			 : "m"(in)
			 : "rcx", "r11", "xmm7", "memory");
	if (pid == 0)
		_exit(memcmp(in, out, sizeof(in)) ? 1 : 0);
	if (pid < 0 || waitpid((pid_t)pid, &st, 0) != pid)
		return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

TEST(signal_fpstate, fork_keeps_avx)
{
	if (!have_avx())
		SKIP("no AVX on this CPU");
	EXPECT_TRUE(fork_keeps_ymm());
}
