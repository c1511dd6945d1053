/* SPDX-License-Identifier: MIT */
/* Shared between volume.c (names, attributes) and volume_file.c (file data). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "lib/list.h"
#include "p9/p9.h"
#include "sentry/fs/vfs.h"

#define VOL_SMALL_REPLY 256	/* Rwalk of one name, Rgetattr, Rlopen, Rmkdir... all fit */

struct vol_sb {
	struct p9c *c;
};

/* inode->priv: the fid naming the file (walked, never opened: it can still be walked from). */
struct vol_inode {
	uint32_t fid;
	uint64_t qpath;		/* the server's identity of the file (qid.path) */
	struct dentry *d;	/* its cached entry (no reference), NULL for a root */
	struct list_head lru;	/* in the cache's LRU while d is set */
};

static inline struct p9c *vol_client(const struct inode *i)
{
	return ((struct vol_sb *)i->sb->priv)->c;
}

static inline uint32_t vol_fid(const struct inode *i)
{
	return ((struct vol_inode *)i->priv)->fid;
}

/*
 * Drop the kernel lock around round trips (lower_unlocked_begin/end), and
 * meanwhile clunk the fids and close the fds queued by releases, which
 * run with the lock held.
 */
void vol_unlocked_begin(void);
void vol_unlocked_end(void);
/* Kernel lock held: clunk @fid / close @fd at the next vol_unlocked_begin(). */
void vol_defer_clunk(struct p9c *c, uint32_t fid);
void vol_defer_close(int fd);

/* Lock dropped: Tgetattr of @fid into @reply (strings in @rbuf, VOL_SMALL_REPLY bytes). */
int vol_getattr(struct p9c *c, uint32_t fid, struct p9_msg *reply, uint8_t *rbuf);
/* Kernel lock held: copy what a Rgetattr says into @i. */
void vol_apply_attr(struct inode *i, const struct p9_msg *r);
/* Kernel lock held (dropped meanwhile): refresh @i's attributes from the server. */
int vol_refresh(struct inode *i);

/* volume_file.c */
extern const struct file_ops vol_file_fops, vol_dir_fops;
/* Data of @i changed: a later mmap copies it anew. */
void vol_drop_map(struct inode *i);
