// SPDX-License-Identifier: MIT
/*
 * uname(2) and sethostname(2): uname fills NUL-terminated fields with
 * sysname "Linux" and machine "x86_64", and its nodename matches
 * gethostname(); sethostname to the current name succeeds (as root) and
 * changes nothing; EINVAL for a length above 64 or negative. The host name
 * is never set to anything new, since natively that would rename the host.
 */
#include <sys/utsname.h>

#include "harness.h"

static bool terminated(const char *field)
{
	return memchr(field, '\0', sizeof(((struct utsname *)0)->sysname)) != NULL;
}

TEST(uname, fields)
{
	struct utsname u;

	memset(&u, 0x7f, sizeof(u));
	EXPECT_RET(uname(&u), 0);
	EXPECT_TRUE(terminated(u.sysname) && terminated(u.nodename) &&
		    terminated(u.release) && terminated(u.version) &&
		    terminated(u.machine) && terminated(u.domainname));
	EXPECT_STREQ(u.sysname, "Linux");
	EXPECT_STREQ(u.machine, "x86_64");
	EXPECT_TRUE(u.release[0] >= '1' && u.release[0] <= '9');
	EXPECT_TRUE(strchr(u.release, '.') != NULL);
	EXPECT_TRUE(u.version[0] != '\0');
}

TEST(uname, nodename_is_hostname)
{
	struct utsname u;
	char host[128];

	CHECK(uname(&u));
	EXPECT_RET(gethostname(host, sizeof(host)), 0);
	EXPECT_STREQ(host, u.nodename);
}

TEST(uname, same_in_child)
{
	struct utsname u;
	pid_t pid;

	CHECK(uname(&u));
	pid = CHECK(fork());
	if (pid == 0) {
		struct utsname c;

		if (uname(&c) || memcmp(&c, &u, sizeof(c)))
			_exit(1);
		_exit(0);
	}
	EXPECT_EXITED(wait_status(pid), 0);
}

TEST(sethostname, current_name_and_errors)
{
	struct utsname before, after;
	char long_name[80];

	if (geteuid() != 0)
		SKIP("needs root");
	CHECK(uname(&before));
	EXPECT_RET(sethostname(before.nodename, strlen(before.nodename)), 0);
	CHECK(uname(&after));
	EXPECT_STREQ(after.nodename, before.nodename);
	memset(long_name, 'h', sizeof(long_name));
	EXPECT_ERRNO(sethostname(long_name, 65), EINVAL);
	EXPECT_ERRNO(syscall(SYS_sethostname, long_name, -1), EINVAL);
	CHECK(uname(&after));
	EXPECT_STREQ(after.nodename, before.nodename);
}
