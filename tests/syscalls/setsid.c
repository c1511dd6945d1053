// SPDX-License-Identifier: MIT
/*
 * Sessions and process groups: setsid makes a new session and group (EPERM
 * for a group leader), setpgid moves a child into a new or existing group
 * (ESRCH for strangers, EINVAL for a negative group), getpgid/getsid of
 * another process, and kill(-pgrp) reaching every member of a group.
 */
#include <signal.h>
#include "harness.h"

TEST(setsid, new_session_in_child)
{
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		pid_t sid = setsid();

		if (sid != getpid() || getsid(0) != getpid() || getpgrp() != getpid())
			_exit(1);
		_exit(setsid() == -1 && errno == EPERM ? 0 : 2);	/* now a group leader */
	}
	EXPECT_EXITED(wait_status(pid), 0);
}

TEST(setpgid, groups_and_errors)
{
	int go[2];
	pid_t a, b;
	char c = 0;

	CHECK(pipe(go));
	a = CHECK(fork());
	if (a == 0) {
		read(go[0], &c, 1);
		_exit(0);
	}
	b = CHECK(fork());
	if (b == 0) {
		read(go[0], &c, 1);
		_exit(0);
	}
	EXPECT_RET(setpgid(a, a), 0);		/* a leads a new group */
	EXPECT_RET(setpgid(b, a), 0);		/* b joins it */
	EXPECT_RET(getpgid(a), a);
	EXPECT_RET(getpgid(b), a);
	EXPECT_RET(getsid(a), getsid(0));
	EXPECT_ERRNO(setpgid(a, -1), EINVAL);
	EXPECT_ERRNO(setpgid(999999, 0), ESRCH);
	EXPECT_RET(kill(-a, SIGTERM), 0);	/* the whole group */
	EXPECT_SIGNALED(wait_status(a), SIGTERM);
	EXPECT_SIGNALED(wait_status(b), SIGTERM);
	close(go[0]);
	close(go[1]);
}
