// SPDX-License-Identifier: MIT
/*
 * clock_gettime(2) and clock_getres(2), through the raw syscall and through
 * glibc (which may use the vDSO): CLOCK_MONOTONIC never goes back, not even
 * when the two paths are mixed; every supported clock returns a normalised
 * timespec; REALTIME is past 2020; BOOTTIME is not behind MONOTONIC; the
 * CPU-time clocks are positive and do not go back; resolutions are positive
 * and below a second; EINVAL for unknown clocks.
 */
#include <time.h>

#include "harness.h"

static const clockid_t clocks[] = {
	CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID,
	CLOCK_THREAD_CPUTIME_ID, CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
	CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME,
};

/* Written by busy loops so that the compiler keeps them. */
static volatile unsigned long g_sink;

static long long ns(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static bool normalised(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000;
}

TEST(clock_gettime, monotonic_never_goes_back)
{
	struct timespec prev, now;
	int i;

	CHECK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &prev));
	for (i = 0; i < 2000; i++) {
		if (i & 1)
			CHECK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &now));
		else
			CHECK(clock_gettime(CLOCK_MONOTONIC, &now));
		if (ns(&now) < ns(&prev)) {
			EXPECT_TRUE(ns(&now) >= ns(&prev));
			break;
		}
		prev = now;
	}
}

TEST(clock_gettime, every_clock_is_normalised)
{
	struct timespec ts;
	size_t i;

	for (i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		ts.tv_sec = -1;
		ts.tv_nsec = -1;
		EXPECT_RET(syscall(SYS_clock_gettime, clocks[i], &ts), 0);
		EXPECT_TRUE(normalised(&ts));
		EXPECT_RET(clock_gettime(clocks[i], &ts), 0);
		EXPECT_TRUE(normalised(&ts));
	}
}

TEST(clock_gettime, realtime_and_boottime)
{
	struct timespec rt, mono, boot;

	CHECK(syscall(SYS_clock_gettime, CLOCK_REALTIME, &rt));
	EXPECT_TRUE(rt.tv_sec > 1577836800);	/* 2020-01-01 */
	CHECK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &mono));
	CHECK(syscall(SYS_clock_gettime, CLOCK_BOOTTIME, &boot));
	EXPECT_TRUE(ns(&boot) >= ns(&mono));
}

TEST(clock_gettime, cpu_time_clocks)
{
	struct timespec a, b, t;
	unsigned long i;

	CHECK(syscall(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, &a));
	for (i = 0; i < 3000000; i++)
		g_sink += i;
	CHECK(syscall(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, &b));
	CHECK(syscall(SYS_clock_gettime, CLOCK_THREAD_CPUTIME_ID, &t));
	EXPECT_TRUE(ns(&a) > 0);
	EXPECT_TRUE(ns(&b) >= ns(&a));
	EXPECT_TRUE(ns(&t) > 0);
}

TEST(clock_gettime, bad_clock_is_einval)
{
	struct timespec ts;

	EXPECT_ERRNO(syscall(SYS_clock_gettime, 100, &ts), EINVAL);
	EXPECT_ERRNO(syscall(SYS_clock_gettime, 16, &ts), EINVAL);
	EXPECT_ERRNO(clock_gettime(100, &ts), EINVAL);
}

TEST(clock_getres, positive_and_below_a_second)
{
	struct timespec res;
	size_t i;

	for (i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		res.tv_sec = -1;
		res.tv_nsec = -1;
		EXPECT_RET(syscall(SYS_clock_getres, clocks[i], &res), 0);
		EXPECT_TRUE(res.tv_sec == 0 && res.tv_nsec > 0);
	}
	EXPECT_RET(syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL), 0);
	EXPECT_RET(clock_getres(CLOCK_REALTIME, &res), 0);
	EXPECT_TRUE(res.tv_sec == 0 && res.tv_nsec > 0);
}

TEST(clock_getres, bad_clock_is_einval)
{
	struct timespec res;

	EXPECT_ERRNO(syscall(SYS_clock_getres, 100, &res), EINVAL);
	EXPECT_ERRNO(syscall(SYS_clock_getres, 16, NULL), EINVAL);
	EXPECT_ERRNO(clock_getres(100, &res), EINVAL);
}
