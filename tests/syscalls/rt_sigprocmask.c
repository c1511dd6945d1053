// SPDX-License-Identifier: MIT
/*
 * rt_sigprocmask(2): SIG_BLOCK adds, SIG_UNBLOCK removes and SIG_SETMASK
 * replaces the mask, each returning the previous one; a NULL set only
 * queries; SIGKILL and SIGSTOP are silently left out; real-time signals can
 * be blocked; a forked child inherits the mask; EINVAL for an unknown how
 * when a set is given (with a NULL set how is ignored) and for a sigsetsize
 * other than 8.
 */
#include <signal.h>

#include "harness.h"

#define SIGBIT(s)	(1UL << ((s) - 1))

static long raw_mask(int how, const unsigned long *set, unsigned long *old,
		     size_t size)
{
	return syscall(SYS_rt_sigprocmask, how, set, old, size);
}

TEST(rt_sigprocmask, block_unblock_setmask)
{
	unsigned long orig, set, old;

	CHECK(raw_mask(SIG_BLOCK, NULL, &orig, 8));
	set = SIGBIT(SIGUSR1) | SIGBIT(SIGTERM);
	EXPECT_RET(raw_mask(SIG_SETMASK, &set, &old, 8), 0);
	EXPECT_EQ(old, orig);
	set = SIGBIT(SIGHUP);
	EXPECT_RET(raw_mask(SIG_BLOCK, &set, &old, 8), 0);
	EXPECT_EQ(old, SIGBIT(SIGUSR1) | SIGBIT(SIGTERM));
	set = SIGBIT(SIGUSR1);
	EXPECT_RET(raw_mask(SIG_UNBLOCK, &set, &old, 8), 0);
	EXPECT_EQ(old, SIGBIT(SIGUSR1) | SIGBIT(SIGTERM) | SIGBIT(SIGHUP));
	EXPECT_RET(raw_mask(SIG_SETMASK, NULL, &old, 8), 0);
	EXPECT_EQ(old, SIGBIT(SIGTERM) | SIGBIT(SIGHUP));
	EXPECT_RET(raw_mask(SIG_SETMASK, &orig, NULL, 8), 0);
	EXPECT_RET(raw_mask(SIG_BLOCK, NULL, &old, 8), 0);
	EXPECT_EQ(old, orig);
}

TEST(rt_sigprocmask, kill_and_stop_cannot_be_blocked)
{
	unsigned long orig, all = ~0UL, got;

	CHECK(raw_mask(SIG_BLOCK, NULL, &orig, 8));
	EXPECT_RET(raw_mask(SIG_SETMASK, &all, NULL, 8), 0);
	EXPECT_RET(raw_mask(SIG_BLOCK, NULL, &got, 8), 0);
	EXPECT_EQ(got, ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP)));
	EXPECT_TRUE(got & SIGBIT(SIGRTMIN));
	EXPECT_TRUE(got & SIGBIT(64));
	CHECK(raw_mask(SIG_SETMASK, &orig, NULL, 8));
}

TEST(rt_sigprocmask, glibc_wrapper_agrees)
{
	sigset_t set, old;
	unsigned long raw;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	EXPECT_RET(sigprocmask(SIG_BLOCK, &set, &old), 0);
	CHECK(raw_mask(SIG_BLOCK, NULL, &raw, 8));
	EXPECT_TRUE(raw & SIGBIT(SIGUSR2));
	EXPECT_RET(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	CHECK(raw_mask(SIG_BLOCK, NULL, &raw, 8));
	EXPECT_EQ(!!(raw & SIGBIT(SIGUSR2)), sigismember(&old, SIGUSR2));
}

TEST(rt_sigprocmask, inherited_by_fork)
{
	unsigned long orig, set = SIGBIT(SIGWINCH) | SIGBIT(SIGRTMIN + 1);
	pid_t pid;

	CHECK(raw_mask(SIG_BLOCK, NULL, &orig, 8));
	CHECK(raw_mask(SIG_BLOCK, &set, NULL, 8));
	pid = CHECK(fork());
	if (pid == 0) {
		unsigned long mine = 0;

		raw_mask(SIG_BLOCK, NULL, &mine, 8);
		_exit((mine & set) == set ? 0 : 1);
	}
	EXPECT_EXITED(wait_status(pid), 0);
	CHECK(raw_mask(SIG_SETMASK, &orig, NULL, 8));
}

TEST(rt_sigprocmask, errors)
{
	unsigned long set = SIGBIT(SIGUSR1), old, before, after;

	CHECK(raw_mask(SIG_BLOCK, NULL, &before, 8));
	EXPECT_ERRNO(raw_mask(3, &set, &old, 8), EINVAL);
	EXPECT_ERRNO(raw_mask(-1, &set, &old, 8), EINVAL);
	EXPECT_RET(raw_mask(99, NULL, &old, 8), 0);
	EXPECT_ERRNO(raw_mask(SIG_BLOCK, &set, &old, 4), EINVAL);
	EXPECT_ERRNO(raw_mask(SIG_BLOCK, &set, &old, 16), EINVAL);
	CHECK(raw_mask(SIG_BLOCK, NULL, &after, 8));
	EXPECT_EQ(after, before);
}
