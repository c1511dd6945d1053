// SPDX-License-Identifier: MIT
/*
 * File data and MAP_SHARED/MAP_PRIVATE mappings on tmpfs, for files the
 * case creates and for pre-existing ("lower") files (see lower.h; issue 18):
 * a shared mapping and read()/write() agree, across fork() too; MAP_PRIVATE
 * copy-on-write leaves the file alone; O_APPEND; offsets past 4 GiB; holes
 * read as zeros; writes across the partial last page of a lower file;
 * truncating a lower file then extending it shows zeros.
 */
#include "harness.h"
#include "lower.h"

/* Fixture numbers (lower.h): one per case that uses a lower file. */
enum {
	FX_READ,
	FX_SHARED,
	FX_FORK,
	FX_PRIVATE,
	FX_APPEND,
	FX_SPARSE,
	FX_TAIL,
	FX_TRUNC_EXTEND,
};

TEST(pagecache, scratch_is_tmpfs)
{
	struct statfs sf;
	char *dir = tmp_path("");

	CHECK(statfs(dir, &sf));
	EXPECT_EQ(sf.f_type, TMPFS_MAGIC);
}

/* ---- reading a lower file ---- */

TEST(lower, read_and_map_whole_file)
{
	int fd = open_lower(FX_READ, 0);
	size_t maplen = (FIX_SIZE + PG - 1) / PG * PG;
	uint8_t *p, buf[10007];
	long off = 0;
	ssize_t n;

	/* read() in chunks that straddle page boundaries. */
	while ((n = CHECK(read(fd, buf, sizeof(buf)))) > 0) {
		long at = pat_mismatch(FX_READ, off, buf, (size_t)n);

		if (at >= 0) {
			harness_fail(__FILE__, __LINE__, "read: byte %ld wrong", at);
			break;
		}
		off += n;
	}
	EXPECT_EQ(off, FIX_SIZE);
	/* One page more than the file covers, to touch past EOF. */
	p = CHECK(mmap(NULL, maplen + PG, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_MEM_PAT(p, FX_READ, 0, FIX_SIZE);
	/* The rest of the last page reads as zeros. */
	EXPECT_MEM_ZEROS(p + FIX_SIZE, FIX_SIZE, maplen - FIX_SIZE);
	EXPECT_SIGBUS_READ(p + maplen);
	munmap(p, maplen + PG);
	close(fd);
}

/* ---- MAP_SHARED and read()/write() ---- */

static void shared_io(int fd, int fx, long size)
{
	uint8_t *p = CHECK(mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
				MAP_SHARED, fd, 0));
	uint8_t c = 0;

	/* Stores through the mapping, on several pages, seen by pread(). */
	for (long off = 3; off < size; off += 5 * PG + 17)
		p[off] = (uint8_t)(off * 7 + 1);
	for (long off = 3; off < size; off += 5 * PG + 17) {
		EXPECT_RET(pread(fd, &c, 1, off), 1);
		EXPECT_EQ(c, (uint8_t)(off * 7 + 1));
	}
	/* pwrite() seen by the mapping, including a page not touched yet. */
	EXPECT_RET(pwrite(fd, "pagecache", 9, size - PG - 4), 9);
	EXPECT_TRUE(memcmp(p + size - PG - 4, "pagecache", 9) == 0);
	/* Bytes nobody wrote are unchanged. */
	if (fx >= 0) {
		EXPECT_MEM_PAT(p + 4, fx, 4, 5 * PG);
		EXPECT_PAT(fd, fx, 4, 5 * PG);
	}
	munmap(p, (size_t)size);
}

TEST(shared, created_file)
{
	int fd = open_new("f");

	CHECK(ftruncate(fd, 64 * PG));
	shared_io(fd, -1, 64 * PG);
	close(fd);
}

TEST(shared, lower_file)
{
	int fd = open_lower(FX_SHARED, 0);

	shared_io(fd, FX_SHARED, 64 * PG);
	EXPECT_EQ(file_size(fd), FIX_SIZE);
	close(fd);
}

/* ---- fork() and a shared mapping ---- */

static void wait_byte(int fd)
{
	char c;

	CHECK(read(fd, &c, 1) == 1 ? 0 : -1);
}

static void shared_across_fork(int fd, int fx)
{
	uint8_t *p = CHECK(mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE,
				MAP_SHARED, fd, 0));
	int to_child[2], to_parent[2];
	uint8_t c = 0;
	pid_t pid;

	CHECK(pipe(to_child));
	CHECK(pipe(to_parent));
	pid = CHECK(fork());
	if (pid == 0) {
		int bad = 0;

		/* Page 1: written by the child; page 5: by the parent. */
		p[PG + 1] = 'C';
		CHECK(write(to_parent[1], "1", 1));
		wait_byte(to_child[0]);
		if (p[5 * PG + 2] != 'P')
			bad |= 1;
		if (pread(fd, &c, 1, 6 * PG) != 1 || c != 'W')
			bad |= 2;
		/* A page the parent never touched: the child faults it in. */
		if (fx >= 0 && p[7 * PG + 3] != pat(fx, 7 * PG + 3))
			bad |= 4;
		p[7 * PG + 3] = 'c';
		_exit(bad);
	}
	wait_byte(to_parent[0]);
	EXPECT_EQ(p[PG + 1], 'C');
	EXPECT_RET(pread(fd, &c, 1, PG + 1), 1);
	EXPECT_EQ(c, 'C');
	p[5 * PG + 2] = 'P';
	EXPECT_RET(pwrite(fd, "W", 1, 6 * PG), 1);
	CHECK(write(to_child[1], "1", 1));
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_EQ(p[7 * PG + 3], 'c');
	if (fx >= 0)
		EXPECT_MEM_PAT(p + 2 * PG, fx, 2 * PG, 3 * PG);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
	munmap(p, 8 * PG);
}

TEST(fork, created_file_shared_mapping)
{
	int fd = open_new("f");

	CHECK(ftruncate(fd, 8 * PG));
	shared_across_fork(fd, -1);
	close(fd);
}

TEST(fork, lower_file_shared_mapping)
{
	int fd = open_lower(FX_FORK, 0);

	shared_across_fork(fd, FX_FORK);
	close(fd);
}

/* ---- MAP_PRIVATE ---- */

static void private_cow(int fd, int fx)
{
	uint8_t *p = CHECK(mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
				MAP_PRIVATE, fd, 0));
	uint8_t *s = CHECK(mmap(NULL, 4 * PG, PROT_READ, MAP_SHARED, fd, 0));
	uint8_t c = 0;
	pid_t pid;

	p[10] = 'X';
	p[2 * PG] = 'Y';
	EXPECT_EQ(p[10], 'X');
	EXPECT_RET(pread(fd, &c, 1, 10), 1);
	EXPECT_EQ(c, fx >= 0 ? pat(fx, 10) : 0);
	EXPECT_EQ(s[2 * PG], fx >= 0 ? pat(fx, 2 * PG) : 0);
	/* The rest of a copied page is the file's data. */
	if (fx >= 0)
		EXPECT_MEM_PAT(p + 11, fx, 11, PG - 11);
	/* A copied page no longer follows the file. */
	EXPECT_RET(pwrite(fd, "F", 1, 11), 1);
	EXPECT_EQ(p[11], fx >= 0 ? pat(fx, 11) : 0);
	/* A child's stores to the private mapping are its own. */
	pid = CHECK(fork());
	if (pid == 0) {
		p[10] = 'K';
		p[3 * PG] = 'K';
		_exit(p[10] == 'K' ? 0 : 1);
	}
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_EQ(p[10], 'X');
	EXPECT_EQ(s[3 * PG], fx >= 0 ? pat(fx, 3 * PG) : 0);
	EXPECT_RET(pread(fd, &c, 1, 3 * PG), 1);
	EXPECT_EQ(c, fx >= 0 ? pat(fx, 3 * PG) : 0);
	munmap(p, 4 * PG);
	munmap(s, 4 * PG);
}

TEST(private, created_file_cow)
{
	int fd = open_new("f");

	CHECK(ftruncate(fd, 4 * PG));
	private_cow(fd, -1);
	close(fd);
}

TEST(private, lower_file_cow)
{
	int fd = open_lower(FX_PRIVATE, 0);

	private_cow(fd, FX_PRIVATE);
	EXPECT_PAT(fd, FX_PRIVATE, 12, 4 * PG - 12);
	close(fd);
}

/*
 * Linux: a page of a MAP_PRIVATE mapping that was only read is the file's
 * page, so it shows later writes to the file until the process stores to it.
 */
TEST(private, read_page_follows_file_until_written)
{
	int fd = open_new("f");
	volatile uint8_t *p;

	CHECK(ftruncate(fd, PG));
	p = CHECK(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	EXPECT_EQ(p[0], 0);
	EXPECT_RET(pwrite(fd, "AB", 2, 0), 2);
	EXPECT_EQ(p[0], 'A');
	p[1] = 'q';
	EXPECT_RET(pwrite(fd, "C", 1, 0), 1);
	EXPECT_EQ(p[0], 'A');
	EXPECT_EQ(p[1], 'q');
	munmap((void *)p, PG);
	close(fd);
}

/* ---- O_APPEND ---- */

static void append_writes(int fd, int fx, long size)
{
	uint8_t buf[8] = { 0 };

	CHECK(lseek(fd, 0, SEEK_SET));
	EXPECT_RET(write(fd, "abc", 3), 3);
	EXPECT_EQ(lseek(fd, 0, SEEK_CUR), size + 3);
	EXPECT_EQ(file_size(fd), size + 3);
	/* Linux: pwrite() on an O_APPEND descriptor appends, ignoring the offset. */
	EXPECT_RET(pwrite(fd, "de", 2, 0), 2);
	EXPECT_EQ(file_size(fd), size + 5);
	EXPECT_RET(pread(fd, buf, 5, size), 5);
	EXPECT_TRUE(memcmp(buf, "abcde", 5) == 0);
	if (fx >= 0)
		EXPECT_PAT(fd, fx, 0, (size_t)size);
	else
		EXPECT_ZEROS(fd, 0, (size_t)size);
}

TEST(append, created_file)
{
	int fd = open_new("f");
	int afd;

	CHECK(ftruncate(fd, 3 * PG - 1));
	afd = CHECK(open(tmp_path("f"), O_RDWR | O_APPEND));
	append_writes(afd, -1, 3 * PG - 1);
	close(afd);
	close(fd);
}

TEST(append, lower_file)
{
	int fd = open_lower(FX_APPEND, O_APPEND);

	append_writes(fd, FX_APPEND, FIX_SIZE);
	close(fd);
}

/* ---- offsets past 4 GiB ---- */

static void past_4g(int fd, int fx, long size)
{
	long far = 5 * GIB + 123;
	uint8_t buf[16] = { 0 };
	uint8_t *p;

	EXPECT_RET(pwrite(fd, "far away", 8, far), 8);
	EXPECT_EQ(file_size(fd), far + 8);
	EXPECT_RET(pread(fd, buf, 16, far), 8);
	EXPECT_TRUE(memcmp(buf, "far away", 8) == 0);
	EXPECT_RET(pread(fd, buf, 16, far + 8), 0);
	EXPECT_ZEROS(fd, 4 * GIB - 8, 16);
	EXPECT_ZEROS(fd, far - 123, 123);
	EXPECT_ZEROS(fd, size, PG);
	/* An offset that truncates to a small one in 32 bits: not aliased. */
	EXPECT_ZEROS(fd, 4 * GIB + 3, 8);
	/* The page through a mapping, at a file offset past 4 GiB. */
	p = CHECK(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       far & ~(PG - 1)));
	EXPECT_TRUE(memcmp(p + (far & (PG - 1)), "far away", 8) == 0);
	p[0] = 'M';
	EXPECT_RET(pread(fd, buf, 1, far & ~(PG - 1)), 1);
	EXPECT_EQ(buf[0], 'M');
	munmap(p, PG);
	if (fx >= 0)
		EXPECT_PAT(fd, fx, 0, (size_t)size);
	CHECK(ftruncate(fd, size));
	EXPECT_RET(pread(fd, buf, 1, far), 0);
}

TEST(sparse, created_file_past_4g)
{
	int fd = open_new("f");

	past_4g(fd, -1, 0);
	close(fd);
}

TEST(sparse, lower_file_past_4g)
{
	int fd = open_lower(FX_SPARSE, 0);

	past_4g(fd, FX_SPARSE, FIX_SIZE);
	close(fd);
}

/* ---- holes ---- */

TEST(holes, read_as_zeros)
{
	int fd = open_new("f");
	uint8_t buf[4 * PG];

	CHECK(ftruncate(fd, 3 * PG));
	EXPECT_ZEROS(fd, 0, 3 * PG);
	/* A write past EOF leaves a hole between the old EOF and the data. */
	CHECK(lseek(fd, 5 * PG + 100, SEEK_SET));
	EXPECT_RET(write(fd, "end", 3), 3);
	EXPECT_EQ(file_size(fd), 5 * PG + 103);
	EXPECT_ZEROS(fd, 0, 5 * PG + 100);
	/* read() across the hole and the data, from a misaligned offset. */
	CHECK(lseek(fd, 5 * PG + 100 - 3 * PG + 1, SEEK_SET));
	EXPECT_RET(read(fd, buf, sizeof(buf)), 3 * PG + 2);
	EXPECT_TRUE(memcmp(buf + 3 * PG - 1, "end", 3) == 0);
	close(fd);
}

/* ---- the partial last page of a lower file ---- */

TEST(lower, partial_page_writes_at_end)
{
	int fd = open_lower(FX_TAIL, 0);
	long last = FIX_SIZE / PG * PG;	/* start of the partial page */
	uint8_t buf[PG], *p;

	/* Overwrite across EOF: the page's earlier bytes stay. */
	EXPECT_RET(pwrite(fd, "0123456789", 10, FIX_SIZE - 4), 10);
	EXPECT_EQ(file_size(fd), FIX_SIZE + 6);
	EXPECT_PAT(fd, FX_TAIL, last, FIX_SIZE - 4 - last);
	/* A gap inside the same page reads as zeros. */
	EXPECT_RET(pwrite(fd, "Z", 1, FIX_SIZE + 100), 1);
	EXPECT_EQ(file_size(fd), FIX_SIZE + 101);
	EXPECT_ZEROS(fd, FIX_SIZE + 6, 94);
	EXPECT_RET(pread(fd, buf, PG, last), FIX_SIZE + 101 - last);
	EXPECT_TRUE(memcmp(buf + (FIX_SIZE - 4 - last), "0123456789", 10) == 0);
	EXPECT_EQ(buf[FIX_SIZE + 100 - last], 'Z');
	/* The mapping of that page: the new bytes, zeros past the new EOF. */
	p = CHECK(mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, last));
	EXPECT_MEM_PAT(p, FX_TAIL, last, FIX_SIZE - 4 - last);
	EXPECT_TRUE(memcmp(p + (FIX_SIZE - 4 - last), "0123456789", 10) == 0);
	EXPECT_EQ(p[FIX_SIZE + 100 - last], 'Z');
	EXPECT_MEM_ZEROS(p + FIX_SIZE + 101 - last, FIX_SIZE + 101,
			 PG - (FIX_SIZE + 101 - last));
	munmap(p, PG);
	/* Appending a whole page more crosses into a new page. */
	memset(buf, 'n', sizeof(buf));
	EXPECT_RET(pwrite(fd, buf, PG, FIX_SIZE + 101), PG);
	EXPECT_EQ(file_size(fd), FIX_SIZE + 101 + PG);
	EXPECT_PAT(fd, FX_TAIL, 0, FIX_SIZE - 4);
	close(fd);
}

TEST(lower, truncate_then_extend)
{
	int fd = open_lower(FX_TRUNC_EXTEND, 0);
	long cut = FIX_SIZE - 5000;	/* inside a page, below the last */
	long big = FIX_SIZE + 3 * PG;

	CHECK(ftruncate(fd, cut));
	EXPECT_EQ(file_size(fd), cut);
	CHECK(ftruncate(fd, big));
	EXPECT_EQ(file_size(fd), big);
	EXPECT_PAT(fd, FX_TRUNC_EXTEND, 0, cut);
	/* The old data past the cut is gone, also in the pages it filled. */
	EXPECT_ZEROS(fd, cut, big - cut);
	{
		uint8_t *p = CHECK(mmap(NULL, 4 * PG, PROT_READ, MAP_SHARED,
					fd, cut / PG * PG));
		long in = cut % PG;

		EXPECT_MEM_PAT(p, FX_TRUNC_EXTEND, cut / PG * PG, in);
		EXPECT_MEM_ZEROS(p + in, cut, 4 * PG - in);
		munmap(p, 4 * PG);
	}
	close(fd);
}
