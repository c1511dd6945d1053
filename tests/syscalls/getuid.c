// SPDX-License-Identifier: MIT
/*
 * getuid(2), geteuid(2), getgid(2), getegid(2), getresuid(2), getresgid(2):
 * the wrappers agree with the raw calls, getres* report the same real and
 * effective ids (and a saved id equal to the effective one at start), and
 * a forked child inherits all of them.
 */
#include "harness.h"

TEST(getuid, wrappers_match_raw_calls)
{
	EXPECT_RET(syscall(SYS_getuid), getuid());
	EXPECT_RET(syscall(SYS_geteuid), geteuid());
	EXPECT_RET(syscall(SYS_getgid), getgid());
	EXPECT_RET(syscall(SYS_getegid), getegid());
}

TEST(getresuid, matches_getuid)
{
	uid_t r = -1, e = -1, s = -1;
	gid_t gr = -1, ge = -1, gs = -1;

	EXPECT_RET(getresuid(&r, &e, &s), 0);
	EXPECT_EQ(r, getuid());
	EXPECT_EQ(e, geteuid());
	EXPECT_EQ(s, e);
	EXPECT_RET(getresgid(&gr, &ge, &gs), 0);
	EXPECT_EQ(gr, getgid());
	EXPECT_EQ(ge, getegid());
	EXPECT_EQ(gs, ge);
}

TEST(getuid, inherited_by_child)
{
	uid_t ids[4] = { getuid(), geteuid(), getgid(), getegid() };
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		uid_t mine[4] = { getuid(), geteuid(), getgid(), getegid() };

		_exit(memcmp(ids, mine, sizeof(ids)) ? 1 : 0);
	}
	EXPECT_EXITED(wait_status(pid), 0);
}
