// SPDX-License-Identifier: MIT
/*
 * flock(2): locks belong to the open file description: another open() of the
 * same file conflicts, even in the same process, while a dup or a forked
 * child's inherited descriptor shares the lock; LOCK_SH shares, LOCK_EX
 * excludes, LOCK_NB gives EWOULDBLOCK; a conversion drops the old lock first
 * (a failed LOCK_EX|LOCK_NB leaves none); the lock goes with the last
 * descriptor of its open file; a blocking LOCK_EX waits for the release;
 * flock and fcntl locks ignore each other; any access mode may lock; EBADF
 * (also for O_PATH) and EINVAL.
 */
#include <sys/file.h>

#include "harness.h"

static int open_file(int flags)
{
	return CHECK(open(tmp_path("f"), flags | O_CREAT, 0600));
}

TEST(flock, open_files_conflict)
{
	int a = open_file(O_RDONLY), b = open_file(O_RDONLY);

	EXPECT_RET(flock(a, LOCK_EX), 0);
	EXPECT_RET(flock(a, LOCK_EX | LOCK_NB), 0);
	EXPECT_ERRNO(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	EXPECT_ERRNO(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	EXPECT_RET(flock(a, LOCK_UN), 0);
	EXPECT_RET(flock(b, LOCK_EX | LOCK_NB), 0);
	close(a);
	close(b);
}

TEST(flock, shared_locks_share)
{
	int a = open_file(O_RDWR), b = open_file(O_WRONLY), c = open_file(O_RDONLY);

	EXPECT_RET(flock(a, LOCK_SH | LOCK_NB), 0);
	EXPECT_RET(flock(b, LOCK_SH | LOCK_NB), 0);
	EXPECT_ERRNO(flock(c, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	/* The failed conversion gave up a's shared lock... */
	EXPECT_ERRNO(flock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	/* ...so b, the only holder left, converts. */
	EXPECT_RET(flock(b, LOCK_EX | LOCK_NB), 0);
	EXPECT_ERRNO(flock(a, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	close(a);
	close(b);
	close(c);
}

TEST(flock, dup_and_fork_share_the_lock)
{
	int a = open_file(O_RDWR), d = CHECK(dup(a)), b = open_file(O_RDWR);
	pid_t pid;

	EXPECT_RET(flock(a, LOCK_EX), 0);
	EXPECT_RET(flock(d, LOCK_EX | LOCK_NB), 0);
	pid = CHECK(fork());
	if (pid == 0) {
		int mine = open(tmp_path("f"), O_RDONLY);

		if (flock(a, LOCK_EX | LOCK_NB))
			_exit(10);
		if (flock(mine, LOCK_SH | LOCK_NB) == 0 || errno != EWOULDBLOCK)
			_exit(11);
		_exit(0);
	}
	EXPECT_EXITED(wait_status(pid), 0);
	/* The lock stays until the last descriptor of its open file closes. */
	close(a);
	EXPECT_ERRNO(flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	close(d);
	EXPECT_RET(flock(b, LOCK_EX | LOCK_NB), 0);
	close(b);
}

TEST(flock, blocking_waits_for_release)
{
	int a = open_file(O_RDWR);
	int p[2];
	pid_t pid;
	char c;

	CHECK(pipe(p));
	EXPECT_RET(flock(a, LOCK_EX), 0);
	pid = CHECK(fork());
	if (pid == 0) {
		int mine = open(tmp_path("f"), O_RDONLY);

		close(p[0]);
		if (write(p[1], "w", 1) != 1)
			_exit(10);
		/* Granted once the parent unlocks, whether or not we slept first. */
		if (flock(mine, LOCK_EX))
			_exit(11);
		_exit(write(p[1], "g", 1) == 1 ? 0 : 12);
	}
	close(p[1]);
	EXPECT_RET(read(p[0], &c, 1), 1);
	EXPECT_RET(flock(a, LOCK_UN), 0);
	EXPECT_RET(read(p[0], &c, 1), 1);
	EXPECT_EQ(c, 'g');
	EXPECT_EXITED(wait_status(pid), 0);
	close(p[0]);
	close(a);
}

TEST(flock, independent_of_fcntl_locks)
{
	int a = open_file(O_RDWR);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	pid_t pid;

	EXPECT_RET(flock(a, LOCK_EX), 0);
	pid = CHECK(fork());
	if (pid == 0) {
		int mine = open(tmp_path("f"), O_RDWR);
		struct flock g = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

		if (fcntl(mine, F_SETLK, &g))
			_exit(10);
		if (flock(mine, LOCK_SH | LOCK_NB) == 0 || errno != EWOULDBLOCK)
			_exit(11);
		_exit(0);
	}
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_RET(fcntl(a, F_SETLK, &fl), 0);
	close(a);
}

TEST(flock, errors)
{
	int a = open_file(O_RDONLY), o = CHECK(open(tmp_path("f"), O_PATH));

	EXPECT_ERRNO(flock(-1, LOCK_SH), EBADF);
	EXPECT_ERRNO(flock(o, LOCK_SH), EBADF);
	EXPECT_ERRNO(flock(a, 0), EINVAL);
	EXPECT_ERRNO(flock(a, LOCK_SH | LOCK_EX), EINVAL);
	EXPECT_ERRNO(flock(a, LOCK_NB), EINVAL);
	EXPECT_RET(flock(a, LOCK_UN), 0);
	close(o);
	close(a);
}
