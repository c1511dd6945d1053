// SPDX-License-Identifier: MIT
/* The anonymous inode filesystem: one inode per anonymous file, named for /proc. */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/stat.h>
#include "lib/log.h"
#include "sentry/fs/anon/anon.h"

static struct super_block *g_anon_sb;

struct file *anon_file_new(const char *name, const struct file_ops *fops, void *priv, unsigned flags)
{
	struct inode *i;
	struct file *f;

	if (!g_anon_sb)
		g_anon_sb = sb_new("anon_inodefs");
	/* Linux's anon inodes have mode 0600 and no file type bits. */
	i = inode_new(g_anon_sb, 0600, NULL, fops);
	i->link = xstrdup(name);
	f = file_new(NULL, i, flags, fops);
	inode_put(i);
	f->priv = priv;
	return f;
}
