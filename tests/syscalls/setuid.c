// SPDX-License-Identifier: MIT
/*
 * setuid(2), setgid(2), setreuid(2), setregid(2), setresuid(2),
 * setresgid(2), setfsuid(2), setfsgid(2): setting the current ids (or -1,
 * "unchanged") succeeds and changes nothing; setfs*id(-1) returns the
 * current id; EINVAL for setuid(-1)/setgid(-1). As root, a forked child may
 * drop to another uid and then can no longer get root back (EPERM), while
 * the parent keeps its ids.
 */
#include <sys/fsuid.h>

#include "harness.h"

TEST(setuid, current_ids_are_noops)
{
	uid_t uid = getuid(), euid = geteuid();
	gid_t gid = getgid(), egid = getegid();

	EXPECT_RET(setuid(euid), 0);
	EXPECT_RET(setgid(egid), 0);
	EXPECT_RET(setreuid(-1, -1), 0);
	EXPECT_RET(setregid(-1, -1), 0);
	EXPECT_RET(setreuid(uid, euid), 0);
	EXPECT_RET(setregid(gid, egid), 0);
	EXPECT_RET(setresuid(-1, -1, -1), 0);
	EXPECT_RET(setresgid(-1, -1, -1), 0);
	EXPECT_RET(setresuid(uid, euid, euid), 0);
	EXPECT_RET(setresgid(gid, egid, egid), 0);
	EXPECT_EQ(getuid(), uid);
	EXPECT_EQ(geteuid(), euid);
	EXPECT_EQ(getgid(), gid);
	EXPECT_EQ(getegid(), egid);
}

TEST(setfsuid, minus_one_reports_current)
{
	EXPECT_RET(setfsuid(-1), geteuid());
	EXPECT_RET(setfsgid(-1), getegid());
	EXPECT_RET(setfsuid(geteuid()), geteuid());
	EXPECT_RET(setfsuid(-1), geteuid());
}

TEST(setuid, minus_one_is_einval)
{
	EXPECT_ERRNO(syscall(SYS_setuid, -1), EINVAL);
	EXPECT_ERRNO(syscall(SYS_setgid, -1), EINVAL);
}

TEST(setuid, root_child_drops_for_good)
{
	pid_t pid;

	if (geteuid() != 0)
		SKIP("needs root");
	pid = CHECK(fork());
	if (pid == 0) {
		uid_t r, e, s;

		if (setgid(1000) || setuid(1000))
			_exit(1);
		if (getresuid(&r, &e, &s) || r != 1000 || e != 1000 || s != 1000)
			_exit(2);
		if (getgid() != 1000 || getegid() != 1000)
			_exit(3);
		if (setuid(0) != -1 || errno != EPERM)
			_exit(4);
		if (setresuid(-1, 0, -1) != -1 || errno != EPERM)
			_exit(5);
		if (setgid(0) != -1 || errno != EPERM)
			_exit(6);
		_exit(setuid(1000) == 0 ? 0 : 7);
	}
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_EQ(geteuid(), 0);
	EXPECT_EQ(getuid(), 0);
}

TEST(setresuid, root_child_swaps_effective)
{
	pid_t pid;

	if (geteuid() != 0)
		SKIP("needs root");
	pid = CHECK(fork());
	if (pid == 0) {
		if (setresuid(-1, 1000, -1))
			_exit(1);
		if (getuid() != 0 || geteuid() != 1000)
			_exit(2);
		/* the saved uid is still 0, so root can come back */
		if (setresuid(-1, 0, -1))
			_exit(3);
		_exit(geteuid() == 0 ? 0 : 4);
	}
	EXPECT_EXITED(wait_status(pid), 0);
}
