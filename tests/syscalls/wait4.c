// SPDX-License-Identifier: MIT
/*
 * wait4(2) (and waitpid): reaps a given child or any child (-1), returns
 * the exit status and fills the rusage, returns 0 with WNOHANG while the
 * child still runs, reports death by signal, waits for the process group
 * with 0; ECHILD with no children or for a pid that is not a child (and
 * after reaping), EINVAL for unknown option bits.
 */
#include <signal.h>
#include <sys/resource.h>

#include "harness.h"

static pid_t child_exiting(int code)
{
	pid_t pid = CHECK(fork());

	if (pid == 0)
		_exit(code);
	return pid;
}

TEST(wait4, specific_child_status_and_rusage)
{
	pid_t a = child_exiting(3), b = child_exiting(4);
	struct rusage ru;
	int st = 0;

	memset(&ru, 0xff, sizeof(ru));
	EXPECT_RET(wait4(b, &st, 0, &ru), b);
	EXPECT_EXITED(st, 4);
	EXPECT_TRUE(ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000);
	EXPECT_TRUE(ru.ru_stime.tv_usec >= 0 && ru.ru_stime.tv_usec < 1000000);
	EXPECT_TRUE(ru.ru_maxrss >= 0);
	EXPECT_RET(wait4(a, &st, 0, NULL), a);
	EXPECT_EXITED(st, 3);
	EXPECT_ERRNO(wait4(a, &st, 0, NULL), ECHILD);
}

TEST(wait4, any_child)
{
	pid_t a = child_exiting(1), b = child_exiting(2);
	int st1 = 0, st2 = 0;
	pid_t r1, r2;

	r1 = CHECK(wait4(-1, &st1, 0, NULL));
	r2 = CHECK(wait4(-1, &st2, 0, NULL));
	EXPECT_TRUE((r1 == a && r2 == b) || (r1 == b && r2 == a));
	EXPECT_EXITED(r1 == a ? st1 : st2, 1);
	EXPECT_EXITED(r1 == a ? st2 : st1, 2);
	EXPECT_ERRNO(wait4(-1, &st1, 0, NULL), ECHILD);
}

TEST(wait4, wnohang_while_running)
{
	int p[2], st = 0;
	pid_t pid;
	char c;

	CHECK(pipe(p));
	pid = CHECK(fork());
	if (pid == 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
	}
	close(p[0]);
	EXPECT_RET(wait4(pid, &st, WNOHANG, NULL), 0);
	EXPECT_RET(wait4(-1, &st, WNOHANG, NULL), 0);
	close(p[1]);
	EXPECT_RET(wait4(pid, &st, 0, NULL), pid);
	EXPECT_EXITED(st, 0);
}

TEST(wait4, killed_child)
{
	int p[2], st = 0;
	pid_t pid;
	char c;

	CHECK(pipe(p));
	pid = CHECK(fork());
	if (pid == 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
	}
	close(p[0]);
	CHECK(kill(pid, SIGKILL));
	close(p[1]);
	EXPECT_RET(wait4(pid, &st, 0, NULL), pid);
	EXPECT_SIGNALED(st, SIGKILL);
	EXPECT_TRUE(!WCOREDUMP(st));
}

TEST(wait4, own_process_group)
{
	pid_t pid = child_exiting(9);
	int st = 0;

	EXPECT_RET(wait4(0, &st, 0, NULL), pid);
	EXPECT_EXITED(st, 9);
	pid = child_exiting(8);
	EXPECT_RET(wait4(-getpgrp(), &st, 0, NULL), pid);
	EXPECT_EXITED(st, 8);
}

TEST(wait4, errors)
{
	pid_t pid;
	int st;

	EXPECT_ERRNO(wait4(-1, &st, 0, NULL), ECHILD);
	EXPECT_ERRNO(wait4(getpid(), &st, 0, NULL), ECHILD);
	EXPECT_ERRNO(wait4(1, &st, WNOHANG, NULL), ECHILD);
	pid = child_exiting(0);
	EXPECT_ERRNO(wait4(pid, &st, 0x10000000, NULL), EINVAL);
	EXPECT_RET(wait4(pid, NULL, 0, NULL), pid);
}
