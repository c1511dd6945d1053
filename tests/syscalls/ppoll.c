// SPDX-License-Identifier: MIT
/*
 * ppoll(2): a zero timespec polls without blocking, a NULL timeout returns
 * at once when an entry is ready, a timeout lasts at least its length and
 * returns 0, a signal mask passed in is only in force during the call (the
 * caller's mask is unchanged afterwards), readiness matches poll (POLLIN,
 * POLLHUP); EINVAL for tv_nsec out of range, a negative timeout and a
 * sigsetsize other than 8.
 */
#include <poll.h>
#include <signal.h>
#include <time.h>

#include "harness.h"

static long long mono_ns(void)
{
	struct timespec ts;

	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts));
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

TEST(ppoll, zero_and_null_timeouts)
{
	struct timespec zero = { 0, 0 };
	struct pollfd fd;
	int p[2];

	CHECK(pipe(p));
	fd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	EXPECT_RET(ppoll(&fd, 1, &zero, NULL), 0);
	CHECK(write(p[1], "x", 1));
	EXPECT_RET(ppoll(&fd, 1, NULL, NULL), 1);
	EXPECT_EQ(fd.revents, POLLIN);
	close(p[1]);
	EXPECT_RET(ppoll(&fd, 1, &zero, NULL), 1);
	EXPECT_EQ(fd.revents, POLLIN | POLLHUP);
	close(p[0]);
}

TEST(ppoll, timeout_lasts)
{
	struct timespec ts = { 0, 25 * 1000 * 1000 };
	struct pollfd fd;
	long long start;
	int p[2];

	CHECK(pipe(p));
	fd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	start = mono_ns();
	EXPECT_RET(ppoll(&fd, 1, &ts, NULL), 0);
	EXPECT_TRUE(mono_ns() - start >= 25 * 1000 * 1000);
	EXPECT_EQ(fd.revents, 0);
	close(p[0]);
	close(p[1]);
}

TEST(ppoll, sigmask_only_during_call)
{
	struct timespec ts = { 0, 1000 * 1000 };
	sigset_t during, before, after;
	struct pollfd fd;
	int p[2];

	CHECK(pipe(p));
	CHECK(sigprocmask(SIG_BLOCK, NULL, &before));
	sigemptyset(&during);
	sigaddset(&during, SIGUSR1);
	sigaddset(&during, SIGHUP);
	fd = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	EXPECT_RET(ppoll(&fd, 1, &ts, &during), 1);
	CHECK(sigprocmask(SIG_BLOCK, NULL, &after));
	EXPECT_EQ(sigismember(&after, SIGUSR1), sigismember(&before, SIGUSR1));
	EXPECT_EQ(sigismember(&after, SIGHUP), sigismember(&before, SIGHUP));
	close(p[0]);
	close(p[1]);
}

TEST(ppoll, errors)
{
	struct timespec bad = { 0, 1000000000 }, neg = { -1, 0 }, ok = { 0, 0 };
	unsigned long mask = 0;
	struct pollfd fd = { .fd = -1 };

	EXPECT_ERRNO(syscall(SYS_ppoll, &fd, 1, &bad, NULL, 8), EINVAL);
	EXPECT_ERRNO(syscall(SYS_ppoll, &fd, 1, &neg, NULL, 8), EINVAL);
	EXPECT_ERRNO(syscall(SYS_ppoll, &fd, 1, &ok, &mask, 4), EINVAL);
	EXPECT_RET(syscall(SYS_ppoll, &fd, 1, &ok, &mask, 8), 0);
}
