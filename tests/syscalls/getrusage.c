// SPDX-License-Identifier: MIT
/*
 * getrusage(2): RUSAGE_SELF and RUSAGE_THREAD report normalised times and a
 * positive maximum RSS; CPU spent shows up in utime + stime; a new process
 * starts with zero RUSAGE_CHILDREN, which then covers a reaped child's CPU
 * time and its maximum RSS (a child that touched 16 MiB has ru_maxrss of
 * at least 8 MiB); EINVAL for an unknown who.
 */
#include <sys/mman.h>
#include <sys/resource.h>
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

static long long used_us(const struct rusage *ru)
{
	return (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000000LL +
	       ru->ru_utime.tv_usec + ru->ru_stime.tv_usec;
}

TEST(getrusage, self_and_thread)
{
	struct rusage ru;

	burn_cpu(50);
	EXPECT_RET(getrusage(RUSAGE_SELF, &ru), 0);
	EXPECT_TRUE(ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000);
	EXPECT_TRUE(ru.ru_stime.tv_usec >= 0 && ru.ru_stime.tv_usec < 1000000);
	EXPECT_TRUE(ru.ru_maxrss > 0);
	EXPECT_TRUE(used_us(&ru) > 0);
	EXPECT_RET(getrusage(RUSAGE_THREAD, &ru), 0);
	EXPECT_TRUE(used_us(&ru) > 0);
}

TEST(getrusage, children)
{
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		struct rusage ru;
		pid_t kid;
		int st;

		if (getrusage(RUSAGE_CHILDREN, &ru) || used_us(&ru) != 0 ||
		    ru.ru_maxrss != 0)
			_exit(1);
		kid = fork();
		if (kid == 0) {
			char *p = mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p != MAP_FAILED)
				memset(p, 1, 16 << 20);
			burn_cpu(50);
			_exit(0);
		}
		if (kid < 0 || waitpid(kid, &st, 0) != kid)
			_exit(2);
		if (getrusage(RUSAGE_CHILDREN, &ru) || used_us(&ru) <= 0)
			_exit(3);
		_exit(ru.ru_maxrss >= 8192 ? 0 : 4);
	}
	EXPECT_EXITED(wait_status(pid), 0);
}

TEST(getrusage, bad_who_is_einval)
{
	struct rusage ru;

	EXPECT_ERRNO(getrusage(42, &ru), EINVAL);
	EXPECT_ERRNO(syscall(SYS_getrusage, -3, &ru), EINVAL);
}
