// SPDX-License-Identifier: MIT
/*
 * getrlimit(2) and setrlimit(2): every resource reports soft <= hard, the
 * raw getrlimit agrees with prlimit64; lowering a soft limit reads back and
 * is enforced (RLIMIT_NOFILE gives EMFILE, RLIMIT_FSIZE gives EFBIG with
 * SIGXFSZ ignored), raising it back up to the hard limit is allowed, a
 * forked child inherits limits; EINVAL for soft > hard and for an unknown
 * resource. Raising a hard limit is not tried: without CAP_SYS_RESOURCE it
 * fails natively.
 */
#include <signal.h>
#include <sys/resource.h>

#include "harness.h"

TEST(getrlimit, soft_not_above_hard)
{
	struct rlimit rl, raw;
	int r;

	for (r = 0; r < RLIM_NLIMITS; r++) {
		EXPECT_RET(getrlimit(r, &rl), 0);
		EXPECT_TRUE(rl.rlim_cur <= rl.rlim_max);
		EXPECT_RET(syscall(SYS_getrlimit, r, &raw), 0);
		EXPECT_EQ(raw.rlim_cur, rl.rlim_cur);
		EXPECT_EQ(raw.rlim_max, rl.rlim_max);
	}
}

TEST(setrlimit, lower_soft_and_restore)
{
	struct rlimit orig, rl;

	CHECK(getrlimit(RLIMIT_NOFILE, &orig));
	rl = orig;
	rl.rlim_cur = 64;
	EXPECT_RET(setrlimit(RLIMIT_NOFILE, &rl), 0);
	CHECK(getrlimit(RLIMIT_NOFILE, &rl));
	EXPECT_EQ(rl.rlim_cur, 64);
	EXPECT_EQ(rl.rlim_max, orig.rlim_max);
	EXPECT_RET(setrlimit(RLIMIT_NOFILE, &orig), 0);
	CHECK(getrlimit(RLIMIT_NOFILE, &rl));
	EXPECT_EQ(rl.rlim_cur, orig.rlim_cur);
}

TEST(setrlimit, nofile_enforced_in_child)
{
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		struct rlimit rl;
		int fd;

		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_cur = 8;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			_exit(1);
		while ((fd = open("/dev/null", O_RDONLY)) >= 0)
			if (fd >= 8)
				_exit(2);
		_exit(errno == EMFILE ? 0 : 3);
	}
	EXPECT_EXITED(wait_status(pid), 0);
}

TEST(setrlimit, fsize_enforced_in_child)
{
	const char *path = tmp_path("f");
	pid_t pid = CHECK(fork());
	struct stat st;

	if (pid == 0) {
		struct rlimit rl;
		char buf[100] = { 0 };
		int fd = open(path, O_WRONLY | O_CREAT, 0600);

		signal(SIGXFSZ, SIG_IGN);
		getrlimit(RLIMIT_FSIZE, &rl);
		rl.rlim_cur = 150;
		if (fd < 0 || setrlimit(RLIMIT_FSIZE, &rl))
			_exit(1);
		if (write(fd, buf, 100) != 100)
			_exit(2);
		if (write(fd, buf, 100) != 50)
			_exit(3);
		_exit(write(fd, buf, 100) == -1 && errno == EFBIG ? 0 : 4);
	}
	EXPECT_EXITED(wait_status(pid), 0);
	CHECK(stat(path, &st));
	EXPECT_EQ(st.st_size, 150);
}

TEST(setrlimit, inherited_by_child)
{
	struct rlimit orig, rl;
	pid_t pid;

	CHECK(getrlimit(RLIMIT_CORE, &orig));
	rl = orig;
	rl.rlim_cur = 0;
	CHECK(setrlimit(RLIMIT_CORE, &rl));
	pid = CHECK(fork());
	if (pid == 0) {
		struct rlimit mine;

		if (getrlimit(RLIMIT_CORE, &mine) || mine.rlim_cur != 0)
			_exit(1);
		_exit(0);
	}
	EXPECT_EXITED(wait_status(pid), 0);
	CHECK(setrlimit(RLIMIT_CORE, &orig));
}

TEST(setrlimit, errors)
{
	struct rlimit rl, orig;

	CHECK(getrlimit(RLIMIT_NOFILE, &orig));
	rl.rlim_cur = 100;
	rl.rlim_max = 50;
	EXPECT_ERRNO(setrlimit(RLIMIT_NOFILE, &rl), EINVAL);
	EXPECT_ERRNO(syscall(SYS_setrlimit, 100, &orig), EINVAL);
	EXPECT_ERRNO(syscall(SYS_getrlimit, 100, &rl), EINVAL);
	CHECK(getrlimit(RLIMIT_NOFILE, &rl));
	EXPECT_EQ(rl.rlim_cur, orig.rlim_cur);
}
