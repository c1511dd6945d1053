// SPDX-License-Identifier: MIT
/*
 * `cvisor do [--root DIR] [--cwd DIR] [--env K=V]... [--platform NAME] [--grace SECONDS] [--] CMD [ARG...]`:
 * run one command in a new sandbox, with stdio connected, and exit with its status.
 *
 * The process started as `cvisor do` stays a small supervisor; the Sentry is
 * its child and, where the host allows, the init of a new pid namespace, so
 * that the kernel kills every stub process when the Sentry dies, however it
 * dies. The supervisor forwards signals, enforces the grace period and turns
 * what happened into the exit status. docs/lifetime.md explains the choices.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/runtime.h"
#include "sentry/sentry.h"

static void do_usage(FILE *out)
{
	fprintf(out, "usage: cvisor do [--root DIR] [--cwd DIR] [--env NAME=VALUE]... [--platform NAME]\n"
		     "                 [--grace SECONDS] [--strace] [--strace-syscalls=LIST] [--report-unsupported]\n"
		     "                 [--] COMMAND [ARG...]\n"
		     "exit status: the command's; 128+N when it was killed by signal N (137 when it outlived\n"
		     "the grace period after a SIGINT/SIGTERM/SIGHUP/SIGQUIT); 125 when cvisor failed\n"
		     "(the sandbox could not start, or the Sentry crashed); 2 for a usage error\n");
}

#define DEFAULT_GRACE_S 10
#define STATUS_RUNTIME_FAILED 125

/* The signals the supervisor waits for; all but SIGCHLD and SIGTSTP are forwarded to the Sentry. */
static const int supervised_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGCHLD };

struct supervisor {
	pid_t sentry;
	bool pidns;		/* the Sentry is the init of its own pid namespace */
	int grace_s;
	int64_t deadline_ns;	/* grace period end after a forwarded signal; 0: none running */
	int grace_signal;	/* the signal that started it */
	bool killed;		/* the grace period ran out and we SIGKILLed the Sentry */
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * In the child, before anything else: die with the supervisor (PR_SET_PDEATHSIG
 * fires when the parent *thread* exits; the supervisor has only one), and
 * close the window where it died before the prctl: its pidfd then polls readable.
 */
static void sentry_child_start(int supervisor_pidfd)
{
	struct pollfd p = { supervisor_pidfd, POLLIN, 0 };
	char self[32];
	ssize_t n;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || (supervisor_pidfd >= 0 && poll(&p, 1, 0) != 0))
		_exit(STATUS_RUNTIME_FAILED);
	if (supervisor_pidfd >= 0)
		close(supervisor_pidfd);
	/* Log lines show the pid the host sees (we may be pid 1 of our namespace); /proc is the host's. */
	n = readlink("/proc/self", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		log_set_pid((pid_t)atoi(self));
	}
}

/* Without a pid namespace: stub processes of a dead Sentry were re-parented to us (a subreaper). */
static void kill_orphans(void)
{
	char path[64], buf[4096];
	int status, fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", getpid());
	for (int round = 0; round < 100; round++) {
		char *p = buf, *end;
		bool any = false;

		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			break;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			break;
		buf[n] = '\0';
		for (long pid; (pid = strtol(p, &end, 10)) > 0; p = end) {
			kill((pid_t)pid, SIGKILL);
			any = true;
		}
		if (!any)
			break;
		while (waitpid(-1, &status, __WALL) > 0)
			;
	}
}

/* A signal for the supervisor: forward it, stop the sandbox (SIGTSTP), or note a child's end. */
static void supervisor_signal(struct supervisor *sv, const siginfo_t *si)
{
	int sig = si->si_signo;

	if (sig == SIGTSTP) {
		/* ^Z: the whole sandbox stops with us, and goes on when our job is continued. The Sentry,
		 * init of its namespace, would ignore the terminal's SIGTSTP; SIGSTOP it cannot. */
		kill(sv->sentry, SIGSTOP);
		kill(getpid(), SIGSTOP);
		kill(sv->sentry, SIGCONT);
		return;
	}
	/* The terminal's signals (SI_KERNEL) reach the Sentry directly: it is in our foreground group. */
	if (si->si_code == SI_KERNEL)
		return;
	log_info("do: forwarding %s to the sandbox", strsignal(sig));
	kill(sv->sentry, sig);
	if (!sv->deadline_ns && !sv->killed) {
		sv->deadline_ns = now_ns() + (int64_t)sv->grace_s * 1000000000LL;
		sv->grace_signal = sig;
	}
}

/* Wait for the Sentry to end; returns its wait status. */
static int supervise_loop(struct supervisor *sv, const sigset_t *set)
{
	for (;;) {
		struct timespec ts, *tp = NULL;
		siginfo_t si;
		int status, sig;
		pid_t w;

		while ((w = waitpid(-1, &status, WNOHANG | __WALL)) > 0)
			if (w == sv->sentry)
				return status;
		if (sv->deadline_ns) {
			int64_t left = sv->deadline_ns - now_ns();

			if (left <= 0) {
				log_warn("do: the sandbox did not exit within %d s of %s; killing it", sv->grace_s,
					 strsignal(sv->grace_signal));
				kill(sv->sentry, SIGKILL);
				sv->killed = true;
				sv->deadline_ns = 0;
				continue;
			}
			ts.tv_sec = left / 1000000000LL;
			ts.tv_nsec = left % 1000000000LL;
			tp = &ts;
		}
		sig = sigtimedwait(set, &si, tp);
		if (sig > 0 && sig != SIGCHLD)
			supervisor_signal(sv, &si);
	}
}

/* What the supervisor exits with, from the Sentry's report (if it made one) and its wait status. */
static int exit_status(const struct supervisor *sv, int status, const int *report)
{
	if (report && *report >= 0)
		return *report;
	if (report) {
		fprintf(stderr, "cvisor do: sandbox failed to start\n");
		return STATUS_RUNTIME_FAILED;
	}
	if (sv->killed)
		return 128 + SIGKILL;
	if (WIFSIGNALED(status)) {
		log_error("do: the Sentry died of signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
		fprintf(stderr, "cvisor do: the Sentry died of signal %d (%s)\n", WTERMSIG(status),
			strsignal(WTERMSIG(status)));
	} else {
		log_error("do: the Sentry exited with status %d without a result", WEXITSTATUS(status));
		fprintf(stderr, "cvisor do: the Sentry failed (status %d)\n", WEXITSTATUS(status));
	}
	return STATUS_RUNTIME_FAILED;
}

static int run_supervised(const struct sentry_config *cfg, int grace_s)
{
	struct supervisor sv = { .grace_s = grace_s };
	sigset_t set, old, sentry_mask;
	int report_pipe[2], pidfd, status, report, ret;
	ssize_t n;

	sigemptyset(&set);
	for (size_t k = 0; k < ARRAY_SIZE(supervised_signals); k++)
		sigaddset(&set, supervised_signals[k]);
	/* Blocked from here on: a signal that comes while we start is forwarded, not lost. */
	sigprocmask(SIG_BLOCK, &set, &old);
	if (pipe2(report_pipe, O_CLOEXEC) < 0) {
		fprintf(stderr, "cvisor do: pipe: %s\n", strerror(errno));
		return STATUS_RUNTIME_FAILED;
	}
	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	/* CVISOR_NO_PIDNS=1: the unprivileged path, for tests on a privileged host */
	sv.pidns = !getenv("CVISOR_NO_PIDNS") && unshare(CLONE_NEWPID) == 0;
	if (!sv.pidns) {
		log_info("do: no pid namespace (%s); stubs are killed by the supervisor", strerror(errno));
		prctl(PR_SET_CHILD_SUBREAPER, 1);
	}
	sv.sentry = fork();
	if (sv.sentry < 0) {
		fprintf(stderr, "cvisor do: fork: %s\n", strerror(errno));
		return STATUS_RUNTIME_FAILED;
	}
	if (sv.sentry == 0) {
		close(report_pipe[0]);
		sentry_child_start(pidfd);
		/* The Sentry's signal thread takes the forwarded ones; the rest as we were started. */
		sentry_mask = old;
		sigaddset(&sentry_mask, SIGINT);
		sigaddset(&sentry_mask, SIGTERM);
		sigaddset(&sentry_mask, SIGHUP);
		sigaddset(&sentry_mask, SIGQUIT);
		sigprocmask(SIG_SETMASK, &sentry_mask, NULL);
		if (log_set_component("sentry")) {
			fprintf(stderr, "cvisor do: cannot open the sentry log\n");
			_exit(STATUS_RUNTIME_FAILED);
		}
		ret = sentry_run(cfg);
		if (write(report_pipe[1], &ret, sizeof(ret)) != sizeof(ret))
			_exit(STATUS_RUNTIME_FAILED);
		fflush(NULL);
		_exit(0);
	}
	close(report_pipe[1]);
	if (pidfd >= 0)
		close(pidfd);
	log_info("do: Sentry %d%s", sv.sentry, sv.pidns ? " in a new pid namespace" : "");
	status = supervise_loop(&sv, &set);
	if (!sv.pidns)
		kill_orphans();
	n = read(report_pipe[0], &report, sizeof(report));
	close(report_pipe[0]);
	return exit_status(&sv, status, n == sizeof(report) ? &report : NULL);
}

static char **add_env(char **env, size_t *n, const char *kv)
{
	size_t klen = strcspn(kv, "=");

	for (size_t k = 0; k < *n; k++)
		if (strncmp(env[k], kv, klen) == 0 && env[k][klen] == '=') {
			env[k] = (char *)kv;
			return env;
		}
	env = xrealloc(env, (*n + 2) * sizeof(char *));
	env[(*n)++] = (char *)kv;
	env[*n] = NULL;
	return env;
}

int cmd_do(int argc, char **argv, const struct global_opts *g)
{
	struct sentry_config cfg = { .root = "/", .platform = g->platform,
				     .syscall_patching = !g->no_syscall_patching, .debug = g->debug, .cwd = "/",
				     .strace = g->strace, .strace_syscalls = g->strace_syscalls };
	size_t nenv = 0;
	char **env = NULL;
	const char *term = getenv("TERM");
	struct stat st;
	int k = 1, ret, grace_s = DEFAULT_GRACE_S;

	env = add_env(env, &nenv, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	env = add_env(env, &nenv, "HOME=/root");
	if (term) {
		static char termvar[256];

		snprintf(termvar, sizeof(termvar), "TERM=%s", term);
		env = add_env(env, &nenv, termvar);
	}
	for (; k < argc; k++) {
		if (strcmp(argv[k], "--") == 0) {
			k++;
			break;
		} else if (strcmp(argv[k], "--root") == 0 && k + 1 < argc) {
			cfg.root = argv[++k];
		} else if (strcmp(argv[k], "--cwd") == 0 && k + 1 < argc) {
			cfg.cwd = argv[++k];
		} else if (strcmp(argv[k], "--env") == 0 && k + 1 < argc) {
			if (!strchr(argv[k + 1], '=')) {
				fprintf(stderr, "cvisor do: --env needs NAME=VALUE, got '%s'\n", argv[k + 1]);
				return 2;
			}
			env = add_env(env, &nenv, argv[++k]);
		} else if (strcmp(argv[k], "--report-unsupported") == 0) {
			cfg.report_unsupported = true;
		} else if (strcmp(argv[k], "--strace") == 0) {
			cfg.strace = true;
		} else if (strncmp(argv[k], "--strace-syscalls=", 18) == 0) {
			cfg.strace_syscalls = argv[k] + 18;
		} else if (strcmp(argv[k], "--grace") == 0 && k + 1 < argc) {
			char *end;
			long v = strtol(argv[++k], &end, 10);

			if (*end || end == argv[k] || v < 0 || v > INT_MAX / 2) {
				fprintf(stderr, "cvisor do: --grace needs a number of seconds, got '%s'\n", argv[k]);
				return 2;
			}
			grace_s = (int)v;
		} else if (strcmp(argv[k], "--platform") == 0 && k + 1 < argc) {
			cfg.platform = argv[++k];
		} else if (strcmp(argv[k], "--help") == 0) {
			do_usage(stdout);
			return 0;
		} else if (argv[k][0] == '-') {
			fprintf(stderr, "cvisor do: unknown option '%s'\n", argv[k]);
			do_usage(stderr);
			return 2;
		} else {
			break;
		}
	}
	if (k >= argc) {
		do_usage(stderr);
		return 2;
	}
	if (stat(cfg.root, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "cvisor do: root '%s' is not a directory\n", cfg.root);
		return 2;
	}
	cfg.argv = argv + k;
	cfg.envp = env;
	log_info("do: root %s, command %s", cfg.root, cfg.argv[0]);
	ret = run_supervised(&cfg, grace_s);
	log_info("do: exit status %d", ret);
	free(env);
	return ret;
}
