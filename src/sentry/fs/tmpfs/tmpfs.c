// SPDX-License-Identifier: MIT
/* tmpfs inodes and directories: lookup, create, link, unlink, rename, readdir. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "lib/log.h"
#include "sentry/fs/hostdir/lower.h"
#include "sentry/fs/tmpfs/tmpfs.h"
#include "sentry/fs/tmpfs/tmpfs_internal.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mobj.h"

static struct dentry *find_child(struct dentry *dir, const char *name)
{
	struct dentry *c;

	list_for_each_entry(c, &dir->children, child_node)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* Attach @inode as @name under @dir; the tree keeps one reference. Returns it unreferenced. */
static struct dentry *tmpfs_attach(struct dentry *dir, const char *name, struct inode *inode)
{
	struct dentry *d = dentry_new(dir, name, inode);

	d->pinned = true;
	list_add_tail(&d->child_node, &dir->children);
	return d;
}

struct inode *tmpfs_inode_new(struct super_block *sb, uint32_t mode, uint64_t rdev)
{
	struct inode *i = inode_new(sb, mode, &tmpfs_dir_iops, NULL);

	i->rdev = rdev;
	switch (mode & S_IFMT) {
	case S_IFDIR:
		i->fops = &tmpfs_dir_fops;
		break;
	case S_IFREG:
		i->iops = &tmpfs_file_iops;
		i->fops = &tmpfs_file_fops;
		break;
	case S_IFLNK:
		i->iops = &tmpfs_symlink_iops;
		break;
	case S_IFCHR:
		i->iops = &tmpfs_file_iops;
		i->fops = chrdev_fops(rdev);
		break;
	case S_IFIFO:
		i->iops = &tmpfs_file_iops;
		i->fops = &fifo_fops;
		break;
	default:
		i->iops = &tmpfs_file_iops;
		break;
	}
	return i;
}

/* Fill a lower-backed directory from the lower layer, once. */
struct fill_arg {
	struct dentry *dir;
	const char *rel;
};

static void fill_one(const char *name, const struct stat *st, void *arg)
{
	struct fill_arg *fa = arg;
	struct inode *dir_inode = fa->dir->inode;
	struct inode *i;
	char *rel;

	if (find_child(fa->dir, name))
		return;
	if (asprintf(&rel, "%s%s%s", fa->rel, *fa->rel ? "/" : "", name) < 0)
		return;
	i = tmpfs_inode_new(dir_inode->sb, st->st_mode, st->st_rdev);
	i->uid = st->st_uid;
	i->gid = st->st_gid;
	i->size = S_ISREG(st->st_mode) || S_ISLNK(st->st_mode) ? (uint64_t)st->st_size : 0;
	i->nlink = S_ISDIR(st->st_mode) ? 2 : 1;
	i->atime = (struct linux_timespec){ st->st_atim.tv_sec, st->st_atim.tv_nsec };
	i->mtime = (struct linux_timespec){ st->st_mtim.tv_sec, st->st_mtim.tv_nsec };
	i->ctime = (struct linux_timespec){ st->st_ctim.tv_sec, st->st_ctim.tv_nsec };
	i->rdev = st->st_rdev;
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) || S_ISSOCK(st->st_mode)) {
		/* Host device nodes in an image are not passed through. */
		i->fops = S_ISCHR(st->st_mode) ? chrdev_fops(st->st_rdev) : NULL;
	}
	tmpfs_lower_attach(i, rel);
	if (S_ISDIR(st->st_mode))
		dir_inode->nlink++;
	tmpfs_attach(fa->dir, name, i);
}

int tmpfs_fill_dir(struct dentry *dir)
{
	struct tmpfs_lower *lw = dir->inode->priv;
	struct fill_arg fa = { dir, NULL };
	int err;

	if (!lw || lw->filled)
		return 0;
	lw->filled = true;
	fa.rel = lw->rel;
	err = lower_list(lw->rel, fill_one, &fa);
	if (err)
		log_warn("lower directory '%s': %s", lw->rel, strerror(-err));
	return 0;
}

static int tmpfs_lookup(struct dentry *dir, const char *name, struct dentry **out)
{
	struct dentry *c;

	tmpfs_fill_dir(dir);
	c = find_child(dir, name);
	if (!c)
		return -ENOENT;
	dget(c);
	*out = c;
	return 0;
}

static int check_new_name(struct dentry *dir, const char *name)
{
	if (dir->unlinked)
		return -ENOENT;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EEXIST;
	tmpfs_fill_dir(dir);
	if (find_child(dir, name))
		return -EEXIST;
	return 0;
}

static void set_owner(struct inode *i, struct dentry *dir, struct task *t)
{
	i->uid = t ? t->cred.fsuid : 0;
	i->gid = t ? t->cred.fsgid : 0;
	/* setgid directories pass their group on */
	if (dir->inode->mode & S_ISGID) {
		i->gid = dir->inode->gid;
		if (S_ISDIR(i->mode))
			i->mode |= S_ISGID;
	}
}

static int tmpfs_mknod(struct dentry *dir, const char *name, uint32_t mode, uint64_t rdev, struct task *t,
		       struct dentry **out)
{
	struct inode *i;
	struct dentry *d;
	int err = check_new_name(dir, name);

	if (err)
		return err;
	i = tmpfs_inode_new(dir->inode->sb, mode, rdev);
	set_owner(i, dir, t);
	if (S_ISDIR(mode))
		dir->inode->nlink++;
	d = tmpfs_attach(dir, name, i);
	inode_touch(dir->inode, false, true, true);
	if (out) {
		dget(d);
		*out = d;
	}
	return 0;
}

static int tmpfs_symlink(struct dentry *dir, const char *name, const char *target, struct task *t)
{
	struct inode *i;
	int err = check_new_name(dir, name);

	if (err)
		return err;
	i = tmpfs_inode_new(dir->inode->sb, S_IFLNK | 0777, 0);
	set_owner(i, dir, t);
	i->link = xstrdup(target);
	i->size = strlen(target);
	tmpfs_attach(dir, name, i);
	inode_touch(dir->inode, false, true, true);
	return 0;
}

static int tmpfs_link(struct dentry *dir, const char *name, struct dentry *old)
{
	int err = check_new_name(dir, name);

	if (err)
		return err;
	if (old->inode->sb != dir->inode->sb)
		return -EXDEV;
	inode_get(old->inode);
	old->inode->nlink++;
	inode_touch(old->inode, false, false, true);
	tmpfs_attach(dir, name, old->inode);
	inode_touch(dir->inode, false, true, true);
	return 0;
}

static void detach(struct dentry *dir, struct dentry *victim)
{
	list_del(&victim->child_node);
	victim->pinned = false;
	victim->unlinked = true;
	inode_touch(dir->inode, false, true, true);
	dput(victim);
}

static int tmpfs_unlink(struct dentry *dir, struct dentry *victim)
{
	if (S_ISDIR(victim->inode->mode))
		return -EISDIR;
	victim->inode->nlink--;
	inode_touch(victim->inode, false, false, true);
	detach(dir, victim);
	return 0;
}

static bool dir_is_empty(struct dentry *d)
{
	tmpfs_fill_dir(d);
	return list_empty(&d->children);
}

static int tmpfs_rmdir(struct dentry *dir, struct dentry *victim)
{
	if (!S_ISDIR(victim->inode->mode))
		return -ENOTDIR;
	if (!dir_is_empty(victim))
		return -ENOTEMPTY;
	if (victim->mounts_here)
		return -EBUSY;
	victim->inode->nlink = 0;
	dir->inode->nlink--;
	detach(dir, victim);
	return 0;
}

static bool is_ancestor(struct dentry *a, struct dentry *d)
{
	for (; d; d = d->parent)
		if (d == a)
			return true;
	return false;
}

/* Re-home dentry @d (already off any list) as @name under @newdir. */
static void move_dentry(struct dentry *d, struct dentry *newdir, const char *name)
{
	struct dentry *oldparent = d->parent;

	free(d->name);
	d->name = xstrdup(name);
	dget(newdir);
	d->parent = newdir;
	list_add_tail(&d->child_node, &newdir->children);
	if (S_ISDIR(d->inode->mode) && oldparent != newdir) {
		oldparent->inode->nlink--;
		newdir->inode->nlink++;
	}
	dput(oldparent);
}

static int tmpfs_rename(struct dentry *olddir, struct dentry *old, struct dentry *newdir, const char *newname,
			unsigned flags)
{
	struct dentry *target;
	bool old_is_dir = S_ISDIR(old->inode->mode);
	char *oldname;

	tmpfs_fill_dir(newdir);
	target = find_child(newdir, newname);
	/* Both names already link the same inode: POSIX says do nothing. */
	if (target && target->inode == old->inode)
		return 0;
	if (old_is_dir && is_ancestor(old, newdir))
		return -EINVAL;
	if (flags & RENAME_EXCHANGE) {
		if (!target)
			return -ENOENT;
		if (S_ISDIR(target->inode->mode) && is_ancestor(target, olddir))
			return -EINVAL;
		oldname = xstrdup(old->name);
		list_del(&old->child_node);
		list_del(&target->child_node);
		move_dentry(old, newdir, newname);
		move_dentry(target, olddir, oldname);
		free(oldname);
		return 0;
	}
	if (target) {
		bool target_is_dir = S_ISDIR(target->inode->mode);

		if (flags & RENAME_NOREPLACE)
			return -EEXIST;
		if (old_is_dir && !target_is_dir)
			return -ENOTDIR;
		if (!old_is_dir && target_is_dir)
			return -EISDIR;
		if (target_is_dir && !dir_is_empty(target))
			return -ENOTEMPTY;
		if (target->mounts_here)
			return -EBUSY;
		if (target_is_dir) {
			target->inode->nlink = 0;
			newdir->inode->nlink--;
		} else {
			target->inode->nlink--;
		}
		detach(newdir, target);
	}
	list_del(&old->child_node);
	move_dentry(old, newdir, newname);
	inode_touch(olddir->inode, false, true, true);
	inode_touch(newdir->inode, false, true, true);
	inode_touch(old->inode, false, false, true);
	return 0;
}

static unsigned dtype(uint32_t mode)
{
	return (mode >> 12) & 15;
}

static int tmpfs_iterate(struct dentry *dir, struct dir_ctx *ctx)
{
	struct dentry *c;
	int64_t idx = 2;

	tmpfs_fill_dir(dir);
	if (ctx->pos == 0) {
		if (!ctx->emit(ctx, ".", 1, dir->inode->ino, 4))
			return 0;
		ctx->pos = 1;
	}
	if (ctx->pos == 1) {
		struct inode *p = dir->parent ? dir->parent->inode : dir->inode;

		if (!ctx->emit(ctx, "..", 2, p->ino, 4))
			return 0;
		ctx->pos = 2;
	}
	list_for_each_entry(c, &dir->children, child_node) {
		if (idx++ < ctx->pos)
			continue;
		if (!ctx->emit(ctx, c->name, strlen(c->name), c->inode->ino, dtype(c->inode->mode)))
			return 0;
		ctx->pos = idx;
	}
	return 0;
}

static int tmpfs_readlink(struct dentry *d, char *buf, size_t size)
{
	struct inode *i = d->inode;
	size_t len;

	if (!i->link) {
		struct tmpfs_lower *lw = i->priv;
		char tmp[PATH_MAX_LEN];
		int n;

		if (!lw)
			return -EINVAL;
		n = lower_readlink(lw->rel, tmp, sizeof(tmp) - 1);
		if (n < 0)
			return n;
		tmp[n] = '\0';
		i->link = xstrdup(tmp);
	}
	len = MIN(strlen(i->link), size);
	memcpy(buf, i->link, len);
	return (int)len;
}

const struct inode_ops tmpfs_dir_iops = {
	.lookup = tmpfs_lookup,
	.mknod = tmpfs_mknod,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.iterate = tmpfs_iterate,
};

const struct inode_ops tmpfs_symlink_iops = {
	.readlink = tmpfs_readlink,
};

struct dentry *tmpfs_new(uint32_t root_mode, bool lower_backed, struct super_block **sb_out)
{
	struct super_block *sb = sb_new("tmpfs");
	struct inode *i = tmpfs_inode_new(sb, S_IFDIR | root_mode, 0);
	struct dentry *root;

	if (lower_backed) {
		struct stat st;

		tmpfs_lower_attach(i, xstrdup(""));
		if (lower_stat("", &st) == 0) {
			i->mode = st.st_mode;
			i->uid = st.st_uid;
			i->gid = st.st_gid;
		}
	}
	root = dentry_new(NULL, "/", i);
	if (sb_out)
		*sb_out = sb;
	return root;
}

int tmpfs_mknod_simple(struct dentry *dir, const char *name, uint32_t mode, uint64_t rdev)
{
	return tmpfs_mknod(dir, name, mode, rdev, NULL, NULL);
}

struct dentry *tmpfs_mkdir_simple(struct dentry *dir, const char *name, uint32_t mode)
{
	struct dentry *d = NULL;

	if (tmpfs_lookup(dir, name, &d) == 0)
		return d;
	if (tmpfs_mknod(dir, name, S_IFDIR | mode, 0, NULL, &d))
		return NULL;
	return d;
}
