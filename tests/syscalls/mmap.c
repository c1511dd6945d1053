// SPDX-License-Identifier: MIT
/*
 * mmap(2), anonymous memory: private mappings are zero-filled, page
 * aligned and rounded up to whole pages; shared mappings are visible to a
 * forked child both ways while private ones are copied; MAP_FIXED replaces
 * part of a mapping, MAP_FIXED_NOREPLACE refuses (EEXIST); a free hint is
 * honoured; PROT_NONE faults (SIGSEGV in a child); EINVAL for length 0, an
 * unaligned fixed address and a missing MAP_PRIVATE/MAP_SHARED, EBADF for a
 * file mapping without a descriptor, ENOMEM for a length beyond the
 * address space.
 */
#include <signal.h>
#include <sys/mman.h>

#include "harness.h"

#define PG	4096

static void *map_anon(void *addr, size_t len, int prot, int flags)
{
	return mmap(addr, len, prot, flags | MAP_ANONYMOUS, -1, 0);
}

/* Forks a child that reads (or writes) *@p; returns its wait status. */
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

TEST(mmap, anon_private_is_zeroed)
{
	char zero[3 * PG] = { 0 };
	char *p = CHECK(
		map_anon(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE));

	EXPECT_EQ((unsigned long)p % PG, 0);
	EXPECT_MEMEQ(p, zero, 3 * PG);
	memset(p, 0xab, 3 * PG);
	EXPECT_EQ((unsigned char)p[3 * PG - 1], 0xab);
	EXPECT_RET(munmap(p, 3 * PG), 0);
}

TEST(mmap, length_rounds_up_to_page)
{
	char *p = CHECK(map_anon(NULL, 10, PROT_READ | PROT_WRITE, MAP_PRIVATE));

	p[PG - 1] = 'x';
	EXPECT_EXITED(touch_in_child(p + PG - 1, true), 0);
	EXPECT_RET(munmap(p, 10), 0);
}

TEST(mmap, shared_anon_visible_to_child)
{
	volatile int *shared =
		CHECK(map_anon(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED));
	volatile int *priv =
		CHECK(map_anon(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE));
	pid_t pid;

	shared[0] = 1;
	priv[0] = 1;
	pid = CHECK(fork());
	if (pid == 0) {
		int ok = shared[0] == 1 && priv[0] == 1;

		shared[0] = 2;
		shared[1] = 42;
		priv[0] = 2;
		_exit(ok ? 0 : 1);
	}
	EXPECT_EXITED(wait_status(pid), 0);
	EXPECT_EQ(shared[0], 2);
	EXPECT_EQ(shared[1], 42);
	EXPECT_EQ(priv[0], 1);
	munmap((void *)shared, PG);
	munmap((void *)priv, PG);
}

TEST(mmap, fixed_replaces_middle)
{
	char *p = CHECK(
		map_anon(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE));
	char *q;

	memset(p, 'a', 3 * PG);
	q = CHECK(map_anon(p + PG, PG, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_FIXED));
	EXPECT_TRUE(q == p + PG);
	EXPECT_EQ(p[0], 'a');
	EXPECT_EQ(p[PG], 0);
	EXPECT_EQ(p[2 * PG - 1], 0);
	EXPECT_EQ(p[2 * PG], 'a');
	EXPECT_ERRNO(map_anon(p, PG, PROT_READ,
			      MAP_PRIVATE | MAP_FIXED_NOREPLACE),
		     EEXIST);
	EXPECT_EQ(p[0], 'a');
	munmap(p, 3 * PG);
}

TEST(mmap, free_hint_is_honoured)
{
	char *hole = CHECK(map_anon(NULL, 4 * PG, PROT_NONE, MAP_PRIVATE));
	char *p;

	CHECK(munmap(hole, 4 * PG));
	p = CHECK(map_anon(hole + PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE));
	EXPECT_TRUE(p == hole + PG);
	munmap(p, PG);
	p = CHECK(map_anon(hole + 2 * PG, PG, PROT_READ,
			   MAP_PRIVATE | MAP_FIXED_NOREPLACE));
	EXPECT_TRUE(p == hole + 2 * PG);
	munmap(p, PG);
}

TEST(mmap, prot_none_faults)
{
	char *p = CHECK(map_anon(NULL, PG, PROT_NONE, MAP_PRIVATE));

	EXPECT_SIGNALED(touch_in_child(p, false), SIGSEGV);
	EXPECT_SIGNALED(touch_in_child(p, true), SIGSEGV);
	munmap(p, PG);
}

TEST(mmap, errors)
{
	char *p = CHECK(map_anon(NULL, 2 * PG, PROT_READ, MAP_PRIVATE));

	EXPECT_ERRNO(map_anon(NULL, 0, PROT_READ, MAP_PRIVATE), EINVAL);
	EXPECT_ERRNO(map_anon(p + 1, PG, PROT_READ, MAP_PRIVATE | MAP_FIXED),
		     EINVAL);
	EXPECT_ERRNO(map_anon(NULL, PG, PROT_READ, 0), EINVAL);
	EXPECT_ERRNO(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);
	EXPECT_ERRNO(map_anon(NULL, 1UL << 50, PROT_READ, MAP_PRIVATE), ENOMEM);
	EXPECT_ERRNO(map_anon(NULL, -PG, PROT_READ, MAP_PRIVATE), ENOMEM);
	munmap(p, 2 * PG);
}

/*
 * Below vm.mmap_min_addr (64 KiB by default, at least a page anywhere) a
 * fixed mapping needs CAP_SYS_RAWIO: EPERM without it, for mmap and for
 * mremap's target. The Sentry let a guest map page 0 (trinity's children
 * then walked a list from NULL for ever instead of faulting). Checked on
 * page 0 in a child that gave up root.
 */
TEST(mmap, page_zero_needs_privilege)
{
	pid_t pid = CHECK(fork());
	int status;

	if (pid == 0) {
		void *old, *any;

		CHECK(setresgid(65534, 65534, 65534));
		CHECK(setresuid(65534, 65534, 65534));
		EXPECT_ERRNO(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
			     EPERM);
		EXPECT_ERRNO(mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0),
			     EPERM);
		old = CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
		EXPECT_ERRNO(mremap(old, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, NULL), EPERM);
		/* a NULL hint is no request for page 0 */
		any = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		EXPECT_TRUE(any != MAP_FAILED && any != NULL);
		_exit(harness_case_failed ? 1 : 0);
	}
	status = wait_status(pid);
	EXPECT_EXITED(status, 0);
}
