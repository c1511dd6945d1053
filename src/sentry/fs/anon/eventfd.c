// SPDX-License-Identifier: MIT
/* eventfd: a 64-bit counter; reads take it (or 1 with EFD_SEMAPHORE), writes add to it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include "sentry/fs/anon/anon.h"
#include "sentry/kernel/errno_ext.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"

#define EVENTFD_MAX 0xfffffffffffffffeULL

struct eventfd {
	uint64_t count;
	bool semaphore;
	struct waitq wq;
};

static ssize_t efd_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v;
	ssize_t n;

	(void)pos;
	if (it->count < 8)
		return -EINVAL;
	if (!e->count) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event(current, &e->wq, e->count, DEADLINE_NONE))
			return -ERESTARTSYS;
	}
	v = e->semaphore ? 1 : e->count;
	n = iov_iter_copy_to(it, &v, 8);
	if (n != 8)
		return n < 0 ? n : -EFAULT;
	e->count -= v;
	waitq_wake_all(&e->wq);
	return 8;
}

static ssize_t efd_write(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v;

	(void)pos;
	if (it->count < 8)
		return -EINVAL;
	if (iov_iter_copy_from(it, &v, 8) != 8)
		return -EFAULT;
	if (v == UINT64_MAX)
		return -EINVAL;
	if (EVENTFD_MAX - e->count < v) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event(current, &e->wq, EVENTFD_MAX - e->count >= v, DEADLINE_NONE))
			return -ERESTARTSYS;
	}
	e->count += v;
	waitq_wake_all(&e->wq);
	return 8;
}

static unsigned efd_poll(struct file *f, struct waitq **wq)
{
	struct eventfd *e = f->priv;
	unsigned mask = 0;

	*wq = &e->wq;
	if (e->count)
		mask |= POLLIN | POLLRDNORM;
	if (e->count < EVENTFD_MAX)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static void efd_release(struct file *f)
{
	free(f->priv);
}

static const struct file_ops efd_fops = {
	.read = efd_read,
	.write = efd_write,
	.poll = efd_poll,
	.release = efd_release,
};

int do_eventfd2(struct task *t, unsigned initval, int flags)
{
	struct eventfd *e;

	if (flags & ~(EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE))
		return -EINVAL;
	e = xzalloc(sizeof(*e));
	e->count = initval;
	e->semaphore = flags & EFD_SEMAPHORE;
	waitq_init(&e->wq);
	return fd_install(t, anon_file_new("[eventfd]", &efd_fops, e, O_RDWR | (flags & O_NONBLOCK)), 0,
			  flags & EFD_CLOEXEC);
}
