// SPDX-License-Identifier: MIT
/*
 * Volumes (volume.h): names and attributes. Each inode holds a walked fid
 * of its file. The dentry tree is only a cache: every lookup walks the
 * name again from the directory's fid (and asks its attributes), so a file
 * the host created, removed or replaced is seen on the next lookup; a
 * cached dentry is kept while the server names the same file (qid.path
 * and type), replaced otherwise. Every round trip runs with the kernel
 * lock dropped; a dead server fails them with -EIO.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lib/log.h"
#include "lib/util.h"
#include "sentry/fs/gofer/client.h"
#include "sentry/fs/gofer/host_file.h"
#include "sentry/fs/gofer/volume.h"
#include "sentry/fs/gofer/volume_internal.h"
#include "sentry/fs/lower.h"
#include "sentry/kernel/task.h"

#define READDIR_ROUNDS_MAX (1u << 20)	/* Treaddirs of one getdents: a server that never ends is wrong */
/*
 * Cached entries kept beyond use: each holds a fid, and so an fd in the
 * Gofer, whose limits are finite. Past this many, unused entries (no
 * reference but their directory's, no cached children, no mount) go,
 * least recently looked up first.
 */
#define CACHE_MAX 4096
#define EVICT_SCAN_MAX 64	/* entries one insertion looks at to make room */

static const struct inode_ops vol_dir_iops, vol_file_iops, vol_symlink_iops, vol_other_iops;

/* Fids and fds released with the kernel lock held, for the next vol_unlocked_begin(); kernel lock. */
struct deferred {
	struct p9c *c;		/* NULL: close fd */
	uint32_t fid;
	int fd;
};
static struct deferred *g_deferred;
static size_t g_ndeferred, g_deferred_cap;

static void defer(struct deferred d)
{
	if (g_ndeferred == g_deferred_cap) {
		g_deferred_cap = g_deferred_cap ? 2 * g_deferred_cap : 32;
		g_deferred = xrealloc(g_deferred, g_deferred_cap * sizeof(*g_deferred));
	}
	g_deferred[g_ndeferred++] = d;
}

void vol_defer_clunk(struct p9c *c, uint32_t fid)
{
	defer((struct deferred){ .c = c, .fid = fid, .fd = -1 });
}

void vol_defer_close(int fd)
{
	if (fd >= 0)
		defer((struct deferred){ .c = NULL, .fd = fd });
}

/*
 * Clunks started by this thread's vol_unlocked_begin() and collected in
 * vol_unlocked_end(): their round trips overlap the caller's own.
 */
#define CLUNKS_IN_FLIGHT 16
struct clunk_batch {
	struct p9c *c[CLUNKS_IN_FLIGHT];
	struct p9c_call call[CLUNKS_IN_FLIGHT];
	uint32_t fid[CLUNKS_IN_FLIGHT];
	uint8_t rbuf[CLUNKS_IN_FLIGHT][64];
	int n;
};
static __thread struct clunk_batch t_clunks;

static void clunks_finish(void)
{
	struct clunk_batch *b = &t_clunks;

	for (int k = 0; k < b->n; k++) {
		struct p9_msg reply;
		int err = p9c_finish(b->c[k], &b->call[k], &reply);

		if (err && err != -EIO)
			log_warn("9p: clunk of fid %u: %s", b->fid[k], strerror(-err));
		p9c_fid_free(b->c[k], b->fid[k]);
	}
	b->n = 0;
}

/* Start the clunk of @fid (lock dropped); waits for earlier ones when the batch is full. */
static void clunk_start(struct p9c *c, uint32_t fid)
{
	struct clunk_batch *b = &t_clunks;
	struct p9_msg req = { .type = P9_TCLUNK };

	if (b->n == CLUNKS_IN_FLIGHT)
		clunks_finish();
	req.tclunk.fid = fid;
	if (p9c_start(c, &b->call[b->n], &req, b->rbuf[b->n], sizeof(b->rbuf[b->n]))) {
		p9c_fid_free(c, fid);	/* a dead connection: the fid is gone with it */
		return;
	}
	b->c[b->n] = c;
	b->fid[b->n] = fid;
	b->n++;
}

void vol_unlocked_begin(void)
{
	struct deferred *q = g_deferred;
	size_t n = g_ndeferred;

	g_deferred = NULL;
	g_ndeferred = g_deferred_cap = 0;
	lower_unlocked_begin();
	for (size_t k = 0; k < n; k++) {
		if (q[k].c)
			clunk_start(q[k].c, q[k].fid);
		else
			host_file_close(q[k].fd);
	}
	free(q);
}

void vol_unlocked_end(void)
{
	clunks_finish();
	lower_unlocked_end();
}

int vol_getattr(struct p9c *c, uint32_t fid, struct p9_msg *reply, uint8_t *rbuf)
{
	struct p9_msg req = { .type = P9_TGETATTR };

	req.tgetattr.fid = fid;
	req.tgetattr.request_mask = P9_GETATTR_BASIC;
	return p9c_rpc(c, &req, reply, rbuf, VOL_SMALL_REPLY);
}

void vol_apply_attr(struct inode *i, const struct p9_msg *r)
{
	/* the type of an inode never changes: a file replaced on the host gets a new inode (lookup) */
	i->mode = (i->mode & S_IFMT) | (r->rgetattr.mode & 07777);
	i->uid = r->rgetattr.uid;
	i->gid = r->rgetattr.gid;
	i->nlink = (uint32_t)r->rgetattr.nlink;
	i->rdev = r->rgetattr.rdev;
	i->size = r->rgetattr.size;
	i->atime = (struct linux_timespec){ (int64_t)r->rgetattr.atime_sec, (int64_t)r->rgetattr.atime_nsec };
	i->mtime = (struct linux_timespec){ (int64_t)r->rgetattr.mtime_sec, (int64_t)r->rgetattr.mtime_nsec };
	i->ctime = (struct linux_timespec){ (int64_t)r->rgetattr.ctime_sec, (int64_t)r->rgetattr.ctime_nsec };
}

int vol_refresh(struct inode *i)
{
	struct p9_msg reply;
	uint8_t rbuf[VOL_SMALL_REPLY];
	int err;

	inode_get(i);
	vol_unlocked_begin();
	err = vol_getattr(vol_client(i), vol_fid(i), &reply, rbuf);
	vol_unlocked_end();
	if (!err)
		vol_apply_attr(i, &reply);
	inode_put(i);
	return err;
}

/* Every cached entry's vol_inode, most recently looked up first; kernel lock. */
static struct list_head g_lru = LIST_HEAD_INIT(g_lru);
static unsigned g_lru_count;

static void lru_del(struct vol_inode *vi)
{
	if (!vi->d)
		return;
	list_del(&vi->lru);
	vi->d = NULL;
	g_lru_count--;
}

static void vol_inode_destroy(struct inode *i)
{
	struct vol_inode *vi = i->priv;

	if (vi) {
		lru_del(vi);
		vol_defer_clunk(vol_client(i), vi->fid);
		free(vi);
	}
	i->priv = NULL;
}

/* A new inode for the file @fid names (taken), with the attributes of @r. Kernel lock held. */
static struct inode *vol_inode_new(struct super_block *sb, uint32_t fid, const struct p9_msg *r)
{
	uint32_t mode = r->rgetattr.mode;
	struct inode *i = inode_new(sb, mode & S_IFMT, &vol_other_iops, NULL);
	struct vol_inode *vi = xzalloc(sizeof(*vi));

	list_init(&vi->lru);
	vi->fid = fid;
	vi->qpath = r->rgetattr.qid.path;
	i->priv = vi;
	i->destroy = vol_inode_destroy;
	i->ino = vi->qpath;
	switch (mode & S_IFMT) {
	case S_IFDIR:
		i->iops = &vol_dir_iops;
		i->fops = &vol_dir_fops;
		break;
	case S_IFREG:
		i->iops = &vol_file_iops;
		i->fops = &vol_file_fops;
		break;
	case S_IFLNK:
		i->iops = &vol_symlink_iops;
		break;
	default:
		/* FIFOs, sockets and device nodes of the host are not opened through a volume */
		break;
	}
	vol_apply_attr(i, r);
	return i;
}

static struct dentry *find_child(struct dentry *dir, const char *name)
{
	struct dentry *c;

	list_for_each_entry(c, &dir->children, child_node)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* Drop cached child @c of its directory (the name is gone or names another file now). */
static void forget(struct dentry *c)
{
	lru_del(c->inode->priv);
	list_del(&c->child_node);
	list_init(&c->child_node);
	c->pinned = false;
	c->unlinked = true;
	dput(c);
}

static void forget_name(struct dentry *dir, const char *name)
{
	struct dentry *c = find_child(dir, name);

	if (c)
		forget(c);
}

/* Walk @name from @dirfid into a new fid, and ask its attributes. Lock dropped. */
static int walk_getattr(struct p9c *c, uint32_t dirfid, const char *name, uint32_t *fid, struct p9_msg *reply,
			uint8_t *rbuf)
{
	uint32_t nf = p9c_fid_alloc(c);
	int err;

	if (nf == P9_NOFID)
		return -ENFILE;
	err = p9c_walk(c, dirfid, nf, 1, &name);
	if (err) {
		p9c_fid_free(c, nf);
		return err;
	}
	err = vol_getattr(c, nf, reply, rbuf);
	if (err) {
		p9c_clunk(c, nf);
		return err;
	}
	*fid = nf;
	return 0;
}

static bool unused(const struct dentry *d)
{
	return d->refs == 1 && list_empty(&d->children) && !d->mounts_here;
}

/* Over CACHE_MAX: forget unused entries from the cold end; the ones in use go back to the front. */
static void evict(void)
{
	for (int k = 0; k < EVICT_SCAN_MAX && g_lru_count > CACHE_MAX; k++) {
		struct vol_inode *vi = list_entry(g_lru.prev, struct vol_inode, lru);

		if (unused(vi->d)) {
			forget(vi->d);
		} else {
			list_del(&vi->lru);
			list_add(&vi->lru, &g_lru);
		}
	}
}

/* Cache @d (a new child entry) and make room. */
static void lru_add(struct dentry *d)
{
	struct vol_inode *vi = d->inode->priv;

	vi->d = d;
	list_add(&vi->lru, &g_lru);
	g_lru_count++;
	evict();
}

static void lru_touch(struct dentry *d)
{
	struct vol_inode *vi = d->inode->priv;

	if (vi->d) {
		list_del(&vi->lru);
		list_add(&vi->lru, &g_lru);
	}
}

static int vol_lookup(struct dentry *dir, const char *name, struct dentry **out)
{
	struct inode *di = dir->inode;
	struct p9c *c = vol_client(di);
	struct p9_msg reply;
	uint8_t rbuf[VOL_SMALL_REPLY];
	struct dentry *d;
	uint32_t fid = P9_NOFID;
	int err;

	if (strlen(name) > NAME_MAX_LEN)
		return -ENAMETOOLONG;
	dget(dir);
	vol_unlocked_begin();
	err = walk_getattr(c, vol_fid(di), name, &fid, &reply, rbuf);
	vol_unlocked_end();
	d = find_child(dir, name);
	if (err) {
		if (d && err == -ENOENT && !d->mounts_here)
			forget(d);
		dput(dir);
		return err;
	}
	if (d && d->mounts_here) {
		/* a mountpoint stays what it is (as on Linux), whatever the host did to the name */
		vol_defer_clunk(c, fid);
	} else if (d && ((struct vol_inode *)d->inode->priv)->qpath == reply.rgetattr.qid.path &&
		   (d->inode->mode & S_IFMT) == (reply.rgetattr.mode & S_IFMT)) {
		/* the same file: fresh attributes, the fid it has */
		vol_apply_attr(d->inode, &reply);
		vol_defer_clunk(c, fid);
		lru_touch(d);
	} else {
		if (d)
			forget(d);
		d = dentry_new(dir, name, vol_inode_new(di->sb, fid, &reply));
		d->pinned = true;
		list_add_tail(&d->child_node, &dir->children);
		dget(d);	/* in use: not a candidate for eviction */
		lru_add(d);
		*out = d;
		dput(dir);
		return 0;
	}
	dget(d);
	*out = d;
	dput(dir);
	return 0;
}

/* After a creation under @dir: the cache forgets what it had for @name; *out (optional) the new entry. */
static int created(struct dentry *dir, const char *name, struct dentry **out)
{
	forget_name(dir, name);
	inode_touch(dir->inode, false, true, true);
	return out ? vol_lookup(dir, name, out) : 0;
}

static uint32_t new_gid(struct dentry *dir, struct task *t)
{
	/* setgid directories pass their group on (the server's kernel does that too) */
	if (dir->inode->mode & S_ISGID)
		return dir->inode->gid;
	return t ? t->cred.fsgid : 0;
}

/* One request with a small reply, the lock dropped, @dir held. */
static int small_rpc(struct dentry *dir, const struct p9_msg *req)
{
	struct p9_msg reply;
	uint8_t rbuf[VOL_SMALL_REPLY];
	int err;

	dget(dir);
	vol_unlocked_begin();
	err = p9c_rpc(vol_client(dir->inode), req, &reply, rbuf, sizeof(rbuf));
	vol_unlocked_end();
	dput(dir);
	return err;
}

static int vol_mknod(struct dentry *dir, const char *name, uint32_t mode, uint64_t rdev, struct task *t,
		     struct dentry **out)
{
	struct p9_msg req;
	int err;

	if (dir->unlinked)
		return -ENOENT;
	if (S_ISDIR(mode)) {
		req = (struct p9_msg){ .type = P9_TMKDIR };
		req.tmkdir.dfid = vol_fid(dir->inode);
		req.tmkdir.name = p9_str_c(name);
		req.tmkdir.mode = mode & 07777;
		req.tmkdir.gid = new_gid(dir, t);
	} else {
		req = (struct p9_msg){ .type = P9_TMKNOD };
		req.tmknod.dfid = vol_fid(dir->inode);
		req.tmknod.name = p9_str_c(name);
		req.tmknod.mode = mode;
		req.tmknod.major = (uint32_t)(rdev >> 8) & 0xfff;
		req.tmknod.minor = (uint32_t)(rdev & 0xff);
		req.tmknod.gid = new_gid(dir, t);
	}
	err = small_rpc(dir, &req);
	return err ? err : created(dir, name, out);
}

static int vol_symlink(struct dentry *dir, const char *name, const char *target, struct task *t)
{
	struct p9_msg req = { .type = P9_TSYMLINK };
	int err;

	if (dir->unlinked)
		return -ENOENT;
	if (strlen(target) > UINT16_MAX)
		return -ENAMETOOLONG;
	req.tsymlink.fid = vol_fid(dir->inode);
	req.tsymlink.name = p9_str_c(name);
	req.tsymlink.symtgt = p9_str_c(target);
	req.tsymlink.gid = new_gid(dir, t);
	err = small_rpc(dir, &req);
	return err ? err : created(dir, name, NULL);
}

static int vol_link(struct dentry *dir, const char *name, struct dentry *old)
{
	struct p9_msg req = { .type = P9_TLINK };
	int err;

	if (old->inode->sb != dir->inode->sb)
		return -EXDEV;
	req.tlink.dfid = vol_fid(dir->inode);
	req.tlink.fid = vol_fid(old->inode);
	req.tlink.name = p9_str_c(name);
	dget(old);
	err = small_rpc(dir, &req);
	if (!err)
		old->inode->nlink++;
	dput(old);
	return err ? err : created(dir, name, NULL);
}

/* A server without Tunlinkat (diod): Tremove of a clone of the victim's fid (the server clunks it). Lock dropped. */
static int remove_by_fid(struct p9c *c, uint32_t victim_fid)
{
	struct p9_msg req = { .type = P9_TREMOVE }, reply;
	uint8_t rbuf[VOL_SMALL_REPLY];
	uint32_t fid = p9c_fid_alloc(c);
	int err;

	if (fid == P9_NOFID)
		return -ENFILE;
	err = p9c_walk(c, victim_fid, fid, 0, NULL);
	if (err) {
		p9c_fid_free(c, fid);
		return err;
	}
	req.tremove.fid = fid;
	err = p9c_rpc(c, &req, &reply, rbuf, sizeof(rbuf));
	p9c_fid_free(c, fid);	/* gone on the server whatever the answer */
	return err;
}

static int remove_name(struct dentry *dir, struct dentry *victim, bool isdir)
{
	struct p9_msg req = { .type = P9_TUNLINKAT };
	int err;

	req.tunlinkat.dirfd = vol_fid(dir->inode);
	req.tunlinkat.name = p9_str_c(victim->name);
	req.tunlinkat.flags = isdir ? P9_DOTL_AT_REMOVEDIR : 0;
	dget(victim);
	err = small_rpc(dir, &req);
	if (err == -EOPNOTSUPP) {
		dget(dir);
		vol_unlocked_begin();
		err = remove_by_fid(vol_client(dir->inode), vol_fid(victim->inode));
		vol_unlocked_end();
		dput(dir);
	}
	if (!err) {
		victim->inode->nlink = isdir || victim->inode->nlink == 0 ? 0 : victim->inode->nlink - 1;
		inode_touch(dir->inode, false, true, true);
		/* still the cached entry of that name (the lock was dropped): forget it */
		if (!victim->unlinked && victim->parent == dir && victim->pinned)
			forget(victim);
	}
	dput(victim);
	return err;
}

static int vol_unlink(struct dentry *dir, struct dentry *victim)
{
	if (S_ISDIR(victim->inode->mode))
		return -EISDIR;
	return remove_name(dir, victim, false);
}

static int vol_rmdir(struct dentry *dir, struct dentry *victim)
{
	if (!S_ISDIR(victim->inode->mode))
		return -ENOTDIR;
	if (victim->mounts_here)
		return -EBUSY;
	return remove_name(dir, victim, true);
}

static bool is_ancestor(struct dentry *a, struct dentry *d)
{
	for (; d; d = d->parent)
		if (d == a)
			return true;
	return false;
}

static int vol_rename(struct dentry *olddir, struct dentry *old, struct dentry *newdir, const char *newname,
		      unsigned flags)
{
	struct p9_msg req = { .type = P9_TRENAMEAT };
	struct dentry *oldparent;
	int err;

	/* 9P2000.L has no flags for Trenameat: exchanging or refusing to replace is not atomic over it */
	if (flags)
		return -EINVAL;
	if (S_ISDIR(old->inode->mode) && is_ancestor(old, newdir))
		return -EINVAL;
	req.trenameat.olddirfid = vol_fid(olddir->inode);
	req.trenameat.oldname = p9_str_c(old->name);
	req.trenameat.newdirfid = vol_fid(newdir->inode);
	req.trenameat.newname = p9_str_c(newname);
	dget(old);
	dget(newdir);
	err = small_rpc(olddir, &req);
	if (err == -EOPNOTSUPP) {
		/* a server without Trenameat (diod): Trename moves the file a fid names, as Linux's client falls back to */
		req = (struct p9_msg){ .type = P9_TRENAME };
		req.trename.fid = vol_fid(old->inode);
		req.trename.dfid = vol_fid(newdir->inode);
		req.trename.name = p9_str_c(newname);
		err = small_rpc(olddir, &req);
	}
	if (!err) {
		forget_name(newdir, newname);
		inode_touch(olddir->inode, false, true, true);
		inode_touch(newdir->inode, false, true, true);
		/* the fid still names the file: move its cached entry (if the lock drop left it there) */
		if (!old->unlinked && old->parent == olddir && old->pinned) {
			list_del(&old->child_node);
			free(old->name);
			old->name = xstrdup(newname);
			oldparent = old->parent;
			dget(newdir);
			old->parent = newdir;
			list_add_tail(&old->child_node, &newdir->children);
			dput(oldparent);
		}
	}
	dput(newdir);
	dput(old);
	return err;
}

static int vol_readlink(struct dentry *d, char *buf, size_t size)
{
	struct p9_msg req = { .type = P9_TREADLINK }, reply;
	size_t rcap = P9_HDRSZ + 2 + 65535;
	uint8_t *rbuf = xmalloc(rcap);
	int err;

	req.treadlink.fid = vol_fid(d->inode);
	dget(d);
	vol_unlocked_begin();
	err = p9c_rpc(vol_client(d->inode), &req, &reply, rbuf, rcap);
	vol_unlocked_end();
	dput(d);
	if (!err) {
		size_t len = MIN((size_t)reply.rreadlink.target.len, size);

		memcpy(buf, reply.rreadlink.target.s, len);
		err = (int)len;
	}
	free(rbuf);
	return err;
}

/* A new fid on directory @dir, opened for Treaddir. Lock dropped. */
static int open_dir_fid(struct p9c *c, uint32_t dirfid, uint32_t *out)
{
	struct p9_msg req = { .type = P9_TLOPEN }, reply;
	uint8_t rbuf[VOL_SMALL_REPLY];
	uint32_t fid = p9c_fid_alloc(c);
	int err;

	if (fid == P9_NOFID)
		return -ENFILE;
	err = p9c_walk(c, dirfid, fid, 0, NULL);
	if (err) {
		p9c_fid_free(c, fid);
		return err;
	}
	req.tlopen.fid = fid;
	req.tlopen.flags = O_RDONLY | O_DIRECTORY;
	err = p9c_rpc(c, &req, &reply, rbuf, sizeof(rbuf));
	if (err) {
		p9c_clunk(c, fid);
		return err;
	}
	*out = fid;
	return 0;
}

/*
 * Directory positions: 0 is ".", 1 is "..", and 2 + C the server's cookie C
 * (0 at the start, else the d_off of the last entry given), so a listing
 * goes on where it stopped. The Gofer sends no "." or "..": we make them
 * (and skip a server's own).
 */
#define DIRPOS_SERVER 2

/* Emit one entry at cookie @next; getdents reports pos + 1 as its d_off, which is then right for seekdir. */
static bool emit_at(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino, unsigned type, int64_t next)
{
	int64_t was = ctx->pos;

	ctx->pos = next - 1;
	if (!ctx->emit(ctx, name, len, ino, type)) {
		ctx->pos = was;
		return false;
	}
	ctx->pos = next;
	return true;
}

/* Emit the entries of one Rreaddir; false once the caller's buffer is full. Kernel lock held. */
static bool emit_dirents(struct dir_ctx *ctx, const void *data, size_t left, int *err)
{
	struct p9_dirent d;
	int r;

	while ((r = p9_dirent_next(&data, &left, &d)) == 1) {
		int64_t next = (int64_t)(d.offset > (uint64_t)INT64_MAX - DIRPOS_SERVER ? INT64_MAX : d.offset + DIRPOS_SERVER);

		if (d.name.len == 0 || d.name.len > NAME_MAX_LEN || memchr(d.name.s, '/', d.name.len) ||
		    p9_str_eq(d.name, ".") || p9_str_eq(d.name, "..")) {
			ctx->pos = next;	/* not a name to give: skip it */
			continue;
		}
		if (!emit_at(ctx, d.name.s, d.name.len, d.qid.path, d.type, next))
			return false;
	}
	if (r < 0)
		*err = -EIO;
	return r == 0;
}

/* "." and ".." first; false once the caller's buffer is full. */
static bool emit_dots(struct dentry *dir, struct dir_ctx *ctx)
{
	struct inode *up = dir->parent ? dir->parent->inode : dir->inode;

	if (ctx->pos == 0 && !emit_at(ctx, ".", 1, dir->inode->ino, 4, 1))
		return false;
	if (ctx->pos == 1 && !emit_at(ctx, "..", 2, up->ino, 4, DIRPOS_SERVER))
		return false;
	return true;
}

/* getdents: one Treaddir at a time, the lock dropped; its entries are emitted with the lock held. */
static int vol_iterate(struct dentry *dir, struct dir_ctx *ctx)
{
	struct p9c *c = vol_client(dir->inode);
	uint32_t msize = p9c_msize(c), fid = P9_NOFID;
	uint8_t *rbuf;
	int err;

	if (ctx->pos < 0)
		return -EINVAL;
	if (!emit_dots(dir, ctx))
		return 0;
	rbuf = xmalloc(msize);
	dget(dir);
	vol_unlocked_begin();
	err = open_dir_fid(c, vol_fid(dir->inode), &fid);
	vol_unlocked_end();
	for (unsigned rounds = 0; !err; rounds++) {
		struct p9_msg req = { .type = P9_TREADDIR }, reply;

		if (rounds >= READDIR_ROUNDS_MAX) {
			err = -EIO;
			break;
		}
		req.treaddir.fid = fid;
		req.treaddir.offset = (uint64_t)(ctx->pos - DIRPOS_SERVER);
		req.treaddir.count = msize - P9_IOHDRSZ;
		vol_unlocked_begin();
		err = p9c_rpc(c, &req, &reply, rbuf, msize);
		vol_unlocked_end();
		if (err || reply.rreaddir.count == 0)
			break;
		if (!emit_dirents(ctx, reply.rreaddir.data, reply.rreaddir.count, &err))
			break;
	}
	if (fid != P9_NOFID)
		vol_defer_clunk(c, fid);
	free(rbuf);
	dput(dir);
	return err;
}

static int vol_setattr(struct inode *i, const struct vfs_attr *a)
{
	struct p9_msg req = { .type = P9_TSETATTR }, reply;
	uint8_t rbuf[VOL_SMALL_REPLY];
	int err;

	req.tsetattr.fid = vol_fid(i);
	req.tsetattr.mode = a->mode;
	req.tsetattr.uid = a->uid;
	req.tsetattr.gid = a->gid;
	req.tsetattr.size = a->size;
	if (a->valid & VFS_ATTR_MODE)
		req.tsetattr.valid |= P9_SETATTR_MODE;
	if (a->valid & VFS_ATTR_UID)
		req.tsetattr.valid |= P9_SETATTR_UID;
	if (a->valid & VFS_ATTR_GID)
		req.tsetattr.valid |= P9_SETATTR_GID;
	if (a->valid & VFS_ATTR_SIZE)
		req.tsetattr.valid |= P9_SETATTR_SIZE;
	if (a->valid & VFS_ATTR_ATIME) {
		req.tsetattr.valid |= P9_SETATTR_ATIME | P9_SETATTR_ATIME_SET;
		req.tsetattr.atime_sec = (uint64_t)a->atime.tv_sec;
		req.tsetattr.atime_nsec = (uint64_t)a->atime.tv_nsec;
	}
	if (a->valid & VFS_ATTR_MTIME) {
		req.tsetattr.valid |= P9_SETATTR_MTIME | P9_SETATTR_MTIME_SET;
		req.tsetattr.mtime_sec = (uint64_t)a->mtime.tv_sec;
		req.tsetattr.mtime_nsec = (uint64_t)a->mtime.tv_nsec;
	}
	inode_get(i);
	vol_unlocked_begin();
	err = p9c_rpc(vol_client(i), &req, &reply, rbuf, sizeof(rbuf));
	vol_unlocked_end();
	inode_put(i);
	return err;
}

static int vol_truncate(struct inode *i, uint64_t size)
{
	struct vfs_attr a = { .valid = VFS_ATTR_SIZE, .size = size };
	int err = vol_setattr(i, &a);

	if (err)
		return err;
	i->size = size;
	vol_drop_map(i);
	inode_touch(i, false, true, true);
	return 0;
}

static int vol_statfs(struct inode *i, struct vfs_statfs *out)
{
	struct p9_msg req = { .type = P9_TSTATFS }, reply;
	uint8_t rbuf[VOL_SMALL_REPLY];
	int err;

	req.tstatfs.fid = vol_fid(i);
	inode_get(i);
	vol_unlocked_begin();
	err = p9c_rpc(vol_client(i), &req, &reply, rbuf, sizeof(rbuf));
	vol_unlocked_end();
	inode_put(i);
	if (err)
		return err;
	*out = (struct vfs_statfs){
		.type = 0x01021997,	/* V9FS_MAGIC, as a 9p mount shows */
		.bsize = reply.rstatfs.bsize,
		.blocks = reply.rstatfs.blocks,
		.bfree = reply.rstatfs.bfree,
		.bavail = reply.rstatfs.bavail,
		.files = reply.rstatfs.files,
		.ffree = reply.rstatfs.ffree,
		.namelen = reply.rstatfs.namelen,
	};
	return 0;
}

static const struct inode_ops vol_dir_iops = {
	.revalidate = vol_refresh,
	.lookup = vol_lookup,
	.mknod = vol_mknod,
	.symlink = vol_symlink,
	.link = vol_link,
	.unlink = vol_unlink,
	.rmdir = vol_rmdir,
	.rename = vol_rename,
	.iterate = vol_iterate,
	.setattr = vol_setattr,
	.statfs = vol_statfs,
};

static const struct inode_ops vol_file_iops = {
	.revalidate = vol_refresh,
	.truncate = vol_truncate,
	.setattr = vol_setattr,
	.statfs = vol_statfs,
};

static const struct inode_ops vol_symlink_iops = {
	.revalidate = vol_refresh,
	.readlink = vol_readlink,
	.setattr = vol_setattr,
	.statfs = vol_statfs,
};

static const struct inode_ops vol_other_iops = {
	.revalidate = vol_refresh,
	.setattr = vol_setattr,
	.statfs = vol_statfs,
};

int volume_new(struct p9c *c, const char *aname, struct dentry **root, struct super_block **sb_out)
{
	struct p9_msg reply;
	uint8_t rbuf[VOL_SMALL_REPLY];
	struct super_block *sb;
	struct vol_sb *vs;
	uint32_t fid;
	int err;

	if (!c)
		return -EIO;
	vol_unlocked_begin();
	err = p9c_attach(c, "root", 0, aname, &fid);
	if (!err) {
		err = vol_getattr(c, fid, &reply, rbuf);
		if (err)
			p9c_clunk(c, fid);
	}
	vol_unlocked_end();
	if (err)
		return err;
	if (!S_ISDIR(reply.rgetattr.mode)) {
		vol_defer_clunk(c, fid);
		return -ENOTDIR;
	}
	sb = sb_new("9p");
	vs = xzalloc(sizeof(*vs));
	vs->c = c;
	sb->priv = vs;
	*root = dentry_new(NULL, "/", vol_inode_new(sb, fid, &reply));
	*sb_out = sb;
	return 0;
}
