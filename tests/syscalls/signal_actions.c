// SPDX-License-Identifier: MIT
/*
 * Signal actions: SA_NODEFER lets a handler be re-entered by its own signal,
 * without it the signal waits until the handler returns; SA_RESETHAND
 * restores the default after one delivery; rt_sigsuspend swaps in a mask,
 * returns EINTR after a handler, and restores the old mask; pause waits
 * for a handled signal; rt_sigpending shows blocked pending signals.
 */
#include <signal.h>
#include "harness.h"

static volatile sig_atomic_t depth, max_depth, calls;

static void nested(int sig)
{
	calls++;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (calls == 1)
		raise(sig);	/* re-entered at once with SA_NODEFER, after return without */
	depth--;
}

static int run_nested(int flags)
{
	struct sigaction sa = { .sa_handler = nested, .sa_flags = flags };

	calls = depth = max_depth = 0;
	CHECK(sigaction(SIGUSR1, &sa, NULL));
	raise(SIGUSR1);
	signal(SIGUSR1, SIG_DFL);
	return max_depth;
}

TEST(sigaction, sa_nodefer_reenters)
{
	EXPECT_EQ(run_nested(SA_NODEFER), 2);
	EXPECT_EQ(calls, 2);
	EXPECT_EQ(run_nested(0), 1);
	EXPECT_EQ(calls, 2);
}

static void count(int sig)
{
	(void)sig;
	calls++;
}

TEST(sigaction, sa_resethand_once)
{
	struct sigaction sa = { .sa_handler = count, .sa_flags = SA_RESETHAND }, now;

	calls = 0;
	CHECK(sigaction(SIGUSR2, &sa, NULL));
	raise(SIGUSR2);
	EXPECT_EQ(calls, 1);
	CHECK(sigaction(SIGUSR2, NULL, &now));
	EXPECT_TRUE(now.sa_handler == SIG_DFL);
}

TEST(rt_sigsuspend, swaps_and_restores_mask)
{
	struct sigaction sa = { .sa_handler = count };
	sigset_t block, wait_mask, after;

	calls = 0;
	CHECK(sigaction(SIGUSR1, &sa, NULL));
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &block, NULL));
	raise(SIGUSR1);			/* pending while blocked */
	EXPECT_EQ(calls, 0);
	sigemptyset(&wait_mask);
	EXPECT_ERRNO(sigsuspend(&wait_mask), EINTR);
	EXPECT_EQ(calls, 1);
	CHECK(sigprocmask(SIG_BLOCK, NULL, &after));
	EXPECT_TRUE(sigismember(&after, SIGUSR1));	/* the old mask is back */
	CHECK(sigprocmask(SIG_UNBLOCK, &block, NULL));
	signal(SIGUSR1, SIG_DFL);
}

TEST(pause, returns_after_handler)
{
	struct sigaction sa = { .sa_handler = count };
	pid_t parent = getpid(), pid;

	calls = 0;
	CHECK(sigaction(SIGUSR2, &sa, NULL));
	pid = CHECK(fork());
	if (pid == 0) {
		/* keep signalling until the parent is surely inside pause() */
		for (int i = 0; i < 200; i++) {
			kill(parent, SIGUSR2);
			usleep(5000);
		}
		_exit(0);
	}
	EXPECT_ERRNO(pause(), EINTR);
	EXPECT_TRUE(calls >= 1);
	kill(pid, SIGKILL);
	wait_status(pid);
	signal(SIGUSR2, SIG_DFL);
}

TEST(rt_sigpending, shows_blocked_pending)
{
	sigset_t block, pending;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	CHECK(sigprocmask(SIG_BLOCK, &block, NULL));
	raise(SIGTERM);
	CHECK(sigpending(&pending));
	EXPECT_TRUE(sigismember(&pending, SIGTERM));
	signal(SIGTERM, SIG_IGN);	/* discards it */
	CHECK(sigpending(&pending));
	EXPECT_TRUE(!sigismember(&pending, SIGTERM));
	signal(SIGTERM, SIG_DFL);
	CHECK(sigprocmask(SIG_UNBLOCK, &block, NULL));
}
