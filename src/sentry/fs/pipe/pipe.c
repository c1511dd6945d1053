// SPDX-License-Identifier: MIT
/*
 * Pipes: anonymous (pipe2) and named (FIFO inodes). Writes of at most
 * PIPE_BUF bytes are atomic; a write with no reader fails with EPIPE (the
 * caller raises SIGPIPE); a read with no writer returns 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include "lib/log.h"
#include "sentry/fs/pipe/pipe.h"
#include "sentry/fs/tmpfs/tmpfs.h"
#include "sentry/kernel/errno_ext.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/waitq.h"
#include "sentry/mm/usercopy.h"

#define PIPE_SIZE 65536
#define PIPE_BUF_ATOMIC 4096

struct pipe {
	uint8_t *buf;
	size_t head, len;
	int readers, writers;
	unsigned opens_r, opens_w;	/* counters for FIFO open rendezvous */
	struct waitq wq;
};

static struct super_block *g_pipe_sb;

static struct pipe *pipe_alloc(void)
{
	struct pipe *p = xzalloc(sizeof(*p));

	p->buf = xmalloc(PIPE_SIZE);
	waitq_init(&p->wq);
	return p;
}

static void pipe_free(struct inode *i)
{
	if (i->pipe) {
		free(i->pipe->buf);
		free(i->pipe);
		i->pipe = NULL;
	}
}

static bool is_reader(struct file *f)
{
	return (f->flags & O_ACCMODE) == O_RDONLY || (f->flags & O_ACCMODE) == O_RDWR;
}

static bool is_writer(struct file *f)
{
	return (f->flags & O_ACCMODE) == O_WRONLY || (f->flags & O_ACCMODE) == O_RDWR;
}

static ssize_t do_pipe_read(struct file *f, struct iov_iter *it, bool nonblock)
{
	struct pipe *p = f->inode->pipe;
	ssize_t done = 0;
	int err;

	if (!p->len) {
		if (!p->writers)
			return 0;
		if (nonblock)
			return -EAGAIN;
		err = wait_event(current, &p->wq, p->len || !p->writers, DEADLINE_NONE);
		if (err)
			return -ERESTARTSYS;
	}
	while (p->len && it->count) {
		size_t chunk = MIN(MIN(p->len, PIPE_SIZE - p->head), it->count);
		ssize_t got = iov_iter_copy_to(it, p->buf + p->head, chunk);

		if (got < 0) {
			if (!done)
				done = got;
			break;
		}
		p->head = (p->head + got) % PIPE_SIZE;
		p->len -= got;
		done += got;
		if ((size_t)got < chunk)
			break;
	}
	if (!p->len)
		p->head = 0;
	waitq_wake_all(&p->wq);
	return done;
}

static ssize_t pipe_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	(void)pos;
	return do_pipe_read(f, it, f->flags & O_NONBLOCK);
}

static ssize_t do_pipe_write(struct file *f, struct iov_iter *it, bool nonblock)
{
	struct pipe *p = f->inode->pipe;
	size_t total = it->count;
	ssize_t done = 0;

	while (it->count) {
		size_t want = total <= PIPE_BUF_ATOMIC ? total : 1;
		size_t space, tail, chunk;
		ssize_t got;

		if (!p->readers)
			return done ? done : -EPIPE;
		if (PIPE_SIZE - p->len < want) {
			int err;

			if (nonblock)
				return done ? done : -EAGAIN;
			err = wait_event(current, &p->wq, !p->readers || PIPE_SIZE - p->len >= want,
					 DEADLINE_NONE);
			if (err)
				return done ? done : -ERESTARTSYS;
			continue;
		}
		space = PIPE_SIZE - p->len;
		tail = (p->head + p->len) % PIPE_SIZE;
		chunk = MIN(MIN(space, PIPE_SIZE - tail), it->count);
		got = iov_iter_copy_from(it, p->buf + tail, chunk);
		if (got < 0)
			return done ? done : got;
		p->len += got;
		done += got;
		waitq_wake_all(&p->wq);
		if ((size_t)got < chunk)
			break;
	}
	return done;
}

static ssize_t pipe_write(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	(void)pos;
	return do_pipe_write(f, it, f->flags & O_NONBLOCK);
}

static unsigned pipe_poll(struct file *f, struct waitq **wq)
{
	struct pipe *p = f->inode->pipe;
	unsigned mask = 0;

	*wq = &p->wq;
	if (is_reader(f)) {
		if (p->len)
			mask |= POLLIN | POLLRDNORM;
		if (!p->writers && p->opens_w)
			mask |= POLLHUP;
	}
	if (is_writer(f)) {
		if (PIPE_SIZE - p->len >= PIPE_BUF_ATOMIC)
			mask |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			mask |= POLLERR;
	}
	return mask;
}

static long pipe_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	int n = (int)f->inode->pipe->len;

	if (cmd != FIONREAD)
		return -ENOTTY;
	return copy_out_obj(t, uptr(arg), &n) ? -EFAULT : 0;
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->inode->pipe;

	if (is_reader(f))
		p->readers--;
	if (is_writer(f))
		p->writers--;
	waitq_wake_all(&p->wq);
}

static const struct file_ops pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
};

bool file_is_pipe(const struct file *f)
{
	return f->ops == &pipe_fops;
}

bool pipe_same(const struct file *a, const struct file *b)
{
	return a->inode->pipe == b->inode->pipe;
}

/*
 * Wait, as read(2) and write(2) do, until the pipe of @f has data (@for_write
 * false) or room for at least one byte (@for_write true). Returns the bytes
 * readable or free, 0 at end of file (no writers left), -EAGAIN, -EPIPE (no
 * readers left) or -ERESTARTSYS.
 */
ssize_t pipe_splice_wait(struct file *f, bool for_write, bool nonblock)
{
	struct pipe *p = f->inode->pipe;
	int err;

	if (for_write) {
		if (p->readers && p->len == PIPE_SIZE && !nonblock) {
			err = wait_event(current, &p->wq, !p->readers || p->len < PIPE_SIZE, DEADLINE_NONE);
			if (err)
				return -ERESTARTSYS;
		}
		if (!p->readers)
			return -EPIPE;
		return p->len < PIPE_SIZE ? (ssize_t)(PIPE_SIZE - p->len) : -EAGAIN;
	}
	if (!p->len && p->writers && !nonblock) {
		err = wait_event(current, &p->wq, p->len || !p->writers, DEADLINE_NONE);
		if (err)
			return -ERESTARTSYS;
	}
	if (p->len)
		return (ssize_t)p->len;
	return p->writers ? -EAGAIN : 0;
}

ssize_t pipe_splice_read(struct file *f, void *buf, size_t n)
{
	struct iov_iter it;

	iov_iter_kernel(&it, buf, n);
	return do_pipe_read(f, &it, true);
}

ssize_t pipe_splice_write(struct file *f, const void *buf, size_t n)
{
	struct iov_iter it;

	iov_iter_kernel(&it, (void *)buf, n);
	return do_pipe_write(f, &it, true);
}

size_t pipe_peek(struct file *f, void *buf, size_t n)
{
	struct pipe *p = f->inode->pipe;
	size_t first;

	n = MIN(n, p->len);
	first = MIN(n, PIPE_SIZE - p->head);
	memcpy(buf, p->buf + p->head, first);
	memcpy((uint8_t *)buf + first, p->buf, n - first);
	return n;
}

int pipe_create(unsigned flags, struct file **rd, struct file **wr)
{
	struct inode *i;

	if (!g_pipe_sb)
		g_pipe_sb = sb_new("pipefs");
	/* opening the inode again (/proc/self/fd/N) works like opening a FIFO */
	i = inode_new(g_pipe_sb, S_IFIFO | 0600, NULL, &fifo_fops);
	i->pipe = pipe_alloc();
	i->destroy = pipe_free;
	i->pipe->readers = 1;
	i->pipe->writers = 1;
	i->pipe->opens_w = 1;
	*rd = file_new(NULL, i, O_RDONLY | (flags & O_NONBLOCK), &pipe_fops);
	*wr = file_new(NULL, i, O_WRONLY | (flags & O_NONBLOCK), &pipe_fops);
	inode_put(i);
	return 0;
}

/*
 * Opening a FIFO: a reader waits for a writer and vice versa, unless
 * O_NONBLOCK. Reopening an anonymous pipe (/proc/self/fd/N) never waits, as on Linux.
 */
static int fifo_open(struct file *f, struct task *t)
{
	struct inode *i = f->inode;
	bool anonymous = i->sb == g_pipe_sb;
	struct pipe *p;
	int err = 0;

	if (!i->pipe) {
		i->pipe = pipe_alloc();
		i->destroy = pipe_free;
	}
	p = i->pipe;
	f->ops = &pipe_fops;
	if ((f->flags & O_ACCMODE) == O_RDWR) {
		p->readers++;
		p->writers++;
		p->opens_r++;
		p->opens_w++;
	} else if ((f->flags & O_ACCMODE) == O_RDONLY) {
		unsigned seen = p->opens_w;

		p->readers++;
		p->opens_r++;
		waitq_wake_all(&p->wq);
		if (!anonymous && !(f->flags & O_NONBLOCK) && !p->writers)
			err = wait_event(t, &p->wq, p->writers || p->opens_w != seen, DEADLINE_NONE);
		if (err)
			p->readers--;
	} else {
		unsigned seen = p->opens_r;

		if (!anonymous && (f->flags & O_NONBLOCK) && !p->readers)
			return -ENXIO;
		p->writers++;
		p->opens_w++;
		waitq_wake_all(&p->wq);
		if (!anonymous && !p->readers)
			err = wait_event(t, &p->wq, p->readers || p->opens_r != seen, DEADLINE_NONE);
		if (err)
			p->writers--;
	}
	if (err) {
		f->ops = NULL;
		return -EINTR;
	}
	return 0;
}

const struct file_ops fifo_fops = {
	.open = fifo_open,
};
