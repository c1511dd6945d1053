// SPDX-License-Identifier: MIT
/*
 * brk(2), through the raw call (which returns the new break, or the old
 * one on failure): brk(0) reports the break, growing returns the exact new
 * value and gives zeroed writable memory, shrinking unmaps whole pages past
 * the new break (a child touching them dies of SIGSEGV) and growing again
 * gives fresh zeros, requests below the start or beyond the address space
 * leave the break alone, a forked child's brk does not move the parent's.
 * Every case puts the break back before asserting, because glibc's malloc
 * (used by a failure message) caches the break.
 */
#include <signal.h>

#include "harness.h"

#define PG		4096UL
#define GROW		(64 * 1024 + 123)
#define PAGE_UP(x)	(((x) + PG - 1) & ~(PG - 1))

static unsigned long raw_brk(unsigned long addr)
{
	return syscall(SYS_brk, addr);
}

static bool zero_range(unsigned long from, unsigned long to)
{
	for (; from < to; from++)
		if (*(volatile char *)from)
			return false;
	return true;
}

TEST(brk, query_is_stable)
{
	unsigned long a = raw_brk(0), b = raw_brk(0);

	EXPECT_TRUE(a != 0);
	EXPECT_EQ(a, b);
}

TEST(brk, grow_touch_shrink)
{
	unsigned long cur = raw_brk(0), grown, shrunk, after;
	bool zero;

	grown = raw_brk(cur + GROW);
	zero = grown == cur + GROW && zero_range(PAGE_UP(cur), cur + GROW);
	if (grown == cur + GROW)
		memset((void *)cur, 0x5a, GROW);
	shrunk = raw_brk(cur);
	after = raw_brk(0);
	EXPECT_EQ(grown, cur + GROW);
	EXPECT_TRUE(zero);
	EXPECT_EQ(shrunk, cur);
	EXPECT_EQ(after, cur);
}

TEST(brk, shrunk_pages_are_unmapped_and_regrow_zeroed)
{
	unsigned long cur = raw_brk(0), probe = PAGE_UP(cur) + 2 * PG;
	unsigned long grown, regrown;
	bool zero = false;
	pid_t pid;

	grown = raw_brk(cur + GROW);
	if (grown == cur + GROW)
		memset((void *)probe, 0x77, PG);
	raw_brk(cur);
	pid = fork();
	if (pid == 0) {
		(void)*(volatile char *)probe;
		_exit(0);
	}
	regrown = raw_brk(cur + GROW);
	if (regrown == cur + GROW)
		zero = zero_range(probe, probe + PG);
	raw_brk(cur);
	CHECK(pid);
	EXPECT_SIGNALED(wait_status(pid), SIGSEGV);
	EXPECT_EQ(grown, cur + GROW);
	EXPECT_EQ(regrown, cur + GROW);
	EXPECT_TRUE(zero);
}

TEST(brk, bad_requests_leave_break)
{
	unsigned long cur = raw_brk(0);
	unsigned long low = raw_brk(PG), huge = raw_brk(1UL << 50),
		      after = raw_brk(0);

	EXPECT_EQ(low, cur);
	EXPECT_EQ(huge, cur);
	EXPECT_EQ(after, cur);
}

TEST(brk, child_break_is_its_own)
{
	unsigned long cur = raw_brk(0);
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		if (raw_brk(0) != cur)
			_exit(1);
		if (raw_brk(cur + 10 * PG) != cur + 10 * PG)
			_exit(2);
		*(volatile char *)(cur + 9 * PG) = 1;
		_exit(0);
	}
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_EQ(raw_brk(0), cur);
}
