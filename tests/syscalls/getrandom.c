// SPDX-License-Identifier: MIT
/*
 * getrandom(2): a zero length returns 0, requests up to 256 bytes are filled
 * completely (larger ones return between 1 and the length), two draws
 * differ and are not all zeros, GRND_NONBLOCK, GRND_RANDOM and
 * GRND_INSECURE are accepted; EINVAL for unknown flags and for GRND_INSECURE
 * together with GRND_RANDOM.
 */
#include <sys/random.h>

#include "harness.h"

#ifndef GRND_INSECURE
#define GRND_INSECURE	0x0004
#endif

static bool all_zero(const unsigned char *p, size_t size)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (p[i])
			return false;
	return true;
}

TEST(getrandom, sizes)
{
	static unsigned char buf[65536];
	long n;

	EXPECT_RET(getrandom(buf, 0, 0), 0);
	EXPECT_RET(getrandom(buf, 1, 0), 1);
	EXPECT_RET(getrandom(buf, 16, 0), 16);
	EXPECT_RET(getrandom(buf, 256, 0), 256);
	n = getrandom(buf, sizeof(buf), 0);
	EXPECT_TRUE(n >= 1 && n <= (long)sizeof(buf));
}

TEST(getrandom, draws_differ)
{
	unsigned char a[64], b[64];

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	EXPECT_RET(getrandom(a, sizeof(a), 0), sizeof(a));
	EXPECT_RET(getrandom(b, sizeof(b), 0), sizeof(b));
	EXPECT_TRUE(!all_zero(a, sizeof(a)));
	EXPECT_TRUE(memcmp(a, b, sizeof(a)) != 0);
}

TEST(getrandom, flags)
{
	unsigned char buf[32];

	EXPECT_RET(getrandom(buf, sizeof(buf), GRND_NONBLOCK), sizeof(buf));
	EXPECT_RET(getrandom(buf, sizeof(buf), GRND_RANDOM | GRND_NONBLOCK),
		   sizeof(buf));
	EXPECT_RET(syscall(SYS_getrandom, buf, sizeof(buf), GRND_INSECURE),
		   sizeof(buf));
}

TEST(getrandom, bad_flags_are_einval)
{
	unsigned char buf[16];

	EXPECT_ERRNO(syscall(SYS_getrandom, buf, sizeof(buf), 0x100), EINVAL);
	EXPECT_ERRNO(syscall(SYS_getrandom, buf, sizeof(buf), -1), EINVAL);
	EXPECT_ERRNO(syscall(SYS_getrandom, buf, sizeof(buf),
			     GRND_INSECURE | GRND_RANDOM),
		     EINVAL);
}

TEST(getrandom, child_draws_differ)
{
	unsigned char mine[32], theirs[32];
	int p[2];
	pid_t pid;

	CHECK(pipe(p));
	pid = CHECK(fork());
	if (pid == 0) {
		unsigned char c[32];

		if (getrandom(c, sizeof(c), 0) != sizeof(c))
			_exit(1);
		_exit(write(p[1], c, sizeof(c)) == sizeof(c) ? 0 : 2);
	}
	close(p[1]);
	EXPECT_RET(getrandom(mine, sizeof(mine), 0), sizeof(mine));
	EXPECT_RET(read(p[0], theirs, sizeof(theirs)), sizeof(theirs));
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_TRUE(memcmp(mine, theirs, sizeof(mine)) != 0);
	close(p[0]);
}
