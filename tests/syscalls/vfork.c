// SPDX-License-Identifier: MIT
/*
 * vfork(2): the child shares the parent's memory (its writes are visible
 * to the parent afterwards) and the parent stays suspended until the child
 * calls _exit() or execve(); the child has its own pid with the parent as
 * getppid(); its exit status, also after an execve() of this program, is
 * reaped by waitpid. The child only stores to memory and calls
 * _exit()/execve(), as vfork requires.
 */
#include "harness.h"

static volatile long shared_word;
static volatile long child_pid_seen, child_ppid_seen;

int harness_child_main(int argc, char **argv)
{
	return argc == 3 ? atoi(argv[2]) : 100;
}

TEST(vfork, child_shares_memory_parent_waits)
{
	pid_t pid;

	shared_word = 0;
	pid = vfork();
	if (pid == 0) {
		long i;

		/* the parent must not run while this loop is in progress */
		for (i = 1; i <= 1000; i++)
			shared_word = i;
		child_pid_seen = syscall(SYS_getpid);
		child_ppid_seen = syscall(SYS_getppid);
		_exit(5);
	}
	CHECK(pid);
	EXPECT_EQ(shared_word, 1000);
	EXPECT_EQ(child_pid_seen, pid);
	EXPECT_EQ(child_ppid_seen, getpid());
	EXPECT_EXITED(wait_status(pid), 5);
}

TEST(vfork, execve_releases_parent)
{
	char **argv = child_argv("9", NULL);
	char *envp[] = { NULL };
	pid_t pid;

	shared_word = 0;
	pid = vfork();
	if (pid == 0) {
		shared_word = 1;
		execve(argv[0], argv, envp);
		_exit(127);
	}
	CHECK(pid);
	EXPECT_EQ(shared_word, 1);
	EXPECT_EXITED(wait_status(pid), 9);
}

TEST(vfork, many_in_a_row)
{
	static int i;

	for (i = 0; i < 20; i++) {
		pid_t pid = vfork();

		if (pid == 0)
			_exit(i);
		CHECK(pid);
		EXPECT_EXITED(wait_status(pid), i);
	}
}
