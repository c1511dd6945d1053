// SPDX-License-Identifier: MIT
/*
 * ftruncate(2) under a MAP_SHARED mapping (created and lower files,
 * lower.h): the part of the EOF page past EOF reads as zeros; a whole page
 * past EOF raises SIGBUS (BUS_ADRERR at the address, caught with
 * sigsetjmp); extending the file again shows zeros in the mapping and to
 * read(), and the mapping writes through to the file again; also when
 * another process truncates.
 */
#include "harness.h"
#include "lower.h"

/* Fixture numbers (lower.h): one per case that uses a lower file. */
enum {
	FX_TRUNC_SIGBUS,
	FX_TRUNC_ZERO,
};

/* ---- ftruncate() under a mapping ---- */

/*
 * @fd is at least 4 pages long, page 0 holding @fx's pattern (or, for
 * @fx < 0, bytes 'a'). Shrinks it to 1.5 pages under a 4-page mapping.
 */
static void truncate_under_mapping(int fd, int fx)
{
	uint8_t *p = CHECK(mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
				MAP_SHARED, fd, 0));
	long cut = PG + PG / 2;
	uint8_t c = 0;

	p[2 * PG + 5] = 'x';
	CHECK(ftruncate(fd, cut));
	EXPECT_EQ(file_size(fd), cut);
	/* The page that holds EOF stays; its part past EOF is zeroed. */
	EXPECT_EQ(probe_read(p + cut - 1, &c), 0);
	EXPECT_EQ(probe_read(p + cut, &c), 0);
	EXPECT_EQ(c, 0);
	EXPECT_MEM_ZEROS(p + cut, cut, PG - PG / 2);
	/* Whole pages past EOF: SIGBUS, for loads and stores. */
	EXPECT_SIGBUS_READ(p + 2 * PG);
	EXPECT_SIGBUS_READ(p + 2 * PG + 5);
	EXPECT_SIGBUS_WRITE(p + 3 * PG + PG - 1);
	/*
	 * A store past EOF in the EOF page does not change the size. (Whether
	 * a later extension shows it is file-system specific: undo it.)
	 */
	EXPECT_EQ(probe_write(p + cut + 10, 'y'), 0);
	EXPECT_EQ(file_size(fd), cut);
	p[cut + 10] = 0;
	/* Extending brings back zeros, not the old data nor that store. */
	CHECK(ftruncate(fd, 4 * PG));
	EXPECT_ZEROS(fd, cut, 4 * PG - cut);
	EXPECT_MEM_ZEROS(p + cut, cut, 4 * PG - cut);
	if (fx >= 0)
		EXPECT_MEM_PAT(p, fx, 0, PG);
	else
		EXPECT_EQ(p[PG - 1], 'a');
	/* The mapping works again past the old EOF, both ways. */
	p[3 * PG] = 'z';
	EXPECT_RET(pread(fd, &c, 1, 3 * PG), 1);
	EXPECT_EQ(c, 'z');
	munmap(p, 4 * PG);
}

TEST(truncate, created_file_sigbus_then_zeros)
{
	int fd = open_new("f");
	uint8_t buf[4 * PG];

	memset(buf, 'a', sizeof(buf));
	CHECK(write(fd, buf, sizeof(buf)));
	truncate_under_mapping(fd, -1);
	close(fd);
}

TEST(truncate, lower_file_sigbus_then_zeros)
{
	int fd = open_lower(FX_TRUNC_SIGBUS, 0);

	truncate_under_mapping(fd, FX_TRUNC_SIGBUS);
	close(fd);
}

TEST(truncate, lower_file_to_zero_then_extend)
{
	int fd = open_lower(FX_TRUNC_ZERO, 0);
	uint8_t *p = CHECK(mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0));

	EXPECT_MEM_PAT(p, FX_TRUNC_ZERO, 0, 2 * PG);
	CHECK(ftruncate(fd, 0));
	EXPECT_SIGBUS_READ(p);
	CHECK(ftruncate(fd, FIX_SIZE));
	EXPECT_ZEROS(fd, 0, FIX_SIZE);
	EXPECT_MEM_ZEROS(p, 0, 2 * PG);
	munmap(p, 2 * PG);
	close(fd);
}

/*
 * Another process truncates: this process's mapping (pages already mapped
 * in) must fault past the new EOF too, and see zeros after an extension.
 */
TEST(truncate, other_process_truncates)
{
	int fd = open_new("f");
	uint8_t buf[2 * PG], c = 0;
	uint8_t *p;
	pid_t pid;
	int st = 0;

	memset(buf, 'b', sizeof(buf));
	CHECK(write(fd, buf, sizeof(buf)));
	p = CHECK(mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	EXPECT_EQ(p[PG], 'b');	/* map page 1 in before the child cuts it off */
	p[PG + 1] = 'c';
	pid = CHECK(fork());
	if (pid == 0)
		_exit(ftruncate(fd, PG) ? 1 : 0);
	EXPECT_RET(waitpid(pid, &st, 0), pid);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_EQ(p[PG - 1], 'b');
	EXPECT_SIGBUS_READ(p + PG);
	CHECK(ftruncate(fd, 2 * PG));
	EXPECT_MEM_ZEROS(p + PG, PG, PG);
	p[PG + 2] = 'z';
	EXPECT_RET(pread(fd, &c, 1, PG + 2), 1);
	EXPECT_EQ(c, 'z');
	munmap(p, 2 * PG);
	close(fd);
}

/*
 * A MAP_PRIVATE mapping faults past the new EOF too: a page it only read,
 * and (Linux unmaps copy-on-write copies on truncate) one it wrote.
 */
TEST(truncate, private_mapping_sigbus)
{
	int fd = open_new("f");
	uint8_t buf[3 * PG];
	uint8_t *p;

	memset(buf, 'a', sizeof(buf));
	CHECK(write(fd, buf, sizeof(buf)));
	p = CHECK(mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	EXPECT_EQ(p[PG], 'a');
	p[2 * PG] = 'w';
	p[0] = 'v';
	CHECK(ftruncate(fd, PG));
	EXPECT_EQ(p[0], 'v');	/* below EOF a private copy stays */
	EXPECT_SIGBUS_READ(p + PG);
	EXPECT_SIGBUS_READ(p + 2 * PG);
	munmap(p, 3 * PG);
	close(fd);
}
