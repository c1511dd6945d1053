// SPDX-License-Identifier: MIT
/*
 * getpid(2), getppid(2), gettid(2): the ids are positive and stable, the
 * thread id of a single-threaded process equals its pid, the raw calls
 * agree with the glibc wrappers, and a forked child has a new pid (the one
 * fork returned), its own tid, and the parent's pid as its getppid().
 */
#include "harness.h"

struct ids {
	long pid, ppid, tid;
};

TEST(getpid, stable_and_positive)
{
	pid_t pid = getpid();

	EXPECT_TRUE(pid > 0);
	EXPECT_RET(getpid(), pid);
	EXPECT_RET(syscall(SYS_getpid), pid);
	/* 0 when this runs as the init of a sandbox's pid namespace */
	EXPECT_TRUE(getppid() >= 0);
	EXPECT_RET(syscall(SYS_getppid), getppid());
	EXPECT_TRUE(getppid() != pid);
}

TEST(gettid, equals_pid_when_single_threaded)
{
	EXPECT_RET(gettid(), getpid());
	EXPECT_RET(syscall(SYS_gettid), getpid());
}

TEST(getpid, child_sees_new_ids)
{
	struct ids c = { 0 };
	int p[2];
	pid_t pid;

	CHECK(pipe(p));
	pid = CHECK(fork());
	if (pid == 0) {
		struct ids mine = { getpid(), getppid(), gettid() };

		_exit(write(p[1], &mine, sizeof(mine)) == sizeof(mine) ? 0 : 1);
	}
	close(p[1]);
	EXPECT_RET(read(p[0], &c, sizeof(c)), sizeof(c));
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_EQ(c.pid, pid);
	EXPECT_EQ(c.tid, pid);
	EXPECT_EQ(c.ppid, getpid());
	EXPECT_TRUE(c.pid != getpid());
	close(p[0]);
}

TEST(getpid, grandchild_chain)
{
	struct ids g = { 0 };
	long child_pid = 0;
	int p[2];
	pid_t pid;

	CHECK(pipe(p));
	pid = CHECK(fork());
	if (pid == 0) {
		long me = getpid();
		pid_t gc = fork();
		int st;

		if (gc == 0) {
			struct ids mine = { getpid(), getppid(), gettid() };

			if (write(p[1], &mine, sizeof(mine)) != sizeof(mine))
				_exit(1);
			_exit(0);
		}
		if (gc < 0 || waitpid(gc, &st, 0) != gc || !WIFEXITED(st) ||
		    WEXITSTATUS(st))
			_exit(2);
		_exit(write(p[1], &me, sizeof(me)) == sizeof(me) ? 0 : 3);
	}
	close(p[1]);
	EXPECT_RET(read(p[0], &g, sizeof(g)), sizeof(g));
	EXPECT_RET(read(p[0], &child_pid, sizeof(child_pid)), sizeof(child_pid));
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_EQ(child_pid, pid);
	EXPECT_EQ(g.ppid, pid);
	EXPECT_TRUE(g.pid != pid && g.pid != getpid());
	close(p[0]);
}
