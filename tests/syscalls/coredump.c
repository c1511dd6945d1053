// SPDX-License-Identifier: MIT
/*
 * Core dumps: a process killed by a core-action signal reports WCOREDUMP
 * only when RLIMIT_CORE allows a dump, never for terminate-only signals; the
 * dump is an ELF core (ET_CORE) named "core" in the working directory where
 * the kernel's core_pattern is "core" (checked only there), and waitid
 * reports CLD_DUMPED.
 */
#include <elf.h>
#include <signal.h>
#include <sys/resource.h>
#include "harness.h"

static int die_of(int sig, rlim_t limit, const char *dir)
{
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		struct rlimit r = { limit, RLIM_INFINITY };

		if (setrlimit(RLIMIT_CORE, &r) || chdir(dir))
			_exit(99);
		raise(sig);
		_exit(98);
	}
	return wait_status(pid);
}

static bool pattern_is_core(void)
{
	char buf[64] = { 0 };
	int fd = open("/proc/sys/kernel/core_pattern", O_RDONLY);

	if (fd < 0)
		return true;	/* the sandbox: it always writes ./core */
	read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return strcmp(buf, "core\n") == 0;
}

TEST(coredump, only_with_a_core_limit)
{
	const char *dir = tmp_path("cores");
	int st;

	CHECK(mkdir(dir, 0700));
	st = die_of(SIGABRT, 0, dir);
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT && !WCOREDUMP(st));
	st = die_of(SIGTERM, RLIM_INFINITY, dir);
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM && !WCOREDUMP(st));
	st = die_of(SIGSEGV, RLIM_INFINITY, dir);
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV && WCOREDUMP(st));
}

TEST(coredump, core_file_is_elf)
{
	const char *dir = tmp_path("cores2");
	char path[4200];
	Elf64_Ehdr eh;
	int st, fd;

	if (!pattern_is_core())
		SKIP("core_pattern is not \"core\" on this host");
	CHECK(mkdir(dir, 0700));
	st = die_of(SIGQUIT, RLIM_INFINITY, dir);
	EXPECT_TRUE(WIFSIGNALED(st) && WCOREDUMP(st));
	snprintf(path, sizeof(path), "%s/core", dir);
	fd = CHECK(open(path, O_RDONLY));
	EXPECT_RET(read(fd, &eh, sizeof(eh)), (long)sizeof(eh));
	EXPECT_TRUE(memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0);
	EXPECT_EQ(eh.e_type, ET_CORE);
	EXPECT_EQ(eh.e_machine, EM_X86_64);
	EXPECT_TRUE(eh.e_phnum >= 2);
	close(fd);
}

TEST(coredump, waitid_says_dumped)
{
	const char *dir = tmp_path("cores3");
	siginfo_t si;
	pid_t pid;

	CHECK(mkdir(dir, 0700));
	pid = CHECK(fork());
	if (pid == 0) {
		struct rlimit r = { RLIM_INFINITY, RLIM_INFINITY };

		if (setrlimit(RLIMIT_CORE, &r) || chdir(dir))
			_exit(99);
		raise(SIGILL);
		_exit(98);
	}
	EXPECT_RET(waitid(P_PID, pid, &si, WEXITED), 0);
	EXPECT_EQ(si.si_code, CLD_DUMPED);
	EXPECT_EQ(si.si_status, SIGILL);
}
