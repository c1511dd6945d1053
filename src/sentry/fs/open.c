// SPDX-License-Identifier: MIT
/* open(2) core (create, truncate, access checks) and the read/write entry points. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include "abi/linux/misc.h"
#include "lib/log.h"
#include "sentry/fs/vfs.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/usercopy.h"

static bool may_read(unsigned flags)
{
	return (flags & O_ACCMODE) == O_RDONLY || (flags & O_ACCMODE) == O_RDWR;
}

static bool may_write(unsigned flags)
{
	return (flags & O_ACCMODE) == O_WRONLY || (flags & O_ACCMODE) == O_RDWR;
}

int vfs_truncate(struct inode *i, uint64_t size)
{
	if (S_ISDIR(i->mode))
		return -EISDIR;
	if (!S_ISREG(i->mode))
		return -EINVAL;
	if (!i->iops || !i->iops->truncate)
		return -EPERM;
	return i->iops->truncate(i, size);
}

/* Modes some file system implements (Linux's FALLOC_FL_SUPPORTED_MASK); each fs refuses the rest. */
#define FALLOC_KNOWN                                                                                         \
	(LINUX_FALLOC_FL_KEEP_SIZE | LINUX_FALLOC_FL_PUNCH_HOLE | LINUX_FALLOC_FL_COLLAPSE_RANGE |            \
	 LINUX_FALLOC_FL_ZERO_RANGE | LINUX_FALLOC_FL_INSERT_RANGE | LINUX_FALLOC_FL_UNSHARE_RANGE)

/* Linux's inode_newsize_ok for a file growing to @size: RLIMIT_FSIZE. */
static int newsize_ok(uint64_t size)
{
	uint64_t limit;

	if (!current)
		return 0;
	limit = current->tg->rlimits[RLIMIT_FSIZE].rlim_cur;
	if (limit != RLIM_INFINITY && size > limit) {
		send_signal_task(current, SIGXFSZ, NULL);
		return -EFBIG;
	}
	return 0;
}

long vfs_fallocate(struct file *f, int mode, int64_t off, int64_t len)
{
	struct inode *i = f->inode;
	int err;

	if (off < 0 || len <= 0)
		return -EINVAL;
	if (mode & ~FALLOC_KNOWN)
		return -EOPNOTSUPP;
	if ((mode & LINUX_FALLOC_FL_PUNCH_HOLE) && (mode & LINUX_FALLOC_FL_ZERO_RANGE))
		return -EOPNOTSUPP;
	if ((mode & LINUX_FALLOC_FL_PUNCH_HOLE) && !(mode & LINUX_FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	if ((mode & LINUX_FALLOC_FL_COLLAPSE_RANGE) && (mode & ~LINUX_FALLOC_FL_COLLAPSE_RANGE))
		return -EINVAL;
	if ((mode & LINUX_FALLOC_FL_INSERT_RANGE) && (mode & ~LINUX_FALLOC_FL_INSERT_RANGE))
		return -EINVAL;
	if ((mode & LINUX_FALLOC_FL_UNSHARE_RANGE) &&
	    (mode & ~(LINUX_FALLOC_FL_UNSHARE_RANGE | LINUX_FALLOC_FL_KEEP_SIZE)))
		return -EINVAL;
	if (!may_write(f->flags) || (f->flags & O_PATH))
		return -EBADF;
	if (S_ISFIFO(i->mode))
		return -ESPIPE;
	if (S_ISDIR(i->mode))
		return -EISDIR;
	if (!S_ISREG(i->mode))
		return -ENODEV;
	/* Linux's s_maxbytes for tmpfs: MAX_LFS_FILESIZE; this also catches the wrap. */
	if (len > INT64_MAX - off)
		return -EFBIG;
	if (!f->ops || !f->ops->fallocate)
		return -EOPNOTSUPP;
	if (!(mode & LINUX_FALLOC_FL_KEEP_SIZE) && (uint64_t)(off + len) > i->size) {
		err = newsize_ok((uint64_t)(off + len));
		if (err)
			return err;
	}
	return f->ops->fallocate(f, mode, (uint64_t)off, (uint64_t)len);
}

int vfs_setattr(struct inode *i, const struct vfs_attr *a)
{
	if (i->iops && i->iops->setattr) {
		int err = i->iops->setattr(i, a);

		if (err)
			return err;
	}
	if (a->valid & VFS_ATTR_MODE)
		i->mode = (i->mode & S_IFMT) | (a->mode & 07777);
	if (a->valid & VFS_ATTR_UID)
		i->uid = a->uid;
	if (a->valid & VFS_ATTR_GID)
		i->gid = a->gid;
	if (a->valid & VFS_ATTR_ATIME)
		i->atime = a->atime;
	if (a->valid & VFS_ATTR_MTIME)
		i->mtime = a->mtime;
	inode_touch(i, false, false, true);
	return 0;
}

int vfs_open_path(struct task *t, const struct path *p, int flags, struct file **out)
{
	struct inode *i = p->dentry->inode;
	struct file *f;
	int err, mask = 0;

	if (flags & O_PATH) {
		*out = file_new(p, i, flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), NULL);
		return 0;
	}
	if (S_ISLNK(i->mode))
		return -ELOOP;
	if (S_ISDIR(i->mode) && (may_write(flags) || (flags & O_TRUNC) || (flags & O_CREAT)))
		return -EISDIR;
	if ((flags & O_DIRECTORY) && !S_ISDIR(i->mode))
		return -ENOTDIR;
	if (may_read(flags))
		mask |= MAY_READ;
	if (may_write(flags) || (flags & O_TRUNC))
		mask |= MAY_WRITE;
	err = inode_permission(t, i, mask);
	if (err)
		return err;
	if ((mask & MAY_WRITE) && (p->mnt->flags & MS_RDONLY) && (S_ISREG(i->mode) || S_ISDIR(i->mode)))
		return -EROFS;
	if ((mask & MAY_WRITE) && i->exec_count)
		return -ETXTBSY;	/* a running program's text (Linux's deny_write_access) */
	if ((flags & O_TRUNC) && S_ISREG(i->mode) && may_write(flags) && i->size) {
		err = vfs_truncate(i, 0);
		if (err)
			return err;
	}
	f = file_new(p, i, flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC), i->fops);
	if (f->ops && f->ops->open) {
		err = f->ops->open(f, t);
		if (err) {
			file_put(f);
			return err;
		}
	}
	*out = f;
	return 0;
}

static int open_create_from(struct task *t, int dirfd, const struct path *base, const char *name, int flags,
			    uint32_t mode, struct path *out, int depth);

/* The last component exists and is a symlink: open its target, creating it if it dangles. */
static int open_create_via_link(struct task *t, struct path *parent, struct dentry *link, int flags, uint32_t mode,
				struct path *out, int depth)
{
	struct inode *i = link->inode;
	char *target;
	int len, err;

	if (depth >= SYMLOOP_MAX)
		return -ELOOP;
	if (!i->iops || !i->iops->readlink)
		return -ENOENT;
	if (i->iops->get_link) {
		/* magic links (/proc/self/fd/N) lead to existing files only */
		err = i->iops->get_link(link, t, out);
		return err;
	}
	target = xmalloc(PATH_MAX_LEN);
	len = i->iops->readlink(link, target, PATH_MAX_LEN - 1);
	if (len <= 0) {
		free(target);
		return len < 0 ? len : -ENOENT;
	}
	target[len] = '\0';
	err = open_create_from(t, AT_FDCWD, parent, target, flags, mode, out, depth + 1);
	free(target);
	return err;
}

static int open_create_from(struct task *t, int dirfd, const struct path *base, const char *name, int flags,
			    uint32_t mode, struct path *out, int depth)
{
	char last[NAME_MAX_LEN + 1];
	struct path parent;
	struct dentry *d;
	bool trailing;
	int err;

	err = path_lookup_parent_from(t, dirfd, base, name, &parent, last, &trailing);
	if (err)
		return err;
	if (trailing || strcmp(last, ".") == 0 || strcmp(last, "..") == 0) {
		err = -EISDIR;
		goto out;
	}
	err = lookup_one(&parent, last, &d);
	if (err == 0) {
		struct path p = { parent.mnt, d };

		if (flags & O_EXCL) {
			dput(d);
			err = -EEXIST;
			goto out;
		}
		path_follow_mounts(&p);
		if (S_ISLNK(p.dentry->inode->mode) && !(flags & O_NOFOLLOW)) {
			err = open_create_via_link(t, &parent, p.dentry, flags, mode, out, depth);
			path_put(&p);
			goto out;
		}
		*out = p;
		goto out;
	}
	if (err != -ENOENT)
		goto out;
	err = inode_permission(t, parent.dentry->inode, MAY_WRITE | MAY_EXEC);
	if (err)
		goto out;
	if (parent.mnt->flags & MS_RDONLY) {
		err = -EROFS;
		goto out;
	}
	if (!parent.dentry->inode->iops->mknod) {
		err = -EACCES;
		goto out;
	}
	err = parent.dentry->inode->iops->mknod(parent.dentry, last, S_IFREG | (mode & 07777 & ~t->fs->umask), 0,
						 t, &d);
	if (!err) {
		out->mnt = parent.mnt;
		out->dentry = d;
	}
out:
	path_put(&parent);
	return err;
}

int vfs_open(struct task *t, int dirfd, const char *name, int flags, uint32_t mode, struct file **out)
{
	struct path p;
	int err;

	if (flags & O_CREAT) {
		if ((flags & O_DIRECTORY) && !(flags & O_PATH))
			return -EINVAL;
		err = open_create_from(t, dirfd, NULL, name, flags, mode, &p, 0);
		if (!err && S_ISLNK(p.dentry->inode->mode) && (flags & O_NOFOLLOW) && !(flags & O_PATH))
			err = -ELOOP;
		if (!err)
			flags &= ~O_TRUNC | (S_ISREG(p.dentry->inode->mode) ? O_TRUNC : 0);
	} else {
		unsigned lf = (flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW;

		if (flags & O_DIRECTORY)
			lf |= LOOKUP_DIRECTORY;
		err = path_lookup(t, dirfd, name, lf, &p);
		if (!err && S_ISLNK(p.dentry->inode->mode) && !(flags & O_PATH))
			err = -ELOOP;
	}
	if (err)
		return err;
	err = vfs_open_path(t, &p, flags, out);
	path_put(&p);
	return err;
}

ssize_t vfs_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	if (!may_read(f->flags) || (f->flags & O_PATH))
		return -EBADF;
	if (S_ISDIR(f->inode->mode))
		return -EISDIR;
	if (!f->ops || !f->ops->read)
		return -EINVAL;
	if (!it->count)
		return 0;
	return f->ops->read(f, it, pos);
}

ssize_t vfs_write(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	if (!may_write(f->flags) || (f->flags & O_PATH))
		return -EBADF;
	if (!f->ops || !f->ops->write)
		return -EINVAL;
	if (!it->count && S_ISREG(f->inode->mode))
		return 0;
	if (S_ISREG(f->inode->mode) && current) {
		uint64_t limit = current->tg->rlimits[RLIMIT_FSIZE].rlim_cur;
		uint64_t at = (f->flags & O_APPEND) ? f->inode->size : *pos;

		if (limit != RLIM_INFINITY) {
			if (at >= limit) {
				send_signal_task(current, SIGXFSZ, NULL);
				return -EFBIG;
			}
			it->count = MIN(it->count, limit - at);
		}
	}
	return f->ops->write(f, it, pos);
}

ssize_t kernel_read(struct file *f, void *buf, size_t len, uint64_t pos)
{
	struct iov_iter it;

	iov_iter_kernel(&it, buf, len);
	if (!f->ops || !f->ops->read)
		return -EINVAL;
	return f->ops->read(f, &it, &pos);
}
