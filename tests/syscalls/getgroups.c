// SPDX-License-Identifier: MIT
/*
 * getgroups(2) and setgroups(2): size 0 returns the count without writing,
 * a large enough buffer returns the same list twice; EINVAL for a buffer
 * smaller than the list or a negative size; setgroups with the current list
 * succeeds (root) and changes nothing, setgroups beyond NGROUPS_MAX is
 * EINVAL, and a root child can empty its list or set a new one (which the
 * kernel returns sorted) without the parent's list changing.
 */
#include <grp.h>

#include "harness.h"

#define MAXG	256

TEST(getgroups, size_zero_counts)
{
	gid_t a[MAXG], b[MAXG];
	int n;

	n = CHECK(getgroups(0, NULL));
	EXPECT_TRUE(n >= 0 && n <= MAXG);
	EXPECT_RET(getgroups(MAXG, a), n);
	EXPECT_RET(getgroups(n, b), n);
	EXPECT_MEMEQ(a, b, n * sizeof(gid_t));
	EXPECT_ERRNO(syscall(SYS_getgroups, -1, a), EINVAL);
	if (n > 0)
		EXPECT_ERRNO(getgroups(n - 1, a), EINVAL);
}

TEST(setgroups, current_list_is_noop)
{
	gid_t a[MAXG], b[MAXG];
	int n;

	if (geteuid() != 0)
		SKIP("needs root");
	n = CHECK(getgroups(MAXG, a));
	EXPECT_RET(setgroups(n, a), 0);
	EXPECT_RET(getgroups(MAXG, b), n);
	EXPECT_MEMEQ(a, b, n * sizeof(gid_t));
	EXPECT_ERRNO(syscall(SYS_setgroups, 65537, a), EINVAL);
	EXPECT_ERRNO(syscall(SYS_setgroups, -1, a), EINVAL);
}

TEST(setgroups, child_changes_stay_in_child)
{
	gid_t before[MAXG], after[MAXG];
	int n;
	pid_t pid;

	if (geteuid() != 0)
		SKIP("needs root");
	n = CHECK(getgroups(MAXG, before));
	pid = CHECK(fork());
	if (pid == 0) {
		gid_t set[] = { 7, 3, 5 }, sorted[] = { 3, 5, 7 }, got[8];

		if (setgroups(0, NULL) || getgroups(0, NULL) != 0)
			_exit(1);
		if (setgroups(3, set) || getgroups(8, got) != 3)
			_exit(2);
		/* the kernel keeps the list sorted */
		_exit(memcmp(sorted, got, sizeof(sorted)) ? 3 : 0);
	}
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_RET(getgroups(MAXG, after), n);
	EXPECT_MEMEQ(before, after, n * sizeof(gid_t));
}
