// SPDX-License-Identifier: MIT
/*
 * exit(2) and exit_group(2) in a single-threaded child: the status reaches
 * the parent truncated to 8 bits (256 + 3 gives 3, -1 gives 255), both
 * raw calls end the whole process and never return, exiting closes the
 * child's descriptors (a pipe's reader sees EOF) and the child stays a
 * zombie, still visible to kill(pid, 0), until it is reaped.
 */
#include <signal.h>

#include "harness.h"

static pid_t child_raw_exit(long nr, long code)
{
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		syscall(nr, code);
		_exit(99);	/* not reached */
	}
	return pid;
}

TEST(exit, status_reaches_parent)
{
	EXPECT_EXITED(wait_status(child_raw_exit(SYS_exit, 0)), 0);
	EXPECT_EXITED(wait_status(child_raw_exit(SYS_exit, 42)), 42);
	EXPECT_EXITED(wait_status(child_raw_exit(SYS_exit, 255)), 255);
}

TEST(exit_group, status_reaches_parent)
{
	EXPECT_EXITED(wait_status(child_raw_exit(SYS_exit_group, 0)), 0);
	EXPECT_EXITED(wait_status(child_raw_exit(SYS_exit_group, 7)), 7);
}

TEST(exit, status_truncated_to_8_bits)
{
	EXPECT_EXITED(wait_status(child_raw_exit(SYS_exit, 256 + 3)), 3);
	EXPECT_EXITED(wait_status(child_raw_exit(SYS_exit_group, 512)), 0);
	EXPECT_EXITED(wait_status(child_raw_exit(SYS_exit_group, -1)), 255);
}

TEST(exit, closes_descriptors)
{
	int p[2];
	pid_t pid;
	char c;

	CHECK(pipe(p));
	pid = CHECK(fork());
	if (pid == 0) {
		close(p[0]);
		syscall(SYS_exit_group, 0);
	}
	close(p[1]);
	EXPECT_RET(read(p[0], &c, 1), 0);
	EXPECT_EXITED(wait_status(pid), 0);
	close(p[0]);
}

TEST(exit, zombie_until_reaped)
{
	siginfo_t si;
	pid_t pid = child_raw_exit(SYS_exit_group, 5);

	memset(&si, 0, sizeof(si));
	EXPECT_RET(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
	EXPECT_EQ(si.si_status, 5);
	EXPECT_RET(kill(pid, 0), 0);
	EXPECT_EXITED(wait_status(pid), 5);
	EXPECT_ERRNO(kill(pid, 0), ESRCH);
}
