// SPDX-License-Identifier: MIT
/*
 * sched_getaffinity(2) and sched_setaffinity(2): the raw call returns the
 * number of mask bytes written (a multiple of 8, at most the length given),
 * the mask holds at least one and at most the configured number of CPUs,
 * pid 0, the caller's pid and a forked child report the same mask, setting
 * the current mask again changes nothing, getcpu reports a CPU in the
 * mask; EINVAL for a length of 0 or one not a multiple of 8, ESRCH for a
 * reaped pid.
 */
#include <sched.h>

#include "harness.h"

TEST(sched_getaffinity, raw_returns_size)
{
	unsigned long mask[16];
	long n;

	memset(mask, 0, sizeof(mask));
	n = syscall(SYS_sched_getaffinity, 0, sizeof(mask), mask);
	EXPECT_TRUE(n > 0 && n <= (long)sizeof(mask) && n % 8 == 0);
	EXPECT_TRUE(mask[0] != 0);
}

TEST(sched_getaffinity, count_and_sources_agree)
{
	cpu_set_t a, b;
	long conf = sysconf(_SC_NPROCESSORS_CONF);

	EXPECT_RET(sched_getaffinity(0, sizeof(a), &a), 0);
	EXPECT_TRUE(CPU_COUNT(&a) >= 1);
	EXPECT_TRUE(conf < 1 || CPU_COUNT(&a) <= conf);
	EXPECT_RET(sched_getaffinity(getpid(), sizeof(b), &b), 0);
	EXPECT_TRUE(CPU_EQUAL(&a, &b));
}

TEST(sched_getaffinity, child_inherits)
{
	cpu_set_t mine;
	pid_t pid;

	CHECK(sched_getaffinity(0, sizeof(mine), &mine));
	pid = CHECK(fork());
	if (pid == 0) {
		cpu_set_t c;

		if (sched_getaffinity(0, sizeof(c), &c) || !CPU_EQUAL(&c, &mine))
			_exit(1);
		_exit(0);
	}
	EXPECT_EXITED(wait_status(pid), 0);
}

TEST(sched_setaffinity, same_mask_is_noop)
{
	cpu_set_t before, after;
	unsigned int cpu = ~0u;

	CHECK(sched_getaffinity(0, sizeof(before), &before));
	EXPECT_RET(sched_setaffinity(0, sizeof(before), &before), 0);
	CHECK(sched_getaffinity(0, sizeof(after), &after));
	EXPECT_TRUE(CPU_EQUAL(&before, &after));
	EXPECT_RET(syscall(SYS_getcpu, &cpu, NULL, NULL), 0);
	EXPECT_TRUE(cpu < CPU_SETSIZE && CPU_ISSET(cpu, &before));
}

TEST(sched_getaffinity, errors)
{
	unsigned long mask[16];
	pid_t pid;

	EXPECT_ERRNO(syscall(SYS_sched_getaffinity, 0, 0, mask), EINVAL);
	EXPECT_ERRNO(syscall(SYS_sched_getaffinity, 0, 12, mask), EINVAL);
	EXPECT_ERRNO(syscall(SYS_sched_getaffinity, 0, 1, mask), EINVAL);
	pid = CHECK(fork());
	if (pid == 0)
		_exit(0);
	CHECK(waitpid(pid, NULL, 0));
	EXPECT_ERRNO(syscall(SYS_sched_getaffinity, pid, sizeof(mask), mask),
		     ESRCH);
}
