// SPDX-License-Identifier: MIT
/*
 * select(2) and pselect6(2) on pipes: readiness of read and write ends,
 * the zero timeout, a timeout that really waits, EBADF for a closed
 * descriptor in a set and EINVAL for a negative nfds; an nfds above
 * FD_SETSIZE is cut to the fd table's size, as Linux does (not EINVAL), and
 * descriptors above 1024 work.
 */
#include <stdint.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <time.h>
#include "harness.h"

static long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

TEST(select, pipe_readiness)
{
	struct timeval zero = { 0, 0 };
	fd_set rd, wr;
	int p[2];

	CHECK(pipe(p));
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(p[0], &rd);
	FD_SET(p[1], &wr);
	EXPECT_RET(select(p[1] + 1, &rd, &wr, NULL, &zero), 1);
	EXPECT_TRUE(!FD_ISSET(p[0], &rd));
	EXPECT_TRUE(FD_ISSET(p[1], &wr));
	CHECK(write(p[1], "x", 1));
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	zero.tv_sec = 0;
	zero.tv_usec = 0;
	EXPECT_RET(select(p[0] + 1, &rd, NULL, NULL, &zero), 1);
	EXPECT_TRUE(FD_ISSET(p[0], &rd));
	close(p[0]);
	close(p[1]);
}

TEST(select, timeout_lasts)
{
	struct timeval tv = { 0, 30000 };
	fd_set rd;
	long start;
	int p[2];

	CHECK(pipe(p));
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	start = mono_ms();
	EXPECT_RET(select(p[0] + 1, &rd, NULL, NULL, &tv), 0);
	EXPECT_TRUE(mono_ms() - start >= 30);
	EXPECT_TRUE(!FD_ISSET(p[0], &rd));
	close(p[0]);
	close(p[1]);
}

TEST(select, errors)
{
	struct timeval zero = { 0, 0 };
	fd_set rd;
	int fd = CHECK(open("/dev/null", O_RDONLY));

	close(fd);
	FD_ZERO(&rd);
	FD_SET(fd, &rd);
	EXPECT_ERRNO(select(fd + 1, &rd, NULL, NULL, &zero), EBADF);
	EXPECT_ERRNO(select(-1, NULL, NULL, NULL, &zero), EINVAL);
}

static uint64_t big_in[2048];	/* 131072 bits: more than the fd table has here */

static bool big_isset(int fd)
{
	return big_in[fd / 64] & (1ULL << (fd % 64));
}

TEST(select, nfds_above_fd_setsize)
{
	struct timeval zero = { 0, 0 };
	struct rlimit rl;
	int p[2], hi = 1500;

	CHECK(pipe(p));
	CHECK(write(p[1], "x", 1));
	EXPECT_RET(select(INT_MAX, NULL, NULL, NULL, &zero), 0);
	EXPECT_RET(select(4096, NULL, NULL, NULL, &zero), 0);
	memset(big_in, 0, sizeof(big_in));
	big_in[p[0] / 64] |= 1ULL << (p[0] % 64);
	EXPECT_RET(select(4096, (fd_set *)big_in, NULL, NULL, &zero), 1);
	EXPECT_TRUE(big_isset(p[0]));
	memset(big_in, 0, sizeof(big_in));
	big_in[p[0] / 64] |= 1ULL << (p[0] % 64);
	EXPECT_RET(select(INT_MAX, (fd_set *)big_in, NULL, NULL, &zero), 1);
	EXPECT_TRUE(big_isset(p[0]));
	/* a descriptor above 1024: the soft limit may need raising */
	CHECK(getrlimit(RLIMIT_NOFILE, &rl));
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max <= (rlim_t)hi)
		SKIP("RLIMIT_NOFILE hard limit %lu", (unsigned long)rl.rlim_max);
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur <= (rlim_t)hi) {
		rl.rlim_cur = 2048;
		CHECK(setrlimit(RLIMIT_NOFILE, &rl));
	}
	CHECK(dup2(p[0], hi));
	memset(big_in, 0, sizeof(big_in));
	big_in[hi / 64] |= 1ULL << (hi % 64);
	EXPECT_RET(select(hi + 1, (fd_set *)big_in, NULL, NULL, &zero), 1);
	EXPECT_TRUE(big_isset(hi));
	memset(big_in, 0, sizeof(big_in));
	big_in[hi / 64] |= 1ULL << (hi % 64);
	EXPECT_RET(select(INT_MAX, (fd_set *)big_in, NULL, NULL, &zero), 1);
	EXPECT_TRUE(big_isset(hi));
	/* closed: EBADF, as below 1024 */
	close(hi);
	EXPECT_ERRNO(select(hi + 1, (fd_set *)big_in, NULL, NULL, &zero), EBADF);
	close(p[0]);
	close(p[1]);
}

TEST(pselect, hangup_is_readable)
{
	struct timespec ts = { 1, 0 };
	fd_set rd;
	int p[2];

	CHECK(pipe(p));
	close(p[1]);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	EXPECT_RET(pselect(p[0] + 1, &rd, NULL, NULL, &ts, NULL), 1);
	EXPECT_TRUE(FD_ISSET(p[0], &rd));
	close(p[0]);
}
