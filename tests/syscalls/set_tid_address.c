// SPDX-License-Identifier: MIT
/*
 * set_tid_address(2): returns the caller's thread id whatever the pointer
 * (including NULL), in the parent and in a forked child (which gets its
 * own id), and setting it does not write to the given word by itself. The
 * clear-on-exit behaviour needs threads and is not tested here.
 */
#include "harness.h"

TEST(set_tid_address, returns_tid)
{
	static int word = 12345;

	EXPECT_RET(syscall(SYS_set_tid_address, &word), gettid());
	EXPECT_EQ(word, 12345);
	EXPECT_RET(syscall(SYS_set_tid_address, NULL), gettid());
	EXPECT_RET(syscall(SYS_set_tid_address, (void *)1), gettid());
	EXPECT_RET(syscall(SYS_set_tid_address, &word), getpid());
}

TEST(set_tid_address, in_forked_child)
{
	long got = 0;
	int p[2];
	pid_t pid;

	CHECK(pipe(p));
	pid = CHECK(fork());
	if (pid == 0) {
		static int word;
		long tid = syscall(SYS_set_tid_address, &word);

		_exit(write(p[1], &tid, sizeof(tid)) == sizeof(tid) ? 0 : 1);
	}
	close(p[1]);
	EXPECT_RET(read(p[0], &got, sizeof(got)), sizeof(got));
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_EQ(got, pid);
	close(p[0]);
}
