// SPDX-License-Identifier: MIT
/*
 * clock_nanosleep(2): a relative sleep lasts at least the request,
 * TIMER_ABSTIME sleeps until the given CLOCK_MONOTONIC or CLOCK_REALTIME
 * instant and returns at once for an instant in the past. The glibc wrapper
 * returns the error number, the raw call -1 and errno: EINVAL for a bad
 * tv_nsec and an unknown clock; CLOCK_THREAD_CPUTIME_ID is EOPNOTSUPP from
 * the kernel (glibc reports EINVAL without asking it).
 */
#include <time.h>

#include "harness.h"

static long long now_ns(clockid_t clk)
{
	struct timespec ts;

	CHECK(clock_gettime(clk, &ts));
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long raw_sleep(clockid_t clk, int flags, const struct timespec *ts)
{
	return syscall(SYS_clock_nanosleep, clk, flags, ts, NULL);
}

static struct timespec to_ts(long long ns)
{
	return (struct timespec){ ns / 1000000000LL, ns % 1000000000LL };
}

TEST(clock_nanosleep, relative)
{
	struct timespec req = { 0, 15 * 1000 * 1000 };
	long long start = now_ns(CLOCK_MONOTONIC);

	EXPECT_RET(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL), 0);
	EXPECT_TRUE(now_ns(CLOCK_MONOTONIC) - start >= 15 * 1000 * 1000);
}

TEST(clock_nanosleep, abstime_monotonic)
{
	long long target = now_ns(CLOCK_MONOTONIC) + 20 * 1000 * 1000;
	struct timespec ts = to_ts(target);

	EXPECT_RET(raw_sleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts), 0);
	EXPECT_TRUE(now_ns(CLOCK_MONOTONIC) >= target);
}

TEST(clock_nanosleep, abstime_realtime)
{
	long long target = now_ns(CLOCK_REALTIME) + 20 * 1000 * 1000;
	struct timespec ts = to_ts(target);

	EXPECT_RET(clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL), 0);
	EXPECT_TRUE(now_ns(CLOCK_REALTIME) >= target);
}

TEST(clock_nanosleep, abstime_in_the_past)
{
	struct timespec past = { 1, 0 };

	EXPECT_RET(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL), 0);
	past.tv_sec = 0;
	EXPECT_RET(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL), 0);
}

TEST(clock_nanosleep, errors)
{
	struct timespec bad = { 0, 1000000000 }, ok = { 0, 1000 };

	EXPECT_RET(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL);
	EXPECT_ERRNO(raw_sleep(CLOCK_MONOTONIC, 0, &bad), EINVAL);
	EXPECT_ERRNO(raw_sleep(100, 0, &ok), EINVAL);
	/* the kernel says EOPNOTSUPP; glibc's wrapper turns it into EINVAL */
	EXPECT_ERRNO(raw_sleep(CLOCK_THREAD_CPUTIME_ID, 0, &ok), EOPNOTSUPP);
	EXPECT_RET(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &ok, NULL), EINVAL);
}
