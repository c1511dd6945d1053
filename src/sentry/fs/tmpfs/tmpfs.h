/* SPDX-License-Identifier: MIT */
/*
 * tmpfs: a filesystem held entirely in Sentry memory (the dentry tree is the
 * directory structure, file data lives in the memory file). A tmpfs may be
 * backed by the lower layer (fs/lower.h): then directories and files
 * are filled from it the first time they are used, and every change stays
 * in memory.
 */
#pragma once
#include <stdbool.h>
#include "sentry/fs/vfs.h"

/* A new tmpfs; its root dentry (new reference). @lower_backed: fill from the lower layer. */
struct dentry *tmpfs_new(uint32_t root_mode, bool lower_backed, struct super_block **sb_out);
/* Helpers for synthetic trees built at boot (dev). */
int tmpfs_mknod_simple(struct dentry *dir, const char *name, uint32_t mode, uint64_t rdev);
struct dentry *tmpfs_mkdir_simple(struct dentry *dir, const char *name, uint32_t mode);

/* Character devices: file ops for a device number (dev/). */
const struct file_ops *chrdev_fops(uint64_t rdev);
/* Named pipes (pipe/). */
extern const struct file_ops fifo_fops;
