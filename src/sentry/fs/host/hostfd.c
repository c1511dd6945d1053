// SPDX-License-Identifier: MIT
/* Host-descriptor files: stdio passthrough with interruptible blocking. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <asm/termbits.h>
#include <unistd.h>
#include "abi/linux/misc.h"
#include "lib/log.h"
#include "platform/platform.h"
#include "sentry/fs/host/hostfd.h"
#include "sentry/kernel/errno_ext.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/strace/strace.h"
#include "sentry/mm/usercopy.h"

#define BOUNCE 65536

struct hostfd {
	int fd;
	bool seekable;
	bool no_nowait;		/* the host file refuses RWF_NOWAIT (terminals) */
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
	/* a signal that came while we were not in ppoll has already sent its SIGUSR1 */
	if (task_signal_pending(t) || t->exiting)
		return -EINTR;
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

/*
 * Host I/O never blocks with the kernel lock held: a stalled reader of our
 * stdout must stall only the task writing to it. The host descriptor is
 * shared with whoever started the sandbox (a shell, the user's terminal),
 * so it stays blocking on the host; each call asks for non-blocking
 * behaviour instead (RWF_NOWAIT, which pipes and sockets honour, FIFOs and
 * terminals not), and the caller waits for readiness with the lock dropped
 * (host_wait_fd).
 */
#define HOST_RWF_NOWAIT 0x8	/* RWF_NOWAIT; <sys/uio.h> clashes with usercopy.h's UIO_MAXIOV */

static ssize_t host_rw_nowait(int fd, void *buf, size_t n, bool wr)
{
	struct { void *base; size_t len; } v = { buf, n };	/* struct iovec */
	/* offset -1: the file's own position, as read(2)/write(2) */
	long r = syscall(wr ? SYS_pwritev2 : SYS_preadv2, fd, &v, 1, -1L, 0L, HOST_RWF_NOWAIT);

	return r < 0 ? -errno : r;
}

/*
 * For host files without RWF_NOWAIT (FIFOs, terminals), after poll said
 * ready: at most PIPE_BUF bytes, which a FIFO with room for one more buffer
 * always takes whole, so the call does not block unless another host
 * process raced us (or a terminal is stopped). In case it does, it runs
 * with the kernel lock dropped and SIGUSR1 unblocked, so that
 * task_interrupt() breaks it with EINTR (a SIGUSR1 that lands just before
 * the call starts is lost: the call then waits for the peer). @buf is the
 * caller's private bounce buffer and the caller holds a reference on the
 * file, so nothing it uses can change under it.
 */
/*
 * Around a host call that may block: the kernel lock dropped and SIGUSR1
 * unblocked, so task_interrupt() ends the call with EINTR.
 */
static void host_block_begin(struct task *t, sigset_t *old)
{
	sigset_t usr1;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (g_platform->ops->will_block)
		g_platform->ops->will_block();
	t->state = TASK_HOST_BLOCKED;
	kernel_unlock();
	pthread_sigmask(SIG_UNBLOCK, &usr1, old);
}

static void host_block_end(struct task *t, const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
	kernel_lock();
	t->state = TASK_IN_SENTRY;
}

static ssize_t host_rw_unlocked(struct task *t, int fd, void *buf, size_t n, bool wr)
{
	sigset_t old;
	ssize_t r;

	n = MIN(n, (size_t)PIPE_BUF);
	host_block_begin(t, &old);
	r = wr ? write(fd, buf, n) : read(fd, buf, n);
	if (r < 0)
		r = -errno;
	host_block_end(t, &old);
	return r;
}

/*
 * TCSETSW/TCSETSF (and the termios2 forms) first wait until the terminal
 * has sent its output, which a stopped or unread terminal never does: the
 * ioctl runs inside host_block_begin/end (kernel lock dropped, SIGUSR1
 * unblocked), so task_interrupt() ends it with EINTR. Linux then
 * restarts the call or returns EINTR as the signal's handler says.
 * @tio is the caller's own copy.
 */
static long host_tcset_drain(struct task *t, int fd, unsigned cmd, void *tio)
{
	sigset_t old;
	long r;

	if (task_signal_pending(t) || t->exiting)
		return -ERESTARTSYS;
	host_block_begin(t, &old);
	r = ioctl(fd, cmd, tio) < 0 ? -errno : 0;
	host_block_end(t, &old);
	return r == -EINTR ? -ERESTARTSYS : r;
}

/* One read or write on @h; -EAGAIN when it would have to wait. */
static ssize_t hostfd_try_io(struct task *t, struct hostfd *h, void *buf, size_t n, bool wr)
{
	struct pollfd p = { h->fd, wr ? POLLOUT : POLLIN, 0 };
	ssize_t r;

	if (h->seekable) {
		/* a regular file: waits for the disk at most, never for a peer */
		r = wr ? write(h->fd, buf, n) : read(h->fd, buf, n);
		return r < 0 ? -errno : r;
	}
	if (!h->no_nowait) {
		r = host_rw_nowait(h->fd, buf, n, wr);
		if (r != -EOPNOTSUPP)
			return r;
		h->no_nowait = true;
	}
	if (poll(&p, 1, 0) == 0)
		return -EAGAIN;
	r = host_rw_unlocked(t, h->fd, buf, n, wr);
	if (r == -EINTR && !task_signal_pending(t) && !t->exiting)
		r = -EAGAIN;	/* a stray wake-up: wait again */
	return r;
}

/*
 * Read or write at most @n bytes, waiting (interruptibly, lock dropped)
 * unless the guest file is O_NONBLOCK. An interrupted call is restarted per
 * SA_RESTART, as for a pipe or terminal on Linux.
 */
static ssize_t hostfd_io(struct file *f, void *buf, size_t n, bool wr)
{
	struct hostfd *h = hostfd_of(f);

	for (;;) {
		ssize_t r = hostfd_try_io(current, h, buf, n, wr);
		int err;

		if (r == -EINTR)
			return -ERESTARTSYS;
		if (r != -EAGAIN || (f->flags & O_NONBLOCK))
			return r;
		err = host_wait_fd(current, h->fd, wr ? POLLOUT : POLLIN);
		if (err)
			return err == -EINTR ? -ERESTARTSYS : err;
	}
}

static ssize_t hostfd_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	size_t n = MIN(it->count, (size_t)BOUNCE);
	char *buf = xmalloc(n);
	/* The host descriptor's own offset is the truth: it is shared with whoever
	 * else holds the file (the shell that redirected our output, say). */
	ssize_t got = hostfd_io(f, buf, n, false);

	if (got > 0) {
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
			ssize_t r = hostfd_io(f, buf + w, n - w, true);

			if (r < 0) {
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
		if (cmd != TCSETS && cmd != TCSETS2)
			return host_tcset_drain(t, h->fd, cmd, &tio);
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
