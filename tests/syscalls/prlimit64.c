// SPDX-License-Identifier: MIT
/*
 * prlimit64(2): pid 0 and the caller's own pid address the caller, getting
 * and setting at once returns the old limits, a parent may read and lower a
 * child's limits; EINVAL for soft > hard and an unknown resource, ESRCH for
 * a pid that does not exist. Hard limits are never raised.
 */
#include <sys/resource.h>

#include "harness.h"

static long raw_prlimit(pid_t pid, int res, const struct rlimit *new,
			struct rlimit *old)
{
	return syscall(SYS_prlimit64, pid, res, new, old);
}

TEST(prlimit64, get_matches_getrlimit)
{
	struct rlimit a, b, c;

	CHECK(getrlimit(RLIMIT_STACK, &a));
	EXPECT_RET(raw_prlimit(0, RLIMIT_STACK, NULL, &b), 0);
	EXPECT_RET(raw_prlimit(getpid(), RLIMIT_STACK, NULL, &c), 0);
	EXPECT_EQ(b.rlim_cur, a.rlim_cur);
	EXPECT_EQ(b.rlim_max, a.rlim_max);
	EXPECT_EQ(c.rlim_cur, a.rlim_cur);
	EXPECT_RET(raw_prlimit(0, RLIMIT_STACK, NULL, NULL), 0);
}

TEST(prlimit64, set_returns_old)
{
	struct rlimit orig, lower, old, now;

	CHECK(raw_prlimit(0, RLIMIT_NOFILE, NULL, &orig));
	lower = orig;
	lower.rlim_cur = 100;
	EXPECT_RET(raw_prlimit(0, RLIMIT_NOFILE, &lower, &old), 0);
	EXPECT_EQ(old.rlim_cur, orig.rlim_cur);
	EXPECT_EQ(old.rlim_max, orig.rlim_max);
	CHECK(raw_prlimit(0, RLIMIT_NOFILE, NULL, &now));
	EXPECT_EQ(now.rlim_cur, 100);
	EXPECT_RET(raw_prlimit(0, RLIMIT_NOFILE, &orig, &old), 0);
	EXPECT_EQ(old.rlim_cur, 100);
}

TEST(prlimit64, on_a_child)
{
	struct rlimit rl, got;
	int go[2];
	pid_t pid;
	char c;

	CHECK(pipe(go));
	pid = CHECK(fork());
	if (pid == 0) {
		struct rlimit mine;

		close(go[1]);
		if (read(go[0], &c, 1) != 0)
			_exit(1);
		getrlimit(RLIMIT_NOFILE, &mine);
		_exit(mine.rlim_cur == 33 ? 0 : 2);
	}
	close(go[0]);
	CHECK(raw_prlimit(pid, RLIMIT_NOFILE, NULL, &rl));
	rl.rlim_cur = 33;
	EXPECT_RET(raw_prlimit(pid, RLIMIT_NOFILE, &rl, NULL), 0);
	EXPECT_RET(raw_prlimit(pid, RLIMIT_NOFILE, NULL, &got), 0);
	EXPECT_EQ(got.rlim_cur, 33);
	close(go[1]);
	EXPECT_EXITED(wait_status(pid), 0);
}

TEST(prlimit64, errors)
{
	struct rlimit rl = { 100, 50 }, orig;
	pid_t pid;

	CHECK(raw_prlimit(0, RLIMIT_NOFILE, NULL, &orig));
	EXPECT_ERRNO(raw_prlimit(0, RLIMIT_NOFILE, &rl, NULL), EINVAL);
	EXPECT_ERRNO(raw_prlimit(0, 100, NULL, &rl), EINVAL);
	pid = CHECK(fork());
	if (pid == 0)
		_exit(0);
	CHECK(waitpid(pid, NULL, 0));
	EXPECT_ERRNO(raw_prlimit(pid, RLIMIT_NOFILE, NULL, &rl), ESRCH);
	EXPECT_ERRNO(raw_prlimit(INT_MAX, RLIMIT_NOFILE, NULL, &rl), ESRCH);
	CHECK(raw_prlimit(0, RLIMIT_NOFILE, NULL, &rl));
	EXPECT_EQ(rl.rlim_cur, orig.rlim_cur);
}
