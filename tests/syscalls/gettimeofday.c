// SPDX-License-Identifier: MIT
/*
 * gettimeofday(2) and time(2), raw and through glibc: tv_usec is below a
 * million, the seconds agree with CLOCK_REALTIME and with time() to within
 * the coarse clock's tick (compared as "not more than one second apart"),
 * time(&t) stores what it returns, a NULL timezone and a NULL tv are
 * accepted.
 */
#include <sys/time.h>
#include <time.h>

#include "harness.h"

TEST(gettimeofday, fields)
{
	struct timeval tv = { -1, -1 };
	struct timezone tz;

	EXPECT_RET(syscall(SYS_gettimeofday, &tv, NULL), 0);
	EXPECT_TRUE(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	EXPECT_TRUE(tv.tv_sec > 1577836800);
	EXPECT_RET(syscall(SYS_gettimeofday, &tv, &tz), 0);
	EXPECT_RET(syscall(SYS_gettimeofday, NULL, NULL), 0);
	EXPECT_RET(gettimeofday(&tv, NULL), 0);
	EXPECT_TRUE(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
}

TEST(gettimeofday, agrees_with_realtime)
{
	struct timespec before, after;
	struct timeval tv;

	CHECK(syscall(SYS_clock_gettime, CLOCK_REALTIME, &before));
	CHECK(syscall(SYS_gettimeofday, &tv, NULL));
	CHECK(syscall(SYS_clock_gettime, CLOCK_REALTIME, &after));
	EXPECT_TRUE(tv.tv_sec >= before.tv_sec - 1);
	EXPECT_TRUE(tv.tv_sec <= after.tv_sec + 1);
}

TEST(time, returns_and_stores_seconds)
{
	time_t t = 0, r, r2;
	struct timeval tv;

	r = syscall(SYS_time, &t);
	EXPECT_TRUE(r > 1577836800);
	EXPECT_EQ(t, r);
	r2 = syscall(SYS_time, NULL);
	EXPECT_TRUE(r2 >= r);
	CHECK(syscall(SYS_gettimeofday, &tv, NULL));
	EXPECT_TRUE(tv.tv_sec >= r - 1 && tv.tv_sec <= r2 + 2);
	r = time(&t);
	EXPECT_EQ(t, r);
	EXPECT_TRUE(r >= r2 - 1);
}
