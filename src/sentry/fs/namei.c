// SPDX-License-Identifier: MIT
/* Path walk: components, "." and "..", mount crossing, symlinks (at most SYMLOOP_MAX). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lib/log.h"
#include "sentry/fs/vfs.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"

struct nameidata {
	struct task *t;
	struct path root;
	struct path cur;
	int links;
};

int lookup_one(struct path *dir, const char *name, struct dentry **out)
{
	struct inode *i = dir->dentry->inode;

	if (!i->iops || !i->iops->lookup)
		return -ENOTDIR;
	return i->iops->lookup(dir->dentry, name, out);
}

static void set_cur(struct nameidata *nd, struct path *next)
{
	path_put(&nd->cur);
	nd->cur = *next;
}

static void go_up(struct nameidata *nd)
{
	struct path p = nd->cur;

	if (p.dentry == nd->root.dentry && p.mnt == nd->root.mnt)
		return;
	while (p.dentry == p.mnt->root && p.mnt->parent) {
		p.dentry = p.mnt->mountpoint;
		p.mnt = p.mnt->parent;
		if (p.dentry == nd->root.dentry && p.mnt == nd->root.mnt)
			break;
	}
	if (p.dentry->parent && !(p.dentry == nd->root.dentry && p.mnt == nd->root.mnt))
		p.dentry = p.dentry->parent;
	dget(p.dentry);
	set_cur(nd, &p);
}

static int walk(struct nameidata *nd, const char *name, unsigned flags);

static int follow_link(struct nameidata *nd, struct path *link, unsigned flags)
{
	struct inode *i = link->dentry->inode;
	char *target;
	int len, err;

	if (++nd->links > SYMLOOP_MAX)
		return -ELOOP;
	if (i->iops && i->iops->get_link) {
		struct path p;

		err = i->iops->get_link(link->dentry, nd->t, &p);
		if (err)
			return err;
		set_cur(nd, &p);
		return 0;
	}
	if (!i->iops || !i->iops->readlink)
		return -EINVAL;
	target = xmalloc(PATH_MAX_LEN);
	len = i->iops->readlink(link->dentry, target, PATH_MAX_LEN - 1);
	if (len < 0) {
		free(target);
		return len;
	}
	target[len] = '\0';
	err = len ? walk(nd, target, flags | LOOKUP_FOLLOW) : -ENOENT;
	free(target);
	return err;
}

static int walk(struct nameidata *nd, const char *name, unsigned flags)
{
	char comp[NAME_MAX_LEN + 1];
	int err;

	if (*name == '/') {
		path_get(&nd->root);
		set_cur(nd, &(struct path){ nd->root.mnt, nd->root.dentry });
		while (*name == '/')
			name++;
	}
	while (*name) {
		const char *end = strchrnul(name, '/');
		size_t len = end - name;
		bool last, trailing;
		struct dentry *child;
		struct path next;

		while (*end == '/')
			end++;
		last = *end == '\0';
		trailing = last && name[len] == '/';
		if (!S_ISDIR(nd->cur.dentry->inode->mode))
			return -ENOTDIR;
		err = inode_permission(nd->t, nd->cur.dentry->inode, MAY_EXEC);
		if (err)
			return err;
		if (len > NAME_MAX_LEN)
			return -ENAMETOOLONG;
		memcpy(comp, name, len);
		comp[len] = '\0';
		name = end;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			go_up(nd);
			continue;
		}
		err = lookup_one(&nd->cur, comp, &child);
		if (err)
			return err;
		next.mnt = nd->cur.mnt;
		next.dentry = child;
		path_follow_mounts(&next);
		if (S_ISLNK(next.dentry->inode->mode) && (!last || trailing || (flags & LOOKUP_FOLLOW))) {
			err = follow_link(nd, &next, flags & ~LOOKUP_DIRECTORY);
			path_put(&next);
			if (err)
				return err;
			continue;
		}
		set_cur(nd, &next);
		if (trailing && !S_ISDIR(nd->cur.dentry->inode->mode))
			return -ENOTDIR;
	}
	return 0;
}

/* The starting point for a relative path: cwd or the directory @dirfd. */
static int start_dir(struct task *t, int dirfd, const char *name, struct path *out)
{
	struct file *f;

	if (name[0] == '/' || dirfd == AT_FDCWD) {
		*out = name[0] == '/' ? t->fs->root : t->fs->cwd;
		path_get(out);
		return 0;
	}
	f = fdget(t, dirfd);
	if (!f)
		return -EBADF;
	if (!f->path.dentry) {
		file_put(f);
		return -ENOTDIR;
	}
	*out = f->path;
	path_get(out);
	file_put(f);
	return 0;
}

int path_lookup(struct task *t, int dirfd, const char *name, unsigned flags, struct path *out)
{
	struct nameidata nd = { .t = t, .root = t->fs->root };
	int err;

	if (!*name && !(flags & LOOKUP_EMPTY))
		return -ENOENT;
	err = start_dir(t, dirfd, name, &nd.cur);
	if (err)
		return err;
	if (!*name && dirfd != AT_FDCWD) {
		*out = nd.cur;
		return 0;
	}
	err = walk(&nd, name, flags);
	if (!err && (flags & LOOKUP_DIRECTORY) && !S_ISDIR(nd.cur.dentry->inode->mode))
		err = -ENOTDIR;
	if (err) {
		path_put(&nd.cur);
		return err;
	}
	*out = nd.cur;
	return 0;
}

int path_lookup_parent(struct task *t, int dirfd, const char *name, struct path *parent, char *last,
		       bool *trailing_slash)
{
	return path_lookup_parent_from(t, dirfd, NULL, name, parent, last, trailing_slash);
}

int path_lookup_parent_from(struct task *t, int dirfd, const struct path *base, const char *name,
			    struct path *parent, char *last, bool *trailing_slash)
{
	struct nameidata nd = { .t = t, .root = t->fs->root };
	size_t len = strlen(name);
	const char *slash;
	char *dir;
	int err;

	if (!len)
		return -ENOENT;
	while (len > 1 && name[len - 1] == '/')
		len--;
	if (trailing_slash)
		*trailing_slash = len != strlen(name);
	slash = memrchr(name, '/', len);
	if (slash) {
		size_t base_len = len - (slash + 1 - name);

		if (base_len > NAME_MAX_LEN)
			return -ENAMETOOLONG;
		memcpy(last, slash + 1, base_len);
		last[base_len] = '\0';
		dir = strndup(name, slash == name ? 1 : (size_t)(slash - name));
	} else {
		if (len > NAME_MAX_LEN)
			return -ENAMETOOLONG;
		memcpy(last, name, len);
		last[len] = '\0';
		dir = strdup("");
	}
	if (!dir)
		return -ENOMEM;
	if (base && name[0] != '/') {
		nd.cur = *base;
		path_get(&nd.cur);
		err = 0;
	} else {
		err = start_dir(t, dirfd, name, &nd.cur);
	}
	if (!err)
		err = walk(&nd, dir, LOOKUP_FOLLOW);
	free(dir);
	if (!err && !S_ISDIR(nd.cur.dentry->inode->mode))
		err = -ENOTDIR;
	if (!err && !*last)
		strcpy(last, ".");	/* "/" itself */
	if (err) {
		path_put(&nd.cur);
		return err;
	}
	*parent = nd.cur;
	return 0;
}

int path_lookup_user(struct task *t, int dirfd, uptr_t upath, unsigned flags, struct path *out)
{
	char *name = xmalloc(PATH_MAX_LEN);
	long len = copy_string_in(t, name, upath, PATH_MAX_LEN);
	int err = len < 0 ? (int)len : path_lookup(t, dirfd, name, flags, out);

	free(name);
	return err;
}
