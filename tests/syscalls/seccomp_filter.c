// SPDX-License-Identifier: MIT
/*
 * seccomp(2) and PR_SET_SECCOMP: classic-BPF filters and their actions
 * (ALLOW, LOG, ERRNO with its data capped at 4095, TRAP's SIGSYS siginfo and
 * rolled-back return value,
 * TRACE without a tracer, KILL_PROCESS), argument checks, the stack's
 * precedence (most restrictive; the newest among equals), inheritance over
 * fork and execve, strict mode, PR_GET_SECCOMP, GET_ACTION_AVAIL, EACCES
 * without no_new_privs for an unprivileged caller, and the checker's EINVAL
 * for bad programs. Each case runs in a child: a filter is for life.
 */
#include "harness.h"
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#define NR_OFF offsetof(struct seccomp_data, nr)
#define ARG0_OFF offsetof(struct seccomp_data, args[0])

static long do_seccomp(unsigned op, unsigned flags, void *arg)
{
	return syscall(SYS_seccomp, op, flags, arg);
}

/* "nr == @nr ? @action : ALLOW" */
static long install_for(int nr, unsigned action)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { ARRAY_SIZE(f), f };

	return do_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/* In a child: exits 0 when every check held, else the number of the first that failed. */
#define CHILD_CHECK(n, cond)       \
	do {                       \
		if (!(cond))       \
			_exit(n);  \
	} while (0)

static int run_child(void (*fn)(void))
{
	int status;
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(100);
		fn();
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0));
	return status;
}

static void errno_body(void)
{
	CHILD_CHECK(1, prctl(PR_GET_SECCOMP) == 0);
	CHILD_CHECK(2, install_for(SYS_getppid, SECCOMP_RET_ERRNO | EPERM) == 0);
	CHILD_CHECK(3, prctl(PR_GET_SECCOMP) == 2);
	errno = 0;
	CHILD_CHECK(4, syscall(SYS_getppid) == -1 && errno == EPERM);
	CHILD_CHECK(5, syscall(SYS_getpid) > 0);
}

TEST(seccomp, errno_action)
{
	EXPECT_EXITED(run_child(errno_body), 0);
}

static void errno_cap_body(void)
{
	CHILD_CHECK(1, install_for(SYS_getppid, SECCOMP_RET_ERRNO | 5000) == 0);
	errno = 0;
	CHILD_CHECK(2, syscall(SYS_getppid) == -1 && errno == 4095);
}

TEST(seccomp, errno_data_capped)
{
	EXPECT_EXITED(run_child(errno_cap_body), 0);
}

static void errno_zero_body(void)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/seccomp-unlink.%d", getpid());
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	CHILD_CHECK(1, fd >= 0);
	close(fd);
	CHILD_CHECK(2, install_for(SYS_unlink, SECCOMP_RET_ERRNO | 0) == 0);
	/* ERRNO 0: the call "succeeds" without running */
	CHILD_CHECK(3, syscall(SYS_unlink, path) == 0);
	CHILD_CHECK(4, access(path, F_OK) == 0);
	CHILD_CHECK(5, unlinkat(AT_FDCWD, path, 0) == 0);
}

TEST(seccomp, errno_zero_skips_the_call)
{
	EXPECT_EXITED(run_child(errno_zero_body), 0);
}

static volatile siginfo_t trapped;
static volatile int ntraps;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	trapped = *si;
	ntraps++;
}

static void trap_body(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	long r;

	sigaction(SIGSYS, &sa, NULL);
	CHILD_CHECK(1, install_for(SYS_getppid, SECCOMP_RET_TRAP | 0x42) == 0);
	errno = 0;
	r = syscall(SYS_getppid);
	CHILD_CHECK(2, ntraps == 1);
	CHILD_CHECK(3, trapped.si_signo == SIGSYS && trapped.si_code == 1 /* SYS_SECCOMP */);
	CHILD_CHECK(4, trapped.si_syscall == SYS_getppid);
	CHILD_CHECK(5, trapped.si_arch == AUDIT_ARCH_X86_64);
	CHILD_CHECK(6, trapped.si_errno == 0x42);
	/* the call is rolled back (Linux's syscall_rollback): rax holds the system call number again */
	CHILD_CHECK(7, r == SYS_getppid);
}

TEST(seccomp, trap_sends_sigsys_with_its_siginfo)
{
	EXPECT_EXITED(run_child(trap_body), 0);
}

static void trace_body(void)
{
	CHILD_CHECK(1, install_for(SYS_getppid, SECCOMP_RET_TRACE | 1) == 0);
	errno = 0;
	CHILD_CHECK(2, syscall(SYS_getppid) == -1 && errno == ENOSYS);
	CHILD_CHECK(3, install_for(SYS_getpid, SECCOMP_RET_LOG) == 0);
	CHILD_CHECK(4, syscall(SYS_getpid) == getpid());
}

TEST(seccomp, trace_without_tracer_is_enosys_log_allows)
{
	EXPECT_EXITED(run_child(trace_body), 0);
}

static void kill_body(void)
{
	CHILD_CHECK(1, install_for(SYS_getppid, SECCOMP_RET_KILL_PROCESS) == 0);
	syscall(SYS_getppid);
	_exit(2);
}

TEST(seccomp, kill_process)
{
	EXPECT_SIGNALED(run_child(kill_body), SIGSYS);
}

static void kill_blocked_body(void)
{
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	signal(SIGSYS, SIG_IGN);
	CHILD_CHECK(1, install_for(SYS_getppid, SECCOMP_RET_KILL_PROCESS) == 0);
	syscall(SYS_getppid);
	_exit(2);
}

TEST(seccomp, kill_ignores_blocking_and_sig_ign)
{
	EXPECT_SIGNALED(run_child(kill_blocked_body), SIGSYS);
}

static void newest_body(void)
{
	CHILD_CHECK(1, install_for(SYS_getppid, SECCOMP_RET_ERRNO | 5) == 0);
	CHILD_CHECK(2, install_for(SYS_getppid, SECCOMP_RET_ERRNO | 7) == 0);
	errno = 0;
	CHILD_CHECK(3, syscall(SYS_getppid) == -1 && errno == 7);
	/* an older, stricter filter wins over a newer ALLOW */
	CHILD_CHECK(4, install_for(SYS_getpid, SECCOMP_RET_KILL_PROCESS) == 0);
	CHILD_CHECK(5, install_for(SYS_getpid, SECCOMP_RET_ALLOW) == 0);
	syscall(SYS_getpid);
	_exit(6);
}

TEST(seccomp, stack_precedence)
{
	EXPECT_SIGNALED(run_child(newest_body), SIGSYS);
}

static void args_body(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_close, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0_OFF),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 12345, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOTTY),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { ARRAY_SIZE(f), f };

	CHILD_CHECK(1, do_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog) == 0);
	errno = 0;
	CHILD_CHECK(2, close(12345) == -1 && errno == ENOTTY);
	errno = 0;
	CHILD_CHECK(3, close(12346) == -1 && errno == EBADF);
}

TEST(seccomp, argument_checks)
{
	EXPECT_EXITED(run_child(args_body), 0);
}

static void alu_mem_body(void)
{
	/* (nr * 2 + 1) kept in M[3], read back, compared: exercises ALU, ST, LD MEM, TAX/TXA, JGE, JSET */
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
		BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 2),
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1),
		BPF_STMT(BPF_ST, 3),
		BPF_STMT(BPF_LD | BPF_IMM, 0),
		BPF_STMT(BPF_LDX | BPF_MEM, 3),
		BPF_STMT(BPF_MISC | BPF_TXA, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid * 2 + 1, 0, 2),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EXDEV),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0, 0, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { ARRAY_SIZE(f), f };

	CHILD_CHECK(1, do_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog) == 0);
	errno = 0;
	CHILD_CHECK(2, syscall(SYS_getppid) == -1 && errno == EXDEV);
	CHILD_CHECK(3, syscall(SYS_getpid) > 0);
}

TEST(seccomp, alu_and_memory)
{
	EXPECT_EXITED(run_child(alu_mem_body), 0);
}

static void fork_body(void)
{
	int status;
	pid_t pid;

	CHILD_CHECK(1, install_for(SYS_getppid, SECCOMP_RET_ERRNO | EPERM) == 0);
	pid = fork();
	if (pid == 0) {
		errno = 0;
		_exit(syscall(SYS_getppid) == -1 && errno == EPERM && prctl(PR_GET_SECCOMP) == 2 ? 0 : 1);
	}
	CHILD_CHECK(2, pid > 0 && waitpid(pid, &status, 0) == pid);
	CHILD_CHECK(3, WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(seccomp, inherited_over_fork)
{
	EXPECT_EXITED(run_child(fork_body), 0);
}

/* `prog --child getppid`: after execve, the parent's filter still holds. */
int harness_child_main(int argc, char **argv)
{
	if (argc < 3 || strcmp(argv[2], "getppid"))
		return 2;
	errno = 0;
	return syscall(SYS_getppid) == -1 && errno == EPERM && prctl(PR_GET_SECCOMP) == 2 ? 0 : 1;
}

static void exec_body(void)
{
	char *args[] = { (char *)harness_argv0, (char *)HARNESS_CHILD_ARG, (char *)"getppid", NULL };

	CHILD_CHECK(1, install_for(SYS_getppid, SECCOMP_RET_ERRNO | EPERM) == 0);
	execv("/proc/self/exe", args);
	_exit(3);
}

TEST(seccomp, kept_across_execve)
{
	EXPECT_EXITED(run_child(exec_body), 0);
}

static void strict_body(void)
{
	static const char msg[] = "";

	CHILD_CHECK(1, prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0) == 0);
	if (syscall(SYS_write, 1, msg, 0) != 0)
		syscall(SYS_exit, 2);
	syscall(SYS_getppid);	/* not one of the four: SIGKILL */
	syscall(SYS_exit, 3);
}

TEST(seccomp, strict_mode)
{
	EXPECT_SIGNALED(run_child(strict_body), SIGKILL);
}

static void strict_exit_body(void)
{
	CHILD_CHECK(1, prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0) == 0);
	syscall(SYS_exit, 7);
}

TEST(seccomp, strict_mode_exit)
{
	EXPECT_EXITED(run_child(strict_exit_body), 7);
}

static long try_filter(struct sock_filter *f, unsigned short n)
{
	struct sock_fprog prog = { n, f };

	errno = 0;
	return do_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static void invalid_body(void)
{
	struct sock_filter ret_allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_filter jump_out[] = { BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 5, 0), ret_allow };
	struct sock_filter byte_load[] = { BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0), ret_allow };
	struct sock_filter unaligned[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2), ret_allow };
	struct sock_filter past_end[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64), ret_allow };
	struct sock_filter no_ret[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0) };
	struct sock_filter unset_mem[] = { BPF_STMT(BPF_LD | BPF_MEM, 0), ret_allow };
	struct sock_filter div0[] = { BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), ret_allow };
	struct sock_filter bad_mem[] = { BPF_STMT(BPF_ST, 16), ret_allow };
	struct sock_fprog prog = { 1, &ret_allow };
	uint32_t action = SECCOMP_RET_ALLOW;

	CHILD_CHECK(1, try_filter(&ret_allow, 0) == -1 && errno == EINVAL);
	CHILD_CHECK(2, try_filter(jump_out, 2) == -1 && errno == EINVAL);
	CHILD_CHECK(3, try_filter(byte_load, 2) == -1 && errno == EINVAL);
	CHILD_CHECK(4, try_filter(unaligned, 2) == -1 && errno == EINVAL);
	CHILD_CHECK(5, try_filter(past_end, 2) == -1 && errno == EINVAL);
	CHILD_CHECK(6, try_filter(no_ret, 1) == -1 && errno == EINVAL);
	CHILD_CHECK(7, try_filter(unset_mem, 2) == -1 && errno == EINVAL);
	CHILD_CHECK(8, try_filter(div0, 2) == -1 && errno == EINVAL);
	CHILD_CHECK(9, try_filter(bad_mem, 2) == -1 && errno == EINVAL);
	CHILD_CHECK(10, do_seccomp(SECCOMP_SET_MODE_FILTER, 1u << 20, &prog) == -1 && errno == EINVAL);
	CHILD_CHECK(11, do_seccomp(SECCOMP_SET_MODE_FILTER, 0, (void *)8) == -1 && errno == EFAULT);
	CHILD_CHECK(12, do_seccomp(77, 0, &prog) == -1 && errno == EINVAL);
	CHILD_CHECK(13, do_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0);
	action = 0x12340000;
	CHILD_CHECK(14, do_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action) == -1 && errno == EOPNOTSUPP);
	/* none of the refused ones was installed */
	CHILD_CHECK(15, prctl(PR_GET_SECCOMP) == 0);
}

TEST(seccomp, invalid_programs)
{
	EXPECT_EXITED(run_child(invalid_body), 0);
}

static void unprivileged_body(void)
{
	struct sock_filter ret_allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { 1, &ret_allow };

	/* no_new_privs is set (run_child): an unprivileged caller may install */
	CHILD_CHECK(1, setgid(65534) == 0 && setuid(65534) == 0);
	CHILD_CHECK(2, do_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog) == 0);
}

TEST(seccomp, unprivileged_with_no_new_privs)
{
	EXPECT_EXITED(run_child(unprivileged_body), 0);
}

TEST(seccomp, eacces_without_no_new_privs)
{
	struct sock_filter ret_allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { 1, &ret_allow };
	int status;
	pid_t pid = CHECK(fork());

	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(3);
		errno = 0;
		_exit(do_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog) == -1 && errno == EACCES ? 0 : 1);
	}
	CHECK(waitpid(pid, &status, 0));
	EXPECT_EXITED(status, 0);
}
