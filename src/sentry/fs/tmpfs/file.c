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
#include "sentry/fs/hostdir/lower.h"
#include "sentry/fs/tmpfs/tmpfs.h"
#include "sentry/fs/tmpfs/tmpfs_internal.h"
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

static int data_fill(struct shmem *s)
{
	struct tmpfs_data *d = container_of(s, struct tmpfs_data, s);
	struct tmpfs_lower *lw = d->inode->priv;
	int err;

	s->fill = NULL;
	if (!lw || lw->filled)
		return 0;
	lw->filled = true;
	err = lower_read_file(lw->rel, s, s->size);
	if (err)
		log_warn("lower file '%s': %s", lw->rel, strerror(-err));
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
			d->s.fill = data_fill;
		i->data = &d->s;
	}
	return i->data;
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
	struct shmem *s = inode_data(i);
	char *buf;
	ssize_t done = 0;

	if (s->fill)
		s->fill(s);
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
	struct shmem *s = inode_data(i);
	char *buf;
	ssize_t done = 0;

	if (s->fill)
		s->fill(s);
	if (f->flags & O_APPEND)
		*pos = i->size;
	buf = xmalloc(BOUNCE_SIZE);
	while (it->count) {
		size_t n = MIN(it->count, (size_t)BOUNCE_SIZE);
		ssize_t got = iov_iter_copy_from(it, buf, n);
		int err;

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

static int tmpfs_truncate(struct inode *i, uint64_t size)
{
	struct shmem *s = inode_data(i);

	if (s->fill)
		s->fill(s);
	shmem_truncate(s, size);
	i->size = size;
	inode_touch(i, false, true, true);
	return 0;
}

static int tmpfs_mmap(struct file *f, struct mobj **out)
{
	struct shmem *s = inode_data(f->inode);

	if (s->fill)
		s->fill(s);
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
