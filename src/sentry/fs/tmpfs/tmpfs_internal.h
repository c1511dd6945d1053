/* SPDX-License-Identifier: MIT */
/* Shared between tmpfs.c and file.c. */
#pragma once
#include <stdbool.h>
#include "sentry/fs/vfs.h"

/*
 * Where a lower-backed inode comes from, and whether its directory entries
 * (or file data) have been copied in. Filling drops the kernel lock for the
 * lower calls: the filler marks the inode FILLING, and any other task that
 * needs the same inode meanwhile waits for FILLED (or for EMPTY again after
 * a failure, and then tries itself). While FILLING nobody else changes the
 * directory's entries or the file's data: every such change fills first.
 */
enum tmpfs_lower_state {
	TMPFS_LOWER_EMPTY,
	TMPFS_LOWER_FILLING,
	TMPFS_LOWER_FILLED,
};

struct tmpfs_lower {
	char *rel;		/* path relative to the lower root; never changes */
	enum tmpfs_lower_state state;
	bool linked;		/* in the hard-link table (tmpfs.c), under link_ino */
	uint64_t link_ino;
};

extern const struct inode_ops tmpfs_dir_iops, tmpfs_file_iops, tmpfs_symlink_iops;
extern const struct file_ops tmpfs_dir_fops, tmpfs_file_fops;

struct inode *tmpfs_inode_new(struct super_block *sb, uint32_t mode, uint64_t rdev);
void tmpfs_lower_attach(struct inode *i, char *rel);	/* takes @rel */
/* @i, a lower file in the hard-link table (lw->linked), goes away: forget it. */
void tmpfs_lower_link_forget(struct inode *i, uint64_t ino);

/*
 * Kernel lock held. Waits (lock dropped, *dropped set) while another task
 * fills @lw; then returns true with @lw now FILLING and the caller the
 * filler, or false when it is FILLED already.
 */
bool tmpfs_lower_claim(struct tmpfs_lower *lw, bool *dropped);
/* The filler is done: FILLED if @ok, else EMPTY (someone may retry). Wakes waiters. */
void tmpfs_lower_settle(struct tmpfs_lower *lw, bool ok);

/*
 * Fill directory @dir from the lower layer, once. 0, or -EIO when the lower
 * layer failed (the next call tries again). *dropped (optional) is set when
 * the kernel lock was dropped: the caller re-checks what it found before.
 */
int tmpfs_fill_dir(struct dentry *dir, bool *dropped);
