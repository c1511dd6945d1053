// SPDX-License-Identifier: MIT
/* stat family, statx, access/faccessat(2), readlink(at), getdents64, statfs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "sentry/fs/vfs.h"
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/syscalls.h"

/* A stat by fd: the filesystem's attributes may have changed under the open file. */
static int revalidate(struct inode *i)
{
	return i->iops && i->iops->revalidate ? i->iops->revalidate(i) : 0;
}

static int stat_path(struct task *t, int dirfd, uptr_t upath, int flags, struct path *out)
{
	char *name = malloc(PATH_MAX_LEN);
	unsigned lf = 0;
	long len;
	int err;

	if (!name)
		return -ENOMEM;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE)) {
		free(name);
		return -EINVAL;
	}
	len = copy_string_in(t, name, upath, PATH_MAX_LEN);
	if (len < 0) {
		free(name);
		return len;
	}
	if (!(flags & AT_SYMLINK_NOFOLLOW))
		lf |= LOOKUP_FOLLOW;
	if (flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	if (!*name && (flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD) {
		struct file *f = fdget(t, dirfd);

		free(name);
		if (!f)
			return -EBADF;
		out->mnt = f->path.mnt;
		out->dentry = f->path.dentry;
		if (!out->dentry) {
			/* anonymous file: stat its inode through a temporary dentry */
			out->dentry = dentry_new(NULL, "", f->inode);
			inode_get(f->inode);
		} else {
			path_get(out);
		}
		file_put(f);
		err = revalidate(out->dentry->inode);
		if (err)
			path_put(out);
		return err;
	}
	err = path_lookup(t, dirfd, name, lf, out);
	free(name);
	return err;
}

static long do_stat(struct task *t, int dirfd, uptr_t upath, uptr_t ubuf, int flags)
{
	struct linux_stat st;
	struct path p;
	int err = stat_path(t, dirfd, upath, flags, &p);

	if (err)
		return err;
	inode_fill_stat(p.dentry->inode, &st);
	path_put(&p);
	return copy_out_obj(t, ubuf, &st) ? -EFAULT : 0;
}

/* stat(2) */
long sys_stat(struct task *t, const struct syscall_args *a)
{
	return do_stat(t, AT_FDCWD, arg_uptr(a, 0), arg_uptr(a, 1), 0);
}

/* lstat(2) */
long sys_lstat(struct task *t, const struct syscall_args *a)
{
	return do_stat(t, AT_FDCWD, arg_uptr(a, 0), arg_uptr(a, 1), AT_SYMLINK_NOFOLLOW);
}

/* newfstatat(2) */
long sys_newfstatat(struct task *t, const struct syscall_args *a)
{
	return do_stat(t, arg_int(a, 0), arg_uptr(a, 1), arg_uptr(a, 2), arg_int(a, 3));
}

/* fstat(2) */
long sys_fstat(struct task *t, const struct syscall_args *a)
{
	struct file *f = fdget(t, arg_int(a, 0));
	struct linux_stat st;
	int err;

	if (!f)
		return -EBADF;
	err = revalidate(f->inode);
	if (!err)
		inode_fill_stat(f->inode, &st);
	file_put(f);
	if (err)
		return err;
	return copy_out_obj(t, arg_uptr(a, 1), &st) ? -EFAULT : 0;
}

/* statx(2) */
long sys_statx(struct task *t, const struct syscall_args *a)
{
	struct linux_statx sx = { 0 };
	struct linux_stat st;
	struct path p;
	int err;

	if (arg_uint(a, 3) & STATX__RESERVED)
		return -EINVAL;
	if ((arg_int(a, 2) & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	err = stat_path(t, arg_int(a, 0), arg_uptr(a, 1), arg_int(a, 2), &p);
	if (err)
		return err;
	inode_fill_stat(p.dentry->inode, &st);
	path_put(&p);
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = st.st_blksize;
	sx.stx_nlink = st.st_nlink;
	sx.stx_uid = st.st_uid;
	sx.stx_gid = st.st_gid;
	sx.stx_mode = st.st_mode;
	sx.stx_ino = st.st_ino;
	sx.stx_size = st.st_size;
	sx.stx_blocks = st.st_blocks;
	sx.stx_atime = (struct linux_statx_timestamp){ st.st_atim.tv_sec, (uint32_t)st.st_atim.tv_nsec, 0 };
	sx.stx_mtime = (struct linux_statx_timestamp){ st.st_mtim.tv_sec, (uint32_t)st.st_mtim.tv_nsec, 0 };
	sx.stx_ctime = (struct linux_statx_timestamp){ st.st_ctim.tv_sec, (uint32_t)st.st_ctim.tv_nsec, 0 };
	sx.stx_rdev_major = major(st.st_rdev);
	sx.stx_rdev_minor = minor(st.st_rdev);
	sx.stx_dev_major = major(st.st_dev);
	sx.stx_dev_minor = minor(st.st_dev);
	return copy_out_obj(t, arg_uptr(a, 4), &sx) ? -EFAULT : 0;
}

static long do_faccessat(struct task *t, int dirfd, uptr_t upath, int mode, int flags)
{
	struct path p;
	int err, mask = 0;

	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = stat_path(t, dirfd, upath, flags & ~AT_EACCESS, &p);
	if (err)
		return err;
	if (mode & R_OK)
		mask |= MAY_READ;
	if (mode & W_OK)
		mask |= MAY_WRITE;
	if (mode & X_OK)
		mask |= MAY_EXEC;
	err = mask ? inode_permission(t, p.dentry->inode, mask) : 0;
	path_put(&p);
	return err;
}

/* access(2) */
long sys_access(struct task *t, const struct syscall_args *a)
{
	return do_faccessat(t, AT_FDCWD, arg_uptr(a, 0), arg_int(a, 1), 0);
}

/* faccessat(2) */
long sys_faccessat(struct task *t, const struct syscall_args *a)
{
	return do_faccessat(t, arg_int(a, 0), arg_uptr(a, 1), arg_int(a, 2), 0);
}

/* faccessat2(2) */
long sys_faccessat2(struct task *t, const struct syscall_args *a)
{
	return do_faccessat(t, arg_int(a, 0), arg_uptr(a, 1), arg_int(a, 2), arg_int(a, 3));
}

static long do_readlinkat(struct task *t, int dirfd, uptr_t upath, uptr_t ubuf, long size)
{
	char *buf;
	struct path p;
	struct inode *i;
	int err, len;

	if (size <= 0)
		return -EINVAL;
	err = stat_path(t, dirfd, upath, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH, &p);
	if (err)
		return err;
	i = p.dentry->inode;
	if (!S_ISLNK(i->mode) || !i->iops || !i->iops->readlink) {
		path_put(&p);
		return -EINVAL;
	}
	buf = malloc(PATH_MAX_LEN);
	len = buf ? i->iops->readlink(p.dentry, buf, MIN((size_t)size, (size_t)PATH_MAX_LEN)) : -ENOMEM;
	path_put(&p);
	if (len >= 0 && copy_out(t, ubuf, buf, len))
		len = -EFAULT;
	free(buf);
	return len;
}

/* readlink(2) */
long sys_readlink(struct task *t, const struct syscall_args *a)
{
	return do_readlinkat(t, AT_FDCWD, arg_uptr(a, 0), arg_uptr(a, 1), arg_int(a, 2));
}

/* readlinkat(2) */
long sys_readlinkat(struct task *t, const struct syscall_args *a)
{
	return do_readlinkat(t, arg_int(a, 0), arg_uptr(a, 1), arg_uptr(a, 2), arg_int(a, 3));
}

struct getdents_ctx {
	struct dir_ctx ctx;
	struct task *t;
	uptr_t buf;
	size_t size, used;
	int err;
};

static bool emit_dirent64(struct dir_ctx *c, const char *name, size_t len, uint64_t ino, unsigned type)
{
	struct getdents_ctx *g = container_of(c, struct getdents_ctx, ctx);
	size_t reclen = (sizeof(struct linux_dirent64_hdr) + len + 1 + 7) & ~7UL;
	char rec[sizeof(struct linux_dirent64_hdr) + NAME_MAX_LEN + 8] = { 0 };
	struct linux_dirent64_hdr *h = (struct linux_dirent64_hdr *)rec;

	if (g->used + reclen > g->size) {
		if (!g->used)
			g->err = -EINVAL;
		return false;
	}
	h->d_ino = ino;
	h->d_off = c->pos + 1;
	h->d_reclen = (uint16_t)reclen;
	h->d_type = (uint8_t)type;
	memcpy(rec + sizeof(*h), name, len);
	if (copy_out(g->t, uptr_add(g->buf, g->used), rec, reclen)) {
		g->err = -EFAULT;
		return false;
	}
	g->used += reclen;
	return true;
}

/* getdents64(2) */
long sys_getdents64(struct task *t, const struct syscall_args *a)
{
	struct file *f = fdget(t, arg_int(a, 0));
	struct getdents_ctx g = { .ctx.emit = emit_dirent64, .t = t, .buf = arg_uptr(a, 1), .size = arg_uint(a, 2) };
	struct inode *i;
	int err;

	if (!f)
		return -EBADF;
	i = f->inode;
	if (!S_ISDIR(i->mode) || !f->path.dentry || !i->iops || !i->iops->iterate) {
		file_put(f);
		return -ENOTDIR;
	}
	if (f->path.dentry->unlinked) {
		file_put(f);
		return -ENOENT;
	}
	g.ctx.pos = (int64_t)f->pos;
	err = i->iops->iterate(f->path.dentry, &g.ctx);
	f->pos = (uint64_t)g.ctx.pos;
	file_put(f);
	if (err)
		return err;
	if (g.err && !g.used)
		return g.err;
	return (long)g.used;
}

static void fill_statfs(struct inode *i, struct statfs *s)
{
	struct vfs_statfs v;

	memset(s, 0, sizeof(*s));
	if (i->iops && i->iops->statfs && i->iops->statfs(i, &v) == 0) {
		s->f_type = (long)v.type;
		s->f_bsize = (long)v.bsize;
		s->f_blocks = v.blocks;
		s->f_bfree = v.bfree;
		s->f_bavail = v.bavail;
		s->f_files = v.files;
		s->f_ffree = v.ffree;
		s->f_namelen = (long)v.namelen;
		s->f_frsize = (long)v.bsize;
		return;
	}
	s->f_type = strcmp(i->sb ? i->sb->fstype : "", "proc") == 0 ? 0x9fa0 : 0x01021994;
	s->f_bsize = 4096;
	s->f_blocks = 1 << 20;
	s->f_bfree = 1 << 19;
	s->f_bavail = 1 << 19;
	s->f_files = 1 << 20;
	s->f_ffree = 1 << 19;
	s->f_namelen = NAME_MAX_LEN;
	s->f_frsize = 4096;
}

/* statfs(2) */
long sys_statfs(struct task *t, const struct syscall_args *a)
{
	struct statfs s;
	struct path p;
	int err = path_lookup_user(t, AT_FDCWD, arg_uptr(a, 0), LOOKUP_FOLLOW, &p);

	if (err)
		return err;
	fill_statfs(p.dentry->inode, &s);
	path_put(&p);
	return copy_out(t, arg_uptr(a, 1), &s, sizeof(s)) ? -EFAULT : 0;
}

/* fstatfs(2) */
long sys_fstatfs(struct task *t, const struct syscall_args *a)
{
	struct file *f = fdget(t, arg_int(a, 0));
	struct statfs s;

	if (!f)
		return -EBADF;
	fill_statfs(f->inode, &s);
	file_put(f);
	return copy_out(t, arg_uptr(a, 1), &s, sizeof(s)) ? -EFAULT : 0;
}
