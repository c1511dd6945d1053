// SPDX-License-Identifier: MIT
/*
 * lower.h - helpers for the differential tests of file data and mappings
 * (pagecache.c, lower_fill.c, msync.c, mmap_truncate.c, lseek_holes.c,
 * fallocate.c; issue 18). Include after harness.h.
 *
 * Most cases run twice: on a file the case creates (open_new()), and on a
 * "lower" file (open_lower()), one that already exists in the root: in the
 * sandbox, a Gofer-backed file that the Sentry fills on demand. The lower
 * files are fixtures that the program itself generates at build time
 * (`PROG --child gen DIR COUNT`, see meson.build) with content that is a
 * function of (fixture number, offset), pat(). They sit next to the program
 * as PROG.fixture.NN; tests/sandbox-run.sh copies them into the test root's
 * /tests with it. Each case that writes uses its own fixture number, so cases
 * do not see each other's writes. Inside the sandbox (sandbox-run.sh passes
 * CVISOR_FIXTURE_INPLACE=1) writes stay in the Sentry's memory, so a case
 * works on the fixture itself; anywhere else on a private copy, so that a
 * native run never modifies the fixture on the host.
 *
 * Files live on tmpfs natively too: if the scratch directory (TMPDIR or
 * /tmp) is not tmpfs, /dev/shm is used, because holes, SEEK_DATA and
 * fallocate() differ between file systems and the Sentry's root is tmpfs.
 * Note Linux's tmpfs fills a hole on any fault of a mapping, even a read:
 * look at holes (SEEK_HOLE, st_blocks) before touching them through one.
 */
#ifndef CVISOR_TESTS_SYSCALLS_LOWER_H
#define CVISOR_TESTS_SYSCALLS_LOWER_H

#include <linux/magic.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/vfs.h>

#define PG		4096L
/* Not page aligned: the last page of a fixture is partial. */
#define FIX_SIZE	(1024L * 1024 + 1000)
#define GIB		(1024L * 1024 * 1024)

/* Fixture @fx's byte at @off: differs between fixtures, pages and bytes. */
static inline uint8_t pat(int fx, long off)
{
	uint64_t x = ((uint64_t)off + 1) ^ ((uint64_t)fx << 40);

	x *= 0x9e3779b97f4a7c15ull;
	return (uint8_t)(x >> 56);
}

static inline void pat_fill(int fx, long off, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = pat(fx, off + (long)i);
}

/* Offset of the first byte of @buf that is not the pattern, or -1. */
static inline long pat_mismatch(int fx, long off, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != pat(fx, off + (long)i))
			return off + (long)i;
	return -1;
}

static inline long zero_mismatch(long off, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i])
			return off + (long)i;
	return -1;
}

/* pread()s [@off, @off+@len) of @fd, which must be all there; malloc()ed. */
static inline uint8_t *read_range(int fd, long off, size_t len)
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

static inline off_t file_size(int fd)
{
	struct stat st;

	CHECK(fstat(fd, &st));
	return st.st_size;
}

static inline blkcnt_t blocks(int fd)
{
	struct stat st;

	CHECK(fstat(fd, &st));
	return st.st_blocks;
}

/* ---- fixtures ---- */

/* This program's path: fixtures are named after it. */
static inline void self_path(char *out, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", out, size - 1);

	if (n < 0)
		snprintf(out, size, "%s", harness_argv0);
	else
		out[n] = '\0';
}

static inline void copy_fd(int from, int to)
{
	static uint8_t buf[65536];
	ssize_t n;

	while ((n = CHECK(read(from, buf, sizeof(buf)))) > 0)
		CHECK(write(to, buf, (size_t)n) == n ? 0 : -1);
}

/*
 * Opens fixture @fx read-write with extra open @flags: the fixture itself
 * in the sandbox, else a private copy of it (see the comment at the top).
 * Ends the case if the fixture is missing or not its pristine size.
 */
static inline int open_lower(int fx, int flags)
{
	char self[PATH_MAX], path[PATH_MAX + 32];
	const char *inplace = getenv("CVISOR_FIXTURE_INPLACE");
	int fd, copy;

	self_path(self, sizeof(self));
	snprintf(path, sizeof(path), "%s.fixture.%02d", self, fx);
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
static inline int open_new(const char *name)
{
	return CHECK(open(tmp_path(name), O_RDWR | O_CREAT | O_TRUNC, 0600));
}

static inline int fixture_write(const char *path, int fx)
{
	static uint8_t buf[65536];
	FILE *f = fopen(path, "wb");

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
			fclose(f);
			return 1;
		}
	}
	if (fclose(f)) {
		perror(path);
		return 1;
	}
	return 0;
}

/* `PROG --child gen DIR COUNT` writes DIR/PROG.fixture.00 .. COUNT-1. */
int harness_child_main(int argc, char **argv)
{
	char path[PATH_MAX + 32];
	int count;

	if (argc != 5 || strcmp(argv[2], "gen") != 0 ||
	    (count = atoi(argv[4])) <= 0 || count > 100) {
		fprintf(stderr, "usage: %s --child gen DIR COUNT\n", argv[0]);
		return 2;
	}
	for (int fx = 0; fx < count; fx++) {
		snprintf(path, sizeof(path), "%s/%s.fixture.%02d", argv[3],
			 harness_basename(argv[0]), fx);
		if (fixture_write(path, fx))
			return 1;
	}
	return 0;
}

/* Holes and fallocate() are file-system specific: scratch files on tmpfs. */
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

/* ---- SIGBUS probing ---- */

static sigjmp_buf bus_env __attribute__((unused));
static volatile sig_atomic_t bus_code __attribute__((unused));
static void *volatile bus_addr __attribute__((unused));

static inline void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	bus_code = si->si_code;
	bus_addr = si->si_addr;
	siglongjmp(bus_env, 1);
}

/*
 * Reads the byte at @p into *@out (@write false), or stores @val there;
 * returns 1 (and sets bus_addr, bus_code) if that raised SIGBUS instead, else 0.
 */
static inline int probe_access(volatile uint8_t *p, bool write, uint8_t val, uint8_t *out)
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
	else if (write)
		*p = val;
	else
		*out = *p;
	CHECK(sigaction(SIGBUS, &old, NULL));
	return bused;
}

static inline int probe_read(volatile uint8_t *p, uint8_t *out)
{
	return probe_access(p, false, 0, out);
}

static inline int probe_write(volatile uint8_t *p, uint8_t val)
{
	return probe_access(p, true, val, NULL);
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

#endif /* CVISOR_TESTS_SYSCALLS_LOWER_H */
