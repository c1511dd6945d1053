// SPDX-License-Identifier: MIT
/*
 * mprotect(2): after PROT_READ a write faults (a forked child dies of
 * SIGSEGV) while reads work, PROT_NONE faults on read, restoring PROT_WRITE
 * keeps the contents, protecting one page of three splits the mapping and
 * leaves the others writable; ENOMEM for a range with an unmapped hole or
 * nothing mapped, EINVAL for an unaligned address and unknown PROT bits,
 * EACCES for PROT_WRITE on a shared mapping of a read-only file.
 */
#include <signal.h>
#include <sys/mman.h>

#include "harness.h"

#define PG	4096

static char *map_rw(size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static int touch_in_child(volatile char *p, bool write)
{
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		if (write)
			*p = 1;
		else
			(void)*p;
		_exit(0);
	}
	return wait_status(pid);
}

TEST(mprotect, read_only_write_faults)
{
	char *p = CHECK(map_rw(PG));

	p[0] = 'r';
	EXPECT_RET(mprotect(p, PG, PROT_READ), 0);
	EXPECT_EQ(p[0], 'r');
	EXPECT_EXITED(touch_in_child(p, false), 0);
	EXPECT_SIGNALED(touch_in_child(p, true), SIGSEGV);
	EXPECT_RET(mprotect(p, PG, PROT_READ | PROT_WRITE), 0);
	p[1] = 's';
	EXPECT_EQ(p[0], 'r');
	EXPECT_EXITED(touch_in_child(p, true), 0);
	munmap(p, PG);
}

TEST(mprotect, none_faults_on_read)
{
	char *p = CHECK(map_rw(PG));

	p[0] = 'n';
	EXPECT_RET(mprotect(p, PG, PROT_NONE), 0);
	EXPECT_SIGNALED(touch_in_child(p, false), SIGSEGV);
	EXPECT_RET(mprotect(p, PG, PROT_READ), 0);
	EXPECT_EQ(p[0], 'n');
	munmap(p, PG);
}

TEST(mprotect, splits_mapping)
{
	char *p = CHECK(map_rw(3 * PG));

	memset(p, 'x', 3 * PG);
	EXPECT_RET(mprotect(p + PG, PG, PROT_READ), 0);
	EXPECT_EXITED(touch_in_child(p, true), 0);
	EXPECT_SIGNALED(touch_in_child(p + PG, true), SIGSEGV);
	EXPECT_EXITED(touch_in_child(p + 2 * PG, true), 0);
	EXPECT_RET(mprotect(p, 3 * PG, PROT_READ | PROT_WRITE), 0);
	EXPECT_EXITED(touch_in_child(p + PG, true), 0);
	munmap(p, 3 * PG);
}

TEST(mprotect, errors)
{
	char *p = CHECK(map_rw(3 * PG));

	CHECK(munmap(p + PG, PG));
	EXPECT_ERRNO(mprotect(p, 3 * PG, PROT_READ), ENOMEM);
	EXPECT_ERRNO(mprotect(p + PG, PG, PROT_READ), ENOMEM);
	EXPECT_ERRNO(mprotect(p + 1, PG, PROT_READ), EINVAL);
	EXPECT_ERRNO(mprotect(p, PG, 0x100), EINVAL);
	EXPECT_RET(mprotect(p, 0, PROT_READ), 0);
	munmap(p, 3 * PG);
}

TEST(mprotect, shared_read_only_file_is_eacces)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));
	int ro;
	char *m;

	CHECK(ftruncate(fd, PG));
	ro = CHECK(open(tmp_path("f"), O_RDONLY));
	m = CHECK(mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 0));
	EXPECT_ERRNO(mprotect(m, PG, PROT_READ | PROT_WRITE), EACCES);
	munmap(m, PG);
	m = CHECK(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, ro, 0));
	EXPECT_RET(mprotect(m, PG, PROT_READ | PROT_WRITE), 0);
	m[0] = 1;
	munmap(m, PG);
	close(ro);
	close(fd);
}
