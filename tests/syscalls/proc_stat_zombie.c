// SPDX-License-Identifier: MIT
/*
 * /proc/PID/stat of a child that has exited but is not yet reaped shows
 * state 'Z' (and 'R' or 'S' while it lives), read again through a file
 * opened while it lived. Programs that watch their children this way, as
 * trinity does, wait forever for a child that still looks alive. Found by
 * running trinity in the sandbox.
 */
#include <signal.h>

#include "harness.h"

/* The state field, read again from the start of an open /proc/PID/stat. */
static char stat_state(int fd)
{
	char buf[512], *p;
	ssize_t n;

	CHECK(lseek(fd, 0, SEEK_SET));
	n = CHECK(read(fd, buf, sizeof(buf) - 1));
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

TEST(proc_stat, zombie_state)
{
	siginfo_t si;
	char c, path[64];
	int p[2], st, fd;
	pid_t pid;

	CHECK(pipe(p));
	pid = CHECK(fork());
	if (pid == 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 1 ? 0 : 1);
	}
	close(p[0]);
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = CHECK(open(path, O_RDONLY));
	c = stat_state(fd);
	EXPECT_TRUE(c == 'S' || c == 'R');
	EXPECT_RET(write(p[1], "x", 1), 1);
	close(p[1]);
	/* Wait until it is a zombie, without reaping it. */
	memset(&si, 0, sizeof(si));
	EXPECT_RET(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
	EXPECT_EQ(si.si_pid, pid);
	EXPECT_EQ(stat_state(fd), 'Z');
	close(fd);
	EXPECT_RET(waitpid(pid, &st, 0), pid);
	EXPECT_EXITED(st, 0);
}
