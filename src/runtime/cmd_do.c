// SPDX-License-Identifier: MIT
/*
 * `cvisor do [--root DIR] [--cwd DIR] [--env K=V]... [--platform NAME] [--grace SECONDS]
 *            [--9p-socket PATH | --9p-fd N | --gofer] [--9p-aname NAME]
 *            [--volume HOST:GUEST[:ro]]... [--overlay=memory|none] [--] CMD [ARG...]`:
 * run one command in a new sandbox, with stdio connected, and exit with its status.
 * Volumes are host directories the gofer also serves, mounted write-through
 * at GUEST; --overlay=none writes the root through to the host too.
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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
		     "                 [--9p-socket PATH | --9p-fd N | --gofer] [--9p-aname NAME]\n"
		     "                 [--volume HOST:GUEST[:ro]]... [--overlay=memory|none] [--] COMMAND [ARG...]\n"
		     "--volume HOST:GUEST[:ro]: host directory HOST mounted at GUEST, changes written through\n"
		     "  to HOST (:ro: read-only, writes fail with EROFS); repeatable; needs the gofer\n"
		     "--overlay=memory (default): changes to the root stay in sandbox memory;\n"
		     "  --overlay=none: they are written through to the host root directory\n"
		     "--9p-socket PATH: the root comes from the 9P2000.L server listening on unix socket PATH\n"
		     "  (diod, say), attached as --9p-aname (default: the --root path); --9p-fd N: the same\n"
		     "  over the connected stream socket N we inherit; default (or --gofer): a `cvisor gofer` of --root\n"
		     "exit status: the command's; 128+N when it was killed by signal N (137 when it outlived\n"
		     "the grace period after a SIGINT/SIGTERM/SIGHUP/SIGQUIT); 125 when cvisor failed\n"
		     "(the sandbox could not start, or the Sentry crashed); 2 for a usage error\n");
}


/* The signals the supervisor waits for; all but SIGCHLD and SIGTSTP are forwarded to the Sentry. */
static const int supervised_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGCHLD, SENTRY_RELAY_SIGNAL };

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
	if (sig == SENTRY_RELAY_SIGNAL) {
		/* `cvisor kill`: passed on as it came; the engine that sent it runs its own timeouts */
		sigqueue(sv->sentry, SENTRY_RELAY_SIGNAL, si->si_value);
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
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
		/* not a crash: the host killed the sandbox (the OOM killer under its memory limit, or kill -9),
		 * which kills its processes as Linux would: 128+9, as runc reports an OOM-killed container */
		log_error("do: the Sentry was killed (SIGKILL): out of memory under its limit, or killed from outside");
		fprintf(stderr, "cvisor: the sandbox was killed (SIGKILL): out of memory under its memory limit, "
				"or killed from outside\n");
		return 128 + SIGKILL;
	}
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
	/* the Sentry owns the 9P connection now: its death must close it (the gofer then exits) */
	if (cfg->p9)
		close(cfg->p9_fd);
	/* and the control socket: once it is gone, `cvisor exec` is refused, not left waiting */
	if (cfg->control_fd >= 0)
		close(cfg->control_fd);
	log_info("do: Sentry %d%s", sv.sentry, sv.pidns ? " in a new pid namespace" : "");
	status = supervise_loop(&sv, &set);
	if (!sv.pidns)
		kill_orphans();
	n = read(report_pipe[0], &report, sizeof(report));
	close(report_pipe[0]);
	return exit_status(&sv, status, n == sizeof(report) ? &report : NULL);
}

/*
 * Check one --volume HOST:GUEST[:ro|:rw] and fill @v (the guest path is
 * taken from a copy of @spec, kept). 0, or 2 after a message.
 */
static int parse_volume(const char *spec, struct sentry_volume *v)
{
	char *s = xstrdup(spec), *guest = strchr(s, ':'), *opt, *p;
	struct stat st;

	if (!guest || guest == s || guest[1] != '/')
		goto bad;
	*guest++ = '\0';
	opt = strchr(guest, ':');
	*v = (struct sentry_volume){ 0 };
	if (opt) {
		*opt++ = '\0';
		if (strcmp(opt, "ro") == 0)
			v->ro = true;
		else if (strcmp(opt, "rw") != 0)
			goto bad;
	}
	for (size_t n = strlen(guest); n > 1 && guest[n - 1] == '/'; n--)
		guest[n - 1] = '\0';
	if (strcmp(guest, "/") == 0)
		goto bad;
	for (p = guest + 1;;) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			goto bad;
		if (!p[n])
			break;
		p += n + 1;
	}
	if (stat(s, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "cvisor do: --volume '%s': host directory '%s': %s\n", spec, s,
			stat(s, &st) < 0 ? strerror(errno) : "not a directory");
		free(s);
		return 2;
	}
	v->guest = guest;	/* points into s, which stays */
	return 0;
bad:
	fprintf(stderr, "cvisor do: bad --volume '%s': want HOST:GUEST[:ro], GUEST absolute, not /, "
			"without '.' or '..'\n", spec);
	free(s);
	return 2;
}

int add_volume(struct root_source *src, struct sentry_volume *vols, const char *spec)
{
	int err;

	if (src->nvolumes >= MAX_VOLUMES) {
		fprintf(stderr, "cvisor do: too many volumes (at most %d)\n", MAX_VOLUMES);
		return 2;
	}
	err = parse_volume(spec, &vols[src->nvolumes]);
	if (err)
		return err;
	for (int k = 0; k < src->nvolumes; k++)
		if (strcmp(vols[k].guest, vols[src->nvolumes].guest) == 0) {
			fprintf(stderr, "cvisor do: --volume '%s': %s is a volume already\n", spec, vols[k].guest);
			return 2;
		}
	src->volume_specs[src->nvolumes++] = spec;
	return 0;
}

int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/*
 * `cvisor gofer --root ROOT --fd N` on one end of a new socketpair, with
 * PDEATHSIG so that it dies with us (it also exits when the Sentry's end
 * closes). Returns our end, or -1 with errno set. Runs before the pid
 * namespace is made, so the gofer stays out of the sandbox's namespace.
 */
static int spawn_gofer(const char *root, const struct root_source *src, pid_t *pid_out)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		char fdarg[16];
		sigset_t none;

		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() == 1)
			_exit(STATUS_RUNTIME_FAILED);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* our end stays open across exec (CLOEXEC off); the Sentry's end does not */
		if (fcntl(sv[1], F_SETFD, 0) < 0)
			_exit(STATUS_RUNTIME_FAILED);
		const char *args[8 + 2 * MAX_VOLUMES];
		int n = 0;

		snprintf(fdarg, sizeof(fdarg), "%d", sv[1]);
		args[n++] = "cvisor";
		args[n++] = "gofer";
		args[n++] = "--root";
		args[n++] = root;
		if (src->root_ro)
			args[n++] = "--ro";	/* root.readonly: the gofer refuses writes too */
		for (int k = 0; k < src->nvolumes; k++) {
			args[n++] = "--volume";
			args[n++] = src->volume_specs[k];
		}
		args[n++] = "--fd";
		args[n++] = fdarg;
		args[n] = NULL;
		execv("/proc/self/exe", (char *const *)args);
		_exit(STATUS_RUNTIME_FAILED);
	}
	close(sv[1]);
	*pid_out = pid;
	log_info("do: gofer %d serves %s", pid, root);
	return sv[0];
}

/* Fill cfg's 9P fields from @src; 0, or a status to exit with. */
static int open_root_source(struct sentry_config *cfg, const struct root_source *src, pid_t *gofer)
{
	int fd = -1;

	if (src->p9_socket) {
		fd = connect_unix(src->p9_socket);
		if (fd < 0) {
			fprintf(stderr, "cvisor do: cannot connect to 9P server at '%s': %s\n", src->p9_socket,
				strerror(errno));
			return STATUS_RUNTIME_FAILED;
		}
		cfg->p9_aname = src->aname ? src->aname : cfg->root;
	} else if (src->p9_fd >= 0) {
		int type;
		socklen_t len = sizeof(type);

		if (getsockopt(src->p9_fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM) {
			fprintf(stderr, "cvisor do: --9p-fd %d is not a stream socket\n", src->p9_fd);
			return 2;
		}
		fd = src->p9_fd;
		cfg->p9_aname = src->aname ? src->aname : cfg->root;
	} else {
		/* the default (--gofer says so explicitly): the Sentry opens no host path */
		fd = spawn_gofer(cfg->root, src, gofer);
		if (fd < 0) {
			fprintf(stderr, "cvisor do: cannot start the gofer: %s\n", strerror(errno));
			return STATUS_RUNTIME_FAILED;
		}
		cfg->p9_aname = src->aname ? src->aname : "";
	}
	cfg->p9 = true;
	cfg->p9_fd = fd;
	return 0;
}

int sandbox_run(struct sentry_config *cfg, const struct root_source *src, int grace_s)
{
	int gofer_pidfd = -1, ret;
	pid_t gofer = 0;

	ret = open_root_source(cfg, src, &gofer);
	if (ret)
		return ret;
	if (gofer > 0)
		gofer_pidfd = (int)syscall(SYS_pidfd_open, gofer, 0);
	log_info("do: root %s%s, command %s", cfg->p9 ? "over 9P: " : "", cfg->p9 ? cfg->p9_aname : cfg->root,
		 cfg->argv[0]);
	ret = run_supervised(cfg, grace_s);
	if (gofer_pidfd >= 0) {
		/* it exits when the Sentry's end closes; do not leave it behind in any case
		 * (a pidfd: the supervisor may have reaped it already, and its pid be reused) */
		syscall(SYS_pidfd_send_signal, gofer_pidfd, SIGKILL, NULL, 0);
		waitpid(gofer, NULL, __WALL);
		close(gofer_pidfd);
	}
	log_info("do: exit status %d", ret);
	return ret;
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
	struct sentry_config cfg = { .root = "/", .platform = g->platform, .control_fd = -1,
				     .syscall_patching = !g->no_syscall_patching, .debug = g->debug, .cwd = "/",
				     .strace = g->strace, .strace_syscalls = g->strace_syscalls };
	size_t nenv = 0;
	char **env = NULL;
	const char *term = getenv("TERM");
	struct root_source src = { .p9_fd = -1 };
	struct sentry_volume vols[MAX_VOLUMES] = { 0 };
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
		} else if (strcmp(argv[k], "--9p-socket") == 0 && k + 1 < argc) {
			src.p9_socket = argv[++k];
		} else if (strcmp(argv[k], "--9p-fd") == 0 && k + 1 < argc) {
			char *end;
			long v = strtol(argv[++k], &end, 10);

			if (*end || end == argv[k] || v < 0 || v > INT_MAX) {
				fprintf(stderr, "cvisor do: --9p-fd needs a descriptor number, got '%s'\n", argv[k]);
				return 2;
			}
			src.p9_fd = (int)v;
		} else if (strcmp(argv[k], "--9p-aname") == 0 && k + 1 < argc) {
			src.aname = argv[++k];
		} else if (strcmp(argv[k], "--gofer") == 0) {
			src.gofer = true;
		} else if (strcmp(argv[k], "--volume") == 0 && k + 1 < argc) {
			ret = add_volume(&src, vols, argv[++k]);
			if (ret)
				return ret;
		} else if (strncmp(argv[k], "--overlay=", 10) == 0) {
			if (strcmp(argv[k] + 10, "none") == 0) {
				cfg.root_write_through = true;
			} else if (strcmp(argv[k] + 10, "memory") == 0) {
				cfg.root_write_through = false;
			} else {
				fprintf(stderr, "cvisor do: --overlay wants 'memory' or 'none', not '%s'\n", argv[k] + 10);
				return 2;
			}
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
	if ((src.p9_socket != NULL) + (src.p9_fd >= 0) + src.gofer > 1) {
		fprintf(stderr, "cvisor do: --9p-socket, --9p-fd and --gofer exclude each other\n");
		return 2;
	}
	if (src.nvolumes && (src.p9_socket || src.p9_fd >= 0)) {
		fprintf(stderr, "cvisor do: --volume needs the built-in gofer (not --9p-socket or --9p-fd)\n");
		return 2;
	}
	cfg.volumes = vols;
	cfg.nvolumes = src.nvolumes;
	/* a 9P server's root need not be a directory here */
	if (!src.p9_socket && src.p9_fd < 0 && (stat(cfg.root, &st) < 0 || !S_ISDIR(st.st_mode))) {
		fprintf(stderr, "cvisor do: root '%s' is not a directory\n", cfg.root);
		return 2;
	}
	cfg.argv = argv + k;
	cfg.envp = env;
	ret = sandbox_run(&cfg, &src, grace_s);
	free(env);
	return ret;
}
