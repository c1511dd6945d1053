// SPDX-License-Identifier: MIT
/*
 * Volumes (volume.h): file data. An open file has its own fid, opened with
 * the guest's access; reads and writes go to the host fd the Gofer donated
 * with the Rlopen (pread/pwrite through the host_file.c seam), else as
 * Tread/Twrite. Nothing is cached but for mmap: a mapping gets a copy of
 * the file in a shmem object (read in whole when first mapped, kept for
 * later mappings until the file is written or truncated through the
 * sandbox). So MAP_PRIVATE and MAP_SHARED of an O_RDONLY fd work (exec of
 * a binary in a volume); MAP_SHARED of an O_RDWR fd, which could store
 * into the file, is refused (EINVAL, as Linux's 9p without a cache).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/log.h"
#include "lib/util.h"
#include "sentry/fs/gofer/client.h"
#include "sentry/fs/gofer/host_file.h"
#include "sentry/fs/gofer/volume_internal.h"
#include "sentry/mm/mobj.h"
#include "sentry/mm/usercopy.h"

#define HOST_IO_CHUNK 65536	/* bytes per pread/pwrite of a donated fd (one bounce buffer) */

struct vol_file {
	struct p9c *c;
	uint32_t fid;		/* opened with the file's access */
	int hostfd;		/* donated by the Gofer, or -1 */
	uint32_t max_io;	/* bytes one Tread/Twrite may carry */
};

/* Flags the server opens with: the access and how writes land; O_TRUNC was done by the VFS already. */
#define VOL_OPEN_FLAGS (O_ACCMODE | O_APPEND | O_DSYNC | O_SYNC)

static int vol_file_open(struct file *f, struct task *t)
{
	struct p9c *c = vol_client(f->inode);
	struct p9_msg req = { .type = P9_TLOPEN }, reply;
	uint8_t rbuf[VOL_SMALL_REPLY];
	struct vol_file *vf;
	uint32_t fid = p9c_fid_alloc(c);
	int err, fd = -1;

	(void)t;
	if (fid == P9_NOFID)
		return -ENFILE;
	req.tlopen.fid = fid;
	req.tlopen.flags = f->flags & VOL_OPEN_FLAGS;
	vol_unlocked_begin();
	err = p9c_walk(c, vol_fid(f->inode), fid, 0, NULL);
	if (err) {
		p9c_fid_free(c, fid);
	} else {
		err = p9c_rpc_fd(c, &req, &reply, rbuf, sizeof(rbuf), &fd);
		if (err)
			p9c_clunk(c, fid);
	}
	vol_unlocked_end();
	if (err)
		return err;
	vf = xzalloc(sizeof(*vf));
	vf->c = c;
	vf->fid = fid;
	vf->hostfd = fd;
	vf->max_io = p9c_msize(c) - P9_IOHDRSZ;
	if (reply.rlopen.iounit && reply.rlopen.iounit < vf->max_io)
		vf->max_io = reply.rlopen.iounit;
	f->priv = vf;
	return 0;
}

static void vol_file_release(struct file *f)
{
	struct vol_file *vf = f->priv;

	if (!vf)
		return;
	vol_defer_close(vf->hostfd);
	vol_defer_clunk(vf->c, vf->fid);
	free(vf);
	f->priv = NULL;
}

static size_t io_chunk(const struct vol_file *vf)
{
	return vf->hostfd >= 0 ? HOST_IO_CHUNK : vf->max_io;
}

/* Lock dropped: one read of at most io_chunk() bytes. */
static ssize_t io_read(struct vol_file *vf, void *buf, size_t len, uint64_t off)
{
	struct p9_msg req = { .type = P9_TREAD }, reply;
	uint8_t *rbuf;
	ssize_t n;
	int err;

	if (vf->hostfd >= 0)
		return host_file_pread(vf->hostfd, buf, len, off);
	rbuf = xmalloc(len + P9_IOHDRSZ);
	req.tread.fid = vf->fid;
	req.tread.offset = off;
	req.tread.count = (uint32_t)len;
	err = p9c_rpc(vf->c, &req, &reply, rbuf, len + P9_IOHDRSZ);
	if (err) {
		n = err;
	} else if (reply.rread.count > len) {
		p9c_kill(vf->c);	/* more than asked: a broken server */
		n = -EIO;
	} else {
		memcpy(buf, reply.rread.data, reply.rread.count);
		n = reply.rread.count;
	}
	free(rbuf);
	return n;
}

/* Lock dropped: one write of at most io_chunk() bytes. */
static ssize_t io_write(struct vol_file *vf, const void *buf, size_t len, uint64_t off)
{
	struct p9_msg req = { .type = P9_TWRITE }, reply;
	uint8_t rbuf[VOL_SMALL_REPLY];
	int err;

	if (vf->hostfd >= 0)
		return host_file_pwrite(vf->hostfd, buf, len, off);
	req.twrite.fid = vf->fid;
	req.twrite.offset = off;
	req.twrite.count = (uint32_t)len;
	req.twrite.data = buf;
	err = p9c_rpc(vf->c, &req, &reply, rbuf, sizeof(rbuf));
	if (err)
		return err;
	if (reply.rwrite.count > len) {
		p9c_kill(vf->c);
		return -EIO;
	}
	return reply.rwrite.count;
}

static ssize_t vol_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct vol_file *vf = f->priv;
	size_t chunk;
	char *buf;
	ssize_t done = 0;

	if (!vf)
		return -EINVAL;
	chunk = io_chunk(vf);
	buf = xmalloc(chunk);
	while (it->count) {
		size_t n = MIN(it->count, chunk);
		ssize_t got, copied;

		vol_unlocked_begin();
		got = io_read(vf, buf, n, *pos);
		vol_unlocked_end();
		if (got <= 0) {
			if (!done)
				done = got;
			break;
		}
		copied = iov_iter_copy_to(it, buf, (size_t)got);
		if (copied < 0) {
			if (!done)
				done = copied;
			break;
		}
		*pos += (uint64_t)copied;
		done += copied;
		if (copied < got || (size_t)got < n)
			break;
	}
	free(buf);
	if (done > 0)
		inode_touch(f->inode, true, false, false);
	return done;
}

/* O_APPEND: where the file ends now on the server (another writer may have grown it). */
static int append_pos(struct file *f, uint64_t *pos)
{
	int err = vol_refresh(f->inode);

	if (!err)
		*pos = f->inode->size;
	return err;
}

static ssize_t vol_write(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	struct vol_file *vf = f->priv;
	struct inode *i = f->inode;
	size_t chunk;
	char *buf;
	ssize_t done = 0;

	if (!vf)
		return -EINVAL;
	chunk = io_chunk(vf);
	buf = xmalloc(chunk);
	while (it->count) {
		size_t n = MIN(it->count, chunk);
		ssize_t got = iov_iter_copy_from(it, buf, n), put;
		int err = 0;

		if (got <= 0) {
			if (!done)
				done = got;
			break;
		}
		if (f->flags & O_APPEND)
			err = append_pos(f, pos);
		vol_unlocked_begin();
		put = err ? err : io_write(vf, buf, (size_t)got, *pos);
		vol_unlocked_end();
		if (put <= 0) {
			if (!done)
				done = put ? put : -EIO;
			break;
		}
		*pos += (uint64_t)put;
		done += put;
		if (*pos > i->size)
			i->size = *pos;
		if (put < got)
			break;
	}
	free(buf);
	if (done > 0) {
		vol_drop_map(i);
		inode_touch(i, false, true, true);
	}
	return done;
}

static int64_t vol_llseek(struct file *f, int64_t off, int whence)
{
	int64_t base;
	int err;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END:
	case SEEK_DATA:
	case SEEK_HOLE:
		/* the end is the server's: the host may have changed the file */
		err = vol_refresh(f->inode);
		if (err)
			return err;
		if (whence == SEEK_END) {
			base = (int64_t)f->inode->size;
			break;
		}
		if (off < 0 || (uint64_t)off >= f->inode->size)
			return -ENXIO;
		if (whence == SEEK_HOLE)
			return f->pos = f->inode->size;
		base = 0;
		break;
	default:
		return -EINVAL;
	}
	if (base + off < 0)
		return -EINVAL;
	f->pos = (uint64_t)(base + off);
	return (int64_t)f->pos;
}

static int vol_fsync(struct file *f, bool datasync)
{
	struct vol_file *vf = f->priv;
	struct p9_msg req = { .type = P9_TFSYNC }, reply;
	uint8_t rbuf[VOL_SMALL_REPLY];
	int err;

	if (!vf)
		return 0;
	req.tfsync.fid = vf->fid;
	req.tfsync.datasync = datasync;
	vol_unlocked_begin();
	if (vf->hostfd >= 0)
		err = host_file_fsync(vf->hostfd, datasync);
	else
		err = p9c_rpc(vf->c, &req, &reply, rbuf, sizeof(rbuf));
	vol_unlocked_end();
	return err;
}

static void map_release(struct shmem *s)
{
	shmem_release_pages(s);
	free(s);
}

/* The file's bytes in a new shmem object (a reference). Kernel lock held, dropped for the reads. */
static int copy_for_map(struct file *f, struct shmem **out)
{
	struct vol_file *vf = f->priv;
	size_t chunk = io_chunk(vf);
	struct shmem *s = xzalloc(sizeof(*s));
	uint64_t size = f->inode->size, off = 0;
	char *buf = xmalloc(chunk);
	int err = 0;

	shmem_init(s, size, NULL);
	s->on_release = map_release;
	while (off < size) {
		size_t want = (size_t)MIN((uint64_t)chunk, size - off);
		ssize_t got;

		vol_unlocked_begin();
		got = io_read(vf, buf, want, off);
		vol_unlocked_end();
		if (got < 0) {
			err = (int)got;
			break;
		}
		if (got == 0)
			break;	/* shorter on the host now: the rest reads as zeros */
		err = shmem_write(s, buf, off, (size_t)got);
		if (err) {
			err = err == -ENOMEM ? -ENOMEM : -EIO;
			break;
		}
		off += (uint64_t)got;
	}
	free(buf);
	if (err) {
		mobj_put(&s->obj);
		return err;
	}
	*out = s;
	return 0;
}

static int vol_mmap(struct file *f, struct mobj **out)
{
	struct inode *i = f->inode;

	if (!f->priv)
		return -ENODEV;
	if (!i->data) {
		struct shmem *s;
		int err = vol_refresh(i);

		if (!err)
			err = copy_for_map(f, &s);
		if (err)
			return err;
		/* another task mapped it meanwhile: one copy is enough */
		if (i->data)
			mobj_put(&s->obj);
		else
			i->data = s;
	}
	mobj_get(&i->data->obj);
	*out = &i->data->obj;
	return 0;
}

void vol_drop_map(struct inode *i)
{
	if (i->data) {
		mobj_put(&i->data->obj);
		i->data = NULL;
	}
}

static int64_t vol_dir_llseek(struct file *f, int64_t off, int whence)
{
	/* a directory position is the server's readdir cookie: only set back (to 0 or a d_off seen) */
	if (whence == SEEK_CUR && off == 0)
		return (int64_t)f->pos;
	if (whence != SEEK_SET || off < 0)
		return -EINVAL;
	f->pos = (uint64_t)off;
	return off;
}

const struct file_ops vol_file_fops = {
	.read = vol_read,
	.write = vol_write,
	.llseek = vol_llseek,
	.mmap = vol_mmap,
	.mmap_shared_readonly = true,
	.open = vol_file_open,
	.release = vol_file_release,
	.fsync = vol_fsync,
};

const struct file_ops vol_dir_fops = {
	.llseek = vol_dir_llseek,
};
