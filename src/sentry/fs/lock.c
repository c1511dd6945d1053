// SPDX-License-Identifier: MIT
/*
 * fcntl(2) record locks, after Linux's fs/locks.c: each inode keeps a list
 * of byte-range locks; one owner's locks never overlap each other (setting a
 * range replaces what the owner held there, and same-type neighbours merge);
 * a request conflicts with another owner's overlapping lock when either is a
 * write lock. F_SETLKW sleeps on the inode's queue (kernel lock dropped) and
 * gives EDEADLK when waiting would close a cycle of POSIX owners. flock(2)
 * locks live in the same list as whole-file locks of their open file, but
 * only ever conflict with each other, as on Linux.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/file.h>
#include "lib/list.h"
#include "lib/log.h"
#include "lib/util.h"
#include "sentry/fs/lock.h"
#include "sentry/fs/vfs.h"
#include "sentry/kernel/errno_ext.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/waitq.h"
#include "sentry/mm/usercopy.h"

#define OFFSET_MAX INT64_MAX
/* Locks one inode may carry (ENOLCK past it): bounds every walk of the list. */
#define LOCKS_PER_INODE_MAX 4096
/* How far the deadlock check follows "A waits for B" (Linux's MAX_DEADLK_ITERATIONS). */
#define DEADLOCK_DEPTH_MAX 10

enum lock_kind {
	LK_POSIX,			/* owner: struct fd_table */
	LK_OFD,				/* owner: struct file */
	LK_FLOCK,			/* owner: struct file; whole file */
};

struct file_lock {
	struct list_head node;
	const void *owner;
	enum lock_kind kind;
	int type;			/* F_RDLCK or F_WRLCK */
	int64_t start, end;		/* inclusive; end OFFSET_MAX: to end of file and beyond */
	int32_t pid;			/* reported by F_GETLK */
};

struct lock_list {
	struct list_head locks;
	int count;
	struct waitq wq;		/* woken whenever a lock is released or narrowed */
};

/* A POSIX owner asleep in F_SETLKW, and the owner it waits for: the deadlock check walks these. */
struct lock_waiter {
	struct list_head node;
	const void *owner, *blocker;
};

static struct list_head g_waiters = LIST_HEAD_INIT(g_waiters);

struct lock_req {
	const void *owner;
	enum lock_kind kind;
	int type;
	int64_t start, end;
};

static struct lock_list *lock_list_of(struct inode *i, bool create)
{
	if (!i->locks && create) {
		i->locks = xzalloc(sizeof(*i->locks));
		list_init(&i->locks->locks);
		waitq_init(&i->locks->wq);
	}
	return i->locks;
}

static bool same_owner(const struct file_lock *l, const struct lock_req *r)
{
	return l->owner == r->owner && l->kind == r->kind;
}

/* flock(2) locks and record locks never see each other. */
static bool same_family(const struct file_lock *l, const struct lock_req *r)
{
	return (l->kind == LK_FLOCK) == (r->kind == LK_FLOCK);
}

static bool overlaps(const struct file_lock *l, int64_t start, int64_t end)
{
	return l->start <= end && start <= l->end;
}

/* Overlapping, or touching end to start. */
static bool adjacent(const struct file_lock *l, int64_t start, int64_t end)
{
	return overlaps(l, start, end) || (l->end < OFFSET_MAX && l->end + 1 == start) ||
	       (end < OFFSET_MAX && end + 1 == l->start);
}

static struct file_lock *find_conflict(struct lock_list *ll, const struct lock_req *r)
{
	struct file_lock *l;

	if (!ll)
		return NULL;
	list_for_each_entry(l, &ll->locks, node)
		if (same_family(l, r) && !same_owner(l, r) && overlaps(l, r->start, r->end) &&
		    (l->type == F_WRLCK || r->type == F_WRLCK))
			return l;
	return NULL;
}

static struct file_lock *lock_new(const struct lock_req *r, int type, int64_t start, int64_t end, int32_t pid)
{
	struct file_lock *l = xzalloc(sizeof(*l));

	l->owner = r->owner;
	l->kind = r->kind;
	l->type = type;
	l->start = start;
	l->end = end;
	l->pid = pid;
	return l;
}

static void lock_del(struct lock_list *ll, struct file_lock *l)
{
	list_del(&l->node);
	ll->count--;
	free(l);
}

static void lock_add(struct lock_list *ll, struct file_lock *l)
{
	list_add_tail(&l->node, &ll->locks);
	ll->count++;
}

/*
 * Make the owner's locks over [r->start, r->end] be r->type (F_UNLCK: none),
 * splitting the owner's locks that stick out and merging same-type ones that
 * touch. Needs at most two new locks; checked against the cap first.
 */
static int apply(struct lock_list *ll, const struct lock_req *r, int32_t pid)
{
	int64_t start = r->start, end = r->end;
	struct file_lock *l, *n;

	/* Releasing everything (on close) never splits, so it cannot fail. */
	if (!(r->type == F_UNLCK && r->start == 0 && r->end == OFFSET_MAX) &&
	    ll->count + 2 > LOCKS_PER_INODE_MAX)
		return -ENOLCK;
	list_for_each_entry_safe(l, n, &ll->locks, node) {
		if (!same_owner(l, r) || !adjacent(l, start, end))
			continue;
		if (l->type == r->type) {
			/* The owner's locks are disjoint, so widening over @l covers no other of them. */
			start = l->start < start ? l->start : start;
			end = l->end > end ? l->end : end;
			lock_del(ll, l);
			continue;
		}
		if (!overlaps(l, start, end))
			continue;
		if (l->start < start)
			lock_add(ll, lock_new(r, l->type, l->start, start - 1, l->pid));
		if (l->end > end)
			lock_add(ll, lock_new(r, l->type, end + 1, l->end, l->pid));
		lock_del(ll, l);
	}
	if (r->type != F_UNLCK)
		lock_add(ll, lock_new(r, r->type, start, end, pid));
	waitq_wake_all(&ll->wq);
	return 0;
}

static const void *waiting_for(const void *owner)
{
	struct lock_waiter *w;

	list_for_each_entry(w, &g_waiters, node)
		if (w->owner == owner)
			return w->blocker;
	return NULL;
}

/* Would @owner waiting for @blocker close a cycle? (POSIX owners only, as Linux.) */
static bool would_deadlock(const void *owner, const void *blocker)
{
	for (int i = 0; blocker && i < DEADLOCK_DEPTH_MAX; i++) {
		if (blocker == owner)
			return true;
		blocker = waiting_for(blocker);
	}
	return false;
}

static int wait_unblocked(struct task *t, struct lock_list *ll, const struct lock_req *r, bool wait)
{
	struct file_lock *c;

	while ((c = find_conflict(ll, r))) {
		struct lock_waiter lw = { .owner = r->owner };
		struct waiter w;
		int err;

		if (!wait)
			return -EAGAIN;
		if (r->kind == LK_POSIX && c->kind == LK_POSIX && would_deadlock(r->owner, c->owner))
			return -EDEADLK;
		lw.blocker = c->kind == LK_POSIX ? c->owner : NULL;
		if (r->kind == LK_POSIX)
			list_add(&lw.node, &g_waiters);
		waitq_add(&ll->wq, &w, t);
		err = task_sleep(t, DEADLINE_NONE);
		waitq_del(&w);
		if (r->kind == LK_POSIX)
			list_del(&lw.node);
		if (err)
			return -ERESTARTSYS;
	}
	return 0;
}

/* struct flock's whence/start/len as an inclusive range, as Linux's flock_to_posix_lock(). */
static int flock_range(struct file *f, const struct linux_flock *fl, int64_t *start, int64_t *end)
{
	int64_t base;

	switch (fl->l_whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END:
		base = (int64_t)f->inode->size;
		break;
	default:
		return -EINVAL;
	}
	if (fl->l_start > OFFSET_MAX - base)
		return -EOVERFLOW;
	*start = base + fl->l_start;
	if (*start < 0)
		return -EINVAL;
	if (fl->l_len > 0) {
		if (fl->l_len - 1 > OFFSET_MAX - *start)
			return -EOVERFLOW;
		*end = *start + fl->l_len - 1;
	} else if (fl->l_len < 0) {
		if (*start + fl->l_len < 0)
			return -EINVAL;
		*end = *start - 1;
		*start += fl->l_len;
	} else {
		*end = OFFSET_MAX;
	}
	return 0;
}

static bool is_ofd_cmd(int cmd)
{
	return cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
}

static int do_getlk(struct task *t, struct file *f, struct lock_req *r, struct linux_flock *fl, uptr_t arg)
{
	struct file_lock *c;

	if (r->type != F_RDLCK && r->type != F_WRLCK)
		return -EINVAL;
	c = find_conflict(f->inode->locks, r);
	if (c) {
		fl->l_type = (int16_t)c->type;
		fl->l_whence = SEEK_SET;
		fl->l_start = c->start;
		fl->l_len = c->end == OFFSET_MAX ? 0 : c->end - c->start + 1;
		fl->l_pid = c->kind == LK_OFD ? -1 : c->pid;
	} else {
		fl->l_type = F_UNLCK;
	}
	return copy_out_obj(t, arg, fl) ? -EFAULT : 0;
}

static int do_setlk(struct task *t, int fd, struct file *f, struct lock_req *r, bool wait)
{
	unsigned acc = f->flags & O_ACCMODE;
	struct lock_list *ll;
	int err;

	if (r->type == F_RDLCK && acc != O_RDONLY && acc != O_RDWR)
		return -EBADF;
	if (r->type == F_WRLCK && acc != O_WRONLY && acc != O_RDWR)
		return -EBADF;
	if (r->type != F_RDLCK && r->type != F_WRLCK && r->type != F_UNLCK)
		return -EINVAL;
	if (r->type == F_UNLCK && !f->inode->locks)
		return 0;
	ll = lock_list_of(f->inode, true);
	if (r->type != F_UNLCK) {
		err = wait_unblocked(t, ll, r, wait);
		if (err)
			return err;
	}
	err = apply(ll, r, t->tg->tgid);
	/* A POSIX lock won after another thread closed @fd would outlive the close (Linux undoes it too). */
	if (!err && wait && r->kind == LK_POSIX && (fd >= t->fds->size || t->fds->files[fd] != f))
		lock_release_posix(f->inode, t->fds);
	return err;
}

long lock_fcntl(struct task *t, int fd, struct file *f, int cmd, uptr_t arg)
{
	struct linux_flock fl;
	struct lock_req r;
	int err;

	if (f->flags & O_PATH)
		return -EBADF;
	if (copy_in_obj(t, &fl, arg))
		return -EFAULT;
	r.kind = is_ofd_cmd(cmd) ? LK_OFD : LK_POSIX;
	r.owner = r.kind == LK_OFD ? (const void *)f : (const void *)t->fds;
	r.type = fl.l_type;
	if (r.kind == LK_OFD && fl.l_pid != 0)
		return -EINVAL;
	err = flock_range(f, &fl, &r.start, &r.end);
	if (err)
		return err;
	switch (cmd) {
	case F_GETLK:
	case F_OFD_GETLK:
		return do_getlk(t, f, &r, &fl, arg);
	case F_SETLK:
	case F_OFD_SETLK:
		return do_setlk(t, fd, f, &r, false);
	default:
		return do_setlk(t, fd, f, &r, true);
	}
}

static void release_owner(struct inode *i, const void *owner, enum lock_kind kind);

/*
 * flock(2): LOCK_SH, LOCK_EX or LOCK_UN, maybe | LOCK_NB. As on Linux, a
 * conversion drops the old lock first, so a failed LOCK_EX | LOCK_NB over a
 * held LOCK_SH leaves none.
 */
long lock_flock(struct task *t, struct file *f, int op)
{
	struct lock_req r = { .owner = f, .kind = LK_FLOCK, .start = 0, .end = OFFSET_MAX };
	bool wait = !(op & LOCK_NB);
	struct lock_list *ll;
	int err;

	switch (op & ~LOCK_NB) {
	case LOCK_SH:
		r.type = F_RDLCK;
		break;
	case LOCK_EX:
		r.type = F_WRLCK;
		break;
	case LOCK_UN:
		r.type = F_UNLCK;
		break;
	default:
		return -EINVAL;
	}
	ll = lock_list_of(f->inode, true);
	if (r.type != F_UNLCK) {
		struct file_lock *l;

		list_for_each_entry(l, &ll->locks, node)
			if (same_owner(l, &r) && l->type == r.type)
				return 0;
		release_owner(f->inode, f, LK_FLOCK);
		err = wait_unblocked(t, ll, &r, wait);
		if (err)
			return err == -EAGAIN ? -EWOULDBLOCK : err;
	}
	return apply(ll, &r, t->tg->tgid);
}

static void release_owner(struct inode *i, const void *owner, enum lock_kind kind)
{
	struct lock_req r = { .owner = owner, .kind = kind, .type = F_UNLCK, .start = 0, .end = OFFSET_MAX };

	if (i && i->locks)
		apply(i->locks, &r, 0);
}

void lock_release_posix(struct inode *i, struct fd_table *owner)
{
	release_owner(i, owner, LK_POSIX);
}

void lock_release_ofd(struct file *f)
{
	release_owner(f->inode, f, LK_OFD);
	release_owner(f->inode, f, LK_FLOCK);
}

void lock_inode_free(struct inode *i)
{
	struct file_lock *l, *n;

	if (!i->locks)
		return;
	list_for_each_entry_safe(l, n, &i->locks->locks, node)
		lock_del(i->locks, l);
	free(i->locks);
	i->locks = NULL;
}
