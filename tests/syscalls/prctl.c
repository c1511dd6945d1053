// SPDX-License-Identifier: MIT
/*
 * prctl(2): PR_SET_NAME/PR_GET_NAME (truncated to 15 bytes, visible in
 * /proc/self/comm), PR_SET_NO_NEW_PRIVS (sticky, inherited by children),
 * PR_GET_DUMPABLE, PR_SET/GET_PDEATHSIG, and EINVAL for unknown options.
 */
#include <sys/prctl.h>
#include "harness.h"

TEST(prctl, name_round_trip)
{
	char name[32] = { 0 }, comm[32] = { 0 };
	int fd;

	EXPECT_RET(prctl(PR_SET_NAME, "a-rather-long-thread-name", 0, 0, 0), 0);
	EXPECT_RET(prctl(PR_GET_NAME, name, 0, 0, 0), 0);
	EXPECT_STREQ(name, "a-rather-long-t");
	fd = CHECK(open("/proc/self/comm", O_RDONLY));
	EXPECT_TRUE(read(fd, comm, sizeof(comm) - 1) > 0);
	EXPECT_STREQ(comm, "a-rather-long-t\n");
	close(fd);
}

TEST(prctl, no_new_privs_sticks_and_inherits)
{
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		pid_t grandchild;

		if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
			_exit(1);
		grandchild = fork();
		if (grandchild == 0)
			_exit(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1 ? 0 : 2);
		_exit(wait_status(grandchild) == 0 ? 0 : 3);
	}
	EXPECT_EXITED(wait_status(pid), 0);
}

TEST(prctl, misc_options)
{
	int sig = -1;

	EXPECT_RET(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
	EXPECT_RET(prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0), 0);
	EXPECT_RET(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0), 0);
	EXPECT_EQ(sig, SIGUSR1);
	EXPECT_RET(prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0), 0);
	EXPECT_ERRNO(prctl(PR_SET_PDEATHSIG, 999, 0, 0, 0), EINVAL);
	EXPECT_ERRNO(prctl(0x7fff1234, 0, 0, 0, 0), EINVAL);
}
