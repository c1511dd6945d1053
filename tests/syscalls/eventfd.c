// SPDX-License-Identifier: MIT
/*
 * eventfd(2) and timerfd(2): counter reads and writes, EFD_SEMAPHORE,
 * EAGAIN when empty or full (non-blocking), EINVAL for short buffers and
 * the reserved value; timerfd expirations counted, disarm and gettime.
 */
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include "harness.h"

TEST(eventfd, counter_and_semaphore)
{
	int fd = CHECK(eventfd(3, EFD_NONBLOCK));
	uint64_t v = 0;

	EXPECT_RET(read(fd, &v, 8), 8);
	EXPECT_EQ(v, 3);
	EXPECT_ERRNO(read(fd, &v, 8), EAGAIN);
	v = 5;
	EXPECT_RET(write(fd, &v, 8), 8);
	v = 2;
	EXPECT_RET(write(fd, &v, 8), 8);
	EXPECT_RET(read(fd, &v, 8), 8);
	EXPECT_EQ(v, 7);
	close(fd);

	fd = CHECK(eventfd(2, EFD_NONBLOCK | EFD_SEMAPHORE | EFD_CLOEXEC));
	EXPECT_RET(read(fd, &v, 8), 8);
	EXPECT_EQ(v, 1);
	EXPECT_RET(read(fd, &v, 8), 8);
	EXPECT_EQ(v, 1);
	EXPECT_ERRNO(read(fd, &v, 8), EAGAIN);
	EXPECT_RET(fcntl(fd, F_GETFD), FD_CLOEXEC);
	close(fd);
}

TEST(eventfd, limits_and_errors)
{
	int fd = CHECK(eventfd(0, EFD_NONBLOCK));
	uint64_t v = 0xfffffffffffffffeULL;
	uint32_t small = 1;
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };

	EXPECT_RET(poll(&p, 1, 0), 1);
	EXPECT_EQ(p.revents, POLLOUT);
	EXPECT_RET(write(fd, &v, 8), 8);
	v = 1;
	EXPECT_ERRNO(write(fd, &v, 8), EAGAIN);
	v = UINT64_MAX;
	EXPECT_ERRNO(write(fd, &v, 8), EINVAL);
	EXPECT_ERRNO(read(fd, &small, 4), EINVAL);
	EXPECT_ERRNO(eventfd(0, 0x1234), EINVAL);
	close(fd);
}

TEST(timerfd, counts_expirations)
{
	int fd = CHECK(timerfd_create(CLOCK_MONOTONIC, 0));
	struct itimerspec its = { .it_value = { 0, 5000000 }, .it_interval = { 0, 5000000 } }, cur;
	uint64_t n = 0;

	EXPECT_RET(timerfd_settime(fd, 0, &its, NULL), 0);
	EXPECT_RET(read(fd, &n, 8), 8);	/* blocks until the first expiration */
	EXPECT_TRUE(n >= 1);
	memset(&its, 0, sizeof(its));
	EXPECT_RET(timerfd_settime(fd, 0, &its, NULL), 0);
	EXPECT_RET(timerfd_gettime(fd, &cur), 0);
	EXPECT_TRUE(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
	close(fd);
}

TEST(timerfd, nonblocking_and_errors)
{
	int fd = CHECK(timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK));
	struct itimerspec bad = { .it_value = { 0, 1000000000 } };
	uint64_t n;

	EXPECT_ERRNO(read(fd, &n, 8), EAGAIN);
	EXPECT_ERRNO(timerfd_settime(fd, 0, &bad, NULL), EINVAL);
	EXPECT_ERRNO(timerfd_create(12345, 0), EINVAL);
	EXPECT_ERRNO(timerfd_settime(0, 0, &bad, NULL), EINVAL);
	close(fd);
}
