// SPDX-License-Identifier: MIT
/* tmpfs regular files: data in a shmem object, filled from the lower layer on first use. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "abi/linux/misc.h"
#include "lib/log.h"
#include "platform/platform.h"
#include "sentry/fs/lower.h"
#include "sentry/fs/tmpfs/tmpfs.h"
#include "sentry/fs/tmpfs/tmpfs_internal.h"
#include "sentry/kernel/kernel.h"
#include "sentry/mm/mobj.h"
#include "sentry/mm/usercopy.h"

#define BOUNCE_SIZE 65536
#define FILL_MAX_PAGES 512	/* one fill reads at most 2 MiB */
#define READ_AHEAD_PAGES 256	/* a read of a lower file over 9P fills this much at least */
#define OPEN_LOWER_MAX 64	/* lower files kept open for their data; older unused ones close */
#define RETRY_MAX 8		/* fills one read or write waits for before it gives up */

/*
 * A regular file's data. For a file of the lower layer (s.lower_valid > 0)
 * its pages are read in on demand (mobj.h): ranges for a read, a fault or
 * a partial-page write; nothing before. rel is a copy of the lower path:
 * a mapping keeps this object, not the inode.
 */
struct tmpfs_data {
	struct shmem s;
	char *rel;			/* NULL: no lower file */
	struct lower_file *lf;		/* open lower file, or NULL */
	int lf_users;			/* calls using lf with the kernel lock dropped */
	struct list_head lru;		/* in g_open_lower while lf is set */
};

/* Data objects with an open lower file, most recently used first; kernel lock. */
static struct list_head g_open_lower = LIST_HEAD_INIT(g_open_lower);
static unsigned g_open_lower_count;

/*
 * Lower files to close at the next chance to drop the kernel lock (a
 * release runs with it held, and closing is a round trip).
 */
static struct lower_file **g_close_queue;
static size_t g_close_count, g_close_cap;

static void queue_close(struct lower_file *lf)
{
	if (g_close_count == g_close_cap) {
		g_close_cap = g_close_cap ? 2 * g_close_cap : 16;
		g_close_queue = xrealloc(g_close_queue, g_close_cap * sizeof(*g_close_queue));
	}
	g_close_queue[g_close_count++] = lf;
}

/* Take the queue (kernel lock held); close what it held with close_taken() once the lock is dropped. */
static struct lower_file **take_close_queue(size_t *count)
{
	struct lower_file **q = g_close_queue;

	*count = g_close_count;
	g_close_queue = NULL;
	g_close_count = g_close_cap = 0;
	return q;
}

static void close_taken(struct lower_file **q, size_t count)
{
	for (size_t k = 0; k < count; k++)
		g_lower->close(q[k]);
	free(q);
}

static void detach_lower_file(struct tmpfs_data *d)
{
	list_del(&d->lru);
	g_open_lower_count--;
	queue_close(d->lf);
	d->lf = NULL;
}

/* Over the cap: the least recently used files nobody is reading close. */
static void evict_lower_files(void)
{
	struct list_head *n = g_open_lower.prev;

	while (n != &g_open_lower && g_open_lower_count > OPEN_LOWER_MAX) {
		struct tmpfs_data *d = list_entry(n, struct tmpfs_data, lru);

		n = n->prev;
		if (!d->lf_users)
			detach_lower_file(d);
	}
}

static void data_release(struct shmem *s)
{
	struct tmpfs_data *d = container_of(s, struct tmpfs_data, s);

	if (d->lf)
		detach_lower_file(d);
	shmem_release_pages(s);
	free(d->rel);
	free(d);
}

/*
 * Around a lower call: drop the kernel lock if allowed (closing queued
 * files meanwhile). Without @may_drop the call runs with the lock held.
 */
struct unlocked {
	bool dropped;
	struct lower_file **q;
	size_t nq;
};

static void unlocked_begin(struct unlocked *u, bool may_drop)
{
	u->dropped = may_drop;
	u->q = NULL;
	u->nq = 0;
	if (!may_drop)
		return;
	u->q = take_close_queue(&u->nq);
	lower_unlocked_begin();
}

/* The same around a call that returns in microseconds (lower_unlocked_begin_quick): no closes meanwhile. */
static void unlocked_begin_quick(struct unlocked *u, bool may_drop)
{
	u->dropped = may_drop;
	u->q = NULL;
	u->nq = 0;
	if (may_drop)
		lower_unlocked_begin_quick();
}

static void unlocked_end(struct unlocked *u)
{
	if (!u->dropped)
		return;
	close_taken(u->q, u->nq);
	lower_unlocked_end();
}

/*
 * The open lower file of @d, opened if needed, with a use counted in
 * d->lf_users (drop it with put_lower_file()). Kernel lock held; dropped
 * meanwhile when @may_drop.
 */
static int get_lower_file(struct tmpfs_data *d, bool may_drop, struct lower_file **out)
{
	if (!d->lf) {
		struct lower_file *lf = NULL;
		struct unlocked u;
		int err;

		unlocked_begin(&u, may_drop);
		err = g_lower->open(d->rel, &lf);
		unlocked_end(&u);
		if (err) {
			log_warn("lower file '%s': %s", d->rel, strerror(-err));
			return err;
		}
		if (d->lf) {
			queue_close(lf);	/* another task opened it meanwhile */
		} else {
			d->lf = lf;
			list_add(&d->lru, &g_open_lower);
			g_open_lower_count++;
		}
	} else {
		list_del(&d->lru);
		list_add(&d->lru, &g_open_lower);
	}
	d->lf_users++;
	*out = d->lf;
	evict_lower_files();
	return 0;
}

static void put_lower_file(struct tmpfs_data *d)
{
	d->lf_users--;
	evict_lower_files();
}

/* Read up to @len bytes at @off, the lock dropped if @may_drop; bytes read (short at the end), or -errno. */
static ssize_t read_lower(struct lower_file *lf, void *buf, size_t len, uint64_t off, bool may_drop)
{
	size_t chunk = g_lower->read_chunk(), done = 0;
	struct unlocked u;
	ssize_t err = 0;

	if (g_lower->direct && g_lower->direct(lf))
		unlocked_begin_quick(&u, may_drop);
	else
		unlocked_begin(&u, may_drop);
	while (done < len) {
		size_t want = MIN(chunk, len - done);
		ssize_t n = g_lower->read(lf, (char *)buf + done, want, off + done);

		if (n < 0 || (size_t)n > want) {
			err = n < 0 ? n : -EIO;
			break;
		}
		done += (size_t)n;
		if ((size_t)n < want)
			break;	/* the end of the lower file: the rest reads as zeros */
	}
	unlocked_end(&u);
	return err ? err : (ssize_t)done;
}

/* The lower pages among [pgoff, pgoff + npages), first to last, capped to one fill. */
static bool lower_span(struct shmem *s, uint64_t pgoff, uint64_t npages, uint64_t *first, uint64_t *end)
{
	uint64_t lo = pgoff, hi = pgoff + MIN(npages, (uint64_t)FILL_MAX_PAGES);

	hi = MIN(hi, PAGE_ALIGN_UP(s->lower_valid) >> PAGE_SHIFT);
	while (lo < hi && shmem_page_kind(s, lo) != SHMEM_PAGE_LOWER)
		lo++;
	while (hi > lo && shmem_page_kind(s, hi - 1) != SHMEM_PAGE_LOWER)
		hi--;
	*first = lo;
	*end = hi;
	return lo < hi;
}

/*
 * Read the lower pages among [pgoff, pgoff + npages) in. Kernel lock held
 * (dropped meanwhile if @may_drop; the caller holds a reference on @d).
 * Pages written or truncated away meanwhile keep what they have now.
 */
static int data_fill_range(struct tmpfs_data *d, uint64_t pgoff, uint64_t npages, bool may_drop)
{
	struct shmem *s = &d->s;
	struct lower_file *lf;
	uint64_t first, end;
	bool nomem = false;
	ssize_t got;
	char *buf;
	int err;

	if (!lower_span(s, pgoff, npages, &first, &end))
		return 0;
	err = get_lower_file(d, may_drop, &lf);
	if (err)
		return -EIO;
	buf = xmalloc((size_t)(end - first) << PAGE_SHIFT);
	got = read_lower(lf, buf, (size_t)(end - first) << PAGE_SHIFT, first << PAGE_SHIFT, may_drop);
	put_lower_file(d);
	if (got < 0) {
		log_warn("lower file '%s': %s", d->rel, strerror((int)-got));
		free(buf);
		return -EIO;
	}
	/* the page cache's budget: room for these before they come in (none of them is present yet) */
	shmem_make_room(end - first);
	for (uint64_t pg = first; pg < end && !nomem; pg++) {
		size_t at = (size_t)(pg - first) << PAGE_SHIFT;
		size_t have = (size_t)got > at ? MIN((size_t)PAGE_SIZE, (size_t)got - at) : 0;

		shmem_install_lower(s, pg, buf + at, have, &nomem);
	}
	free(buf);
	return nomem ? -ENOMEM : 0;
}

static int data_fill_op(struct mobj *o, uint64_t pgoff, uint64_t npages, bool may_drop)
{
	struct tmpfs_data *d = container_of(o, struct tmpfs_data, s.obj);

	return data_fill_range(d, pgoff, npages, may_drop);
}

static const struct mobj_ops tmpfs_data_ops = {
	.get_frame = shmem_file_get_frame,
	.fill = data_fill_op,
	.release = shmem_file_release,
};

/* Tasks waiting for another task's fill of a lower-backed directory (any: wake-ups are rare). */
static pthread_cond_t g_fill_done = PTHREAD_COND_INITIALIZER;

bool tmpfs_lower_claim(struct tmpfs_lower *lw, bool *dropped)
{
	while (lw->state == TMPFS_LOWER_FILLING) {
		log_debug("lower '%s': waiting for another task's fill", lw->rel);
		*dropped = true;
		if (g_platform && g_platform->ops->will_block)
			g_platform->ops->will_block();
		pthread_cond_wait(&g_fill_done, &g_kernel.lock);
	}
	if (lw->state == TMPFS_LOWER_FILLED)
		return false;
	lw->state = TMPFS_LOWER_FILLING;
	return true;
}

void tmpfs_lower_settle(struct tmpfs_lower *lw, bool ok)
{
	lw->state = ok ? TMPFS_LOWER_FILLED : TMPFS_LOWER_EMPTY;
	pthread_cond_broadcast(&g_fill_done);
}

/* The inode's data object, created on first use (a lower file's pages still all in the lower layer). */
static struct tmpfs_data *inode_data(struct inode *i)
{
	if (!i->data) {
		struct tmpfs_data *d = xzalloc(sizeof(*d));
		struct tmpfs_lower *lw = i->priv;

		shmem_init(&d->s, i->size, &tmpfs_data_ops);
		d->s.on_release = data_release;
		list_init(&d->lru);
		if (lw && i->size) {
			d->rel = xstrdup(lw->rel);
			shmem_set_lower(&d->s, i->size);
		}
		i->data = &d->s;
	}
	return container_of(i->data, struct tmpfs_data, s);
}

static void tmpfs_lower_destroy(struct inode *i)
{
	struct tmpfs_lower *lw = i->priv;

	if (lw && lw->linked)
		tmpfs_lower_link_forget(i, lw->link_ino);
	if (lw) {
		free(lw->rel);
		free(lw);
	}
	i->priv = NULL;
}

void tmpfs_lower_attach(struct inode *i, char *rel)
{
	struct tmpfs_lower *lw = xzalloc(sizeof(*lw));

	lw->rel = rel;
	i->priv = lw;
	i->destroy = tmpfs_lower_destroy;
}

/* Bytes from @off (< @limit) over pages of one kind: lower or not. */
static size_t same_kind_run(struct shmem *s, uint64_t off, size_t limit, bool lower)
{
	uint64_t pg = off >> PAGE_SHIFT;
	size_t n = 0;

	while (n < limit && (shmem_page_kind(s, pg) == SHMEM_PAGE_LOWER) == lower) {
		n = (size_t)(((pg + 1) << PAGE_SHIFT) - off);
		pg++;
	}
	return MIN(n, limit);
}

/*
 * Lower pages at @off: read up to *n bytes of them straight into @buf
 * when the lower file reads without a round trip (a donated host fd: 1,
 * *n set to what @buf holds), else read them into the page cache with
 * read-ahead (0: look again). Kernel lock held, dropped meanwhile.
 */
static int read_lower_pages(struct inode *i, struct tmpfs_data *d, char *buf, uint64_t off, size_t *n)
{
	struct shmem *s = &d->s;
	struct lower_file *lf;
	size_t want = same_kind_run(s, off, *n, true), valid;
	ssize_t got;
	int err;

	err = get_lower_file(d, true, &lf);
	if (err)
		return -EIO;
	if (!g_lower->direct || !g_lower->direct(lf)) {
		put_lower_file(d);
		return data_fill_range(d, off >> PAGE_SHIFT,
				       MAX((uint64_t)READ_AHEAD_PAGES, (uint64_t)(PAGE_ALIGN_UP(off + want) >> PAGE_SHIFT) - (off >> PAGE_SHIFT)),
				       true);
	}
	got = read_lower(lf, buf, want, off, true);
	put_lower_file(d);
	if (got < 0)
		return -EIO;
	/* what changed meanwhile: the end of its lower data, the end of the file */
	valid = s->lower_valid > off ? (size_t)MIN((uint64_t)want, s->lower_valid - off) : 0;
	if ((size_t)got > valid)
		got = (ssize_t)valid;
	memset(buf + got, 0, want - (size_t)got);
	*n = off < i->size ? (size_t)MIN((uint64_t)want, i->size - off) : 0;
	return 1;
}

static ssize_t tmpfs_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct inode *i = f->inode;
	struct tmpfs_data *d = inode_data(i);
	struct shmem *s = &d->s;
	char *buf;
	ssize_t done = 0;
	int tries = 0;

	mobj_get(&s->obj);	/* reads may drop the kernel lock */
	buf = xmalloc(BOUNCE_SIZE);
	while (it->count && *pos < i->size) {
		size_t n = MIN(MIN(it->count, (size_t)BOUNCE_SIZE), i->size - *pos);
		ssize_t got;

		if (shmem_page_kind(s, *pos >> PAGE_SHIFT) == SHMEM_PAGE_LOWER) {
			int r = read_lower_pages(i, d, buf, *pos, &n);

			if (r == 0) {
				if (++tries <= RETRY_MAX)
					continue;
				r = -EIO;
			}
			if (r < 0) {
				if (!done)
					done = r;
				break;
			}
			if (n == 0)
				break;
		} else {
			n = same_kind_run(s, *pos, n, false);
			shmem_read(s, buf, *pos, n);
		}
		tries = 0;
		got = iov_iter_copy_to(it, buf, n);
		if (got < 0) {
			if (!done)
				done = got;
			break;
		}
		*pos += got;
		done += got;
		if ((size_t)got < n)
			break;
	}
	free(buf);
	mobj_put(&s->obj);
	if (done > 0)
		inode_touch(i, true, false, false);
	return done;
}

/* A lower page at either end of [off, off + len) that the write covers only in part: fill it. 1 if one was filled. */
static int fill_write_edges(struct tmpfs_data *d, uint64_t off, size_t len)
{
	uint64_t first = off >> PAGE_SHIFT, last = (off + len - 1) >> PAGE_SHIFT;
	bool head = off & (PAGE_SIZE - 1) || len < PAGE_SIZE;
	bool tail = (off + len) & (PAGE_SIZE - 1);
	int err;

	if (head && shmem_page_kind(&d->s, first) == SHMEM_PAGE_LOWER) {
		err = data_fill_range(d, first, 1, true);
		return err ? err : 1;
	}
	if (tail && shmem_page_kind(&d->s, last) == SHMEM_PAGE_LOWER) {
		err = data_fill_range(d, last, 1, true);
		return err ? err : 1;
	}
	return 0;
}

/* Write @n bytes of @buf at *pos (the end of the file for O_APPEND), lower edges filled first. */
static int write_chunk(struct file *f, struct tmpfs_data *d, const char *buf, size_t n, uint64_t *pos)
{
	struct inode *i = f->inode;
	int err;

	for (int tries = 0;; tries++) {
		if (f->flags & O_APPEND)
			*pos = i->size;
		err = fill_write_edges(d, *pos, n);
		if (err <= 0)
			break;
		if (tries == RETRY_MAX)
			return -EIO;
	}
	if (!err)
		err = shmem_write(&d->s, buf, *pos, n);
	return err == -ENOMEM ? -ENOSPC : err == MOBJ_NEEDS_FILL ? -EIO : err;
}

static ssize_t tmpfs_write(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct inode *i = f->inode;
	struct tmpfs_data *d = inode_data(i);
	struct shmem *s = &d->s;
	char *buf;
	ssize_t done = 0;

	mobj_get(&s->obj);	/* filling a page the write covers in part drops the kernel lock */
	buf = xmalloc(BOUNCE_SIZE);
	while (it->count) {
		size_t n = MIN(it->count, (size_t)BOUNCE_SIZE);
		ssize_t got = iov_iter_copy_from(it, buf, n);
		int err;

		if (got <= 0) {
			if (!done)
				done = got;
			break;
		}
		err = write_chunk(f, d, buf, (size_t)got, pos);
		if (err) {
			if (!done)
				done = err;
			break;
		}
		*pos += got;
		done += got;
		if (*pos > i->size) {
			i->size = *pos;
			s->size = *pos;
		}
		if ((size_t)got < n)
			break;
	}
	free(buf);
	mobj_put(&s->obj);
	if (done > 0)
		inode_touch(i, false, true, true);
	return done;
}

/* Needs no lower data: pages cut off go, and the lower data behind the rest ends at @size. */
static int tmpfs_truncate(struct inode *i, uint64_t size)
{
	struct tmpfs_data *d = inode_data(i);

	shmem_truncate(&d->s, size);
	i->size = size;
	inode_touch(i, false, true, true);
	return 0;
}

/* The pages a punch of [off, end) covers in part, each once: *n of them (0 to 2). */
static void punch_edges(uint64_t off, uint64_t end, uint64_t pages[2], int *n)
{
	*n = 0;
	if (off & (PAGE_SIZE - 1) || end - off < PAGE_SIZE)
		pages[(*n)++] = off >> PAGE_SHIFT;
	if ((end & (PAGE_SIZE - 1)) && (*n == 0 || pages[0] != end >> PAGE_SHIFT))
		pages[(*n)++] = end >> PAGE_SHIFT;
}

/*
 * A lower page that the punch zeroes in part needs its data first: fill
 * it (the kernel lock dropped meanwhile). 1 if one was filled: look again.
 */
static int fill_punch_edges(struct tmpfs_data *d, uint64_t off, uint64_t end)
{
	uint64_t pages[2];
	int n, err;

	punch_edges(off, end, pages, &n);
	for (int k = 0; k < n; k++) {
		if (shmem_page_kind(&d->s, pages[k]) != SHMEM_PAGE_LOWER)
			continue;
		err = data_fill_range(d, pages[k], 1, true);
		return err ? err : 1;
	}
	return 0;
}

/* PUNCH_HOLE (with KEEP_SIZE): zero the parts of pages, free the whole ones. */
static int punch_range(struct tmpfs_data *d, uint64_t off, uint64_t end)
{
	struct shmem *s = &d->s;
	uint64_t first = PAGE_ALIGN_UP(off) >> PAGE_SHIFT, last = end >> PAGE_SHIFT;
	int err;

	for (int tries = 0;; tries++) {
		err = fill_punch_edges(d, off, end);
		if (err <= 0)
			break;
		if (tries == RETRY_MAX)
			return -EIO;
	}
	if (err)
		return err == -ENOMEM ? -ENOSPC : -EIO;
	/* From here on the kernel lock stays held. */
	if (first > last) {
		shmem_zero_range(s, off, end - off);	/* within one page */
		return 0;
	}
	if (off < first << PAGE_SHIFT)
		shmem_zero_range(s, off, (first << PAGE_SHIFT) - off);
	if (end > last << PAGE_SHIFT)
		shmem_zero_range(s, last << PAGE_SHIFT, end - (last << PAGE_SHIFT));
	shmem_punch(s, first, last);
	return 0;
}

/* fallocate(2), as Linux's shmem_fallocate: allocate (growing unless KEEP_SIZE), or punch a hole. */
static long tmpfs_fallocate(struct file *f, int mode, uint64_t off, uint64_t len)
{
	struct inode *i = f->inode;
	struct tmpfs_data *d;
	uint64_t end = off + len;
	long err;

	if (mode & ~(LINUX_FALLOC_FL_KEEP_SIZE | LINUX_FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	/* Past what the page table can index: a limit of cvisor's, not Linux's. */
	if (PAGE_ALIGN_UP(end) >> PAGE_SHIFT > FTAB_MAX_INDEX)
		return -EFBIG;
	d = inode_data(i);
	mobj_get(&d->s.obj);	/* filling a partly punched lower page drops the kernel lock */
	if (mode & LINUX_FALLOC_FL_PUNCH_HOLE) {
		err = punch_range(d, off, end);
	} else {
		err = shmem_allocate(&d->s, off >> PAGE_SHIFT, PAGE_ALIGN_UP(end) >> PAGE_SHIFT);
		if (!err && !(mode & LINUX_FALLOC_FL_KEEP_SIZE) && end > i->size) {
			i->size = end;
			d->s.size = end;
		}
	}
	mobj_put(&d->s.obj);
	if (!err)
		inode_touch(i, false, true, true);
	return err;
}

/* Pages come in as they fault (mm/fault.c fills lower pages through tmpfs_data_ops). */
static int tmpfs_mmap(struct file *f, struct mobj **out)
{
	struct tmpfs_data *d = inode_data(f->inode);

	mobj_get(&d->s.obj);
	*out = &d->s.obj;
	return 0;
}

/*
 * SEEK_DATA / SEEK_HOLE as Linux's tmpfs: page granular (present pages and
 * lower pages are data), EOF is a hole, ENXIO at or past EOF.
 */
static int64_t seek_data_hole(struct file *f, int64_t off, bool data)
{
	struct inode *i = f->inode;
	struct shmem *s = &inode_data(i)->s;
	uint64_t end = PAGE_ALIGN_UP(i->size) >> PAGE_SHIFT, pg, at;

	if (off < 0 || (uint64_t)off >= i->size)
		return -ENXIO;
	pg = (uint64_t)off >> PAGE_SHIFT;
	pg = data ? shmem_next_data(s, pg, end) : shmem_next_hole(s, pg, end);
	if (pg == end) {
		if (data)
			return -ENXIO;
		at = i->size;
	} else {
		at = MAX((uint64_t)off, pg << PAGE_SHIFT);
	}
	f->pos = at;
	return (int64_t)at;
}

static int64_t generic_llseek(struct file *f, int64_t off, int whence)
{
	int64_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END:
		base = (int64_t)f->inode->size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		return seek_data_hole(f, off, whence == SEEK_DATA);
	default:
		return -EINVAL;
	}
	if (base + off < 0)
		return -EINVAL;
	f->pos = base + off;
	return (int64_t)f->pos;
}

static int64_t dir_llseek(struct file *f, int64_t off, int whence)
{
	if (whence != SEEK_SET && whence != SEEK_CUR)
		return -EINVAL;
	if (whence == SEEK_CUR)
		off += (int64_t)f->pos;
	if (off < 0)
		return -EINVAL;
	f->pos = off;
	return off;
}

const struct inode_ops tmpfs_file_iops = {
	.truncate = tmpfs_truncate,
};

const struct file_ops tmpfs_file_fops = {
	.read = tmpfs_read,
	.write = tmpfs_write,
	.llseek = generic_llseek,
	.mmap = tmpfs_mmap,
	.fallocate = tmpfs_fallocate,
};

const struct file_ops tmpfs_dir_fops = {
	.llseek = dir_llseek,
};
