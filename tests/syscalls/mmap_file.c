// SPDX-License-Identifier: MIT
/*
 * mmap(2) of files: a MAP_SHARED mapping and write()/pread() see each
 * other's changes, MAP_PRIVATE writes stay private, the offset selects the
 * page, the mapping outlives close() and unlink(), a page wholly past EOF
 * raises SIGBUS (in a child), /dev/zero maps as zeros; EACCES for a shared
 * writable mapping of a read-only descriptor and for a write-only one,
 * EINVAL for an unaligned offset, ENODEV for a pipe.
 */
#include <signal.h>
#include <sys/mman.h>

#include "harness.h"

#define PG	4096

static int file_of_pages(int pages, char fill)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT | O_TRUNC, 0600));
	char buf[PG];
	int i;

	for (i = 0; i < pages; i++) {
		memset(buf, fill + i, sizeof(buf));
		CHECK(write(fd, buf, sizeof(buf)));
	}
	return fd;
}

TEST(mmap_file, shared_mapping_and_io_agree)
{
	int fd = file_of_pages(2, 'a');
	char *p = CHECK(
		mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	char c = 0;

	EXPECT_EQ(p[0], 'a');
	EXPECT_EQ(p[PG], 'b');
	p[10] = 'Z';
	EXPECT_RET(pread(fd, &c, 1, 10), 1);
	EXPECT_EQ(c, 'Z');
	EXPECT_RET(pwrite(fd, "Q", 1, PG + 5), 1);
	EXPECT_EQ(p[PG + 5], 'Q');
	EXPECT_RET(msync(p, 2 * PG, MS_SYNC), 0);
	munmap(p, 2 * PG);
	close(fd);
}

TEST(mmap_file, private_writes_stay_private)
{
	int fd = file_of_pages(1, 'a');
	char *p = CHECK(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	char c = 0;

	p[0] = 'X';
	EXPECT_RET(pread(fd, &c, 1, 0), 1);
	EXPECT_EQ(c, 'a');
	EXPECT_EQ(p[0], 'X');
	munmap(p, PG);
	close(fd);
}

TEST(mmap_file, offset_and_lifetime)
{
	int fd = file_of_pages(3, 'a');
	char *p = CHECK(mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 2 * PG));

	EXPECT_EQ(p[0], 'c');
	CHECK(close(fd));
	CHECK(unlink(tmp_path("f")));
	EXPECT_EQ(p[PG - 1], 'c');
	munmap(p, PG);
}

TEST(mmap_file, past_eof_is_sigbus)
{
	int fd = file_of_pages(1, 'a');
	volatile char *p = CHECK(mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0));
	pid_t pid;

	EXPECT_EQ(p[PG - 1], 'a');
	pid = CHECK(fork());
	if (pid == 0) {
		(void)p[PG];
		_exit(0);
	}
	EXPECT_SIGNALED(wait_status(pid), SIGBUS);
	munmap((void *)p, 2 * PG);
	close(fd);
}

TEST(mmap_file, dev_zero)
{
	int fd = CHECK(open("/dev/zero", O_RDWR));
	char *p = CHECK(
		mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));

	EXPECT_EQ(p[0], 0);
	EXPECT_EQ(p[2 * PG - 1], 0);
	p[0] = 1;
	munmap(p, 2 * PG);
	close(fd);
}

TEST(mmap_file, errors)
{
	int rw = file_of_pages(2, 'a');
	int ro = CHECK(open(tmp_path("f"), O_RDONLY));
	int wo = CHECK(open(tmp_path("f"), O_WRONLY));
	int p[2];
	char *m;

	CHECK(pipe(p));
	EXPECT_ERRNO(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0),
		     EACCES);
	EXPECT_ERRNO(mmap(NULL, PG, PROT_READ, MAP_SHARED, wo, 0), EACCES);
	EXPECT_ERRNO(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, rw, 100), EINVAL);
	EXPECT_ERRNO(mmap(NULL, PG, PROT_READ, MAP_SHARED, p[0], 0), ENODEV);
	m = CHECK(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0));
	munmap(m, PG);
	close(p[0]);
	close(p[1]);
	close(wo);
	close(ro);
	close(rw);
}
