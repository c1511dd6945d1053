/* SPDX-License-Identifier: MIT */
/* procfs: /proc/self, /proc/[pid]/..., and system-wide files, generated on open. */
#pragma once
#include "sentry/fs/vfs.h"

struct dentry *procfs_new(struct super_block **sb_out);
