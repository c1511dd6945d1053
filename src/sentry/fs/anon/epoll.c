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
/*
 * Linux's EP_MAX_NESTS: a chain of epolls watching epolls has at most this
 * many links (five epolls); a longer one, or a cycle, is refused with ELOOP.
 * The bound is what keeps the recursive poll, wake-up and check walks below
 * from running away on guest-built graphs.
 */
#define EP_MAX_NESTS 4

struct linux_epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));
_Static_assert(sizeof(struct linux_epoll_event) == 12, "x86-64 epoll_event is packed");

struct eventpoll {
	struct list_head items;
	struct waitq wq;		/* tasks in epoll_wait, and epolls watching this one */
	struct file *file;		/* the epoll's own file: its epitems watch this epoll */
	uint64_t down_gen, up_gen;	/* loop check pass that computed the depths below */
	uint64_t rp_gen;		/* loop check pass that checked the files below */
	int down_depth, up_depth;	/* longest epoll chain below / above this one */
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

/*
 * Nesting of the recursive poll and wake-up walks. The ELOOP check at
 * EPOLL_CTL_ADD already bounds them; these counters are the belt to its
 * braces (one kernel lock, so one counter suffices).
 */
static int g_poll_depth, g_wake_depth;

static bool is_epoll(const struct file *f)
{
	return f->ops == &epoll_fops;
}

static void item_woken(struct waiter *w)
{
	struct epitem *item = container_of(w, struct epitem, w);

	item->signaled = true;
	if (g_wake_depth > EP_MAX_NESTS)
		return;
	g_wake_depth++;
	waitq_wake_all(&item->ep->wq);
	g_wake_depth--;
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
	if (g_poll_depth > EP_MAX_NESTS)
		return 0;
	g_poll_depth++;
	list_for_each_entry(item, &ep->items, ep_node) {
		if (item_ready(item, &mask)) {
			g_poll_depth--;
			return EPOLLIN | EPOLLRDNORM;
		}
	}
	g_poll_depth--;
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
	ep->file = anon_file_new("[eventpoll]", &epoll_fops, ep, O_RDWR);
	return fd_install(t, ep->file, 0, flags & EPOLL_CLOEXEC);
}

/*
 * The loop check of EPOLL_CTL_ADD, after Linux's ep_loop_check(): adding
 * epoll @to into @ep must not close a cycle, and the longest chain through
 * the new link (below @to, the link, above @ep) must stay within
 * EP_MAX_NESTS. Each walk visits an epoll once per pass (memoised depths)
 * and never goes deeper than EP_MAX_NESTS + 1, so it is bounded however the
 * guest wired its epolls.
 */
static uint64_t g_loop_gen;

/* Longest chain below @ep, or EP_MAX_NESTS + 1 when too deep or it reaches @target. */
static int depth_below(struct eventpoll *ep, struct eventpoll *target, int depth)
{
	struct epitem *item;
	int result = 0;

	if (ep == target || depth > EP_MAX_NESTS)
		return EP_MAX_NESTS + 1;
	if (ep->down_gen == g_loop_gen)
		return ep->down_depth;
	list_for_each_entry(item, &ep->items, ep_node) {
		if (!is_epoll(item->file))
			continue;
		result = MAX(result, 1 + depth_below(item->file->priv, target, depth + 1));
		if (result > EP_MAX_NESTS)
			break;
	}
	ep->down_gen = g_loop_gen;
	ep->down_depth = result;
	return result;
}

/* Longest chain of epolls watching @ep (capped past EP_MAX_NESTS). */
static int depth_above(struct eventpoll *ep, int depth)
{
	struct epitem *item;
	int result = 0;

	if (depth > EP_MAX_NESTS)
		return EP_MAX_NESTS + 1;
	if (ep->up_gen == g_loop_gen)
		return ep->up_depth;
	list_for_each_entry(item, &ep->file->epitems, file_node) {
		result = MAX(result, 1 + depth_above(item->ep, depth + 1));
		if (result > EP_MAX_NESTS)
			break;
	}
	ep->up_gen = g_loop_gen;
	ep->up_depth = result;
	return result;
}

static bool loop_check(struct eventpoll *ep, struct eventpoll *to)
{
	int down;

	g_loop_gen++;
	down = depth_below(to, ep, 0);
	if (down > EP_MAX_NESTS)
		return false;
	return down + 1 + depth_above(ep, 0) <= EP_MAX_NESTS;
}

/*
 * Linux's reverse_path_check(): a file may be reached from at most
 * path_limits[n] top-level epolls through chains of n + 1 links (any number
 * through one link). This bounds the fan-out of one wake-up, which
 * otherwise grows as the product of the fan-outs at each level.
 */
static const int path_limits[EP_MAX_NESTS + 1] = { 1000, 500, 100, 50, 10 };

static bool count_paths(struct file *f, int depth, int *count)
{
	struct epitem *item;

	if (depth > EP_MAX_NESTS)
		return false;
	list_for_each_entry(item, &f->epitems, file_node) {
		struct file *epf = item->ep->file;

		if (!list_empty(&epf->epitems)) {
			if (!count_paths(epf, depth + 1, count))
				return false;
		} else if (depth && ++count[depth] > path_limits[depth]) {
			return false;
		}
	}
	return true;
}

static bool reverse_path_ok(struct file *f)
{
	int count[EP_MAX_NESTS + 1] = { 0 };

	return count_paths(f, 0, count);
}

/* Check every non-epoll file at most EP_MAX_NESTS links below @ep. */
static bool reverse_paths_below_ok(struct eventpoll *ep, int depth)
{
	struct epitem *item;

	if (depth > EP_MAX_NESTS)
		return false;
	if (ep->rp_gen == g_loop_gen)
		return true;	/* reached before through another chain: already checked */
	ep->rp_gen = g_loop_gen;
	list_for_each_entry(item, &ep->items, ep_node) {
		bool ok = is_epoll(item->file) ? reverse_paths_below_ok(item->file->priv, depth + 1)
					       : reverse_path_ok(item->file);

		if (!ok)
			return false;
	}
	return true;
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
	/* Linux checks paths only when the new link can lengthen a chain */
	bool full_check = is_epoll(f) || !list_empty(&ep->file->epitems);
	struct epitem *item;
	struct waitq *wq = NULL;

	if (is_epoll(f) && !loop_check(ep, f->priv))
		return -ELOOP;
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
	if (full_check && !(is_epoll(f) ? reverse_paths_below_ok(f->priv, 0) : reverse_path_ok(f))) {
		item_free(item);
		return -EINVAL;
	}
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
	if (!is_epoll(epf) || epf == f) {
		ret = -EINVAL;
		goto out;
	}
	if (!f->ops || !f->ops->poll) {
		ret = -EPERM;	/* regular files and directories cannot be watched */
		goto out;
	}
	if ((ev.events & EPOLLEXCLUSIVE) && (op == EPOLL_CTL_MOD || (ev.events & EPOLLONESHOT) || is_epoll(f))) {
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
	if (!is_epoll(epf) || maxevents <= 0 || maxevents > EPOLL_MAX_EVENTS) {
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
