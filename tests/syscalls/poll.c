// SPDX-License-Identifier: MIT
/*
 * poll(2) on pipes, regular files and /dev/null: an empty pipe's write end
 * is POLLOUT and its read end not ready (timeout 0 returns 0), a write
 * makes the read end POLLIN, closing the writer gives POLLHUP and closing
 * the reader gives POLLERR on the writer; regular files and /dev/null are
 * always readable and writable; a closed descriptor reports POLLNVAL and a
 * negative one is skipped; the result counts ready entries; a blocking poll
 * wakes when a child writes, and a timeout lasts at least its length;
 * EINVAL for nfds above RLIMIT_NOFILE.
 */
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "harness.h"

static long long mono_ms(void)
{
	struct timespec ts;

	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts));
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

TEST(poll, pipe_readiness)
{
	struct pollfd fds[2];
	int p[2];

	CHECK(pipe(p));
	fds[0] = (struct pollfd){ .fd = p[0], .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	EXPECT_RET(poll(fds, 2, 0), 1);
	EXPECT_EQ(fds[0].revents, 0);
	EXPECT_EQ(fds[1].revents, POLLOUT);
	EXPECT_RET(poll(fds, 1, 0), 0);
	CHECK(write(p[1], "x", 1));
	EXPECT_RET(poll(fds, 2, 0), 2);
	EXPECT_EQ(fds[0].revents, POLLIN);
	close(p[0]);
	close(p[1]);
}

TEST(poll, hangup_and_error)
{
	struct pollfd fd;
	int p[2];

	CHECK(pipe(p));
	CHECK(write(p[1], "x", 1));
	close(p[1]);
	fd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	EXPECT_RET(poll(&fd, 1, 0), 1);
	EXPECT_EQ(fd.revents, POLLIN | POLLHUP);
	CHECK(read(p[0], (char[1]){ 0 }, 1));
	EXPECT_RET(poll(&fd, 1, 0), 1);
	EXPECT_EQ(fd.revents, POLLHUP);
	close(p[0]);

	CHECK(pipe(p));
	close(p[0]);
	fd = (struct pollfd){ .fd = p[1], .events = POLLOUT };
	EXPECT_RET(poll(&fd, 1, 0), 1);
	EXPECT_TRUE(fd.revents & POLLERR);
	close(p[1]);
}

TEST(poll, files_always_ready)
{
	int f = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));
	int null = CHECK(open("/dev/null", O_RDWR));
	struct pollfd fds[2] = {
		{ .fd = f, .events = POLLIN | POLLOUT },
		{ .fd = null, .events = POLLIN | POLLOUT },
	};

	EXPECT_RET(poll(fds, 2, 0), 2);
	EXPECT_EQ(fds[0].revents, POLLIN | POLLOUT);
	EXPECT_EQ(fds[1].revents, POLLIN | POLLOUT);
	close(null);
	close(f);
}

TEST(poll, nval_and_negative_fd)
{
	int fd = CHECK(open("/dev/null", O_RDONLY));
	struct pollfd fds[2];

	close(fd);
	fds[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = -1, .events = POLLIN, .revents = 123 };
	EXPECT_RET(poll(fds, 2, 0), 1);
	EXPECT_EQ(fds[0].revents, POLLNVAL);
	EXPECT_EQ(fds[1].revents, 0);
	EXPECT_RET(poll(&fds[1], 1, 0), 0);
	EXPECT_RET(poll(NULL, 0, 0), 0);
}

TEST(poll, wakes_when_child_writes)
{
	struct pollfd fd;
	int p[2];
	pid_t pid;

	CHECK(pipe(p));
	pid = CHECK(fork());
	if (pid == 0) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		close(p[0]);
		nanosleep(&ts, NULL);
		_exit(write(p[1], "w", 1) == 1 ? 0 : 1);
	}
	close(p[1]);
	fd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	EXPECT_RET(poll(&fd, 1, -1), 1);
	EXPECT_TRUE(fd.revents & POLLIN);
	EXPECT_EXITED(wait_status(pid), 0);
	close(p[0]);
}

TEST(poll, timeout_lasts)
{
	struct pollfd fd;
	long long start;
	int p[2];

	CHECK(pipe(p));
	fd = (struct pollfd){ .fd = p[0], .events = POLLIN };
	start = mono_ms();
	EXPECT_RET(poll(&fd, 1, 30), 0);
	EXPECT_TRUE(mono_ms() - start >= 30);
	EXPECT_RET(poll(NULL, 0, 10), 0);
	close(p[0]);
	close(p[1]);
}

TEST(poll, too_many_fds_is_einval)
{
	struct rlimit rl;
	struct pollfd fd = { .fd = -1 };

	CHECK(getrlimit(RLIMIT_NOFILE, &rl));
	EXPECT_ERRNO(syscall(SYS_poll, &fd, rl.rlim_cur + 1, 0), EINVAL);
}

/* The limit is the current RLIMIT_NOFILE, however low (a child lowers it). */
TEST(poll, lowered_rlimit_bounds_nfds)
{
	pid_t pid = CHECK(fork());
	int status;

	if (pid == 0) {
		struct rlimit rl = { 64, 64 };
		struct pollfd fds[100];

		for (int i = 0; i < 100; i++)
			fds[i] = (struct pollfd){ .fd = -1 };
		if (setrlimit(RLIMIT_NOFILE, &rl))
			_exit(1);
		if (poll(fds, 64, 0) != 0)
			_exit(2);
		_exit(poll(fds, 65, 0) == -1 && errno == EINVAL ? 0 : 3);
	}
	CHECK(waitpid(pid, &status, 0));
	EXPECT_EQ(status, 0);
}
