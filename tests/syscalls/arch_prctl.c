// SPDX-License-Identifier: MIT
/*
 * arch_prctl(2) on x86-64: ARCH_GET_FS returns the thread pointer glibc set
 * up (whose first word points to itself), ARCH_SET_FS followed by
 * ARCH_GET_FS round-trips and %fs then addresses the new block, ARCH_SET_GS
 * and ARCH_GET_GS round-trip, a forked child inherits the FS base; EINVAL
 * for an unknown code, EPERM for a non-canonical base. FS is changed only in
 * a child and only through inline syscalls, since libc needs TLS (errno).
 */
#include <asm/prctl.h>

#include "harness.h"

static long raw2(long nr, long a, long b)
{
	long ret;

	__asm__ __volatile__("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b)
		     : "rcx", "r11", "memory");
	return ret;
}

static unsigned long fs_word0(void)
{
	unsigned long v;

	__asm__ __volatile__("mov %%fs:0, %0" : "=r"(v));
	return v;
}

TEST(arch_prctl, get_fs_is_thread_pointer)
{
	unsigned long fs = 0;

	EXPECT_RET(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs), 0);
	EXPECT_TRUE(fs != 0);
	EXPECT_EQ(fs_word0(), fs);
}

TEST(arch_prctl, set_fs_round_trip)
{
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		/* a copy of the TCB keeps %fs:0x28 (the stack guard) valid */
		static unsigned long fake[64] __attribute__((aligned(64)));
		unsigned long old = 0, got = 0, word0;
		long r1, r2, r3;

		if (syscall(SYS_arch_prctl, ARCH_GET_FS, &old))
			_exit(1);
		memcpy(fake, (void *)old, sizeof(fake));
		fake[0] = (unsigned long)fake;
		r1 = raw2(SYS_arch_prctl, ARCH_SET_FS, (long)fake);
		r2 = raw2(SYS_arch_prctl, ARCH_GET_FS, (long)&got);
		word0 = fs_word0();
		r3 = raw2(SYS_arch_prctl, ARCH_SET_FS, (long)old);
		if (r1 || r2 || r3)
			_exit(2);
		if (got != (unsigned long)fake || word0 != (unsigned long)fake)
			_exit(3);
		_exit(fs_word0() == old ? 0 : 4);
	}
	EXPECT_EXITED(wait_status(pid), 0);
}

TEST(arch_prctl, set_gs_round_trip)
{
	static unsigned long block[4];
	unsigned long old = 1, got = 0;

	EXPECT_RET(syscall(SYS_arch_prctl, ARCH_GET_GS, &old), 0);
	EXPECT_RET(syscall(SYS_arch_prctl, ARCH_SET_GS, block), 0);
	EXPECT_RET(syscall(SYS_arch_prctl, ARCH_GET_GS, &got), 0);
	EXPECT_EQ(got, (unsigned long)block);
	EXPECT_RET(syscall(SYS_arch_prctl, ARCH_SET_GS, old), 0);
	EXPECT_RET(syscall(SYS_arch_prctl, ARCH_GET_GS, &got), 0);
	EXPECT_EQ(got, old);
}

TEST(arch_prctl, child_inherits_fs)
{
	unsigned long fs = 0;
	pid_t pid;

	CHECK(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
	pid = CHECK(fork());
	if (pid == 0) {
		unsigned long mine = 0;

		if (syscall(SYS_arch_prctl, ARCH_GET_FS, &mine))
			_exit(1);
		_exit(mine == fs && fs_word0() == fs ? 0 : 2);
	}
	EXPECT_EXITED(wait_status(pid), 0);
}

TEST(arch_prctl, errors)
{
	unsigned long v;

	EXPECT_ERRNO(syscall(SYS_arch_prctl, 0x9999, &v), EINVAL);
	EXPECT_ERRNO(syscall(SYS_arch_prctl, 0, &v), EINVAL);
	EXPECT_ERRNO(syscall(SYS_arch_prctl, ARCH_SET_FS, 1UL << 63), EPERM);
	EXPECT_ERRNO(syscall(SYS_arch_prctl, ARCH_SET_GS, 1UL << 63), EPERM);
	EXPECT_TRUE(fs_word0() != 0);
}
