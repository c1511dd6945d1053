// SPDX-License-Identifier: MIT
/*
 * The runtime's requests to a running sandbox (control.h): a thread accepts
 * on the listening socket, and each connection gets a thread that reads the
 * request, starts the process (kernel lock held only for that), then waits
 * outside the lock for the process to end, passing on signals the client
 * sends meanwhile.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include "lib/log.h"
#include "lib/util.h"
#include "sentry/control.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/spawn.h"
#include "sentry/kernel/task.h"

/* A request, decoded; argv/envp point into strings. */
struct exec_req {
	struct sentry_exec_req hdr;
	uint32_t *groups;
	char *strings;
	char **argv, **envp;
	const char *cwd;
	int fds[3];
};

static void req_free(struct exec_req *r)
{
	free(r->groups);
	free(r->strings);
	free(r->argv);
	free(r->envp);
	for (int k = 0; k < 3; k++)
		if (r->fds[k] >= 0)
			close(r->fds[k]);
}

static int read_full(int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n) {
		ssize_t got = read(fd, p, n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -EPROTO;
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/* The header and its three fds. */
static int read_header(int c, struct exec_req *r)
{
	char cbuf[CMSG_SPACE(3 * sizeof(int))];
	struct iovec iov = { &r->hdr, sizeof(r->hdr) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	ssize_t n = recvmsg(c, &msg, MSG_CMSG_CLOEXEC | MSG_WAITALL);

	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		size_t nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t k = 0; k < nfd; k++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + k * sizeof(int), sizeof(int));
			if (k < 3 && r->fds[k] < 0)
				r->fds[k] = fd;
			else
				close(fd);
		}
	}
	if (n != (ssize_t)sizeof(r->hdr) || (msg.msg_flags & MSG_CTRUNC))
		return -EPROTO;
	if (r->hdr.magic != SENTRY_EXEC_MAGIC || r->hdr.version != SENTRY_EXEC_VERSION)
		return -EPROTO;
	if (r->hdr.nargs == 0 || r->hdr.nargs > SENTRY_EXEC_MAX_ARGS || r->hdr.nenv > SENTRY_EXEC_MAX_ARGS ||
	    r->hdr.ngroups > SENTRY_EXEC_MAX_GROUPS || r->hdr.strings_len > SENTRY_EXEC_MAX_STRINGS ||
	    r->hdr.strings_len == 0)
		return -E2BIG;
	return 0;
}

/* The groups and strings after the header: "CWD\0" then nargs + nenv NUL-terminated strings, nothing after. */
static int read_body(int c, struct exec_req *r)
{
	size_t nstr = 1 + r->hdr.nargs + r->hdr.nenv, k = 0;
	char *p, *end;

	r->groups = xzalloc((r->hdr.ngroups + 1) * sizeof(uint32_t));
	r->strings = xmalloc(r->hdr.strings_len);
	if (read_full(c, r->groups, r->hdr.ngroups * sizeof(uint32_t)) || read_full(c, r->strings, r->hdr.strings_len))
		return -EPROTO;
	if (r->strings[r->hdr.strings_len - 1] != '\0')
		return -EPROTO;
	r->argv = xzalloc((r->hdr.nargs + 1) * sizeof(char *));
	r->envp = xzalloc((r->hdr.nenv + 1) * sizeof(char *));
	for (p = r->strings, end = r->strings + r->hdr.strings_len; p < end; p += strlen(p) + 1, k++) {
		if (k == 0)
			r->cwd = p;
		else if (k <= r->hdr.nargs)
			r->argv[k - 1] = p;
		else if (k < nstr)
			r->envp[k - 1 - r->hdr.nargs] = p;
		else
			return -EPROTO;
	}
	if (k != nstr || r->cwd[0] != '/')
		return -EPROTO;
	return 0;
}

static void reply(int c, uint32_t type, int32_t value)
{
	struct sentry_ctl_reply rep = { type, value };

	if (send(c, &rep, sizeof(rep), MSG_NOSIGNAL) != (ssize_t)sizeof(rep))
		log_info("control: the client went away before its reply");
}

/* Start the process; its pid, or -errno. */
static int start_process(struct exec_req *r, struct exit_watch *w, struct thread_group **tg_out)
{
	struct spawn_spec sp = {
		.argv = r->argv, .envp = r->envp, .cwd = r->cwd,
		.uid = r->hdr.uid, .gid = r->hdr.gid, .groups = r->groups, .ngroups = r->hdr.ngroups,
		.set_umask = r->hdr.flags & SENTRY_EXEC_SET_UMASK, .umask = r->hdr.umask,
		.no_new_privs = r->hdr.flags & SENTRY_EXEC_NO_NEW_PRIVS,
		.stdio = { r->fds[0], r->fds[1], r->fds[2] },
	};
	struct task *t;
	int ret;

	kernel_lock();
	if (!g_kernel.init_tg || g_kernel.init_exited) {
		kernel_unlock();
		return -ESRCH;
	}
	t = spawn_process(&sp);
	if (is_err(t)) {
		kernel_unlock();
		return (int)ptr_err(t);
	}
	t->tg->exit_watch = w;
	*tg_out = t->tg;
	ret = t->tg->tgid;
	if (task_start(t)) {
		log_error("control: cannot start the thread of process %d", ret);
		ret = -EAGAIN;	/* the process is there without a thread: it ends with the sandbox */
	}
	kernel_unlock();
	return ret;
}

/* Until the process ends: signals from the client go to it. */
static void wait_process(int c, struct exit_watch *w, struct thread_group *tg)
{
	bool client = true;

	for (;;) {
		struct pollfd p[2] = { { w->efd, POLLIN, 0 }, { c, POLLIN, 0 } };
		struct sentry_ctl_msg m;

		if (poll(p, client ? 2 : 1, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (!client || !p[1].revents)
			continue;
		if (read_full(c, &m, sizeof(m))) {
			client = false;	/* it went away (a detached exec's waiter died): the process goes on */
			continue;
		}
		if (m.type != SENTRY_CTL_SIGNAL || m.value < 1 || m.value > 64)
			continue;
		kernel_lock();
		if (!w->done) {
			struct linux_siginfo info = { .si_signo = m.value, .si_code = SI_USER };

			send_signal_tg_forced(tg, m.value, &info);
		}
		kernel_unlock();
	}
}

static void *connection_main(void *arg)
{
	int c = (int)(intptr_t)arg, pid;
	struct exec_req r = { .fds = { -1, -1, -1 } };
	struct exit_watch w = { .efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK) };
	struct thread_group *tg = NULL;
	int err = w.efd < 0 ? -errno : 0;

	if (!err)
		err = read_header(c, &r);
	if (!err)
		err = read_body(c, &r);
	pid = err ? err : start_process(&r, &w, &tg);
	req_free(&r);	/* the process has its own copies of the fds and strings */
	if (pid < 0) {
		log_info("control: exec refused: %s", strerror(-pid));
		reply(c, SENTRY_CTL_FAILED, pid);
	} else {
		log_info("control: exec started process %d", pid);
		reply(c, SENTRY_CTL_STARTED, pid);
		wait_process(c, &w, tg);
		kernel_lock();
		w.done = true;
		kernel_unlock();
		reply(c, SENTRY_CTL_EXITED, w.status);
	}
	close(c);
	if (w.efd >= 0)
		close(w.efd);
	return NULL;
}

static void *accept_main(void *arg)
{
	int fd = (int)(intptr_t)arg;

	for (;;) {
		pthread_attr_t attr;
		pthread_t th;
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE)
				continue;
			log_warn("control: accept: %s; no more requests", strerror(errno));
			return NULL;
		}
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 256 << 10);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (pthread_create(&th, &attr, connection_main, (void *)(intptr_t)c)) {
			log_warn("control: no thread for a request");
			close(c);
		}
		pthread_attr_destroy(&attr);
	}
}

int control_start(int fd)
{
	pthread_attr_t attr;
	pthread_t th;
	int err;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 << 10);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&th, &attr, accept_main, (void *)(intptr_t)fd);
	pthread_attr_destroy(&attr);
	return -err;
}
