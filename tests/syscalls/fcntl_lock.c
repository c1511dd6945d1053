// SPDX-License-Identifier: MIT
/*
 * fcntl(2) record locks. POSIX locks: F_GETLK says F_UNLCK when nothing
 * conflicts (sqlite's WAL mode depends on it) and otherwise describes the
 * conflicting lock and its owner's pid; another process's overlapping write
 * lock gives EAGAIN, read locks share; one owner's locks split and merge;
 * closing any descriptor of the file or exiting releases them; a child does
 * not inherit them; F_SETLKW waits, and EDEADLK when two processes would
 * wait for each other; SEEK_CUR/SEEK_END/negative lengths; EBADF, EINVAL,
 * EOVERFLOW, EFAULT. OFD locks: owned by the open file (a dup shares it,
 * another open() of the same file conflicts), l_pid -1, EINVAL for l_pid != 0.
 * Children report through EXPECT_* and their exit status.
 */
#include <stdint.h>
#include <sys/mman.h>

#include "harness.h"

static struct flock mk(short type, short whence, off_t start, off_t len)
{
	return (struct flock){ .l_type = type, .l_whence = whence, .l_start = start, .l_len = len };
}

static int setlk(int fd, short type, off_t start, off_t len)
{
	struct flock fl = mk(type, SEEK_SET, start, len);

	return fcntl(fd, F_SETLK, &fl);
}

/* The lock that would block a write lock of [start, start+len) (F_UNLCK: none). */
static struct flock getlk(int fd, short type, off_t start, off_t len)
{
	struct flock fl = mk(type, SEEK_SET, start, len);

	fl.l_pid = 12345;
	if (fcntl(fd, F_GETLK, &fl))
		fl.l_type = -1;
	return fl;
}

__attribute__((noreturn)) static void child_done(void)
{
	fflush(stdout);
	_exit(harness_case_failed ? 1 : 0);
}

static int open_file(int flags)
{
	return CHECK(open(tmp_path("f"), flags | O_CREAT, 0600));
}

TEST(fcntl_lock, getlk_unlocked_says_unlck)
{
	int fd = open_file(O_RDWR);
	struct flock fl = getlk(fd, F_WRLCK, 0, 0);

	EXPECT_EQ(fl.l_type, F_UNLCK);
	/* Our own lock never conflicts with us. */
	EXPECT_RET(setlk(fd, F_WRLCK, 0, 10), 0);
	EXPECT_EQ(getlk(fd, F_WRLCK, 0, 10).l_type, F_UNLCK);
	close(fd);
}

TEST(fcntl_lock, other_process_conflicts)
{
	int fd = open_file(O_RDWR);
	pid_t parent = getpid(), pid;

	CHECK(setlk(fd, F_WRLCK, 0, 10));
	pid = CHECK(fork());
	if (pid == 0) {
		struct flock fl = getlk(fd, F_RDLCK, 5, 1);

		EXPECT_EQ(fl.l_type, F_WRLCK);
		EXPECT_EQ(fl.l_whence, SEEK_SET);
		EXPECT_EQ(fl.l_start, 0);
		EXPECT_EQ(fl.l_len, 10);
		EXPECT_EQ(fl.l_pid, parent);
		EXPECT_ERRNO(setlk(fd, F_RDLCK, 5, 1), EAGAIN);
		EXPECT_ERRNO(setlk(fd, F_WRLCK, 9, 0), EAGAIN);
		EXPECT_RET(setlk(fd, F_WRLCK, 10, 10), 0);
		EXPECT_EQ(getlk(fd, F_WRLCK, 10, 1).l_type, F_UNLCK);
		child_done();
	}
	EXPECT_EXITED(wait_status(pid), 0);
	/* The child's lock went with it. */
	pid = CHECK(fork());
	if (pid == 0) {
		EXPECT_EQ(getlk(fd, F_WRLCK, 10, 100).l_type, F_UNLCK);
		child_done();
	}
	EXPECT_EXITED(wait_status(pid), 0);
	close(fd);
}

TEST(fcntl_lock, read_locks_share)
{
	int fd = open_file(O_RDWR);
	pid_t pid;

	CHECK(setlk(fd, F_RDLCK, 0, 0));
	pid = CHECK(fork());
	if (pid == 0) {
		EXPECT_RET(setlk(fd, F_RDLCK, 100, 10), 0);
		EXPECT_EQ(getlk(fd, F_RDLCK, 0, 0).l_type, F_UNLCK);
		EXPECT_EQ(getlk(fd, F_WRLCK, 50, 1).l_type, F_RDLCK);
		EXPECT_ERRNO(setlk(fd, F_WRLCK, 0, 1), EAGAIN);
		child_done();
	}
	EXPECT_EXITED(wait_status(pid), 0);
	close(fd);
}

TEST(fcntl_lock, split_and_merge)
{
	int fd = open_file(O_RDWR);
	pid_t pid;

	CHECK(setlk(fd, F_WRLCK, 0, 100));
	CHECK(setlk(fd, F_UNLCK, 40, 20));
	CHECK(setlk(fd, F_RDLCK, 200, 10));
	CHECK(setlk(fd, F_RDLCK, 210, 10));
	CHECK(setlk(fd, F_WRLCK, 300, 10));
	CHECK(setlk(fd, F_RDLCK, 305, 0));
	pid = CHECK(fork());
	if (pid == 0) {
		struct flock fl;

		EXPECT_EQ(getlk(fd, F_RDLCK, 40, 20).l_type, F_UNLCK);
		fl = getlk(fd, F_RDLCK, 0, 100);
		EXPECT_EQ(fl.l_type, F_WRLCK);
		EXPECT_EQ(fl.l_start, 0);
		EXPECT_EQ(fl.l_len, 40);
		fl = getlk(fd, F_RDLCK, 50, 100);
		EXPECT_EQ(fl.l_start, 60);
		EXPECT_EQ(fl.l_len, 40);
		/* The two read locks merged into one. */
		fl = getlk(fd, F_WRLCK, 150, 100);
		EXPECT_EQ(fl.l_type, F_RDLCK);
		EXPECT_EQ(fl.l_start, 200);
		EXPECT_EQ(fl.l_len, 20);
		/* The read lock to EOF cut the write lock back to 300..304. */
		fl = getlk(fd, F_RDLCK, 300, 0);
		EXPECT_EQ(fl.l_type, F_WRLCK);
		EXPECT_EQ(fl.l_start, 300);
		EXPECT_EQ(fl.l_len, 5);
		fl = getlk(fd, F_WRLCK, 1000, 1);
		EXPECT_EQ(fl.l_type, F_RDLCK);
		EXPECT_EQ(fl.l_start, 305);
		EXPECT_EQ(fl.l_len, 0);
		EXPECT_RET(setlk(fd, F_RDLCK, 305, 0), 0);
		child_done();
	}
	EXPECT_EXITED(wait_status(pid), 0);
	close(fd);
}

TEST(fcntl_lock, close_of_any_fd_releases)
{
	int fd = open_file(O_RDWR), other, d;
	pid_t pid;

	CHECK(setlk(fd, F_WRLCK, 0, 0));
	d = CHECK(dup(fd));
	other = CHECK(open(tmp_path("f"), O_RDONLY));
	/* Same process, so not a conflict, even through another open file. */
	EXPECT_EQ(getlk(other, F_WRLCK, 0, 0).l_type, F_UNLCK);
	close(other);
	pid = CHECK(fork());
	if (pid == 0) {
		EXPECT_EQ(getlk(fd, F_WRLCK, 0, 0).l_type, F_UNLCK);
		EXPECT_RET(setlk(fd, F_WRLCK, 0, 0), 0);
		child_done();
	}
	EXPECT_EXITED(wait_status(pid), 0);
	close(d);
	close(fd);
}

TEST(fcntl_lock, child_cannot_drop_parent_locks)
{
	int fd = open_file(O_RDWR);
	pid_t pid;

	CHECK(setlk(fd, F_WRLCK, 0, 0));
	pid = CHECK(fork());
	if (pid == 0) {
		/* Not our lock: unlocking it does nothing, nor does closing our descriptor. */
		EXPECT_RET(setlk(fd, F_UNLCK, 0, 0), 0);
		EXPECT_ERRNO(setlk(fd, F_WRLCK, 0, 1), EAGAIN);
		close(fd);
		child_done();
	}
	EXPECT_EXITED(wait_status(pid), 0);
	pid = CHECK(fork());
	if (pid == 0) {
		EXPECT_EQ(getlk(fd, F_WRLCK, 0, 0).l_type, F_WRLCK);
		child_done();
	}
	EXPECT_EXITED(wait_status(pid), 0);
	close(fd);
}

TEST(fcntl_lock, setlkw_waits_for_release)
{
	int fd = open_file(O_RDWR);
	int p[2];
	pid_t pid;
	char c;

	CHECK(pipe(p));
	CHECK(setlk(fd, F_WRLCK, 0, 0));
	pid = CHECK(fork());
	if (pid == 0) {
		struct flock fl = mk(F_WRLCK, SEEK_SET, 0, 0);

		close(p[0]);
		EXPECT_RET(write(p[1], "w", 1), 1);
		/* Granted once the parent unlocks, whether or not we slept first. */
		EXPECT_RET(fcntl(fd, F_SETLKW, &fl), 0);
		EXPECT_RET(write(p[1], "g", 1), 1);
		child_done();
	}
	close(p[1]);
	EXPECT_RET(read(p[0], &c, 1), 1);
	CHECK(setlk(fd, F_UNLCK, 0, 0));
	EXPECT_RET(read(p[0], &c, 1), 1);
	EXPECT_EQ(c, 'g');
	EXPECT_EXITED(wait_status(pid), 0);
	close(p[0]);
	close(fd);
}

/*
 * Parent holds byte 0, child byte 1; each then waits for the other's byte.
 * Whichever asks second closes the cycle and gets EDEADLK (which one depends
 * on scheduling, so the test counts), then gives up its byte so the other
 * one's wait ends.
 */
TEST(fcntl_lock, setlkw_deadlock)
{
	int fd = open_file(O_RDWR);
	int p[2], q[2];
	int *shared;
	pid_t pid;
	char c;

	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(shared == MAP_FAILED ? -1 : 0);
	CHECK(pipe(p));
	CHECK(pipe(q));
	CHECK(setlk(fd, F_WRLCK, 0, 1));
	pid = CHECK(fork());
	if (pid == 0) {
		struct flock fl = mk(F_WRLCK, SEEK_SET, 0, 1);
		int r;

		EXPECT_RET(setlk(fd, F_WRLCK, 1, 1), 0);
		EXPECT_RET(write(p[1], "x", 1), 1);
		EXPECT_RET(read(q[0], &c, 1), 1);
		r = fcntl(fd, F_SETLKW, &fl);
		if (r == -1 && errno == EDEADLK) {
			__atomic_add_fetch(shared, 1, __ATOMIC_SEQ_CST);
			EXPECT_RET(setlk(fd, F_UNLCK, 1, 1), 0);
		} else {
			EXPECT_RET(r, 0);
		}
		child_done();
	}
	EXPECT_RET(read(p[0], &c, 1), 1);
	EXPECT_RET(write(q[1], "y", 1), 1);
	{
		struct flock fl = mk(F_WRLCK, SEEK_SET, 1, 1);
		int r = fcntl(fd, F_SETLKW, &fl);

		if (r == -1 && errno == EDEADLK) {
			__atomic_add_fetch(shared, 1, __ATOMIC_SEQ_CST);
			EXPECT_RET(setlk(fd, F_UNLCK, 0, 1), 0);
		} else {
			EXPECT_RET(r, 0);
		}
	}
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_EQ(*shared, 1);
	munmap(shared, 4096);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	close(fd);
}

TEST(fcntl_lock, whence_and_negative_len)
{
	int fd = open_file(O_RDWR);
	struct flock fl;
	pid_t pid;

	CHECK(ftruncate(fd, 1000));
	CHECK(lseek(fd, 100, SEEK_SET));
	fl = mk(F_WRLCK, SEEK_CUR, 0, 10);
	CHECK(fcntl(fd, F_SETLK, &fl));
	fl = mk(F_WRLCK, SEEK_END, -10, 10);
	CHECK(fcntl(fd, F_SETLK, &fl));
	fl = mk(F_WRLCK, SEEK_SET, 500, -50);
	CHECK(fcntl(fd, F_SETLK, &fl));
	pid = CHECK(fork());
	if (pid == 0) {
		struct flock g = getlk(fd, F_RDLCK, 0, 200);

		EXPECT_EQ(g.l_start, 100);
		EXPECT_EQ(g.l_len, 10);
		g = getlk(fd, F_RDLCK, 900, 0);
		EXPECT_EQ(g.l_start, 990);
		EXPECT_EQ(g.l_len, 10);
		g = getlk(fd, F_RDLCK, 400, 200);
		EXPECT_EQ(g.l_start, 450);
		EXPECT_EQ(g.l_len, 50);
		child_done();
	}
	EXPECT_EXITED(wait_status(pid), 0);
	close(fd);
}

TEST(fcntl_lock, errors)
{
	int r = open_file(O_RDONLY), w = CHECK(open(tmp_path("f"), O_WRONLY));
	struct flock fl;

	EXPECT_ERRNO(setlk(r, F_WRLCK, 0, 1), EBADF);
	EXPECT_ERRNO(setlk(w, F_RDLCK, 0, 1), EBADF);
	EXPECT_RET(setlk(r, F_UNLCK, 0, 1), 0);
	EXPECT_ERRNO(setlk(r, 42, 0, 1), EINVAL);
	fl = mk(F_RDLCK, 7, 0, 1);
	EXPECT_ERRNO(fcntl(r, F_SETLK, &fl), EINVAL);
	EXPECT_ERRNO(setlk(r, F_RDLCK, -1, 1), EINVAL);
	EXPECT_ERRNO(setlk(r, F_RDLCK, 5, -10), EINVAL);
	EXPECT_ERRNO(setlk(r, F_RDLCK, INT64_MAX, 2), EOVERFLOW);
	fl = mk(F_UNLCK, SEEK_SET, 0, 1);
	EXPECT_ERRNO(fcntl(r, F_GETLK, &fl), EINVAL);
	EXPECT_ERRNO(fcntl(r, F_GETLK, (struct flock *)8), EFAULT);
	EXPECT_ERRNO(fcntl(r, F_SETLK, (struct flock *)8), EFAULT);
	EXPECT_ERRNO(fcntl(-1, F_SETLK, &fl), EBADF);
	close(r);
	close(w);
}

TEST(fcntl_lock, ofd_owned_by_open_file)
{
	int a = open_file(O_RDWR), b = CHECK(open(tmp_path("f"), O_RDWR)), d;
	struct flock fl = mk(F_WRLCK, SEEK_SET, 0, 10);

	EXPECT_RET(fcntl(a, F_OFD_SETLK, &fl), 0);
	d = CHECK(dup(a));
	EXPECT_RET(fcntl(d, F_OFD_SETLK, &fl), 0);
	EXPECT_ERRNO(fcntl(b, F_OFD_SETLK, &fl), EAGAIN);
	/* A POSIX lock of this very process conflicts with it too. */
	EXPECT_ERRNO(setlk(b, F_WRLCK, 5, 1), EAGAIN);
	fl = mk(F_RDLCK, SEEK_SET, 0, 0);
	EXPECT_RET(fcntl(b, F_OFD_GETLK, &fl), 0);
	EXPECT_EQ(fl.l_type, F_WRLCK);
	EXPECT_EQ(fl.l_pid, -1);
	EXPECT_EQ(fl.l_len, 10);
	fl = mk(F_WRLCK, SEEK_SET, 0, 10);
	fl.l_pid = 1;
	EXPECT_ERRNO(fcntl(b, F_OFD_SETLK, &fl), EINVAL);
	/* Closing one descriptor of the open file keeps its lock; the last one drops it. */
	close(a);
	fl = mk(F_WRLCK, SEEK_SET, 0, 10);
	EXPECT_ERRNO(fcntl(b, F_OFD_SETLK, &fl), EAGAIN);
	close(d);
	EXPECT_RET(fcntl(b, F_OFD_SETLK, &fl), 0);
	close(b);
}
