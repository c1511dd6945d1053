// SPDX-License-Identifier: MIT
/*
 * The first touch of a pre-existing ("lower") file's pages, in the orders a
 * page cache that fills page ranges on demand gets wrong (see lower.h;
 * issue 18): a fault before any read(), in the middle and at the partial
 * last page; a write of part of a page not read yet keeps the rest of that
 * page's data; writes and reads spanning filled and unfilled pages; a
 * second descriptor and a second mapping see the same pages; preadv,
 * pwritev, sendfile and splice on unfilled pages; O_TRUNC drops the data;
 * a mapping past EOF becomes usable when the file grows. Each case on
 * created files too where that means something.
 */
#include <sys/sendfile.h>
#include <sys/uio.h>

#include "harness.h"
#include "lower.h"

/* Fixture numbers (lower.h): one per case that uses a lower file. */
enum {
	FX_FAULT_FIRST,
	FX_PARTIAL_WRITE,
	FX_SPAN,
	FX_TWO_FDS,
	FX_VECTOR,
	FX_SENDFILE,
	FX_SPLICE,
	FX_TRUNC_OPEN,
	FX_GROW,
	FX_PRIVATE_FORK,
};

#define LAST_PAGE	(FIX_SIZE / PG * PG)	/* start of the partial page */

TEST(fill, fault_before_read)
{
	int fd = open_lower(FX_FAULT_FIRST, 0);
	uint8_t *p = CHECK(mmap(NULL, (size_t)LAST_PAGE + PG, PROT_READ,
				MAP_SHARED, fd, 0));

	/* Fault the middle and the tail first, then read() around them. */
	EXPECT_EQ(p[100 * PG + 5], pat(FX_FAULT_FIRST, 100 * PG + 5));
	EXPECT_EQ(p[FIX_SIZE - 1], pat(FX_FAULT_FIRST, FIX_SIZE - 1));
	EXPECT_EQ(p[FIX_SIZE], 0);
	EXPECT_PAT(fd, FX_FAULT_FIRST, 99 * PG + 17, 3 * PG);
	EXPECT_PAT(fd, FX_FAULT_FIRST, LAST_PAGE - 10, FIX_SIZE - LAST_PAGE + 10);
	/* Then the whole mapping, most of it never read. */
	EXPECT_MEM_PAT(p, FX_FAULT_FIRST, 0, FIX_SIZE);
	EXPECT_MEM_ZEROS(p + FIX_SIZE, FIX_SIZE, LAST_PAGE + PG - FIX_SIZE);
	munmap(p, (size_t)LAST_PAGE + PG);
	close(fd);
}

TEST(fill, partial_write_to_unread_page)
{
	int fd = open_lower(FX_PARTIAL_WRITE, 0);
	uint8_t *p;

	/* A few bytes in the middle of pages nobody read. */
	EXPECT_RET(pwrite(fd, "abc", 3, 10 * PG + 100), 3);
	EXPECT_RET(pwrite(fd, "d", 1, 20 * PG), 1);
	EXPECT_RET(pwrite(fd, "e", 1, 30 * PG + PG - 1), 1);
	EXPECT_PAT(fd, FX_PARTIAL_WRITE, 10 * PG, 100);
	EXPECT_PAT(fd, FX_PARTIAL_WRITE, 10 * PG + 103, PG - 103);
	EXPECT_PAT(fd, FX_PARTIAL_WRITE, 20 * PG + 1, PG - 1);
	EXPECT_PAT(fd, FX_PARTIAL_WRITE, 30 * PG, PG - 1);
	/* The same through a store into a mapping of an unread page. */
	p = CHECK(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       40 * PG));
	p[7] = 'm';
	EXPECT_PAT(fd, FX_PARTIAL_WRITE, 40 * PG, 7);
	EXPECT_PAT(fd, FX_PARTIAL_WRITE, 40 * PG + 8, PG - 8);
	munmap(p, PG);
	{
		uint8_t b[4] = { 0 };

		EXPECT_RET(pread(fd, b, 3, 10 * PG + 100), 3);
		EXPECT_TRUE(memcmp(b, "abc", 3) == 0);
		EXPECT_RET(pread(fd, b, 1, 40 * PG + 7), 1);
		EXPECT_EQ(b[0], 'm');
	}
	EXPECT_EQ(file_size(fd), FIX_SIZE);
	close(fd);
}

TEST(fill, spans_of_filled_and_unfilled_pages)
{
	int fd = open_lower(FX_SPAN, 0);
	size_t len = 5 * PG + 123;
	uint8_t *buf = malloc(len);
	uint8_t one;

	CHECK(buf ? 0 : -1);
	/* Fill pages 51 and 53 only, then write over 50..55 unaligned. */
	EXPECT_RET(pread(fd, &one, 1, 51 * PG + 9), 1);
	EXPECT_RET(pread(fd, &one, 1, 53 * PG + 9), 1);
	memset(buf, 's', len);
	EXPECT_RET(pwrite(fd, buf, len, 50 * PG + 1000), (long)len);
	EXPECT_PAT(fd, FX_SPAN, 49 * PG, PG + 1000);
	EXPECT_PAT(fd, FX_SPAN, 50 * PG + 1000 + (long)len,
		   56 * PG - (50 * PG + 1000 + (long)len));
	/* One read() across all of it, from an unfilled page to another. */
	{
		size_t all = 8 * PG;
		uint8_t *b = read_range(fd, 48 * PG, all);
		long w = 50 * PG + 1000 - 48 * PG;

		EXPECT_TRUE(pat_mismatch(FX_SPAN, 48 * PG, b, (size_t)w) < 0);
		for (size_t i = 0; i < len; i++)
			if (b[w + (long)i] != 's') {
				harness_fail(__FILE__, __LINE__,
					     "byte %ld not written", 50 * PG + 1000 + (long)i);
				break;
			}
		EXPECT_TRUE(pat_mismatch(FX_SPAN, 48 * PG + w + (long)len,
					 b + w + len, all - (size_t)w - len) < 0);
		free(b);
	}
	free(buf);
	close(fd);
}

TEST(fill, second_descriptor_and_mapping)
{
	int fd = open_lower(FX_TWO_FDS, 0);
	char self[PATH_MAX];
	uint8_t *p, *q, c = 0;
	int fd2;

	/* The same file again by its name (the copy's, natively). */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	fd2 = CHECK(open(self, O_RDWR));
	p = CHECK(mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       60 * PG));
	EXPECT_RET(pwrite(fd2, "2", 1, 61 * PG + 1), 1);
	EXPECT_EQ(p[PG + 1], '2');
	p[2 * PG + 2] = 'p';
	EXPECT_RET(pread(fd2, &c, 1, 62 * PG + 2), 1);
	EXPECT_EQ(c, 'p');
	/* A second mapping, made later, of an overlapping range. */
	q = CHECK(mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd2, 62 * PG));
	EXPECT_EQ(q[2], 'p');
	p[3 * PG + 3] = 'r';
	EXPECT_EQ(q[PG + 3], 'r');
	EXPECT_MEM_PAT(q + PG + 4, FX_TWO_FDS, 63 * PG + 4, PG - 4);
	EXPECT_MEM_PAT(p, FX_TWO_FDS, 60 * PG, PG);
	munmap(q, 2 * PG);
	munmap(p, 4 * PG);
	close(fd2);
	close(fd);
}

TEST(fill, preadv_pwritev)
{
	int fd = open_lower(FX_VECTOR, 0);
	uint8_t a[100], b[PG + 50], c[7];
	struct iovec rd[3] = { { a, sizeof(a) }, { b, sizeof(b) }, { c, sizeof(c) } };
	struct iovec wr[2] = { { (void *)"vec", 3 }, { (void *)"tor", 3 } };
	long off = 70 * PG - 60;

	EXPECT_RET(preadv(fd, rd, 3, off), (long)(sizeof(a) + sizeof(b) + sizeof(c)));
	EXPECT_TRUE(pat_mismatch(FX_VECTOR, off, a, sizeof(a)) < 0);
	EXPECT_TRUE(pat_mismatch(FX_VECTOR, off + 100, b, sizeof(b)) < 0);
	EXPECT_TRUE(pat_mismatch(FX_VECTOR, off + 100 + PG + 50, c, sizeof(c)) < 0);
	/* A vector write that straddles two unread pages. */
	EXPECT_RET(pwritev(fd, wr, 2, 80 * PG - 3), 6);
	EXPECT_PAT(fd, FX_VECTOR, 79 * PG, PG - 3);
	EXPECT_PAT(fd, FX_VECTOR, 80 * PG + 3, PG - 3);
	{
		uint8_t got[6];

		EXPECT_RET(pread(fd, got, 6, 80 * PG - 3), 6);
		EXPECT_TRUE(memcmp(got, "vector", 6) == 0);
	}
	/* Reading at and past EOF. */
	EXPECT_RET(preadv(fd, rd, 3, FIX_SIZE - 20), 20);
	EXPECT_TRUE(pat_mismatch(FX_VECTOR, FIX_SIZE - 20, a, 20) < 0);
	EXPECT_RET(preadv(fd, rd, 3, FIX_SIZE), 0);
	close(fd);
}

TEST(fill, sendfile_from_lower)
{
	int fd = open_lower(FX_SENDFILE, 0);
	int out = open_new("out");
	off_t off = 90 * PG + 77;
	size_t len = 3 * PG + 5;

	EXPECT_RET(sendfile(out, fd, &off, len), (long)len);
	EXPECT_EQ(off, 90 * PG + 77 + (long)len);
	{
		uint8_t *b = read_range(out, 0, len);

		EXPECT_TRUE(pat_mismatch(FX_SENDFILE, 90 * PG + 77, b, len) < 0);
		free(b);
	}
	/* Up to EOF only. */
	off = FIX_SIZE - 10;
	EXPECT_RET(sendfile(out, fd, &off, PG), 10);
	EXPECT_EQ(file_size(out), (long)len + 10);
	close(out);
	close(fd);
}

TEST(fill, splice_to_and_from_lower)
{
	int fd = open_lower(FX_SPLICE, 0);
	loff_t off = 100 * PG + 3;
	uint8_t buf[2 * PG];
	int pfd[2];

	CHECK(pipe(pfd));
	/* Out of an unread part of the file into a pipe. */
	EXPECT_RET(splice(fd, &off, pfd[1], NULL, 2 * PG, 0), 2 * PG);
	EXPECT_EQ(off, 102 * PG + 3);
	EXPECT_RET(read(pfd[0], buf, sizeof(buf)), 2 * PG);
	EXPECT_TRUE(pat_mismatch(FX_SPLICE, 100 * PG + 3, buf, sizeof(buf)) < 0);
	/* From a pipe into the middle of another unread page. */
	EXPECT_RET(write(pfd[1], "spliced", 7), 7);
	off = 110 * PG + PG / 2;
	EXPECT_RET(splice(pfd[0], NULL, fd, &off, 7, 0), 7);
	EXPECT_PAT(fd, FX_SPLICE, 110 * PG, PG / 2);
	EXPECT_PAT(fd, FX_SPLICE, 110 * PG + PG / 2 + 7, PG / 2 - 7);
	EXPECT_RET(pread(fd, buf, 7, 110 * PG + PG / 2), 7);
	EXPECT_TRUE(memcmp(buf, "spliced", 7) == 0);
	close(pfd[0]);
	close(pfd[1]);
	close(fd);
}

TEST(fill, open_o_trunc_drops_data)
{
	int fd = open_lower(FX_TRUNC_OPEN, 0);
	char self[PATH_MAX];
	int fd2;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	fd2 = CHECK(open(self, O_RDWR | O_TRUNC));
	EXPECT_EQ(file_size(fd), 0);
	EXPECT_RET(pwrite(fd2, "x", 1, 3 * PG), 1);
	EXPECT_EQ(file_size(fd), 3 * PG + 1);
	EXPECT_ZEROS(fd, 0, 3 * PG);
	close(fd2);
	close(fd);
}

/* A shared mapping longer than the file: SIGBUS past EOF until it grows. */
static void grow_under_mapping(int fd, long size)
{
	long eof_page = (size + PG - 1) / PG * PG;
	uint8_t *p = CHECK(mmap(NULL, (size_t)eof_page + 2 * PG,
				PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	uint8_t c = 0;

	EXPECT_SIGBUS_READ(p + eof_page);
	EXPECT_SIGBUS_WRITE(p + eof_page + PG + 1);
	/* write() past EOF grows the file under the mapping. */
	EXPECT_RET(pwrite(fd, "g", 1, eof_page + 10), 1);
	EXPECT_EQ(probe_read(p + eof_page + 10, &c), 0);
	EXPECT_EQ(c, 'g');
	EXPECT_MEM_ZEROS(p + size, size, eof_page + 10 - size);
	EXPECT_SIGBUS_READ(p + eof_page + PG);
	/* ftruncate() too; the new page reads zeros and takes stores. */
	CHECK(ftruncate(fd, eof_page + 2 * PG));
	EXPECT_EQ(probe_read(p + eof_page + PG + 1, &c), 0);
	EXPECT_EQ(c, 0);
	p[eof_page + PG + 1] = 'h';
	EXPECT_RET(pread(fd, &c, 1, eof_page + PG + 1), 1);
	EXPECT_EQ(c, 'h');
	munmap(p, (size_t)eof_page + 2 * PG);
}

TEST(fill, created_file_grows_under_mapping)
{
	int fd = open_new("f");

	EXPECT_RET(pwrite(fd, "abc", 3, 2 * PG), 3);
	grow_under_mapping(fd, 2 * PG + 3);
	close(fd);
}

TEST(fill, lower_file_grows_under_mapping)
{
	int fd = open_lower(FX_GROW, 0);

	grow_under_mapping(fd, FIX_SIZE);
	EXPECT_PAT(fd, FX_GROW, 0, FIX_SIZE);
	close(fd);
}

/* A child's MAP_PRIVATE stores on a lower file stay the child's. */
TEST(fill, private_mapping_in_child)
{
	int fd = open_lower(FX_PRIVATE_FORK, 0);
	uint8_t *p = CHECK(mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
				MAP_PRIVATE, fd, 120 * PG));
	pid_t pid;

	pid = CHECK(fork());
	if (pid == 0) {
		/* First touch of these pages is the child's write. */
		p[5] = 'k';
		p[3 * PG] = 'k';
		_exit(p[5] == 'k' && p[6] == pat(FX_PRIVATE_FORK, 120 * PG + 6) ?
		      0 : 1);
	}
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_MEM_PAT(p, FX_PRIVATE_FORK, 120 * PG, 4 * PG);
	EXPECT_PAT(fd, FX_PRIVATE_FORK, 120 * PG, 4 * PG);
	munmap(p, 4 * PG);
	close(fd);
}
