// SPDX-License-Identifier: MIT
/*
 * A signal frame that does not fit on the alternate stack (Linux's
 * get_sigframe() check, then force_sigsegv()): nothing is written below the
 * stack; the process dies of SIGSEGV, or a SIGSEGV handler on the normal
 * stack runs (si_code SI_KERNEL) when the failed frame was another signal's;
 * handlers nested on the altstack until it overflows end the same way.
 * The altstack lies inside a larger shared mapping so that a frame written
 * below it would land in memory the parent checks.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include "harness.h"

#define MAP_LEN (256 * 1024)
#define ALT_OFF (128 * 1024)
#define CANARY 0x5a

struct shared {
	volatile int usr1_runs, segv_runs, segv_code, depth;
};

static uint8_t *area;
static struct shared *sh;

static void on_usr1(int sig)
{
	sh->usr1_runs++;
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	sh->segv_runs++;
	sh->segv_code = si->si_code;
	_exit(7);
}

static void on_nested(int sig)
{
	sh->depth++;
	if (sh->depth < 1000)
		raise(SIGUSR2);	/* SA_NODEFER: another frame further down the altstack */
	_exit(8);
}

static void set_altstack(size_t size)
{
	stack_t ss = { .ss_sp = area + ALT_OFF, .ss_size = size };

	if (sigaltstack(&ss, NULL))
		_exit(20);
}

static void on(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = { .sa_handler = fn, .sa_flags = flags };

	if (sigaction(sig, &sa, NULL))
		_exit(21);
}

/* The canary below (and above) the altstack is intact. */
static bool canary_intact(void)
{
	for (size_t k = 0; k < ALT_OFF; k++)
		if (area[k] != CANARY)
			return false;
	return true;
}

static int run(void (*child)(void))
{
	pid_t pid;

	memset(area, CANARY, ALT_OFF);
	memset((void *)sh, 0, sizeof(*sh));
	pid = fork();
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };

		setrlimit(RLIMIT_CORE, &no_core);
		child();
		_exit(0);
	}
	return wait_status(pid);
}

static void setup(void)
{
	area = mmap(NULL, MAP_LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(area == MAP_FAILED ? -1 : 0);
	sh = (struct shared *)(area + MAP_LEN - 4096);
}

static void tiny_altstack_no_segv_handler(void)
{
	set_altstack(2048);	/* MINSIGSTKSZ: less than any x86-64 frame with its FP state */
	on(SIGUSR1, on_usr1, SA_ONSTACK);
	raise(SIGUSR1);
}

TEST(sigaltstack_overflow, frame_too_big_is_sigsegv)
{
	int st;

	setup();
	st = run(tiny_altstack_no_segv_handler);
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	EXPECT_EQ(sh->usr1_runs, 0);
	EXPECT_TRUE(canary_intact());
	munmap(area, MAP_LEN);
}

static void tiny_altstack_with_segv_handler(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };

	if (sigaction(SIGSEGV, &sa, NULL))
		_exit(22);
	tiny_altstack_no_segv_handler();
}

TEST(sigaltstack_overflow, segv_handler_on_normal_stack_runs)
{
	int st;

	setup();
	st = run(tiny_altstack_with_segv_handler);
	EXPECT_EXITED(st, 7);
	EXPECT_EQ(sh->usr1_runs, 0);
	EXPECT_EQ(sh->segv_runs, 1);
	EXPECT_EQ(sh->segv_code, SI_KERNEL);
	EXPECT_TRUE(canary_intact());
	munmap(area, MAP_LEN);
}

static void nested_until_overflow(void)
{
	set_altstack(32 * 1024);
	on(SIGUSR2, on_nested, SA_ONSTACK | SA_NODEFER);
	raise(SIGUSR2);
}

TEST(sigaltstack_overflow, nested_frames_stop_at_the_bottom)
{
	int st;

	setup();
	st = run(nested_until_overflow);
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	EXPECT_TRUE(sh->depth >= 1 && sh->depth < 32);
	EXPECT_TRUE(canary_intact());
	munmap(area, MAP_LEN);
}
