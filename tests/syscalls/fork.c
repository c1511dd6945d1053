// SPDX-License-Identifier: MIT
/*
 * fork(2): returns the child's pid in the parent and 0 in the child; memory
 * is copy-on-write in both directions (a 4 MiB array written on each side
 * after the fork, heap and stack too); the descriptor table is copied (a
 * close in the child leaves the parent's open) while open files are shared
 * (one offset); many children can be created and reaped with their own
 * exit codes.
 */
#include "harness.h"

#define BIG	(4 << 20)

static unsigned char big[BIG];

static bool all_equal(const unsigned char *p, size_t size, unsigned char v)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (p[i] != v)
			return false;
	return true;
}

TEST(fork, return_values)
{
	int p[2];
	pid_t pid, seen = 0;

	CHECK(pipe(p));
	pid = CHECK(fork());
	if (pid == 0) {
		pid_t me = getpid();

		_exit(write(p[1], &me, sizeof(me)) == sizeof(me) ? 0 : 1);
	}
	close(p[1]);
	EXPECT_TRUE(pid > 0);
	EXPECT_RET(read(p[0], &seen, sizeof(seen)), sizeof(seen));
	EXPECT_EQ(seen, pid);
	EXPECT_EXITED(wait_status(pid), 0);
	close(p[0]);
}

TEST(fork, copy_on_write_both_ways)
{
	unsigned char *heap = malloc(BIG);
	unsigned char stack[8192];
	int go[2];
	pid_t pid;
	char c = 'g';

	EXPECT_TRUE(heap != NULL);
	if (!heap)
		return;
	memset(big, 1, BIG);
	memset(heap, 1, BIG);
	memset(stack, 1, sizeof(stack));
	CHECK(pipe(go));
	pid = CHECK(fork());
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		/* the parent has overwritten everything with 2 by now */
		if (!all_equal(big, BIG, 1) || !all_equal(heap, BIG, 1) ||
		    !all_equal(stack, sizeof(stack), 1))
			_exit(2);
		memset(big, 3, BIG);
		memset(heap, 3, BIG);
		memset(stack, 3, sizeof(stack));
		_exit(all_equal(big, BIG, 3) && all_equal(heap, BIG, 3) ? 0 : 3);
	}
	close(go[0]);
	memset(big, 2, BIG);
	memset(heap, 2, BIG);
	memset(stack, 2, sizeof(stack));
	EXPECT_RET(write(go[1], &c, 1), 1);
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_TRUE(all_equal(big, BIG, 2));
	EXPECT_TRUE(all_equal(heap, BIG, 2));
	EXPECT_TRUE(all_equal(stack, sizeof(stack), 2));
	close(go[1]);
	free(heap);
}

TEST(fork, untouched_memory_is_shared_content)
{
	pid_t pid;
	size_t i;

	for (i = 0; i < BIG; i++)
		big[i] = i * 7;
	pid = CHECK(fork());
	if (pid == 0) {
		for (i = 0; i < BIG; i++)
			if (big[i] != (unsigned char)(i * 7))
				_exit(1);
		_exit(0);
	}
	EXPECT_EXITED(wait_status(pid), 0);
}

TEST(fork, fd_table_copied_files_shared)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));
	int extra = CHECK(open("/dev/null", O_RDONLY));
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		close(extra);
		_exit(write(fd, "child", 5) == 5 ? 0 : 1);
	}
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_RET(fcntl(extra, F_GETFD), 0);
	EXPECT_RET(lseek(fd, 0, SEEK_CUR), 5);
	EXPECT_RET(write(fd, "parent", 6), 6);
	EXPECT_RET(lseek(fd, 0, SEEK_END), 11);
	close(extra);
	close(fd);
}

TEST(fork, many_children)
{
	enum { N = 20 };
	pid_t pids[N];
	int i, st;

	for (i = 0; i < N; i++) {
		pids[i] = CHECK(fork());
		if (pids[i] == 0)
			_exit(i + 1);
	}
	for (i = N - 1; i >= 0; i--) {
		st = wait_status(pids[i]);
		EXPECT_EXITED(st, i + 1);
	}
	EXPECT_ERRNO(waitpid(-1, &st, WNOHANG), ECHILD);
}
