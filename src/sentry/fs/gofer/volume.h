/* SPDX-License-Identifier: MIT */
/*
 * Volumes: a write-through filesystem over 9P2000.L. Unlike the root's
 * tmpfs overlay (fs/lower.h), every change goes to the server at once:
 * lookups walk (and so see the host's changes), creations, removals,
 * renames and attribute changes are requests, and file data is read and
 * written through the fd the Gofer donated or with Tread/Twrite. See
 * docs/gofer.md "Volumes".
 */
#pragma once
#include <stdbool.h>
#include "sentry/fs/vfs.h"

struct p9c;

/* The connection the root was attached over (gofer_lower_init()), or NULL. */
struct p9c *gofer_lower_client(void);

/*
 * Attach @aname on @c and make a volume filesystem of it: its root dentry
 * (new reference) in *root, its super_block in *sb. Kernel lock held;
 * dropped for the round trips. 0 or -errno.
 */
int volume_new(struct p9c *c, const char *aname, struct dentry **root, struct super_block **sb);
