// SPDX-License-Identifier: MIT
/* Inode, dentry, file and superblock lifetimes; stat filling; permission checks. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lib/log.h"
#include "sentry/fs/anon/anon.h"
#include "sentry/fs/lock.h"
#include "sentry/fs/vfs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mobj.h"

static uint64_t g_next_dev = 1;

struct super_block *sb_new(const char *fstype)
{
	struct super_block *sb = xzalloc(sizeof(*sb));

	sb->fstype = fstype;
	sb->dev = g_next_dev++;
	sb->next_ino = 1;
	return sb;
}

static struct linux_timespec now_ts(void)
{
	uint64_t ns = realtime_ns();

	return (struct linux_timespec){ (int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000) };
}

void inode_touch(struct inode *i, bool atime, bool mtime, bool ctime)
{
	struct linux_timespec ts = now_ts();

	if (atime)
		i->atime = ts;
	if (mtime)
		i->mtime = ts;
	if (ctime)
		i->ctime = ts;
}

struct inode *inode_new(struct super_block *sb, uint32_t mode, const struct inode_ops *iops,
			const struct file_ops *fops)
{
	struct inode *i = xzalloc(sizeof(*i));

	i->refs = 1;
	i->sb = sb;
	i->ino = sb ? sb->next_ino++ : 0;
	i->mode = mode;
	i->nlink = S_ISDIR(mode) ? 2 : 1;
	i->iops = iops;
	i->fops = fops;
	inode_touch(i, true, true, true);
	return i;
}

void inode_get(struct inode *i)
{
	BUG_ON(i->refs <= 0);
	i->refs++;
}

void inode_put(struct inode *i)
{
	BUG_ON(i->refs <= 0);
	if (--i->refs)
		return;
	if (i->destroy)
		i->destroy(i);
	if (i->data)
		mobj_put(&i->data->obj);
	lock_inode_free(i);
	free(i->link);
	free(i);
}

struct dentry *dentry_new(struct dentry *parent, const char *name, struct inode *inode)
{
	struct dentry *d = xzalloc(sizeof(*d));

	d->refs = 1;
	d->name = xstrdup(name);
	d->parent = parent;
	if (parent)
		dget(parent);
	d->inode = inode;
	list_init(&d->children);
	list_init(&d->child_node);
	return d;
}

void dget(struct dentry *d)
{
	BUG_ON(d->refs <= 0);
	d->refs++;
}

void dput(struct dentry *d)
{
	while (d) {
		struct dentry *parent;

		BUG_ON(d->refs <= 0);
		if (--d->refs)
			return;
		parent = d->parent;
		BUG_ON(!list_empty(&d->children));
		if (d->inode)
			inode_put(d->inode);
		free(d->name);
		free(d);
		d = parent;
	}
}

void path_get(const struct path *p)
{
	if (p->dentry)
		dget(p->dentry);
}

void path_put(struct path *p)
{
	if (p->dentry)
		dput(p->dentry);
	p->dentry = NULL;
	p->mnt = NULL;
}

struct file *file_new(const struct path *path, struct inode *inode, unsigned flags, const struct file_ops *ops)
{
	struct file *f = xzalloc(sizeof(*f));

	f->refs = 1;
	list_init(&f->epitems);
	if (path) {
		f->path = *path;
		path_get(path);
	}
	f->inode = inode;
	inode_get(inode);
	f->flags = flags;
	f->ops = ops;
	return f;
}

void file_get(struct file *f)
{
	BUG_ON(f->refs <= 0);
	f->refs++;
}

void file_put(struct file *f)
{
	BUG_ON(f->refs <= 0);
	if (--f->refs)
		return;
	if (!list_empty(&f->epitems))
		epoll_file_closing(f);
	lock_release_ofd(f);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	inode_put(f->inode);
	path_put(&f->path);
	free(f);
}

void inode_fill_stat(const struct inode *i, struct linux_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = i->sb ? i->sb->dev : 0;
	st->st_ino = i->ino;
	st->st_nlink = i->nlink;
	st->st_mode = i->mode;
	st->st_uid = i->uid;
	st->st_gid = i->gid;
	st->st_rdev = i->rdev;
	st->st_size = (int64_t)i->size;
	st->st_blksize = 4096;
	/* tmpfs data: allocated pages; a file without a data object is all lower data (or empty). */
	st->st_blocks = i->data ? (int64_t)shmem_blocks(i->data) : (int64_t)(PAGE_ALIGN_UP(i->size) / 512);
	st->st_atim = i->atime;
	st->st_mtim = i->mtime;
	st->st_ctim = i->ctime;
}

static bool in_group(const struct cred *c, uint32_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (uint32_t k = 0; k < c->ngroups; k++)
		if (c->groups[k] == gid)
			return true;
	return false;
}

int inode_permission(struct task *t, struct inode *i, int mask)
{
	const struct cred *c = &t->cred;
	uint32_t mode = i->mode, bits;

	if (c->fsuid == 0) {
		/* root may do anything but execute a file nobody may execute */
		if ((mask & MAY_EXEC) && !S_ISDIR(mode) && !(mode & 0111))
			return -EACCES;
		return 0;
	}
	if (c->fsuid == i->uid)
		bits = (mode >> 6) & 7;
	else if (in_group(c, i->gid))
		bits = (mode >> 3) & 7;
	else
		bits = mode & 7;
	return (bits & mask) == (unsigned)mask ? 0 : -EACCES;
}
