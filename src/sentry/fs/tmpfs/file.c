// SPDX-License-Identifier: MIT
/* tmpfs regular files: data in a shmem object, filled from the lower layer on first use. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/log.h"
#include "platform/platform.h"
#include "sentry/fs/lower.h"
#include "sentry/fs/tmpfs/tmpfs.h"
#include "sentry/fs/tmpfs/tmpfs_internal.h"
#include "sentry/kernel/kernel.h"
#include "sentry/mm/mobj.h"
#include "sentry/mm/usercopy.h"

#define BOUNCE_SIZE 65536

struct tmpfs_data {
	struct shmem s;
	struct inode *inode;	/* not a reference: the inode owns us */
};

static void data_release(struct shmem *s)
{
	shmem_release_pages(s);
	free(container_of(s, struct tmpfs_data, s));
}

/* Tasks waiting for another task's fill of a lower-backed inode (any inode: wake-ups are rare). */
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

/*
 * The shmem's fill hook, for paths that reach the pages without going
 * through this file (a page fault). tmpfs fills before it maps or touches
 * pages, so reaching it means a bug: fail rather than drop the kernel lock
 * in a context that does not expect it.
 */
static int data_fill_hook(struct shmem *s)
{
	(void)s;
	log_warn("tmpfs: a page of an unfilled lower file was reached directly");
	return -EIO;
}

/* Copy the pages read into the shmem (kernel lock held). */
static int data_store(struct shmem *s, const void *buf, uint64_t off, size_t n)
{
	int err;

	s->fill = NULL;		/* our own writes must not come back to the hook */
	err = shmem_write(s, buf, off, n);
	s->fill = data_fill_hook;
	return err;
}

/* Read the whole lower file into @s, chunk by chunk, the kernel lock dropped around each call. */
static int data_copy_in(struct shmem *s, const char *rel)
{
	size_t chunk = g_lower->read_chunk();
	uint64_t size = s->size, off = 0;
	struct lower_file *lf = NULL;
	char *buf = xmalloc(chunk);
	int err;

	lower_unlocked_begin();
	err = g_lower->open(rel, &lf);
	lower_unlocked_end();
	while (!err && off < size) {
		size_t want = (size_t)MIN((uint64_t)chunk, size - off);
		ssize_t n;

		lower_unlocked_begin();
		n = g_lower->read(lf, buf, want, off);
		lower_unlocked_end();
		if (n < 0 || (size_t)n > want) {
			err = n < 0 ? (int)n : -EIO;
			break;
		}
		if (n == 0)
			break;	/* shorter than it was listed: the rest reads as zeros */
		err = data_store(s, buf, off, (size_t)n);
		off += (uint64_t)n;
	}
	if (lf) {
		lower_unlocked_begin();
		g_lower->close(lf);
		lower_unlocked_end();
	}
	free(buf);
	return err;
}

/*
 * Make sure a lower-backed file's data is in (once; other tasks wait for
 * the one copying it). 0, -EIO when the lower layer failed (the next call
 * tries again), -ENOMEM when the memory file is full. Kernel lock held,
 * dropped meanwhile; the caller holds a reference on @i.
 */
static int data_fill(struct inode *i)
{
	struct shmem *s = i->data;
	struct tmpfs_lower *lw = i->priv;
	bool dropped = false;
	int err;

	if (!s->fill || !lw)
		return 0;
	if (!tmpfs_lower_claim(lw, &dropped))
		return 0;
	inode_get(i);
	err = data_copy_in(s, lw->rel);
	if (err)
		log_warn("lower file '%s': %s", lw->rel, strerror(-err));
	else
		s->fill = NULL;
	tmpfs_lower_settle(lw, !err);
	inode_put(i);
	if (err)
		return err == -ENOMEM ? -ENOMEM : -EIO;
	return 0;
}

/* The inode's data object, created on first use. */
static struct shmem *inode_data(struct inode *i)
{
	if (!i->data) {
		struct tmpfs_data *d = xzalloc(sizeof(*d));

		shmem_init(&d->s, i->size);
		d->s.on_release = data_release;
		d->inode = i;
		if (i->priv)
			d->s.fill = data_fill_hook;
		i->data = &d->s;
	}
	return i->data;
}

/* The data object, its lower data copied in. */
static int inode_data_filled(struct inode *i, struct shmem **out)
{
	*out = inode_data(i);
	return data_fill(i);
}

static void tmpfs_lower_destroy(struct inode *i)
{
	struct tmpfs_lower *lw = i->priv;

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

static ssize_t tmpfs_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct inode *i = f->inode;
	struct shmem *s;
	char *buf;
	ssize_t done = 0;
	int err = inode_data_filled(i, &s);

	if (err)
		return err;
	buf = xmalloc(BOUNCE_SIZE);
	while (it->count && *pos < i->size) {
		size_t n = MIN(MIN(it->count, (size_t)BOUNCE_SIZE), i->size - *pos);
		ssize_t got;

		shmem_read(s, buf, *pos, n);
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
	if (done > 0)
		inode_touch(i, true, false, false);
	return done;
}

static ssize_t tmpfs_write(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct inode *i = f->inode;
	struct shmem *s;
	char *buf;
	ssize_t done = 0;
	int err = inode_data_filled(i, &s);

	if (err)
		return err;
	if (f->flags & O_APPEND)
		*pos = i->size;
	buf = xmalloc(BOUNCE_SIZE);
	while (it->count) {
		size_t n = MIN(it->count, (size_t)BOUNCE_SIZE);
		ssize_t got = iov_iter_copy_from(it, buf, n);

		if (got < 0) {
			if (!done)
				done = got;
			break;
		}
		err = shmem_write(s, buf, *pos, got);
		if (err) {
			if (!done)
				done = err == -ENOMEM ? -ENOSPC : err;
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
	if (done > 0)
		inode_touch(i, false, true, true);
	return done;
}

/* Truncating an untouched lower file to 0 (`> file`) needs none of its data. */
static void drop_unread_lower(struct inode *i)
{
	struct tmpfs_lower *lw = i->priv;
	bool dropped = false;

	if (lw && i->data->fill && tmpfs_lower_claim(lw, &dropped)) {
		i->data->fill = NULL;
		tmpfs_lower_settle(lw, true);
	}
}

static int tmpfs_truncate(struct inode *i, uint64_t size)
{
	struct shmem *s = inode_data(i);
	int err;

	if (size == 0)
		drop_unread_lower(i);
	err = data_fill(i);
	if (err)
		return err;
	shmem_truncate(s, size);
	i->size = size;
	inode_touch(i, false, true, true);
	return 0;
}

static int tmpfs_mmap(struct file *f, struct mobj **out)
{
	struct shmem *s;
	int err = inode_data_filled(f->inode, &s);

	if (err)
		return err;
	mobj_get(&s->obj);
	*out = &s->obj;
	return 0;
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
		if (off < 0 || (uint64_t)off >= f->inode->size)
			return -ENXIO;
		base = 0;
		break;
	case SEEK_HOLE:
		if (off < 0 || (uint64_t)off >= f->inode->size)
			return -ENXIO;
		return f->pos = f->inode->size;
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
};

const struct file_ops tmpfs_dir_fops = {
	.llseek = dir_llseek,
};
