// SPDX-License-Identifier: MIT
/*
 * File data and file mappings, as Linux's tmpfs keeps them (issue 18): a
 * MAP_SHARED mapping and read()/write() agree, across fork() too; msync()
 * return values; ftruncate() under a mapping raises SIGBUS past EOF and
 * extending shows zeros; MAP_PRIVATE copy-on-write; O_APPEND; offsets past
 * 4 GiB; holes read as zeros; SEEK_DATA/SEEK_HOLE; fallocate() modes.
 *
 * Most cases run twice: on a file the case creates, and on a "lower" file,
 * one that already exists in the root (in the sandbox, a Gofer-backed file
 * that the Sentry fills on demand). The lower files are fixtures generated
 * at build time by this program (`pagecache --child gen DIR`) with content
 * that is a function of (fixture, offset), installed next to the program
 * (pagecache.fixture.NN; tests/sandbox-run.sh copies them into the test
 * root's /tests). Each case that writes uses its own fixture, so cases do not
 * see each other's writes. Inside the sandbox (sandbox-run.sh passes
 * CVISOR_FIXTURE_INPLACE=1) writes stay in the Sentry's memory, so the case
 * works on the fixture itself; anywhere else it works on a private copy, so
 * that a native run never modifies the fixture on the host.
 *
 * Files the cases create live on tmpfs natively too: if the scratch directory
 * (TMPDIR or /tmp) is not tmpfs, /dev/shm is used, because holes, SEEK_DATA
 * and fallocate() differ between file systems and the Sentry's root is tmpfs.
 */
#include <linux/magic.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/vfs.h>

#include "harness.h"

#define PG		4096L
#define FIX_COUNT	16
/* Not page aligned: the last page of a fixture is partial. */
#define FIX_SIZE	(1024L * 1024 + 1000)
#define GIB		(1024L * 1024 * 1024)

/* Fixture numbers: one per case that writes to a lower file. */
enum {
	FX_READ,
	FX_SHARED,
	FX_MSYNC,
	FX_TRUNC_SIGBUS,
	FX_FORK,
	FX_PRIVATE,
	FX_APPEND,
	FX_SPARSE,
	FX_SEEK,
	FX_FALLOC,
	FX_PUNCH,
	FX_TAIL,
	FX_TRUNC_EXTEND,
	FX_TRUNC_ZERO,
};

/* The fixture's byte at @off: differs between fixtures, pages and bytes. */
static uint8_t pat(int fx, long off)
{
	uint64_t x = ((uint64_t)off + 1) ^ ((uint64_t)fx << 40);

	x *= 0x9e3779b97f4a7c15ull;
	return (uint8_t)(x >> 56);
}

static void pat_fill(int fx, long off, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = pat(fx, off + (long)i);
}

/* Offset of the first byte of @buf that is not the pattern, or -1. */
static long pat_mismatch(int fx, long off, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != pat(fx, off + (long)i))
			return off + (long)i;
	return -1;
}

static long zero_mismatch(long off, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i])
			return off + (long)i;
	return -1;
}

/* pread()s [@off, @off+@len) of @fd, which must be all there; malloc()ed. */
static uint8_t *read_range(int fd, long off, size_t len)
{
	uint8_t *buf = malloc(len ? len : 1);
	size_t done = 0;

	CHECK(buf ? 0 : -1);
	while (done < len) {
		ssize_t n = CHECK(pread(fd, buf + done, len - done,
					off + (long)done));

		if (n == 0) {
			harness_fail(__FILE__, __LINE__,
				     "pread: EOF at %ld, expected %zu bytes at %ld",
				     off + (long)done, len, off);
			harness_bail();
		}
		done += (size_t)n;
	}
	return buf;
}

/* Expects [@off, @off+@len) of @fd to be fixture @fx's pattern. */
#define EXPECT_PAT(fd, fx, off, len)						\
	do {									\
		uint8_t *b_ = read_range((fd), (off), (len));			\
		long at_ = pat_mismatch((fx), (off), b_, (len));		\
		if (at_ >= 0)							\
			harness_fail(__FILE__, __LINE__,			\
				     "byte at %ld is %#x, expected pattern %#x", \
				     at_, b_[at_ - (off)], pat((fx), at_));	\
		free(b_);							\
	} while (0)

/* Expects [@off, @off+@len) of @fd to read as zeros. */
#define EXPECT_ZEROS(fd, off, len)						\
	do {									\
		uint8_t *b_ = read_range((fd), (off), (len));			\
		long at_ = zero_mismatch((off), b_, (len));			\
		if (at_ >= 0)							\
			harness_fail(__FILE__, __LINE__,			\
				     "byte at %ld is %#x, expected 0", at_,	\
				     b_[at_ - (off)]);				\
		free(b_);							\
	} while (0)

/* The same two, on memory (a mapping of the file at file offset @off). */
#define EXPECT_MEM_PAT(p, fx, off, len)						\
	do {									\
		long at_ = pat_mismatch((fx), (off), (const uint8_t *)(p), (len)); \
		if (at_ >= 0)							\
			harness_fail(__FILE__, __LINE__,			\
				     "mapped byte at %ld is %#x, expected %#x", \
				     at_, ((const uint8_t *)(p))[at_ - (off)],	\
				     pat((fx), at_));				\
	} while (0)

#define EXPECT_MEM_ZEROS(p, off, len)						\
	do {									\
		long at_ = zero_mismatch((off), (const uint8_t *)(p), (len));	\
		if (at_ >= 0)							\
			harness_fail(__FILE__, __LINE__,			\
				     "mapped byte at %ld is %#x, expected 0",	\
				     at_, ((const uint8_t *)(p))[at_ - (off)]); \
	} while (0)

static off_t file_size(int fd)
{
	struct stat st;

	CHECK(fstat(fd, &st));
	return st.st_size;
}

/* ---- fixtures ---- */

static void fixture_name(char *out, size_t size, const char *dir, int fx)
{
	snprintf(out, size, "%s/pagecache.fixture.%02d", dir, fx);
}

/* The directory that holds this program, and so its fixtures. */
static void self_dir(char *out, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", out, size - 1);
	char *slash;

	if (n < 0) {
		snprintf(out, size, "%s", harness_argv0);
	} else {
		out[n] = '\0';
	}
	slash = strrchr(out, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(out, size, ".");
}

static void copy_fd(int from, int to)
{
	static uint8_t buf[65536];
	ssize_t n;

	while ((n = CHECK(read(from, buf, sizeof(buf)))) > 0)
		CHECK(write(to, buf, (size_t)n) == n ? 0 : -1);
}

/*
 * Opens fixture @fx read-write: the fixture itself in the sandbox, else a
 * private copy of it (see the comment at the top). Ends the case if the
 * fixture is missing or not pristine in size.
 */
static int open_lower(int fx, int flags)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	const char *inplace = getenv("CVISOR_FIXTURE_INPLACE");
	int fd, copy;

	self_dir(dir, sizeof(dir));
	fixture_name(path, sizeof(path), dir, fx);
	if (inplace && strcmp(inplace, "1") == 0) {
		fd = CHECK(open(path, O_RDWR | flags));
	} else {
		fd = CHECK(open(path, O_RDONLY));
		copy = CHECK(open(tmp_path("lower"),
				  O_RDWR | O_CREAT | O_TRUNC, 0600));
		copy_fd(fd, copy);
		close(fd);
		close(copy);
		fd = CHECK(open(tmp_path("lower"), O_RDWR | flags));
	}
	if (file_size(fd) != FIX_SIZE) {
		harness_fail(__FILE__, __LINE__,
			     "fixture %s is %ld bytes, expected %ld", path,
			     (long)file_size(fd), FIX_SIZE);
		harness_bail();
	}
	return fd;
}

/* A new empty file on tmpfs (see the comment at the top). */
static int open_new(const char *name)
{
	return CHECK(open(tmp_path(name), O_RDWR | O_CREAT | O_TRUNC, 0600));
}

/* `pagecache --child gen DIR` writes the fixtures into DIR. */
int harness_child_main(int argc, char **argv)
{
	static uint8_t buf[65536];
	char path[PATH_MAX + 32];

	if (argc != 4 || strcmp(argv[2], "gen") != 0) {
		fprintf(stderr, "usage: %s --child gen DIR\n", argv[0]);
		return 2;
	}
	for (int fx = 0; fx < FIX_COUNT; fx++) {
		FILE *f;

		fixture_name(path, sizeof(path), argv[3], fx);
		f = fopen(path, "wb");
		if (!f) {
			perror(path);
			return 1;
		}
		for (long off = 0; off < FIX_SIZE; off += (long)sizeof(buf)) {
			size_t len = FIX_SIZE - off < (long)sizeof(buf) ?
				     (size_t)(FIX_SIZE - off) : sizeof(buf);

			pat_fill(fx, off, buf, len);
			if (fwrite(buf, 1, len, f) != len) {
				perror(path);
				return 1;
			}
		}
		if (fclose(f)) {
			perror(path);
			return 1;
		}
	}
	return 0;
}

/* Holes and fallocate() are file-system specific: create files on tmpfs. */
__attribute__((constructor)) static void use_tmpfs_scratch(void)
{
	const char *dir = getenv("TMPDIR");
	struct statfs sf;

	if (!dir || !*dir)
		dir = "/tmp";
	if (statfs(dir, &sf) == 0 && sf.f_type == TMPFS_MAGIC)
		return;
	if (statfs("/dev/shm", &sf) == 0 && sf.f_type == TMPFS_MAGIC)
		setenv("TMPDIR", "/dev/shm", 1);
}

TEST(pagecache, scratch_is_tmpfs)
{
	struct statfs sf;
	char *dir = tmp_path("");

	CHECK(statfs(dir, &sf));
	EXPECT_EQ(sf.f_type, TMPFS_MAGIC);
}

/* ---- SIGBUS probing ---- */

static sigjmp_buf bus_env;
static volatile sig_atomic_t bus_code;
static void *volatile bus_addr;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	bus_code = si->si_code;
	bus_addr = si->si_addr;
	siglongjmp(bus_env, 1);
}

/*
 * Reads the byte at @p into *@out; returns 1 (and sets bus_addr, bus_code)
 * if that raised SIGBUS instead, else 0.
 */
static int probe_read(volatile uint8_t *p, uint8_t *out)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus,
				.sa_flags = SA_SIGINFO }, old;
	volatile int bused = 0;

	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGBUS, &sa, &old));
	bus_addr = NULL;
	bus_code = 0;
	if (sigsetjmp(bus_env, 1))
		bused = 1;
	else
		*out = *p;
	CHECK(sigaction(SIGBUS, &old, NULL));
	return bused;
}

static int probe_write(volatile uint8_t *p, uint8_t val)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus,
				.sa_flags = SA_SIGINFO }, old;
	volatile int bused = 0;

	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGBUS, &sa, &old));
	bus_addr = NULL;
	bus_code = 0;
	if (sigsetjmp(bus_env, 1))
		bused = 1;
	else
		*p = val;
	CHECK(sigaction(SIGBUS, &old, NULL));
	return bused;
}

#define EXPECT_SIGBUS_READ(addr)						\
	do {									\
		volatile uint8_t *a_ = (volatile uint8_t *)(addr);		\
		uint8_t v_ = 0;							\
		if (!probe_read(a_, &v_)) {					\
			harness_fail(__FILE__, __LINE__,			\
				     "reading %s gave %#x, expected SIGBUS", #addr, v_); \
		} else {							\
			EXPECT_EQ(bus_code, BUS_ADRERR);			\
			EXPECT_TRUE(bus_addr == (void *)a_);			\
		}								\
	} while (0)

#define EXPECT_SIGBUS_WRITE(addr)						\
	do {									\
		volatile uint8_t *a_ = (volatile uint8_t *)(addr);		\
		if (!probe_write(a_, 0x5a)) {					\
			harness_fail(__FILE__, __LINE__,			\
				     "writing %s did not raise SIGBUS", #addr);	\
		} else {							\
			EXPECT_EQ(bus_code, BUS_ADRERR);			\
			EXPECT_TRUE(bus_addr == (void *)a_);			\
		}								\
	} while (0)

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

/* ---- msync() ---- */

static void msync_calls(int fd)
{
	uint8_t *p = CHECK(mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
				MAP_SHARED, fd, 0));
	uint8_t c = 0;

	p[PG] = 'm';
	EXPECT_RET(msync(p, 4 * PG, MS_SYNC), 0);
	EXPECT_RET(msync(p, 4 * PG, MS_ASYNC), 0);
	EXPECT_RET(msync(p, 4 * PG, MS_INVALIDATE), 0);
	EXPECT_RET(msync(p, 4 * PG, MS_SYNC | MS_INVALIDATE), 0);
	EXPECT_RET(msync(p + PG, 1, MS_SYNC), 0);
	EXPECT_RET(msync(p, 0, MS_SYNC), 0);
	/* MS_INVALIDATE keeps a shared mapping's data: it is the file's. */
	EXPECT_EQ(p[PG], 'm');
	EXPECT_RET(pread(fd, &c, 1, PG), 1);
	EXPECT_EQ(c, 'm');
	EXPECT_ERRNO(msync(p, 4 * PG, MS_SYNC | MS_ASYNC), EINVAL);
	EXPECT_ERRNO(msync(p + 1, PG, MS_SYNC), EINVAL);
	EXPECT_ERRNO(msync(p, PG, 0x100), EINVAL);
	munmap(p + 2 * PG, 2 * PG);
	/* A range that is partly unmapped. */
	EXPECT_ERRNO(msync(p, 4 * PG, MS_SYNC), ENOMEM);
	EXPECT_ERRNO(msync(p + 2 * PG, PG, MS_ASYNC), ENOMEM);
	munmap(p, 2 * PG);
}

TEST(msync, created_file)
{
	int fd = open_new("f");

	CHECK(ftruncate(fd, 4 * PG));
	msync_calls(fd);
	close(fd);
}

TEST(msync, lower_file)
{
	int fd = open_lower(FX_MSYNC, 0);

	msync_calls(fd);
	EXPECT_PAT(fd, FX_MSYNC, 0, PG);
	close(fd);
}

TEST(msync, private_and_anonymous)
{
	int fd = open_new("f");
	uint8_t *p, *a;

	CHECK(ftruncate(fd, PG));
	p = CHECK(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	a = CHECK(mmap(NULL, PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	p[0] = 1;
	a[0] = 1;
	EXPECT_RET(msync(p, PG, MS_SYNC), 0);
	EXPECT_RET(msync(a, PG, MS_SYNC), 0);
	EXPECT_RET(msync(a, PG, MS_INVALIDATE), 0);
	EXPECT_EQ(p[0], 1);
	EXPECT_EQ(a[0], 1);
	munmap(p, PG);
	munmap(a, PG);
	close(fd);
}

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
	/* Sparse: a few pages are allocated, not 5 GiB. */
	{
		struct stat st;

		CHECK(fstat(fd, &st));
		EXPECT_TRUE(st.st_blocks * 512 < size + 64 * PG);
	}
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

/* ---- fallocate() ---- */

static blkcnt_t blocks(int fd)
{
	struct stat st;

	CHECK(fstat(fd, &st));
	return st.st_blocks;
}

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

TEST(lower, truncate_to_zero_then_extend)
{
	int fd = open_lower(FX_TRUNC_ZERO, 0);
	uint8_t *p = CHECK(mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0));

	EXPECT_MEM_PAT(p, FX_TRUNC_ZERO, 0, 2 * PG);
	CHECK(ftruncate(fd, 0));
	EXPECT_SIGBUS_READ(p);
	CHECK(ftruncate(fd, FIX_SIZE));
	EXPECT_ZEROS(fd, 0, FIX_SIZE);
	/* read() of a hole leaves it a hole (a fault would fill it). */
	EXPECT_ERRNO(lseek(fd, 0, SEEK_DATA), ENXIO);
	EXPECT_MEM_ZEROS(p, 0, 2 * PG);
	munmap(p, 2 * PG);
	close(fd);
}
