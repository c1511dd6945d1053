// SPDX-License-Identifier: MIT
/*
 * EFAULT across many syscalls: each gets two wild user pointers in turn,
 * (void *)1 and the start of a page that was mapped and then unmapped, in
 * the argument that the kernel must copy through, and must fail with
 * EFAULT instead of crashing or succeeding. Covered: read, pread64, write,
 * readv and writev (bad iovec array and bad buffer), ioctl(FIONREAD),
 * getdents64, open, openat, chdir, mkdir, unlink, readlink (path and
 * buffer), execve, stat, lstat, fstat, newfstatat, statx, getcwd, uname,
 * sysinfo, getrandom, sched_getaffinity, arch_prctl, pipe, pipe2,
 * clock_gettime, clock_getres, gettimeofday, nanosleep, clock_nanosleep,
 * times, poll, ppoll, getrusage, getresuid, prlimit64, getrlimit,
 * rt_sigaction, rt_sigprocmask and wait4. Failed pipe calls leak no
 * descriptor and failed writes put nothing in the pipe. All calls are raw,
 * since glibc's wrappers (and the vDSO) would touch the pointer first.
 */
#include <asm/prctl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <time.h>

#include "harness.h"

/* Expects @call, evaluated once with each wild pointer as `bad`, to be EFAULT. */
#define EXPECT_EFAULT(call)							\
	do {									\
		void *const bads[2] = { (void *)1, unmapped_page() };		\
		int i_;								\
		for (i_ = 0; i_ < 2; i_++) {					\
			void *bad = bads[i_];					\
			EXPECT_ERRNO(call, EFAULT);				\
		}								\
	} while (0)

static void *unmapped_page(void)
{
	static void *page;

	if (!page) {
		page = CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
		CHECK(munmap(page, 4096));
	}
	return page;
}

TEST(efault, file_io_buffers)
{
	int zero = CHECK(open("/dev/zero", O_RDONLY));
	int file = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));
	struct iovec good = { (void *)1, 16 };
	char buf[16];
	int p[2];

	CHECK(write(file, "0123456789", 10));
	CHECK(lseek(file, 0, SEEK_SET));
	CHECK(pipe(p));
	EXPECT_EFAULT(syscall(SYS_read, zero, bad, 16));
	EXPECT_EFAULT(syscall(SYS_read, file, bad, 16));
	EXPECT_RET(lseek(file, 0, SEEK_CUR), 0);
	EXPECT_EFAULT(syscall(SYS_pread64, file, bad, 16, 0));
	EXPECT_EFAULT(syscall(SYS_write, p[1], bad, 16));
	EXPECT_EFAULT(syscall(SYS_writev, p[1], bad, 1));
	EXPECT_EFAULT(syscall(SYS_readv, zero, bad, 1));
	EXPECT_EFAULT(syscall(SYS_readv, zero, (good.iov_base = bad, &good), 1));
	EXPECT_EFAULT(syscall(SYS_writev, p[1], (good.iov_base = bad, &good), 1));
	EXPECT_EFAULT(syscall(SYS_ioctl, p[0], FIONREAD, bad));
	/* nothing was written to the pipe by the failed calls */
	EXPECT_RET(syscall(SYS_ioctl, p[0], FIONREAD, (int *)buf), 0);
	EXPECT_EQ(*(int *)buf, 0);
	close(p[0]);
	close(p[1]);
	close(file);
	close(zero);
}

TEST(efault, paths)
{
	char *argv[] = { NULL };
	char buf[64];

	CHECK(symlink("target", tmp_path("l")));
	EXPECT_EFAULT(syscall(SYS_open, bad, O_RDONLY));
	EXPECT_EFAULT(syscall(SYS_openat, AT_FDCWD, bad, O_RDONLY));
	EXPECT_EFAULT(syscall(SYS_chdir, bad));
	EXPECT_EFAULT(syscall(SYS_mkdir, bad, 0700));
	EXPECT_EFAULT(syscall(SYS_unlink, bad));
	EXPECT_EFAULT(syscall(SYS_readlink, bad, buf, sizeof(buf)));
	EXPECT_EFAULT(syscall(SYS_readlink, tmp_path("l"), bad, sizeof(buf)));
	EXPECT_EFAULT(syscall(SYS_execve, bad, argv, argv));
}

TEST(efault, stat_family)
{
	int fd = CHECK(open(tmp_path("f"), O_RDWR | O_CREAT, 0600));
	int dfd = CHECK(open(tmp_path(""), O_RDONLY | O_DIRECTORY));
	struct stat st;

	EXPECT_EFAULT(syscall(SYS_stat, tmp_path("f"), bad));
	EXPECT_EFAULT(syscall(SYS_lstat, tmp_path("f"), bad));
	EXPECT_EFAULT(syscall(SYS_fstat, fd, bad));
	EXPECT_EFAULT(syscall(SYS_newfstatat, AT_FDCWD, tmp_path("f"), bad, 0));
	EXPECT_EFAULT(syscall(SYS_stat, bad, &st));
	EXPECT_EFAULT(syscall(SYS_statx, AT_FDCWD, tmp_path("f"), 0,
			      STATX_BASIC_STATS, bad));
	EXPECT_EFAULT(syscall(SYS_statx, AT_FDCWD, bad, 0, STATX_BASIC_STATS, &st));
	EXPECT_EFAULT(syscall(SYS_getdents64, dfd, bad, 4096));
	close(dfd);
	close(fd);
}

TEST(efault, system_info)
{
	EXPECT_EFAULT(syscall(SYS_getcwd, bad, 4096));
	EXPECT_EFAULT(syscall(SYS_uname, bad));
	EXPECT_EFAULT(syscall(SYS_sysinfo, bad));
	EXPECT_EFAULT(syscall(SYS_getrandom, bad, 16, 0));
	EXPECT_EFAULT(syscall(SYS_sched_getaffinity, 0, 128, bad));
	EXPECT_EFAULT(syscall(SYS_arch_prctl, ARCH_GET_FS, bad));
}

TEST(efault, pipe_fds)
{
	int before = CHECK(open("/dev/null", O_RDONLY)), after;

	close(before);
	EXPECT_EFAULT(syscall(SYS_pipe, bad));
	EXPECT_EFAULT(syscall(SYS_pipe2, bad, O_CLOEXEC));
	/* the descriptors created for the failed calls were released */
	after = CHECK(open("/dev/null", O_RDONLY));
	EXPECT_EQ(after, before);
	close(after);
}

TEST(efault, time)
{
	struct timespec ts;

	EXPECT_EFAULT(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, bad));
	EXPECT_EFAULT(syscall(SYS_clock_getres, CLOCK_MONOTONIC, bad));
	EXPECT_EFAULT(syscall(SYS_gettimeofday, bad, NULL));
	EXPECT_EFAULT(syscall(SYS_nanosleep, bad, NULL));
	EXPECT_EFAULT(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, bad, NULL));
	EXPECT_EFAULT(syscall(SYS_times, bad));
	ts.tv_sec = 0;
	ts.tv_nsec = 0;
	EXPECT_EFAULT(syscall(SYS_ppoll, bad, 1, &ts, NULL, 8));
	EXPECT_EFAULT(syscall(SYS_poll, bad, 1, 0));
}

TEST(efault, credentials_and_limits)
{
	struct rlimit rl;
	uid_t a, b;

	EXPECT_EFAULT(syscall(SYS_getrusage, RUSAGE_SELF, bad));
	EXPECT_EFAULT(syscall(SYS_getresuid, bad, &a, &b));
	EXPECT_EFAULT(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, bad));
	EXPECT_EFAULT(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, bad, NULL));
	EXPECT_EFAULT(syscall(SYS_getrlimit, RLIMIT_NOFILE, bad));
	CHECK(getrlimit(RLIMIT_NOFILE, &rl));
}

TEST(efault, signals)
{
	unsigned long before, after;

	CHECK(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &before, 8));
	EXPECT_EFAULT(syscall(SYS_rt_sigaction, SIGUSR1, bad, NULL, 8));
	EXPECT_EFAULT(syscall(SYS_rt_sigaction, SIGUSR1, NULL, bad, 8));
	EXPECT_EFAULT(syscall(SYS_rt_sigprocmask, SIG_BLOCK, bad, NULL, 8));
	EXPECT_EFAULT(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, bad, 8));
	CHECK(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &after, 8));
	EXPECT_EQ(after, before);
}

TEST(efault, wait4_status)
{
	int i;

	for (i = 0; i < 2; i++) {
		void *bad = i ? unmapped_page() : (void *)1;
		pid_t pid = CHECK(fork());

		if (pid == 0)
			_exit(0);
		EXPECT_ERRNO(syscall(SYS_wait4, pid, bad, 0, NULL), EFAULT);
		/* Linux reaps the child before the copy fails; tolerate either */
		waitpid(pid, NULL, 0);
	}
}
