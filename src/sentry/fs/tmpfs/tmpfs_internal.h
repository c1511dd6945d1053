/* SPDX-License-Identifier: MIT */
/* Shared between tmpfs.c and file.c. */
#pragma once
#include "sentry/fs/vfs.h"

/* Where a lower-backed inode comes from. */
struct tmpfs_lower {
	char *rel;		/* path relative to the lower root */
	bool filled;		/* directory listed / file data copied in */
};

extern const struct inode_ops tmpfs_dir_iops, tmpfs_file_iops, tmpfs_symlink_iops;
extern const struct file_ops tmpfs_dir_fops, tmpfs_file_fops;

struct inode *tmpfs_inode_new(struct super_block *sb, uint32_t mode, uint64_t rdev);
void tmpfs_lower_attach(struct inode *i, char *rel);	/* takes @rel */
int tmpfs_fill_dir(struct dentry *dir);
