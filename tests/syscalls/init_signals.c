// SPDX-License-Identifier: MIT
/*
 * The init of a pid namespace (Linux's SIGNAL_UNKILLABLE): signals sent to it
 * from inside its namespace are dropped unless it has a handler, SIGKILL and
 * SIGSTOP too; a blocked one is queued and dropped when unblocked. In the
 * sandbox this program is pid 1 and runs the checks itself; natively it
 * makes a new pid namespace (as root, or in a new user namespace) and runs
 * them in that namespace's pid 1, and skips when neither is permitted.
 */
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include "harness.h"

static volatile sig_atomic_t got_usr2, got_term;

static void on_usr2(int sig)
{
	got_usr2++;
}

static void on_term(int sig)
{
	got_term++;
}

#define FAIL_IF(cond)								\
	do {									\
		if (cond) {							\
			fprintf(stderr, "init check failed at line %d: %s\n",	\
				__LINE__, #cond);				\
			return __LINE__;					\
		}								\
	} while (0)

/* Run @fn in a child of init and return its exit status (0: all its sends returned 0). */
static int in_child(int (*fn)(void))
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn());
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 200 + WTERMSIG(st);
}

static int send_all_fatal(void)
{
	siginfo_t si = { .si_code = SI_QUEUE };

	signal(SIGHUP, SIG_IGN);	/* kill(0, ...) reaches us too */
	if (kill(1, SIGTERM) || kill(1, SIGINT) || kill(1, SIGUSR1) || kill(1, SIGKILL))
		return 1;
	if (kill(1, SIGSTOP) || kill(1, SIGTSTP) || kill(1, SIGALRM))
		return 2;
	if (syscall(SYS_tgkill, 1, 1, SIGTERM) || syscall(SYS_tkill, 1, SIGKILL))
		return 3;
	si.si_signo = SIGQUIT;
	si.si_pid = getpid();
	if (syscall(SYS_rt_sigqueueinfo, 1, SIGQUIT, &si))
		return 4;
	if (kill(0, SIGHUP) || kill(-1, SIGKILL) == 0)	/* kill(-1) skips init: nobody else, ESRCH */
		return 5;
	return 0;
}

static int send_term_usr2(void)
{
	return kill(1, SIGTERM) || kill(1, SIGUSR2) ? 1 : 0;
}

static int send_term(void)
{
	return kill(1, SIGTERM) ? 1 : 0;
}

static bool pending(int sig)
{
	sigset_t set;

	sigpending(&set);
	return sigismember(&set, sig);
}

/* Runs as pid 1 of a pid namespace; 0 when init behaved as on Linux, else the failing line. */
static int init_checks(void)
{
	struct sigaction sa = { .sa_flags = SA_RESTART };
	sigset_t set, old;

	FAIL_IF(getpid() != 1);
	FAIL_IF(setpgid(0, 0) && errno != EPERM);

	/* default actions, sent by a child: all dropped, the sends succeed */
	FAIL_IF(in_child(send_all_fatal) != 0);
	FAIL_IF(pending(SIGTERM) || pending(SIGUSR1) || pending(SIGQUIT) || pending(SIGHUP));

	/* sent by init itself: dropped too */
	FAIL_IF(kill(1, SIGTERM) || kill(getpid(), SIGSEGV) || raise(SIGUSR1) || kill(0, SIGINT));
	FAIL_IF(syscall(SYS_tgkill, 1, 1, SIGKILL));

	/* a handler is run */
	sa.sa_handler = on_usr2;
	FAIL_IF(sigaction(SIGUSR2, &sa, NULL));
	sa.sa_handler = on_term;
	FAIL_IF(sigaction(SIGTERM, &sa, NULL));
	FAIL_IF(in_child(send_term_usr2) != 0);
	FAIL_IF(got_usr2 != 1 || got_term != 1);
	FAIL_IF(raise(SIGUSR2) || got_usr2 != 2);
	signal(SIGTERM, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);

	/* blocked: queued (sigwait could take it), then dropped once unblocked with no handler */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	FAIL_IF(sigprocmask(SIG_BLOCK, &set, &old));
	FAIL_IF(in_child(send_term) != 0);
	FAIL_IF(!pending(SIGTERM));
	FAIL_IF(sigprocmask(SIG_SETMASK, &old, NULL));
	FAIL_IF(pending(SIGTERM));

	/* blocked, then taken by sigtimedwait */
	FAIL_IF(sigprocmask(SIG_BLOCK, &set, &old));
	FAIL_IF(in_child(send_term) != 0);
	{
		struct timespec ts = { 0, 0 };
		siginfo_t si;

		FAIL_IF(sigtimedwait(&set, &si, &ts) != SIGTERM);
		FAIL_IF(si.si_code != SI_USER);
	}
	FAIL_IF(sigprocmask(SIG_SETMASK, &old, NULL));

	/* a blocked signal with a handler installed before unblocking runs it */
	FAIL_IF(sigprocmask(SIG_BLOCK, &set, &old));
	FAIL_IF(in_child(send_term) != 0);
	got_term = 0;
	sa.sa_handler = on_term;
	FAIL_IF(sigaction(SIGTERM, &sa, NULL));
	FAIL_IF(sigprocmask(SIG_SETMASK, &old, NULL));
	FAIL_IF(got_term != 1);
	signal(SIGTERM, SIG_DFL);

	/* init's children are ordinary: a child's own default SIGTERM still kills it */
	{
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			for (;;)
				pause();
		}
		FAIL_IF(pid < 0);
		FAIL_IF(kill(pid, SIGTERM));
		FAIL_IF(waitpid(pid, &st, 0) != pid);
		FAIL_IF(!WIFSIGNALED(st) || WTERMSIG(st) != SIGTERM);
	}
	return 0;
}

/* Natively: pid 1 of a new pid namespace, or -1 with errno when not permitted. */
static int run_in_new_pidns(void)
{
	int st;
	pid_t mid = fork();

	if (mid < 0)
		return -1;
	if (mid == 0) {
		pid_t init;

		if (unshare(CLONE_NEWPID) && unshare(CLONE_NEWUSER | CLONE_NEWPID))
			_exit(100);
		init = fork();
		if (init < 0)
			_exit(101);
		if (init == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			_exit(init_checks());
		}
		if (waitpid(init, &st, 0) != init)
			_exit(102);
		_exit(WIFEXITED(st) ? (WEXITSTATUS(st) ? 1 : 0) : 103);
	}
	if (waitpid(mid, &st, 0) != mid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 104;
}

TEST(init_signals, inside_signals_to_init_are_dropped)
{
	int r;

	if (getpid() == 1) {
		EXPECT_EQ(init_checks(), 0);
		return;
	}
	r = run_in_new_pidns();
	if (r == 100)
		SKIP("no pid namespace (unshare not permitted)");
	EXPECT_EQ(r, 0);
}
