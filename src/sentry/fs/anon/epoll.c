// SPDX-License-Identifier: MIT
/*
 * epoll: an interest list of (file, fd) entries. Each entry hangs a callback
 * waiter on its file's wait queue; a wake-up marks the entry and wakes the
 * epoll waiters, who then ask the file for its ready mask. Level-triggered
 * entries report while ready, edge-triggered ones once per wake-up,
 * EPOLLONESHOT ones once until EPOLL_CTL_MOD. Files without a wait queue
 * (host stdio) are re-polled every few milliseconds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include "lib/log.h"
#include "sentry/fs/anon/anon.h"
#include "sentry/kernel/errno_ext.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"

#define HOST_REPOLL_NS 5000000ULL
#define EPOLL_MAX_EVENTS (INT32_MAX / 12)

struct linux_epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));
_Static_assert(sizeof(struct linux_epoll_event) == 12, "x86-64 epoll_event is packed");

struct eventpoll {
	struct list_head items;
	struct waitq wq;		/* tasks in epoll_wait, and epolls watching this one */
};

struct epitem {
	struct list_head ep_node;	/* in eventpoll.items */
	struct list_head file_node;	/* in file.epitems */
	struct eventpoll *ep;
	struct file *file;		/* not a reference: the entry dies with the file */
	int fd;
	uint32_t events;
	uint64_t data;
	struct waiter w;
	struct waitq *wq;		/* the file's queue, NULL for host-backed files */
	bool signaled;			/* woken since last reported (edge-triggered) */
	bool disabled;			/* EPOLLONESHOT already reported */
};

static const struct file_ops epoll_fops;

static void item_woken(struct waiter *w)
{
	struct epitem *item = container_of(w, struct epitem, w);

	item->signaled = true;
	waitq_wake_all(&item->ep->wq);
}

static void item_free(struct epitem *item)
{
	if (item->wq)
		waitq_del(&item->w);
	list_del(&item->ep_node);
	list_del(&item->file_node);
	free(item);
}

void epoll_file_closing(struct file *f)
{
	while (!list_empty(&f->epitems))
		item_free(list_first_entry(&f->epitems, struct epitem, file_node));
}

static unsigned item_mask(struct epitem *item)
{
	struct waitq *wq = NULL;
	unsigned mask = item->file->ops->poll(item->file, &wq);

	return mask & (item->events | EPOLLERR | EPOLLHUP);
}

/* Whether @item has something to report now (without consuming it). */
static bool item_ready(struct epitem *item, unsigned *mask_out)
{
	unsigned mask;

	if (item->disabled)
		return false;
	mask = item_mask(item);
	if (!mask)
		return false;
	if ((item->events & EPOLLET) && item->wq && !item->signaled)
		return false;
	*mask_out = mask;
	return true;
}

static unsigned epoll_poll(struct file *f, struct waitq **wq)
{
	struct eventpoll *ep = f->priv;
	struct epitem *item;
	unsigned mask;

	*wq = &ep->wq;
	list_for_each_entry(item, &ep->items, ep_node)
		if (item_ready(item, &mask))
			return EPOLLIN | EPOLLRDNORM;
	return 0;
}

static void epoll_release(struct file *f)
{
	struct eventpoll *ep = f->priv;

	while (!list_empty(&ep->items))
		item_free(list_first_entry(&ep->items, struct epitem, ep_node));
	free(ep);
}

static const struct file_ops epoll_fops = {
	.poll = epoll_poll,
	.release = epoll_release,
};

int do_epoll_create(struct task *t, int flags)
{
	struct eventpoll *ep;

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	ep = xzalloc(sizeof(*ep));
	list_init(&ep->items);
	waitq_init(&ep->wq);
	return fd_install(t, anon_file_new("[eventpoll]", &epoll_fops, ep, O_RDWR), 0, flags & EPOLL_CLOEXEC);
}

static struct epitem *find_item(struct eventpoll *ep, struct file *f, int fd)
{
	struct epitem *item;

	list_for_each_entry(item, &ep->items, ep_node)
		if (item->file == f && item->fd == fd)
			return item;
	return NULL;
}

static int ctl_add(struct eventpoll *ep, struct file *f, int fd, const struct linux_epoll_event *ev)
{
	struct epitem *item;
	struct waitq *wq = NULL;

	if (find_item(ep, f, fd))
		return -EEXIST;
	item = xzalloc(sizeof(*item));
	item->ep = ep;
	item->file = f;
	item->fd = fd;
	item->events = ev->events;
	item->data = ev->data;
	item->signaled = true;	/* report what is ready now, even edge-triggered */
	f->ops->poll(f, &wq);
	item->wq = wq;
	if (wq)
		waitq_add_callback(wq, &item->w, item_woken);
	list_add_tail(&item->ep_node, &ep->items);
	list_add_tail(&item->file_node, &f->epitems);
	waitq_wake_all(&ep->wq);
	return 0;
}

long do_epoll_ctl(struct task *t, int epfd, int op, int fd, uptr_t uevent)
{
	struct linux_epoll_event ev = { 0 };
	struct file *epf = fdget(t, epfd), *f = fdget(t, fd);
	struct eventpoll *ep;
	struct epitem *item;
	long ret;

	if (!epf || !f) {
		ret = -EBADF;
		goto out;
	}
	if (op != EPOLL_CTL_DEL && copy_in_obj(t, &ev, uevent)) {
		ret = -EFAULT;
		goto out;
	}
	if (epf->ops != &epoll_fops || epf == f) {
		ret = -EINVAL;
		goto out;
	}
	if (!f->ops || !f->ops->poll) {
		ret = -EPERM;	/* regular files and directories cannot be watched */
		goto out;
	}
	if ((ev.events & EPOLLEXCLUSIVE) && (op == EPOLL_CTL_MOD || (ev.events & EPOLLONESHOT))) {
		ret = -EINVAL;
		goto out;
	}
	ep = epf->priv;
	item = find_item(ep, f, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		ret = ctl_add(ep, f, fd, &ev);
		break;
	case EPOLL_CTL_MOD:
		if (!item) {
			ret = -ENOENT;
			break;
		}
		item->events = ev.events;
		item->data = ev.data;
		item->disabled = false;
		item->signaled = true;
		waitq_wake_all(&ep->wq);
		ret = 0;
		break;
	case EPOLL_CTL_DEL:
		if (!item) {
			ret = -ENOENT;
			break;
		}
		item_free(item);
		ret = 0;
		break;
	default:
		ret = -EINVAL;
	}
out:
	if (epf)
		file_put(epf);
	if (f)
		file_put(f);
	return ret;
}

/* Collect up to @max ready events into @out. */
static int collect(struct eventpoll *ep, struct linux_epoll_event *out, int max, bool *host)
{
	struct epitem *item;
	int n = 0;

	*host = false;
	list_for_each_entry(item, &ep->items, ep_node) {
		unsigned mask;

		if (!item->wq && !item->disabled)
			*host = true;
		if (n == max || !item_ready(item, &mask))
			continue;
		out[n].events = mask;
		out[n].data = item->data;
		n++;
		item->signaled = false;
		if (item->events & EPOLLONESHOT)
			item->disabled = true;
	}
	return n;
}

long do_epoll_wait(struct task *t, int epfd, uptr_t uevents, int maxevents, uint64_t deadline)
{
	struct file *epf = fdget(t, epfd);
	struct linux_epoll_event *events;
	struct eventpoll *ep;
	long ret;

	if (!epf)
		return -EBADF;
	if (epf->ops != &epoll_fops || maxevents <= 0 || maxevents > EPOLL_MAX_EVENTS) {
		file_put(epf);
		return -EINVAL;
	}
	ep = epf->priv;
	events = xmalloc(MIN(maxevents, 1024) * sizeof(*events));
	for (;;) {
		struct waiter w;
		bool host;
		uint64_t until = deadline;
		int err;

		ret = collect(ep, events, MIN(maxevents, 1024), &host);
		if (ret || deadline == 0)
			break;
		if (host)
			until = MIN(until, monotonic_ns() + HOST_REPOLL_NS);
		waitq_add(&ep->wq, &w, t);
		err = task_sleep(t, until);
		waitq_del(&w);
		if (err == -ETIMEDOUT && until == deadline)
			break;
		if (err == -EINTR) {
			ret = -EINTR;
			break;
		}
	}
	if (ret > 0 && copy_out(t, uevents, events, ret * sizeof(*events)))
		ret = -EFAULT;
	free(events);
	file_put(epf);
	return ret;
}
