// SPDX-License-Identifier: MIT
/* Host-descriptor files: stdio passthrough with interruptible blocking. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <asm/termbits.h>
#include <unistd.h>
#include "abi/linux/misc.h"
#include "lib/log.h"
#include "platform/platform.h"
#include "sentry/fs/host/hostfd.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/strace/strace.h"
#include "sentry/mm/usercopy.h"

#define BOUNCE 65536

struct hostfd {
	int fd;
	bool seekable;
};

static struct super_block *g_hostfd_sb;

/*
 * The host descriptor behind @f: kept on the inode for the sandbox's stdio
 * (so /proc/self/fd/N can reopen it), on the file for an opened /dev/tty.
 */
static struct hostfd *hostfd_of(struct file *f)
{
	return f->priv ? f->priv : f->inode->priv;
}

int host_wait_fd(struct task *t, int fd, short events)
{
	sigset_t unblocked;
	int r;

	struct pollfd now = { fd, events, 0 };

	if (poll(&now, 1, 0) > 0)
		return 0;
	if (unlikely(t->strace_active))
		strace_block(t);
	pthread_sigmask(SIG_SETMASK, NULL, &unblocked);
	sigdelset(&unblocked, SIGUSR1);
	if (g_platform->ops->will_block)
		g_platform->ops->will_block();
	for (;;) {
		struct pollfd p = { fd, events, 0 };

		t->state = TASK_HOST_BLOCKED;
		kernel_unlock();
		r = ppoll(&p, 1, NULL, &unblocked);
		kernel_lock();
		t->state = TASK_IN_SENTRY;
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (task_signal_pending(t) || t->exiting)
			return -EINTR;
	}
}

static ssize_t hostfd_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct hostfd *h = hostfd_of(f);
	size_t n = MIN(it->count, (size_t)BOUNCE);
	char *buf;
	ssize_t got;
	int err;

	if (!h->seekable && !(f->flags & O_NONBLOCK)) {
		err = host_wait_fd(current, h->fd, POLLIN);
		if (err)
			return err;
	}
	buf = xmalloc(n);
	/* The host descriptor's own offset is the truth: it is shared with whoever
	 * else holds the file (the shell that redirected our output, say). */
	got = read(h->fd, buf, n);
	if (got < 0) {
		got = -errno;
	} else if (got > 0) {
		ssize_t c = iov_iter_copy_to(it, buf, got);

		if (c < 0)
			got = c;
		else
			*pos += c;
	}
	free(buf);
	return got;
}

static ssize_t hostfd_write(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct hostfd *h = hostfd_of(f);
	char *buf = xmalloc(BOUNCE);
	ssize_t done = 0;

	while (it->count) {
		ssize_t n = iov_iter_copy_from(it, buf, MIN(it->count, (size_t)BOUNCE)), w = 0;

		if (n < 0) {
			if (!done)
				done = n;
			break;
		}
		while (w < n) {
			ssize_t r;

			if (!h->seekable && !(f->flags & O_NONBLOCK)) {
				int err = host_wait_fd(current, h->fd, POLLOUT);

				if (err) {
					r = err;
					goto fail;
				}
			}
			r = write(h->fd, buf + w, n - w);
			if (r < 0 && errno == EAGAIN && !(f->flags & O_NONBLOCK))
				continue;
			if (r < 0) {
				r = -errno;
fail:
				free(buf);
				return done + w ? done + w : r;
			}
			w += r;
			*pos += r;
		}
		done += n;
	}
	free(buf);
	return done;
}

static int64_t hostfd_llseek(struct file *f, int64_t off, int whence)
{
	struct hostfd *h = hostfd_of(f);
	int64_t r;

	if (!h->seekable)
		return -ESPIPE;
	r = lseek(h->fd, off, whence);
	if (r < 0)
		return -errno;
	f->pos = r;
	return r;
}

/* Some process of group @pgrp lives in session @sid. */
static bool pgrp_in_session(pid_t pgrp, pid_t sid)
{
	for (int pid = 1; pid < PID_MAX; pid++) {
		struct thread_group *tg = tg_lookup(pid);

		if (tg && !tg->zombie && tg->pgid == pgrp && tg->sid == sid)
			return true;
	}
	return false;
}

static long hostfd_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	struct hostfd *h = hostfd_of(f);
	struct linux_termios2 tio;
	struct linux_winsize ws;
	size_t size;
	int n;

	switch (cmd) {
	case TCGETS:
	case TCGETS2:
		/* raw kernel structs both ways: the host kernel fills exactly what the guest expects */
		size = cmd == TCGETS ? sizeof(struct linux_termios) : sizeof(struct linux_termios2);
		if (ioctl(h->fd, cmd, &tio) < 0)
			return -errno;
		return copy_out(t, uptr(arg), &tio, size) ? -EFAULT : 0;
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
	case TCSETS2:
	case TCSETSW2:
	case TCSETSF2:
		size = (cmd == TCSETS || cmd == TCSETSW || cmd == TCSETSF) ? sizeof(struct linux_termios)
									    : sizeof(struct linux_termios2);
		if (copy_in(t, &tio, uptr(arg), size))
			return -EFAULT;
		return ioctl(h->fd, cmd, &tio) < 0 ? -errno : 0;
	case TIOCGWINSZ:
		if (ioctl(h->fd, TIOCGWINSZ, &ws) < 0)
			return -errno;
		return copy_out_obj(t, uptr(arg), &ws) ? -EFAULT : 0;
	case TIOCSWINSZ:
		if (copy_in_obj(t, &ws, uptr(arg)))
			return -EFAULT;
		return ioctl(h->fd, TIOCSWINSZ, &ws) < 0 ? -errno : 0;
	case FIONREAD:
		if (ioctl(h->fd, FIONREAD, &n) < 0)
			return -errno;
		return copy_out_obj(t, uptr(arg), &n) ? -EFAULT : 0;
	/*
	 * Job control stays inside the sandbox: the host terminal is the
	 * controlling terminal of the sandbox's first session, and its
	 * foreground process group is kept here, never set on the host.
	 */
	case TIOCGPGRP:
		if (!isatty(h->fd))
			return -ENOTTY;
		n = g_kernel.tty_fg_pgrp ? g_kernel.tty_fg_pgrp : g_kernel.init_tg->pgid;
		return copy_out_obj(t, uptr(arg), &n) ? -EFAULT : 0;
	case TIOCSPGRP:
		if (!isatty(h->fd))
			return -ENOTTY;
		if (copy_in_obj(t, &n, uptr(arg)))
			return -EFAULT;
		if (n < 0)
			return -EINVAL;
		if (!pgrp_in_session(n, t->tg->sid))
			return -EPERM;
		g_kernel.tty_fg_pgrp = n;
		return 0;
	case TIOCGSID:
		if (!isatty(h->fd))
			return -ENOTTY;
		n = g_kernel.init_tg->sid;
		return copy_out_obj(t, uptr(arg), &n) ? -EFAULT : 0;
	case TIOCSCTTY:
	case TIOCNOTTY:
		return isatty(h->fd) ? 0 : -ENOTTY;
	default:
		return -ENOTTY;
	}
}

static unsigned hostfd_poll(struct file *f, struct waitq **wq)
{
	struct hostfd *h = hostfd_of(f);
	struct pollfd p = { h->fd, POLLIN | POLLOUT, 0 };

	*wq = NULL;
	if (poll(&p, 1, 0) < 0)
		return POLLERR;
	return p.revents;
}

static void hostfd_release(struct file *f)
{
	struct hostfd *h = f->priv;	/* only /dev/tty files own one */

	if (h) {
		close(h->fd);
		free(h);
	}
}

static void hostfd_inode_destroy(struct inode *i)
{
	struct hostfd *h = i->priv;

	close(h->fd);
	free(h);
}

static const struct file_ops hostfd_fops = {
	.read = hostfd_read,
	.write = hostfd_write,
	.llseek = hostfd_llseek,
	.ioctl = hostfd_ioctl,
	.poll = hostfd_poll,
	.release = hostfd_release,
};

static struct hostfd *hostfd_priv(int fd)
{
	struct hostfd *h = xzalloc(sizeof(*h));
	struct stat st;

	h->fd = fd;
	h->seekable = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	return h;
}

struct file *hostfd_file_new(int fd, unsigned flags)
{
	struct stat st;
	struct inode *i;
	struct file *f;
	int dupfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	if (dupfd < 0 || fstat(dupfd, &st) < 0)
		return NULL;
	if (!g_hostfd_sb)
		g_hostfd_sb = sb_new("hostfd");
	i = inode_new(g_hostfd_sb, st.st_mode, NULL, &hostfd_fops);
	i->uid = 0;
	i->gid = 0;
	i->rdev = st.st_rdev;
	i->priv = hostfd_priv(dupfd);
	i->destroy = hostfd_inode_destroy;
	f = file_new(NULL, i, flags, &hostfd_fops);
	inode_put(i);
	return f;
}

int hostfd_bind_tty(struct file *f)
{
	int fd;

	if (!isatty(STDIN_FILENO))
		return -ENXIO;
	fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	f->ops = &hostfd_fops;
	f->priv = hostfd_priv(fd);
	return 0;
}
