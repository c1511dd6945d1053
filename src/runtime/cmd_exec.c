// SPDX-License-Identifier: MIT
/*
 * `cvisor exec [--process FILE] [--cwd DIR] [--env K=V]... [--user UID[:GID]]
 *              [--detach] [--pid-file FILE] ID [COMMAND [ARG...]]`:
 * start a process in a running container, with runc's command line. The
 * Sentry starts it (sentry/control.h) with our stdin, stdout and stderr;
 * we wait for it, passing on the signals we get, and exit with its status.
 * With --detach a child of ours does the waiting, its pid goes to the
 * pid file, and it exits with the process's status, so an engine that
 * watches that pid (conmon) sees the process end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/log.h"
#include "lib/util.h"
#include "runtime/oci/spec.h"
#include "runtime/oci/state.h"
#include "runtime/runtime.h"
#include "sentry/control.h"

struct exec_opts {
	const char *id, *process_file, *cwd, *user, *pid_file, *console_socket;
	char **env;
	size_t nenv;
	char **cmd;
	bool detach, tty;
};

static int parse_exec_opts(int argc, char **argv, struct exec_opts *o)
{
	int k = 1;

	for (; k < argc && argv[k][0] == '-'; k++) {
		const char *a = argv[k];
		bool more = k + 1 < argc;

		if ((strcmp(a, "--process") == 0 || strcmp(a, "-p") == 0) && more)
			o->process_file = argv[++k];
		else if (strcmp(a, "--cwd") == 0 && more)
			o->cwd = argv[++k];
		else if ((strcmp(a, "--env") == 0 || strcmp(a, "-e") == 0) && more) {
			o->env = xrealloc(o->env, (o->nenv + 2) * sizeof(char *));
			o->env[o->nenv++] = argv[++k];
			o->env[o->nenv] = NULL;
		} else if ((strcmp(a, "--user") == 0 || strcmp(a, "-u") == 0) && more)
			o->user = argv[++k];
		else if (strcmp(a, "--pid-file") == 0 && more)
			o->pid_file = argv[++k];
		else if (strcmp(a, "--detach") == 0 || strcmp(a, "-d") == 0)
			o->detach = true;
		else if (strcmp(a, "--tty") == 0 || strcmp(a, "-t") == 0)
			o->tty = true;
		else if (strcmp(a, "--console-socket") == 0 && more)
			o->console_socket = argv[++k];
		else if ((strcmp(a, "--preserve-fds") == 0 ||
			  strcmp(a, "--process-label") == 0 || strcmp(a, "--apparmor") == 0 || strcmp(a, "--cap") == 0) && more)
			k++;	/* accepted, for runc's callers; not used (yet) */
		else if (strcmp(a, "--no-new-privs") == 0 || strcmp(a, "--") == 0) {
			if (strcmp(a, "--") == 0) {
				k++;
				break;
			}
		} else
			return oci_fail("exec", "unknown option '%s'", a);
	}
	if (k >= argc)
		return oci_fail("exec", "usage: cvisor exec [--process FILE] [--cwd DIR] [--env K=V]... [--user UID[:GID]] "
				 "[--detach] [--pid-file FILE] ID [COMMAND [ARG...]]");
	o->id = argv[k++];
	o->cmd = argv + k;
	if (!o->process_file && !*o->cmd)
		return oci_fail("exec", "no command: give one after the container id, or --process FILE");
	return 0;
}

/* The request's strings: cwd, then argv, then env, each NUL-terminated. */
static char *pack_strings(const char *cwd, char *const *argv, char *const *envp, uint32_t *nargs, uint32_t *nenv,
			  uint32_t *len)
{
	size_t total = strlen(cwd) + 1, off;
	char *buf;

	*nargs = *nenv = 0;
	for (; argv[*nargs]; (*nargs)++)
		total += strlen(argv[*nargs]) + 1;
	for (; envp && envp[*nenv]; (*nenv)++)
		total += strlen(envp[*nenv]) + 1;
	if (total > SENTRY_EXEC_MAX_STRINGS)
		return NULL;
	buf = xmalloc(total);
	off = (size_t)stpcpy(buf, cwd) - (size_t)buf + 1;
	for (uint32_t k = 0; k < *nargs; k++)
		off = (size_t)stpcpy(buf + off, argv[k]) - (size_t)buf + 1;
	for (uint32_t k = 0; k < *nenv; k++)
		off = (size_t)stpcpy(buf + off, envp[k]) - (size_t)buf + 1;
	*len = (uint32_t)total;
	return buf;
}

/* @stdio: the process's stdin, stdout, stderr (ours, or a pty's slave). */
static int send_request(int c, const struct oci_process *p, const char *cwd, const int stdio[3])
{
	struct sentry_exec_req req = { .magic = SENTRY_EXEC_MAGIC, .version = SENTRY_EXEC_VERSION, .uid = p->uid,
				       .gid = p->gid, .umask = p->umask,
				       .flags = (p->has_umask ? SENTRY_EXEC_SET_UMASK : 0) |
						(p->no_new_privileges ? SENTRY_EXEC_NO_NEW_PRIVS : 0),
				       .ngroups = (uint32_t)p->nadditional_gids };
	int fds[3] = { stdio[0], stdio[1], stdio[2] };
	char cbuf[CMSG_SPACE(sizeof(fds))] = { 0 };
	struct iovec iov = { &req, sizeof(req) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	char *strings = pack_strings(cwd, p->args, p->env, &req.nargs, &req.nenv, &req.strings_len);
	int err = 0;

	if (!strings || req.nargs > SENTRY_EXEC_MAX_ARGS || req.nenv > SENTRY_EXEC_MAX_ARGS ||
	    req.ngroups > SENTRY_EXEC_MAX_GROUPS) {
		free(strings);
		return -E2BIG;
	}
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	if (sendmsg(c, &msg, MSG_NOSIGNAL) != (ssize_t)sizeof(req) ||
	    (req.ngroups && send(c, p->additional_gids, req.ngroups * sizeof(uint32_t), MSG_NOSIGNAL) < 0) ||
	    send(c, strings, req.strings_len, MSG_NOSIGNAL) != (ssize_t)req.strings_len)
		err = -errno ? -errno : -EIO;
	free(strings);
	return err;
}

static int read_reply(int c, struct sentry_ctl_reply *r)
{
	size_t got = 0;

	while (got < sizeof(*r)) {
		ssize_t n = read(c, (char *)r + got, sizeof(*r) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* Wait for EXITED, passing on the signals we get; the exit status for it (128+N for a signal). */
static int wait_exited(int c)
{
	static const int passed[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
	struct sentry_ctl_reply r;
	sigset_t set, old;
	int status, sfd;

	sigemptyset(&set);
	for (size_t k = 0; k < ARRAY_SIZE(passed); k++)
		sigaddset(&set, passed[k]);
	sigprocmask(SIG_BLOCK, &set, &old);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	for (;;) {
		struct pollfd pf[2] = { { c, POLLIN, 0 }, { sfd, POLLIN, 0 } };
		struct signalfd_siginfo si;

		if (poll(pf, sfd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
			break;
		if (pf[0].revents)
			break;
		if ((pf[1].revents & POLLIN) && read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			struct sentry_ctl_msg m = { SENTRY_CTL_SIGNAL, (int32_t)si.ssi_signo };

			if (send(c, &m, sizeof(m), MSG_NOSIGNAL) < 0)
				break;
		}
	}
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (read_reply(c, &r) || r.type != SENTRY_CTL_EXITED) {
		fprintf(stderr, "cvisor exec: the sandbox ended before the process did\n");
		return 128 + SIGKILL;
	}
	status = r.value;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* The process to run: from --process, or from the command line over the container's defaults. */
static int build_process(const struct exec_opts *o, struct oci_process *p)
{
	struct oci_error err;

	if (o->process_file) {
		if (oci_process_load(o->process_file, p, &err))
			return oci_fail("exec", "%s", err.msg);
		return 0;
	}
	memset(p, 0, sizeof(*p));
	p->args = xzalloc(sizeof(char *));
	for (size_t n = 0; o->cmd[n]; n++) {
		p->args = xrealloc(p->args, (n + 2) * sizeof(char *));
		p->args[n] = xstrdup(o->cmd[n]);
		p->args[n + 1] = NULL;
	}
	p->env = xzalloc(2 * sizeof(char *));
	p->env[0] = xstrdup("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	p->cwd = xstrdup("/");
	return 0;
}

/* --cwd, --env, --user over @p. */
static int apply_overrides(const struct exec_opts *o, struct oci_process *p)
{
	size_t n = 0;

	if (o->cwd) {
		if (o->cwd[0] != '/')
			return oci_fail("exec", "--cwd '%s' is not an absolute path", o->cwd);
		free(p->cwd);
		p->cwd = xstrdup(o->cwd);
	}
	while (p->env[n])
		n++;
	for (size_t k = 0; k < o->nenv; k++) {
		if (!strchr(o->env[k], '='))
			return oci_fail("exec", "--env needs NAME=VALUE, not '%s'", o->env[k]);
		p->env = xrealloc(p->env, (n + 2) * sizeof(char *));
		p->env[n++] = xstrdup(o->env[k]);
		p->env[n] = NULL;
	}
	if (o->user) {
		char *end;
		unsigned long uid = strtoul(o->user, &end, 10), gid = 0;

		if (end == o->user || (*end && *end != ':'))
			return oci_fail("exec", "--user wants UID[:GID] as numbers, not '%s'", o->user);
		if (*end == ':') {
			const char *g = end + 1;

			gid = strtoul(g, &end, 10);
			if (end == g || *end)
				return oci_fail("exec", "--user wants UID[:GID] as numbers, not '%s'", o->user);
		}
		p->uid = (uint32_t)uid;
		p->gid = (uint32_t)gid;
	}
	return 0;
}

/* Connect and start; the connection (the process runs) or -1 after saying why. */
static int start_exec(const struct global_opts *g, const struct exec_opts *o, const struct oci_process *p,
		      const int stdio[3])
{
	struct oci_container ct;
	struct oci_state st;
	struct sentry_ctl_reply r;
	enum oci_status s;
	const char *bad = oci_id_problem(o->id);
	int c, err;

	if (bad)
		return oci_fail("exec", "invalid container id '%s': %s", o->id, bad), -1;
	err = oci_container_open(g->state_root ? g->state_root : OCI_DEFAULT_STATE_ROOT, o->id, &ct);
	if (err)
		return oci_fail("exec", "container '%s' %s", o->id, err == -ENOENT ? "does not exist" : strerror(-err)), -1;
	if (oci_state_load(&ct, &st)) {
		oci_container_close(&ct, false);
		return oci_fail("exec", "container '%s' is still being created", o->id), -1;
	}
	s = oci_status(&ct, &st);
	oci_state_free(&st);
	if (s != OCI_RUNNING) {
		oci_container_close(&ct, false);
		return oci_fail("exec", "container '%s' is %s, not running", o->id, oci_status_name(s)), -1;
	}
	c = oci_control_connect(&ct);
	oci_container_close(&ct, false);
	if (c < 0)
		return oci_fail("exec", "cannot reach the sandbox of '%s': %s", o->id, strerror(errno)), -1;
	err = send_request(c, p, p->cwd ? p->cwd : "/", stdio);
	if (err || read_reply(c, &r)) {
		close(c);
		return oci_fail("exec", "the sandbox of '%s' did not take the request: %s", o->id,
				 strerror(err ? -err : EPROTO)), -1;
	}
	if (r.type != SENTRY_CTL_STARTED) {
		close(c);
		return oci_fail("exec", "cannot start '%s' in '%s': %s", p->args[0], o->id, strerror(-r.value)), -1;
	}
	log_info("exec: process %d in container %s", r.value, o->id);
	return c;
}

int cmd_exec(int argc, char **argv, const struct global_opts *g)
{
	struct exec_opts o = { 0 };
	struct oci_process p;
	int ready[2], c, status, err, tty = -1, stdio[3] = { 0, 1, 2 };
	pid_t child;
	char byte;

	if (parse_exec_opts(argc, argv, &o))
		return 1;
	if (build_process(&o, &p) || apply_overrides(&o, &p)) {
		free(o.env);
		return 1;
	}
	free(o.env);
	if (o.tty || p.terminal) {
		/* a terminal: runc's callers give a console socket for its master; the process gets the slave */
		if (!o.console_socket) {
			oci_process_free(&p);
			return oci_fail("exec", "--tty needs --console-socket to hand the terminal over");
		}
		tty = oci_console_to_socket("exec", o.console_socket, p.console_height, p.console_width);
		if (tty < 0) {
			oci_process_free(&p);
			return 1;
		}
		stdio[0] = stdio[1] = stdio[2] = tty;
	}
	if (!o.detach) {
		c = start_exec(g, &o, &p, stdio);
		oci_process_free(&p);
		if (tty >= 0)
			close(tty);	/* the sandbox holds it now */
		if (c < 0)
			return 1;
		status = wait_exited(c);
		close(c);
		return status;
	}
	/* detached: the waiter is a child of ours whose status is the process's */
	if (pipe2(ready, O_CLOEXEC) < 0)
		return oci_fail("exec", "pipe: %s", strerror(errno));
	child = fork();
	if (child < 0)
		return oci_fail("exec", "fork: %s", strerror(errno));
	if (child == 0) {
		close(ready[0]);
		c = start_exec(g, &o, &p, stdio);
		if (tty >= 0)
			close(tty);
		if (c < 0)
			_exit(1);
		if (write(ready[1], "1", 1) != 1)
			_exit(STATUS_RUNTIME_FAILED);
		close(ready[1]);
		_exit(wait_exited(c));
	}
	close(ready[1]);
	oci_process_free(&p);
	if (tty >= 0)
		close(tty);
	if (read(ready[0], &byte, 1) != 1) {
		waitpid(child, &status, 0);
		return 1;
	}
	close(ready[0]);
	if (o.pid_file && (err = write_pid_file(o.pid_file, child)) < 0)
		return oci_fail("exec", "--pid-file %s: %s", o.pid_file, strerror(-err));
	return 0;
}
