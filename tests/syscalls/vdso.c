// SPDX-License-Identifier: MIT
/*
 * The vDSO: present (AT_SYSINFO_EHDR, [vdso] and [vvar] in /proc/self/maps);
 * its clock_gettime agrees with the real syscall, so the two interleaved
 * never go backwards, also across the sandbox's once-a-second rate
 * corrections; realtime agrees with time(2); gettimeofday works.
 */
#include <sys/auxv.h>
#include <sys/time.h>
#include <time.h>
#include "harness.h"

static int64_t ns_of(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

TEST(vdso, is_mapped)
{
	char buf[8192];
	int fd = CHECK(open("/proc/self/maps", O_RDONLY));
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	EXPECT_TRUE(getauxval(AT_SYSINFO_EHDR) != 0);
	EXPECT_TRUE(n > 0);
	buf[n > 0 ? n : 0] = '\0';
	EXPECT_TRUE(strstr(buf, "[vdso]") != NULL);
	EXPECT_TRUE(strstr(buf, "[vvar]") != NULL);
	close(fd);
}

/* libc's clock_gettime goes through the vDSO; syscall() does not. */
static int monotonic_interleaved(clockid_t clock, double seconds)
{
	struct timespec a, b;
	int64_t last = 0, end;

	clock_gettime(CLOCK_MONOTONIC, &a);
	end = ns_of(&a) + (int64_t)(seconds * 1e9);
	for (long i = 0;; i++) {
		if (clock_gettime(clock, &a) || syscall(SYS_clock_gettime, clock, &b))
			return 0;
		if (ns_of(&a) < last || ns_of(&b) < ns_of(&a))
			return 0;
		last = ns_of(&b);
		if ((i & 1023) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &a);
			if (ns_of(&a) > end)
				return 1;
		}
	}
}

TEST(vdso, clocks_agree_and_never_go_back)
{
	EXPECT_TRUE(monotonic_interleaved(CLOCK_MONOTONIC, 2.5));
	EXPECT_TRUE(monotonic_interleaved(CLOCK_BOOTTIME, 0.2));
}

TEST(vdso, realtime_matches_time)
{
	struct timespec ts;
	struct timeval tv;
	time_t before = time(NULL), after;

	EXPECT_RET(clock_gettime(CLOCK_REALTIME, &ts), 0);
	EXPECT_RET(gettimeofday(&tv, NULL), 0);
	after = time(NULL);
	EXPECT_TRUE(ts.tv_sec >= before && ts.tv_sec <= after);
	EXPECT_TRUE(tv.tv_sec >= before && tv.tv_sec <= after);
	EXPECT_TRUE(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000);
}
