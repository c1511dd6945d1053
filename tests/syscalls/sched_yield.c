// SPDX-License-Identifier: MIT
/*
 * sched_yield(2): always returns 0, many times in a row, in the parent and
 * in a forked child, and lets a parent and child that yield in turn both
 * finish.
 */
#include <sched.h>

#include "harness.h"

TEST(sched_yield, returns_zero)
{
	int i;

	EXPECT_RET(sched_yield(), 0);
	EXPECT_RET(syscall(SYS_sched_yield), 0);
	for (i = 0; i < 1000; i++)
		if (sched_yield() != 0)
			break;
	EXPECT_EQ(i, 1000);
}

TEST(sched_yield, parent_and_child_both_finish)
{
	pid_t pid = CHECK(fork());
	int i, bad = 0;

	if (pid == 0) {
		for (i = 0; i < 1000; i++)
			bad |= sched_yield();
		_exit(bad ? 1 : 0);
	}
	for (i = 0; i < 1000; i++)
		bad |= sched_yield();
	EXPECT_EQ(bad, 0);
	EXPECT_EXITED(wait_status(pid), 0);
}
