// SPDX-License-Identifier: MIT
/*
 * rt_sigaction(2), recording only (no signal is delivered here): the old
 * action comes back on the next call, a handler's address, flags, restorer
 * and mask round-trip exactly through the raw call, SIGKILL and SIGSTOP are
 * dropped from a handler's mask, the action of SIGKILL can be read but not
 * set, a forked child inherits dispositions; EINVAL for SIGKILL, SIGSTOP,
 * signal 0 or 65, and a sigsetsize other than 8.
 */
#include <signal.h>

#include "harness.h"

struct k_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

#define SIGBIT(s)	(1UL << ((s) - 1))
#ifndef SA_RESTORER
#define SA_RESTORER	0x04000000
#endif

static void never_called(int sig)
{
	(void)sig;
}

static void never_restored(void)
{
}

static long raw_sigaction(int sig, const struct k_sigaction *act,
			  struct k_sigaction *old, size_t size)
{
	return syscall(SYS_rt_sigaction, sig, act, old, size);
}

TEST(rt_sigaction, old_action_returned)
{
	struct sigaction ign = { .sa_handler = SIG_IGN },
			 dfl = { .sa_handler = SIG_DFL };
	struct sigaction old;

	EXPECT_RET(sigaction(SIGUSR1, &dfl, NULL), 0);
	EXPECT_RET(sigaction(SIGUSR1, &ign, &old), 0);
	EXPECT_TRUE(old.sa_handler == SIG_DFL);
	EXPECT_RET(sigaction(SIGUSR1, NULL, &old), 0);
	EXPECT_TRUE(old.sa_handler == SIG_IGN);
	EXPECT_RET(sigaction(SIGUSR1, &dfl, &old), 0);
	EXPECT_TRUE(old.sa_handler == SIG_IGN);
}

TEST(rt_sigaction, raw_round_trip)
{
	struct k_sigaction act = {
		.handler = never_called,
		.flags = SA_SIGINFO | SA_RESTART | SA_NODEFER | SA_RESTORER,
		.restorer = never_restored,
		.mask = SIGBIT(SIGUSR2) | SIGBIT(SIGINT) | SIGBIT(SIGRTMIN + 3),
	}, old, dfl = { 0 };

	EXPECT_RET(raw_sigaction(SIGUSR2, &act, NULL, 8), 0);
	memset(&old, 0, sizeof(old));
	EXPECT_RET(raw_sigaction(SIGUSR2, &dfl, &old, 8), 0);
	EXPECT_TRUE(old.handler == act.handler);
	EXPECT_EQ(old.flags, act.flags);
	EXPECT_TRUE(old.restorer == act.restorer);
	EXPECT_EQ(old.mask, act.mask);
	EXPECT_RET(raw_sigaction(SIGUSR2, NULL, &old, 8), 0);
	EXPECT_TRUE(old.handler == SIG_DFL);
}

TEST(rt_sigaction, kill_and_stop_leave_the_mask)
{
	struct sigaction act = { .sa_handler = never_called }, old;

	sigemptyset(&act.sa_mask);
	sigaddset(&act.sa_mask, SIGKILL);
	sigaddset(&act.sa_mask, SIGSTOP);
	sigaddset(&act.sa_mask, SIGHUP);
	EXPECT_RET(sigaction(SIGUSR1, &act, NULL), 0);
	EXPECT_RET(sigaction(SIGUSR1, NULL, &old), 0);
	EXPECT_TRUE(old.sa_handler == never_called);
	EXPECT_EQ(sigismember(&old.sa_mask, SIGHUP), 1);
	EXPECT_EQ(sigismember(&old.sa_mask, SIGKILL), 0);
	EXPECT_EQ(sigismember(&old.sa_mask, SIGSTOP), 0);
	signal(SIGUSR1, SIG_DFL);
}

TEST(rt_sigaction, inherited_by_fork)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	pid_t pid;

	CHECK(sigaction(SIGUSR1, &ign, &old));
	pid = CHECK(fork());
	if (pid == 0) {
		struct sigaction mine;

		if (sigaction(SIGUSR1, NULL, &mine) || mine.sa_handler != SIG_IGN)
			_exit(1);
		_exit(0);
	}
	EXPECT_EXITED(wait_status(pid), 0);
	CHECK(sigaction(SIGUSR1, &old, NULL));
}

TEST(rt_sigaction, errors)
{
	struct k_sigaction ign = { .handler = SIG_IGN }, old;

	EXPECT_ERRNO(raw_sigaction(SIGKILL, &ign, NULL, 8), EINVAL);
	EXPECT_ERRNO(raw_sigaction(SIGSTOP, &ign, NULL, 8), EINVAL);
	EXPECT_RET(raw_sigaction(SIGKILL, NULL, &old, 8), 0);
	EXPECT_TRUE(old.handler == SIG_DFL);
	EXPECT_ERRNO(raw_sigaction(0, &ign, NULL, 8), EINVAL);
	EXPECT_ERRNO(raw_sigaction(65, &ign, NULL, 8), EINVAL);
	EXPECT_ERRNO(raw_sigaction(0, NULL, &old, 8), EINVAL);
	EXPECT_ERRNO(raw_sigaction(SIGUSR1, &ign, NULL, 4), EINVAL);
	EXPECT_ERRNO(raw_sigaction(SIGUSR1, NULL, &old, 16), EINVAL);
}
