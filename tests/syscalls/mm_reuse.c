// SPDX-License-Identifier: MIT
/*
 * Memory that is freed and used again, in the amounts long-running programs
 * reach: 256 MiB mapped, touched and unmapped in rounds; 1 GiB of anonymous
 * memory and a 1 GiB MAP_SHARED file touched page by page, and 512 MiB
 * from the top down, after memory was used and freed; 100k small
 * regions mapped and unmapped in an interleaved churn with their data
 * checked; MADV_DONTNEED and re-touch rounds; after fork(), every other
 * page written (copy-on-write pages alternating with shared ones); and the
 * per-process map count: mprotect(), munmap() and mmap() fail with ENOMEM
 * at vm.max_map_count (65530) while everything mapped below it still
 * works. None of this may depend on how the sandbox lays pages out on the
 * host (a host mapping per page runs out at the host's own map count).
 */
#include <stdint.h>
#include <sys/mman.h>

#include "harness.h"

#define PG	4096UL
#define MIB	(1024UL * 1024)

static char *map_anon(size_t len);
static void touch_pages(char *p, size_t len, unsigned r);

/* MemFree of /proc/meminfo in kB, or -1. */
static long mem_free_kb(void)
{
	char buf[4096], *at;
	int fd = open("/proc/meminfo", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	at = strstr(buf, "MemFree:");
	return at ? strtol(at + 8, NULL, 10) : -1;
}

/*
 * `mm_reuse --child hold` (for tests/integration/memory_return.sh): 256 MiB
 * touched, then unmapped, each step reported with MemFree and then held
 * until a byte arrives on stdin, so the host side can be looked at too.
 */
int harness_child_main(int argc, char **argv)
{
	const size_t len = 256 * MIB;
	char c, *p;

	if (argc < 3 || strcmp(argv[2], "hold"))
		return 2;
	printf("start %ld\n", mem_free_kb());
	p = map_anon(len);
	if (p == MAP_FAILED)
		return 1;
	touch_pages(p, len, 1);
	printf("touched %ld\n", mem_free_kb());
	fflush(stdout);
	if (read(0, &c, 1) != 1 || munmap(p, len))
		return 1;
	printf("unmapped %ld\n", mem_free_kb());
	fflush(stdout);
	return read(0, &c, 1) == 1 ? 0 : 1;
}

static char *map_anon(size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* A value for page @i of round @r; never 0, so untouched pages show. */
static uint64_t tag(size_t i, unsigned r)
{
	return ((uint64_t)r << 40) ^ (i * 0x9e3779b97f4a7c15ULL) ^ 1;
}

static void touch_pages(char *p, size_t len, unsigned r)
{
	for (size_t i = 0; i < len / PG; i++)
		*(uint64_t *)(p + i * PG) = tag(i, r);
}

/* Pages whose first word is not their tag (every page, or every @step-th). */
static size_t bad_pages(const char *p, size_t len, unsigned r, size_t step)
{
	size_t bad = 0;

	for (size_t i = 0; i < len / PG; i += step)
		if (*(const uint64_t *)(p + i * PG) != tag(i, r))
			bad++;
	return bad;
}

static size_t nonzero_pages(const char *p, size_t len, size_t step)
{
	size_t n = 0;

	for (size_t i = 0; i < len / PG; i += step)
		n += *(const uint64_t *)(p + i * PG) != 0;
	return n;
}

TEST(reuse, map_touch_unmap_256m_rounds)
{
	const size_t len = 256 * MIB;

	for (unsigned r = 0; r < 3; r++) {
		char *p = CHECK(map_anon(len));

		EXPECT_EQ(nonzero_pages(p, len, 4099), 0);
		touch_pages(p, len, r);
		EXPECT_EQ(bad_pages(p, len, r, 1), 0);
		EXPECT_RET(munmap(p, len), 0);
	}
}

/* Memory used and given back, so that what follows reuses it. */
static void used_before(void)
{
	const size_t len = 256 * MIB;
	char *p = CHECK(map_anon(len));

	touch_pages(p, len, 9);
	CHECK(munmap(p, len));
}

TEST(reuse, touch_1g_anon_page_by_page)
{
	const size_t len = 1024 * MIB;
	char *p;

	used_before();
	p = CHECK(map_anon(len));

	touch_pages(p, len, 7);
	EXPECT_EQ(bad_pages(p, len, 7, 1), 0);
	EXPECT_EQ(p[len - 1], 0);
	EXPECT_RET(munmap(p, len), 0);
}

/* From the top page down, as a stack grows. */
TEST(reuse, touch_512m_downwards)
{
	const size_t len = 512 * MIB;
	char *p;

	used_before();
	p = CHECK(map_anon(len));
	for (size_t i = len / PG; i-- > 0;)
		*(uint64_t *)(p + i * PG) = tag(i, 4);
	EXPECT_EQ(bad_pages(p, len, 4, 1), 0);
	EXPECT_RET(munmap(p, len), 0);
}

/* A file in memory: /dev/shm where there is one, else the scratch dir. */
static int memory_file(void)
{
	char shm[] = "/dev/shm/mm_reuse.XXXXXX";
	int fd = mkstemp(shm);

	if (fd >= 0) {
		unlink(shm);
		return fd;
	}
	fd = open(tmp_path("file"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0)
		unlink(tmp_path("file"));
	return fd;
}

TEST(reuse, touch_1g_shared_file_page_by_page)
{
	const size_t len = 1024 * MIB;
	int fd = CHECK(memory_file());
	uint64_t got = 0;
	char *p;

	used_before();
	CHECK(ftruncate(fd, (off_t)len));
	p = CHECK(mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	touch_pages(p, len, 3);
	EXPECT_EQ(bad_pages(p, len, 3, 1), 0);
	/* The file itself holds what was written through the mapping. */
	for (size_t i = 0; i < len / PG; i += 65521) {
		EXPECT_RET(pread(fd, &got, sizeof(got), (off_t)(i * PG)), sizeof(got));
		EXPECT_EQ(got, tag(i, 3));
	}
	EXPECT_RET(munmap(p, len), 0);
	EXPECT_RET(pread(fd, &got, sizeof(got), (off_t)(len - PG)), sizeof(got));
	EXPECT_EQ(got, tag(len / PG - 1, 3));
	close(fd);
}

#define CHURN_SLOTS 30000
#define CHURN_OPS 100000

struct region {
	char *p;
	size_t pages;
	uint64_t id;
};

static bool region_ok(const struct region *g)
{
	for (size_t i = 0; i < g->pages; i++) {
		const uint64_t *w = (const uint64_t *)(g->p + i * PG);

		if (w[0] != g->id + i || w[PG / 8 - 1] != ~(g->id + i))
			return false;
	}
	return true;
}

/*
 * Regions of 1-4 pages in a pool of 30000 slots, replaced in a scattered
 * order, so that freed memory is reused all over and neighbouring regions
 * are of different ages: about 75k pages stay live.
 */
TEST(reuse, churn_100k_small_regions)
{
	struct region *pool = calloc(CHURN_SLOTS, sizeof(*pool));
	size_t bad = 0, failed = 0;

	CHECK(pool ? 0 : -1);
	for (uint64_t op = 0; op < CHURN_OPS + CHURN_SLOTS; op++) {
		struct region *g = &pool[(op * 7919) % CHURN_SLOTS];

		if (g->p) {
			bad += !region_ok(g);
			if (munmap(g->p, g->pages * PG))
				failed++;
			g->p = NULL;
		}
		if (op >= CHURN_OPS)
			continue;
		g->pages = 1 + (op * 2654435761U >> 7) % 4;
		g->id = op << 8;
		g->p = map_anon(g->pages * PG);
		if (g->p == MAP_FAILED) {
			failed++;
			g->p = NULL;
			continue;
		}
		for (size_t i = 0; i < g->pages; i++) {
			uint64_t *w = (uint64_t *)(g->p + i * PG);

			w[0] = g->id + i;
			w[PG / 8 - 1] = ~(g->id + i);
		}
	}
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(failed, 0);
	free(pool);
}

TEST(reuse, dontneed_retouch_rounds)
{
	const size_t len = 256 * MIB;
	char *p = CHECK(map_anon(len));

	for (unsigned r = 1; r <= 2; r++) {
		size_t bad = 0;

		touch_pages(p, len, r);
		EXPECT_EQ(bad_pages(p, len, r, 1), 0);
		/* Every other page goes back to zero; the rest keeps its data. */
		for (size_t i = 1; i < len / PG; i += 2)
			EXPECT_RET(madvise(p + i * PG, PG, MADV_DONTNEED), 0);
		for (size_t i = 0; i < len / PG; i++)
			bad += *(uint64_t *)(p + i * PG) != (i % 2 ? 0 : tag(i, r));
		EXPECT_EQ(bad, 0);
		touch_pages(p, len, r + 10);
		EXPECT_EQ(bad_pages(p, len, r + 10, 1), 0);
		EXPECT_RET(madvise(p, len, MADV_DONTNEED), 0);
		EXPECT_EQ(nonzero_pages(p, len, 1), 0);
	}
	EXPECT_RET(munmap(p, len), 0);
}

/*
 * 68000 pages touched, then fork(): the parent writes every other page, so
 * its private copies alternate with pages still shared with the child.
 * The child's view must stay as it was.
 */
TEST(reuse, cow_every_other_page_after_fork)
{
	const size_t pages = 68000, len = pages * PG;
	char *p = CHECK(map_anon(len));
	size_t bad = 0;
	int go[2], st;
	pid_t pid;

	touch_pages(p, len, 1);
	CHECK(pipe(go));
	pid = CHECK(fork());
	if (pid == 0) {
		char c;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		_exit(bad_pages(p, len, 1, 1) ? 1 : 0);
	}
	close(go[0]);
	for (size_t i = 0; i < pages; i += 2)
		*(uint64_t *)(p + i * PG) = tag(i, 2);
	for (size_t i = 0; i < pages; i++)
		bad += *(uint64_t *)(p + i * PG) != tag(i, i % 2 ? 1 : 2);
	EXPECT_EQ(bad, 0);
	EXPECT_RET(write(go[1], "x", 1), 1);
	close(go[1]);
	st = wait_status(pid);
	EXPECT_EXITED(st, 0);
	EXPECT_RET(munmap(p, len), 0);
}

static long max_map_count(void)
{
	char buf[32] = "";
	int fd = open("/proc/sys/vm/max_map_count", O_RDONLY);

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) <= 0)
			buf[0] = '\0';
		close(fd);
	}
	return buf[0] ? strtol(buf, NULL, 10) : 65530;
}

/*
 * Every other page of a big region made read-only until mprotect() runs out
 * of VMAs (ENOMEM, the Linux default limit 65530); splitting by munmap()
 * and mprotect() then fails the same way and a new mapping may take the
 * count one past the limit, not two; an unmap that splits nothing works;
 * all the VMAs touched (the host cannot merge them) keep their data;
 * unmapping the region gives the room back.
 */
TEST(reuse, max_map_count_enomem)
{
	const long limit = max_map_count();
	const size_t pages = (size_t)limit + 2000, len = pages * PG;
	char *p = CHECK(map_anon(len)), *q[4];
	size_t split_at = 0, n, bad = 0;

	EXPECT_EQ(limit, 65530);
	for (size_t i = 0; i < pages; i += 2) {
		if (mprotect(p + i * PG, PG, PROT_READ)) {
			EXPECT_EQ(errno, ENOMEM);
			split_at = i;
			break;
		}
	}
	CHECK(split_at ? 0 : -1);
	/*
	 * The count is now the limit or one below: splitting off one more page
	 * (that cannot merge) takes it to the limit or fails there.
	 */
	if (mprotect(p + (split_at - 1) * PG, PG, PROT_NONE))
		EXPECT_EQ(errno, ENOMEM);
	/* Pages split_at.. are one read-write VMA of many pages. */
	EXPECT_ERRNO(munmap(p + (split_at + 2) * PG, PG), ENOMEM);
	EXPECT_ERRNO(mprotect(p + (split_at + 2) * PG, PG, PROT_READ), ENOMEM);
	EXPECT_ERRNO(mprotect(p + (split_at + 2) * PG, 2 * PG, PROT_READ), ENOMEM);
	/* Protections no neighbour has, so that nothing merges. */
	for (n = 0; n < 4; n++) {
		q[n] = mmap(NULL, PG, n % 2 ? PROT_EXEC : PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (q[n] == MAP_FAILED)
			break;
	}
	EXPECT_EQ(n, 1);
	EXPECT_TRUE(n == 4 || errno == ENOMEM);
	while (n)
		munmap(q[--n], PG);
	/* Unmapping the region's last page splits nothing; mapping it back merges. */
	EXPECT_RET(munmap(p + len - PG, PG), 0);
	EXPECT_RET(mmap(p + len - PG, PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		   (long)(p + len - PG));
	/* Joins the VMA after it: fewer VMAs now. */
	EXPECT_RET(mprotect(p + (split_at - 1) * PG, PG, PROT_READ | PROT_WRITE), 0);
	/* Read the read-only pages, write the others, then check them all. */
	for (size_t i = 0; i < pages; i++) {
		if (i % 2 == 0 && i < split_at)
			bad += *(volatile uint64_t *)(p + i * PG) != 0;
		else
			*(uint64_t *)(p + i * PG) = tag(i, 5);
	}
	for (size_t i = 0; i < pages; i++)
		bad += *(uint64_t *)(p + i * PG) != (i % 2 == 0 && i < split_at ? 0 : tag(i, 5));
	EXPECT_EQ(bad, 0);
	EXPECT_RET(munmap(p, len), 0);
	q[0] = mmap(NULL, PG, PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT_TRUE(q[0] != MAP_FAILED);
	EXPECT_RET(mprotect(p, 2 * PG, PROT_READ), -1);
}
