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
#include "sentry/fs/lower.h"
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

/*
 * Hard links of the lower layer: a regular file with several links is one
 * inode under all the names the sandbox sees of it (st_ino, st_nlink and
 * data shared, as on the host). Found by lower identity, and, so that two
 * files of different host filesystems never merge, the same mode, size and
 * mtime too. Kernel lock held; an inode leaves the table as it is destroyed.
 */
#define LINK_BUCKETS 256

struct lower_link {
	uint64_t ino;
	/* the lower file as first seen: the inode itself may have been written since */
	uint32_t mode;
	uint64_t size;
	struct linux_timespec mtime;
	struct inode *inode;
	struct lower_link *next;
};

static struct lower_link *g_lower_links[LINK_BUCKETS];

static struct inode *lower_link_find(const struct lower_attr *a, struct super_block *sb)
{
	for (struct lower_link *l = g_lower_links[a->ino % LINK_BUCKETS]; l; l = l->next) {
		struct inode *i = l->inode;

		if (l->ino == a->ino && i->sb == sb && l->mode == a->mode && l->size == a->size &&
		    l->mtime.tv_sec == a->mtime.tv_sec && l->mtime.tv_nsec == a->mtime.tv_nsec && i->nlink > 0)
			return i;
	}
	return NULL;
}

static void lower_link_add(struct inode *i, const struct lower_attr *a)
{
	struct lower_link *l = xmalloc(sizeof(*l));
	uint64_t ino = a->ino;

	l->ino = ino;
	l->mode = a->mode;
	l->size = a->size;
	l->mtime = a->mtime;
	l->inode = i;
	l->next = g_lower_links[ino % LINK_BUCKETS];
	g_lower_links[ino % LINK_BUCKETS] = l;
}

void tmpfs_lower_link_forget(struct inode *i, uint64_t ino)
{
	for (struct lower_link **p = &g_lower_links[ino % LINK_BUCKETS]; *p; p = &(*p)->next)
		if ((*p)->inode == i) {
			struct lower_link *l = *p;

			*p = l->next;
			free(l);
			return;
		}
}

/* Add one lower entry to @dir (kernel lock held); skipped if the name is taken or not a name. */
static void add_lower_child(struct dentry *dir, const char *dir_rel, const struct lower_dirent *e)
{
	const struct lower_attr *a = &e->attr;
	struct inode *dir_inode = dir->inode;
	struct inode *i;
	char *rel;

	if (!*e->name || strchr(e->name, '/') || strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0 ||
	    strlen(e->name) > NAME_MAX_LEN || find_child(dir, e->name))
		return;
	/* another name of a lower file already here: the same inode, its link count the lower one */
	if (S_ISREG(a->mode) && a->nlink > 1 && a->ino && (i = lower_link_find(a, dir_inode->sb))) {
		inode_get(i);
		tmpfs_attach(dir, e->name, i);
		return;
	}
	if (asprintf(&rel, "%s%s%s", dir_rel, *dir_rel ? "/" : "", e->name) < 0)
		return;
	i = tmpfs_inode_new(dir_inode->sb, a->mode, a->rdev);
	i->uid = a->uid;
	i->gid = a->gid;
	i->size = S_ISREG(a->mode) || S_ISLNK(a->mode) ? a->size : 0;
	i->nlink = S_ISDIR(a->mode) ? 2 : 1;
	i->atime = a->atime;
	i->mtime = a->mtime;
	i->ctime = a->ctime;
	i->rdev = a->rdev;
	if (S_ISCHR(a->mode) || S_ISBLK(a->mode) || S_ISSOCK(a->mode)) {
		/* Host device nodes in an image are not passed through. */
		i->fops = S_ISCHR(a->mode) ? chrdev_fops(a->rdev) : NULL;
	}
	tmpfs_lower_attach(i, rel);
	if (S_ISREG(a->mode) && a->nlink > 1 && a->ino) {
		struct tmpfs_lower *lw = i->priv;

		i->nlink = (uint32_t)MIN(a->nlink, (uint64_t)UINT32_MAX);
		lower_link_add(i, a);
		lw->linked = true;
		lw->link_ino = a->ino;
	}
	if (S_ISDIR(a->mode))
		dir_inode->nlink++;
	tmpfs_attach(dir, e->name, i);
}

int tmpfs_fill_dir(struct dentry *dir, bool *dropped)
{
	struct tmpfs_lower *lw = dir->inode->priv;
	struct lower_dirent *ents = NULL;
	size_t count = 0;
	bool ignored;
	int err;

	if (!dropped)
		dropped = &ignored;
	if (!lw || !tmpfs_lower_claim(lw, dropped))
		return 0;
	*dropped = true;
	dget(dir);	/* keeps the inode and @lw while the lock is dropped */
	lower_unlocked_begin();
	err = g_lower->list(lw->rel, &ents, &count);
	lower_unlocked_end();
	if (err) {
		log_warn("lower directory '%s': %s", lw->rel, strerror(-err));
	} else {
		for (size_t k = 0; k < count; k++)
			add_lower_child(dir, lw->rel, &ents[k]);
		lower_dirents_free(ents, count);
	}
	tmpfs_lower_settle(lw, !err);
	dput(dir);
	return err ? -EIO : 0;
}

static int tmpfs_lookup(struct dentry *dir, const char *name, struct dentry **out)
{
	struct dentry *c;
	int err = tmpfs_fill_dir(dir, NULL);

	if (err)
		return err;
	c = find_child(dir, name);
	if (!c)
		return -ENOENT;
	dget(c);
	*out = c;
	return 0;
}

/* Filling may drop the kernel lock, so it comes first and the checks after. */
static int check_new_name(struct dentry *dir, const char *name)
{
	int err = tmpfs_fill_dir(dir, NULL);

	if (err)
		return err;
	if (dir->unlinked)
		return -ENOENT;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EEXIST;
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
	/* as Linux: no new name for an inode whose last one went (also while we filled @dir) */
	if (old->inode->nlink == 0)
		return -ENOENT;
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

/* 1 if directory @d has no entries, 0 if it has some, -EIO if it could not be listed. */
static int dir_is_empty(struct dentry *d, bool *dropped)
{
	int err = tmpfs_fill_dir(d, dropped);

	return err ? err : list_empty(&d->children);
}

/* @d is still the entry of @dir the caller found (after the kernel lock was dropped). */
static bool still_child(struct dentry *dir, struct dentry *d)
{
	return !d->unlinked && d->parent == dir;
}

static int tmpfs_rmdir(struct dentry *dir, struct dentry *victim)
{
	bool dropped = false;
	int empty;

	if (!S_ISDIR(victim->inode->mode))
		return -ENOTDIR;
	empty = dir_is_empty(victim, &dropped);
	if (empty < 0)
		return empty;
	if (dropped && !still_child(dir, victim))
		return -ENOENT;
	if (!empty)
		return -ENOTEMPTY;
	if (victim->mounts_here)
		return -EBUSY;
	victim->inode->nlink = 0;
	dir->inode->nlink--;
	detach(dir, victim);
	return 0;
}

/* Target directories filled during one rename before it gives up (each fill may let others change the tree). */
#define RENAME_FILL_TRIES 8

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
	bool old_is_dir = S_ISDIR(old->inode->mode), dropped = false;
	char *oldname;
	int err, tries = 0;

	/* Filling drops the kernel lock: whatever was found before is found again after. */
again:
	if (++tries > RENAME_FILL_TRIES)
		return -EBUSY;
	err = tmpfs_fill_dir(newdir, &dropped);
	if (err)
		return err;
	if (dropped && !still_child(olddir, old))
		return -ENOENT;
	if (newdir->unlinked)
		return -ENOENT;
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
		if (target_is_dir) {
			bool target_dropped = false;
			int empty = dir_is_empty(target, &target_dropped);

			if (empty < 0)
				return empty;
			if (target_dropped) {
				dropped = true;
				goto again;
			}
			if (!empty)
				return -ENOTEMPTY;
		}
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
	int err = tmpfs_fill_dir(dir, NULL);

	if (err)
		return err;
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
		char *tmp;
		int n;

		if (!lw)
			return -EINVAL;
		tmp = xmalloc(PATH_MAX_LEN);
		inode_get(i);	/* @lw lives as long as the inode */
		lower_unlocked_begin();
		n = g_lower->readlink(lw->rel, tmp, PATH_MAX_LEN - 1);
		lower_unlocked_end();
		/* another task may have read it meanwhile: keep the first */
		if (n >= 0 && !i->link) {
			tmp[n] = '\0';
			i->link = xstrdup(tmp);
		}
		inode_put(i);
		free(tmp);
		if (n < 0) {
			log_warn("lower symlink '%s': %s", lw->rel, strerror(-n));
			return -EIO;
		}
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
		struct lower_attr a;
		int err;

		tmpfs_lower_attach(i, xstrdup(""));
		lower_unlocked_begin();
		err = g_lower->stat("", &a);
		lower_unlocked_end();
		if (err == 0 && S_ISDIR(a.mode)) {
			i->mode = a.mode;
			i->uid = a.uid;
			i->gid = a.gid;
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
