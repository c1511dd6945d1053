// SPDX-License-Identifier: MIT
/*
 * fallocate(2) on tmpfs, created and lower files (lower.h): mode 0 grows
 * the size to the end of the range and reads as zeros, FALLOC_FL_KEEP_SIZE
 * allocates without growing, PUNCH_HOLE|KEEP_SIZE zeroes partial pages and
 * frees whole ones (seen by read(), a mapping, SEEK_HOLE and st_blocks);
 * EOPNOTSUPP, EINVAL, EBADF, EFBIG, ESPIPE and ENODEV errors; a punch
 * under a private mapping and under another process's mapping.
 */
#include "harness.h"
#include "lower.h"
#include <sys/eventfd.h>

/* Fixture numbers (lower.h): one per case that uses a lower file. */
enum {
	FX_FALLOC,
	FX_PUNCH,
};

/* ---- fallocate() ---- */

TEST(fallocate, mode0_and_keep_size_created_file)
{
	int fd = open_new("f");

	EXPECT_RET(fallocate(fd, 0, 0, 3 * PG), 0);
	EXPECT_EQ(file_size(fd), 3 * PG);
	EXPECT_TRUE(blocks(fd) >= 3 * PG / 512);
	EXPECT_ZEROS(fd, 0, 3 * PG);
	/* KEEP_SIZE allocates past EOF without growing the file. */
	EXPECT_RET(fallocate(fd, FALLOC_FL_KEEP_SIZE, 3 * PG, 2 * PG), 0);
	EXPECT_EQ(file_size(fd), 3 * PG);
	EXPECT_TRUE(blocks(fd) >= 5 * PG / 512);
	/* Mode 0 inside the file neither changes the size nor the data. */
	EXPECT_RET(pwrite(fd, "data", 4, PG), 4);
	EXPECT_RET(fallocate(fd, 0, 0, 2 * PG), 0);
	EXPECT_EQ(file_size(fd), 3 * PG);
	{
		uint8_t buf[4];

		EXPECT_RET(pread(fd, buf, 4, PG), 4);
		EXPECT_TRUE(memcmp(buf, "data", 4) == 0);
	}
	/* Mode 0 with an end past EOF grows it to that end, not page aligned. */
	EXPECT_RET(fallocate(fd, 0, 2 * PG, 2 * PG + 10), 0);
	EXPECT_EQ(file_size(fd), 4 * PG + 10);
	EXPECT_ZEROS(fd, 3 * PG, PG + 10);
	/* Extending over the KEEP_SIZE part reads zeros. */
	CHECK(ftruncate(fd, 6 * PG));
	EXPECT_ZEROS(fd, 3 * PG, 3 * PG);
	close(fd);
}

/*
 * Linux's tmpfs: an allocated page nothing has written is still a hole to
 * SEEK_DATA (a !uptodate folio), yet counts in st_blocks; a write makes it data.
 */
TEST(fallocate, allocated_pages_seek_as_holes)
{
	int fd = open_new("f");

	EXPECT_RET(fallocate(fd, 0, 0, 3 * PG), 0);
	EXPECT_EQ(blocks(fd), 3 * PG / 512);
	EXPECT_ERRNO(lseek(fd, 0, SEEK_DATA), ENXIO);
	EXPECT_RET(lseek(fd, 0, SEEK_HOLE), 0);
	EXPECT_RET(pwrite(fd, "x", 1, PG + 5), 1);
	EXPECT_RET(lseek(fd, 0, SEEK_DATA), PG);
	EXPECT_RET(lseek(fd, PG, SEEK_HOLE), 2 * PG);
	EXPECT_EQ(blocks(fd), 3 * PG / 512);
	/* Reading an allocated page leaves it a hole. */
	{
		uint8_t buf[PG];

		EXPECT_RET(pread(fd, buf, PG, 2 * PG), PG);
		EXPECT_RET(lseek(fd, 2 * PG, SEEK_HOLE), 2 * PG);
	}
	close(fd);
}

TEST(fallocate, punch_hole_created_file)
{
	int fd = open_new("f");
	uint8_t buf[4 * PG], *p;
	blkcnt_t before;

	memset(buf, 'q', sizeof(buf));
	CHECK(write(fd, buf, sizeof(buf)));
	p = CHECK(mmap(NULL, 4 * PG, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(p[PG], 'q');
	before = blocks(fd);
	/* A partial-page punch zeroes the bytes and frees nothing. */
	EXPECT_RET(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			     100, 50), 0);
	EXPECT_EQ(file_size(fd), 4 * PG);
	EXPECT_ZEROS(fd, 100, 50);
	EXPECT_EQ(p[99], 'q');
	EXPECT_EQ(p[100], 0);
	EXPECT_EQ(p[150], 'q');
	/* A whole-page punch makes a hole, seen through the mapping too. */
	EXPECT_RET(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			     PG, 2 * PG), 0);
	EXPECT_EQ(file_size(fd), 4 * PG);
	EXPECT_EQ(blocks(fd), before - 2 * PG / 512);
	EXPECT_RET(lseek(fd, 0, SEEK_HOLE), PG);
	EXPECT_RET(lseek(fd, PG, SEEK_DATA), 3 * PG);
	/* (Linux's tmpfs fills a hole on a fault, read or write: look last.) */
	EXPECT_ZEROS(fd, PG, 2 * PG);
	EXPECT_MEM_ZEROS(p + PG, PG, 2 * PG);
	EXPECT_EQ(p[3 * PG], 'q');
	/* Punching past EOF is fine and changes nothing. */
	EXPECT_RET(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			     8 * PG, PG), 0);
	EXPECT_EQ(file_size(fd), 4 * PG);
	munmap(p, 4 * PG);
	close(fd);
}

TEST(fallocate, errors)
{
	int fd = open_new("f");
	int ro;

	EXPECT_ERRNO(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, PG), EOPNOTSUPP);
	EXPECT_ERRNO(fallocate(fd, 0, 0, 0), EINVAL);
	EXPECT_ERRNO(fallocate(fd, 0, -1, PG), EINVAL);
	EXPECT_ERRNO(fallocate(fd, 0, 0, -1), EINVAL);
	EXPECT_ERRNO(fallocate(fd, 0x1000, 0, PG), EOPNOTSUPP);
	ro = CHECK(open(tmp_path("f"), O_RDONLY));
	EXPECT_ERRNO(fallocate(ro, 0, 0, PG), EBADF);
	close(ro);
	EXPECT_EQ(file_size(fd), 0);
	close(fd);
}

TEST(fallocate, errors_by_file_kind)
{
	int fd = open_new("f"), p[2], other[2];

	/* Past the largest file size (off + len wraps): EFBIG. Modes no file system knows: EOPNOTSUPP. */
	EXPECT_ERRNO(fallocate(fd, 0, INT64_MAX - 10, 20), EFBIG);
	EXPECT_ERRNO(fallocate(fd, FALLOC_FL_NO_HIDE_STALE, 0, PG), EOPNOTSUPP);
	EXPECT_ERRNO(fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, PG),
		     EOPNOTSUPP);
	EXPECT_ERRNO(fallocate(-1, 0, 0, PG), EBADF);
	CHECK(pipe(p));
	EXPECT_ERRNO(fallocate(p[1], 0, 0, PG), ESPIPE);
	/* A read end is not open for writing: that comes before the file's kind. */
	EXPECT_ERRNO(fallocate(p[0], 0, 0, PG), EBADF);
	close(p[0]);
	close(p[1]);
	/* Writable but neither a regular file nor a directory: ENODEV. */
	other[0] = CHECK(eventfd(0, 0));
	EXPECT_ERRNO(fallocate(other[0], 0, 0, PG), ENODEV);
	close(other[0]);
	other[1] = CHECK(open("/dev/null", O_WRONLY));
	EXPECT_ERRNO(fallocate(other[1], 0, 0, PG), ENODEV);
	close(other[1]);
	EXPECT_EQ(file_size(fd), 0);
	close(fd);
}

/*
 * A hole punched under a private mapping: pages it has not copied show the
 * hole; a page it wrote (its own copy) keeps the private data.
 */
TEST(fallocate, punch_hole_private_mapping)
{
	int fd = open_new("f");
	uint8_t buf[2 * PG], *p;

	memset(buf, 'q', sizeof(buf));
	CHECK(write(fd, buf, sizeof(buf)));
	p = CHECK(mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	EXPECT_EQ(p[0], 'q');	/* page 0 shared with the file */
	p[PG] = 'w';		/* page 1 a private copy */
	EXPECT_RET(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 2 * PG), 0);
	EXPECT_EQ(p[0], 0);
	EXPECT_EQ(p[PG], 'w');
	EXPECT_EQ(p[PG + 1], 'q');
	EXPECT_ZEROS(fd, 0, 2 * PG);
	munmap(p, 2 * PG);
	close(fd);
}

/* Another process punches: this process's shared mapping shows the hole. */
TEST(fallocate, punch_hole_other_process)
{
	int fd = open_new("f");
	uint8_t buf[2 * PG], *p;
	pid_t pid;
	int st = 0;

	memset(buf, 'q', sizeof(buf));
	CHECK(write(fd, buf, sizeof(buf)));
	p = CHECK(mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(p[PG], 'q');
	pid = CHECK(fork());
	if (pid == 0)
		_exit(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, PG, PG) ? 1 : 0);
	EXPECT_RET(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_EQ(p[PG - 1], 'q');
	EXPECT_MEM_ZEROS(p + PG, PG, PG);
	munmap(p, 2 * PG);
	close(fd);
}

TEST(fallocate, lower_file_modes)
{
	int fd = open_lower(FX_FALLOC, 0);
	long end = FIX_SIZE + 3 * PG;

	/* Inside the data: nothing changes. */
	EXPECT_RET(fallocate(fd, 0, 2 * PG, 4 * PG), 0);
	EXPECT_EQ(file_size(fd), FIX_SIZE);
	/* KEEP_SIZE past EOF: the size stays. */
	EXPECT_RET(fallocate(fd, FALLOC_FL_KEEP_SIZE, FIX_SIZE - 10, 3 * PG), 0);
	EXPECT_EQ(file_size(fd), FIX_SIZE);
	EXPECT_PAT(fd, FX_FALLOC, 0, FIX_SIZE);
	/* Mode 0 past EOF: grows, zeros after the old end. */
	EXPECT_RET(fallocate(fd, 0, FIX_SIZE - 10, end - (FIX_SIZE - 10)), 0);
	EXPECT_EQ(file_size(fd), end);
	EXPECT_PAT(fd, FX_FALLOC, 0, FIX_SIZE);
	EXPECT_ZEROS(fd, FIX_SIZE, end - FIX_SIZE);
	close(fd);
}

TEST(fallocate, lower_file_punch_hole)
{
	int fd = open_lower(FX_PUNCH, 0);
	uint8_t *p = CHECK(mmap(NULL, 8 * PG, PROT_READ, MAP_SHARED, fd, 0));

	EXPECT_MEM_PAT(p, FX_PUNCH, 0, 8 * PG);
	/* Partial pages at both ends, two whole pages in between. */
	EXPECT_RET(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			     PG + 300, 3 * PG), 0);
	EXPECT_EQ(file_size(fd), FIX_SIZE);
	EXPECT_PAT(fd, FX_PUNCH, 0, PG + 300);
	EXPECT_ZEROS(fd, PG + 300, 3 * PG);
	EXPECT_PAT(fd, FX_PUNCH, 4 * PG + 300, FIX_SIZE - (4 * PG + 300));
	EXPECT_RET(lseek(fd, 0, SEEK_HOLE), 2 * PG);
	EXPECT_RET(lseek(fd, 2 * PG, SEEK_DATA), 4 * PG);
	/* A fault fills the hole again (Linux's tmpfs): after lseek(). */
	EXPECT_MEM_ZEROS(p + PG + 300, PG + 300, 3 * PG);
	EXPECT_MEM_PAT(p + 4 * PG + 300, FX_PUNCH, 4 * PG + 300, 4 * PG - 300);
	/* The tail of the file, through its partial last page. */
	EXPECT_RET(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			     FIX_SIZE - 500, PG), 0);
	EXPECT_EQ(file_size(fd), FIX_SIZE);
	EXPECT_ZEROS(fd, FIX_SIZE - 500, 500);
	EXPECT_PAT(fd, FX_PUNCH, FIX_SIZE - 2 * PG, 2 * PG - 500);
	munmap(p, 8 * PG);
	close(fd);
}
