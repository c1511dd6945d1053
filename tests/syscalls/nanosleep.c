// SPDX-License-Identifier: MIT
/*
 * nanosleep(2): a short sleep lasts at least the requested time on
 * CLOCK_MONOTONIC, a zero sleep returns 0 at once, the remaining-time
 * pointer may be NULL; EINVAL for tv_nsec at or above 10^9, a negative
 * tv_nsec or a negative tv_sec.
 */
#include <time.h>

#include "harness.h"

static long long mono_ns(void)
{
	struct timespec ts;

	CHECK(clock_gettime(CLOCK_MONOTONIC, &ts));
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

TEST(nanosleep, sleeps_at_least_requested)
{
	struct timespec req = { 0, 20 * 1000 * 1000 }, rem = { 7, 7 };
	long long start, end;

	start = mono_ns();
	EXPECT_RET(nanosleep(&req, &rem), 0);
	end = mono_ns();
	EXPECT_TRUE(end - start >= 20 * 1000 * 1000);
	start = mono_ns();
	EXPECT_RET(syscall(SYS_nanosleep, &req, NULL), 0);
	end = mono_ns();
	EXPECT_TRUE(end - start >= 20 * 1000 * 1000);
}

TEST(nanosleep, zero_returns_at_once)
{
	struct timespec req = { 0, 0 };

	EXPECT_RET(nanosleep(&req, NULL), 0);
	req.tv_nsec = 1;
	EXPECT_RET(nanosleep(&req, NULL), 0);
}

TEST(nanosleep, bad_values_are_einval)
{
	struct timespec req = { 0, 1000000000 };

	EXPECT_ERRNO(syscall(SYS_nanosleep, &req, NULL), EINVAL);
	req.tv_nsec = -1;
	EXPECT_ERRNO(syscall(SYS_nanosleep, &req, NULL), EINVAL);
	req.tv_sec = -1;
	req.tv_nsec = 0;
	EXPECT_ERRNO(syscall(SYS_nanosleep, &req, NULL), EINVAL);
}
