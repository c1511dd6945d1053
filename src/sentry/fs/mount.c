// SPDX-License-Identifier: MIT
/* The mount tree: creating mounts, crossing into them, and printing paths. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include "lib/log.h"
#include "sentry/fs/vfs.h"

static struct list_head g_mounts = LIST_HEAD_INIT(g_mounts);

struct mount *mount_new(struct mount *parent, struct dentry *mountpoint, struct dentry *root,
			struct super_block *sb, int flags, const char *source)
{
	struct mount *m = xzalloc(sizeof(*m));

	m->parent = parent;
	m->mountpoint = mountpoint;
	if (mountpoint) {
		dget(mountpoint);
		mountpoint->mounts_here++;
	}
	m->root = root;
	dget(root);
	m->sb = sb;
	m->flags = flags;
	m->source = xstrdup(source ? source : "none");
	list_add_tail(&m->node, &g_mounts);
	return m;
}

static struct mount *g_pseudo_mount;

int path_of_pathless(struct inode *inode, const char *name, struct path *out)
{
	if (!g_pseudo_mount) {
		g_pseudo_mount = xzalloc(sizeof(*g_pseudo_mount));
		g_pseudo_mount->source = xstrdup("pseudo");
		list_init(&g_pseudo_mount->node);	/* not in the mount table, nor in /proc/mounts */
	}
	inode_get(inode);
	out->mnt = g_pseudo_mount;
	out->dentry = dentry_new(NULL, name, inode);
	return 0;
}

bool path_is_pseudo(const struct path *p)
{
	return p->mnt && p->mnt == g_pseudo_mount;
}

void mount_for_each(void (*fn)(struct mount *m, void *arg), void *arg)
{
	struct mount *m;

	list_for_each_entry(m, &g_mounts, node)
		fn(m, arg);
}

void path_follow_mounts(struct path *p)
{
	while (p->dentry->mounts_here) {
		struct mount *m, *found = NULL;

		list_for_each_entry(m, &g_mounts, node)
			if (m->parent == p->mnt && m->mountpoint == p->dentry)
				found = m;
		if (!found)
			return;
		dput(p->dentry);
		p->mnt = found;
		p->dentry = found->root;
		dget(p->dentry);
	}
}

int path_to_string(const struct path *p, const struct path *root, char *buf, size_t size)
{
	struct mount *mnt = p->mnt;
	struct dentry *d = p->dentry;
	size_t pos = size;
	bool deleted = d->unlinked;

	if (size < 2)
		return -ENAMETOOLONG;
	buf[--pos] = '\0';
	while (!(d == root->dentry && mnt == root->mnt)) {
		size_t len;

		if (d == mnt->root) {
			if (!mnt->parent)
				break;
			d = mnt->mountpoint;
			mnt = mnt->parent;
			continue;
		}
		if (!d->parent)
			break;
		len = strlen(d->name);
		if (pos < len + 1)
			return -ENAMETOOLONG;
		pos -= len;
		memcpy(buf + pos, d->name, len);
		buf[--pos] = '/';
		d = d->parent;
	}
	if (pos == size - 1)
		buf[--pos] = '/';
	memmove(buf, buf + pos, size - pos);
	if (deleted) {
		size_t len = strlen(buf);

		if (len + 11 > size)
			return -ENAMETOOLONG;
		strcpy(buf + len, " (deleted)");
	}
	return (int)strlen(buf);
}
