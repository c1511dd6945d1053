// SPDX-License-Identifier: MIT
/*
 * SEEK_DATA and SEEK_HOLE as Linux's tmpfs answers them (page granular,
 * EOF is a hole, ENXIO at or past EOF), on created and lower files
 * (lower.h); written zeros are data; read() of a hole leaves it a hole;
 * st_blocks of a sparse file counts only written pages.
 */
#include "harness.h"
#include "lower.h"

/* Fixture numbers (lower.h): one per case that uses a lower file. */
enum {
	FX_SEEK,
	FX_SPARSE_BLOCKS,
	FX_READ_HOLE,
};

/* ---- SEEK_DATA / SEEK_HOLE, as tmpfs keeps them (page granular) ---- */

TEST(seek, data_and_hole_in_created_file)
{
	int fd = open_new("f");

	/* Data in page 0 and page 4, holes in pages 1-3; EOF in page 5. */
	EXPECT_RET(pwrite(fd, "a", 1, 10), 1);
	EXPECT_RET(pwrite(fd, "b", 1, 4 * PG + 7), 1);
	CHECK(ftruncate(fd, 5 * PG + 100));
	EXPECT_RET(lseek(fd, 0, SEEK_DATA), 0);
	EXPECT_RET(lseek(fd, 5, SEEK_DATA), 5);
	EXPECT_RET(lseek(fd, 0, SEEK_HOLE), PG);
	EXPECT_RET(lseek(fd, PG + 1, SEEK_HOLE), PG + 1);
	EXPECT_RET(lseek(fd, PG, SEEK_DATA), 4 * PG);
	EXPECT_RET(lseek(fd, 4 * PG, SEEK_HOLE), 5 * PG);
	/* Past the last data page: no data; EOF counts as a hole. */
	EXPECT_ERRNO(lseek(fd, 5 * PG, SEEK_DATA), ENXIO);
	EXPECT_RET(lseek(fd, 5 * PG + 50, SEEK_HOLE), 5 * PG + 50);
	EXPECT_ERRNO(lseek(fd, 5 * PG + 100, SEEK_DATA), ENXIO);
	EXPECT_ERRNO(lseek(fd, 5 * PG + 100, SEEK_HOLE), ENXIO);
	EXPECT_ERRNO(lseek(fd, 9 * PG, SEEK_HOLE), ENXIO);
	EXPECT_ERRNO(lseek(fd, -1, SEEK_DATA), ENXIO);
	/* The file offset moved to the last result. */
	CHECK(lseek(fd, PG, SEEK_DATA));
	EXPECT_RET(lseek(fd, 0, SEEK_CUR), 4 * PG);
	close(fd);
}

TEST(seek, empty_and_all_hole)
{
	int fd = open_new("f");

	EXPECT_ERRNO(lseek(fd, 0, SEEK_DATA), ENXIO);
	EXPECT_ERRNO(lseek(fd, 0, SEEK_HOLE), ENXIO);
	CHECK(ftruncate(fd, 3 * PG));
	EXPECT_ERRNO(lseek(fd, 0, SEEK_DATA), ENXIO);
	EXPECT_RET(lseek(fd, 0, SEEK_HOLE), 0);
	close(fd);
}

TEST(seek, written_zeros_are_data)
{
	int fd = open_new("f");
	uint8_t zero[PG] = { 0 };

	CHECK(ftruncate(fd, 3 * PG));
	EXPECT_RET(pwrite(fd, zero, PG, PG), PG);
	EXPECT_RET(lseek(fd, 0, SEEK_DATA), PG);
	EXPECT_RET(lseek(fd, PG, SEEK_HOLE), 2 * PG);
	close(fd);
}

TEST(seek, lower_file_is_all_data)
{
	int fd = open_lower(FX_SEEK, 0);

	EXPECT_RET(lseek(fd, 0, SEEK_DATA), 0);
	EXPECT_RET(lseek(fd, 3 * PG + 5, SEEK_DATA), 3 * PG + 5);
	EXPECT_RET(lseek(fd, 0, SEEK_HOLE), FIX_SIZE);
	EXPECT_ERRNO(lseek(fd, FIX_SIZE, SEEK_DATA), ENXIO);
	/* Extending it adds a hole after the data. */
	CHECK(ftruncate(fd, FIX_SIZE + 4 * PG));
	EXPECT_RET(lseek(fd, 0, SEEK_HOLE), (FIX_SIZE + PG - 1) / PG * PG);
	EXPECT_ERRNO(lseek(fd, (FIX_SIZE + PG - 1) / PG * PG, SEEK_DATA), ENXIO);
	EXPECT_PAT(fd, FX_SEEK, 0, FIX_SIZE);
	close(fd);
}

/* read() of a hole leaves it a hole (a fault of a mapping would fill it). */
TEST(seek, read_leaves_hole)
{
	int fd = open_new("f");
	uint8_t buf[PG];

	CHECK(ftruncate(fd, 2 * PG));
	EXPECT_RET(pread(fd, buf, PG, PG), PG);
	EXPECT_ERRNO(lseek(fd, 0, SEEK_DATA), ENXIO);
	EXPECT_EQ(blocks(fd), 0);
	close(fd);
}

TEST(seek, lower_file_truncated_to_zero_and_extended)
{
	int fd = open_lower(FX_READ_HOLE, 0);

	CHECK(ftruncate(fd, 0));
	CHECK(ftruncate(fd, FIX_SIZE));
	EXPECT_ZEROS(fd, 0, FIX_SIZE);
	EXPECT_ERRNO(lseek(fd, 0, SEEK_DATA), ENXIO);
	EXPECT_RET(lseek(fd, 0, SEEK_HOLE), 0);
	EXPECT_EQ(blocks(fd), 0);
	close(fd);
}

/* ---- st_blocks counts allocated pages ---- */

TEST(blocks, sparse_created_file)
{
	int fd = open_new("f");

	EXPECT_EQ(blocks(fd), 0);
	CHECK(ftruncate(fd, 5 * GIB));
	EXPECT_EQ(blocks(fd), 0);
	EXPECT_RET(pwrite(fd, "x", 1, 4 * GIB + 10), 1);
	EXPECT_RET(pwrite(fd, "y", 1, 10), 1);
	EXPECT_EQ(blocks(fd), 2 * PG / 512);
	/* Rewriting an allocated page allocates nothing more. */
	EXPECT_RET(pwrite(fd, "z", 1, 20), 1);
	EXPECT_EQ(blocks(fd), 2 * PG / 512);
	CHECK(ftruncate(fd, PG));
	EXPECT_EQ(blocks(fd), PG / 512);
	close(fd);
}

TEST(blocks, sparse_lower_file)
{
	int fd = open_lower(FX_SPARSE_BLOCKS, 0);
	long pages = (FIX_SIZE + PG - 1) / PG;

	EXPECT_EQ(blocks(fd), pages * PG / 512);
	EXPECT_RET(pwrite(fd, "far", 3, 5 * GIB), 3);
	EXPECT_EQ(blocks(fd), (pages + 1) * PG / 512);
	CHECK(ftruncate(fd, 2 * PG + 1));
	EXPECT_EQ(blocks(fd), 3 * PG / 512);
	close(fd);
}
