// SPDX-License-Identifier: MIT
/*
 * times(2): the return value (clock ticks) does not go back and a NULL
 * buffer is accepted; CPU spent shows up in tms_utime + tms_stime; a new
 * process starts with zero child times and, after reaping a child that
 * used CPU, its tms_cutime + tms_cstime are positive.
 */
#include <sys/times.h>
#include <time.h>

#include "harness.h"

static long long ns_of(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Spins until this process used @ms of CPU (or 10 s passed, as a guard). */
static void burn_cpu(int ms)
{
	long long start = ns_of(CLOCK_PROCESS_CPUTIME_ID),
		  wall = ns_of(CLOCK_MONOTONIC);

	while (ns_of(CLOCK_PROCESS_CPUTIME_ID) - start < ms * 1000000LL &&
	       ns_of(CLOCK_MONOTONIC) - wall < 10000000000LL)
		;
}

TEST(times, ticks_do_not_go_back)
{
	struct tms t;
	long a, b;

	a = syscall(SYS_times, &t);
	b = syscall(SYS_times, NULL);
	EXPECT_TRUE(b >= a);
	EXPECT_TRUE(t.tms_utime >= 0 && t.tms_stime >= 0);
	EXPECT_TRUE(t.tms_cutime >= 0 && t.tms_cstime >= 0);
}

TEST(times, own_cpu_time)
{
	struct tms t;

	burn_cpu(100);
	syscall(SYS_times, &t);
	EXPECT_TRUE(t.tms_utime + t.tms_stime > 0);
}

TEST(times, children_cpu_time)
{
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		struct tms t;
		pid_t kid;

		syscall(SYS_times, &t);
		if (t.tms_cutime || t.tms_cstime)
			_exit(1);
		kid = fork();
		if (kid == 0) {
			burn_cpu(100);
			_exit(0);
		}
		if (kid < 0 || waitpid(kid, NULL, 0) != kid)
			_exit(2);
		syscall(SYS_times, &t);
		_exit(t.tms_cutime + t.tms_cstime > 0 ? 0 : 3);
	}
	EXPECT_EXITED(wait_status(pid), 0);
}
