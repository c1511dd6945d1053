// SPDX-License-Identifier: MIT
/* File attributes: times (utimensat, futimesat, utimes, utime) and extended attributes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "sentry/fs/vfs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/syscalls.h"

#define UTIME_NOW_ ((1L << 30) - 1)
#define UTIME_OMIT_ ((1L << 30) - 2)

static bool valid_ts(const struct linux_timespec *ts)
{
	return ts->tv_nsec == UTIME_NOW_ || ts->tv_nsec == UTIME_OMIT_ || (ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000);
}

/* Set atime/mtime of @i; @ts NULL means both "now". */
static int set_times(struct task *t, struct inode *i, struct mount *mnt, const struct linux_timespec *ts)
{
	bool both_now = !ts || (ts[0].tv_nsec == UTIME_NOW_ && ts[1].tv_nsec == UTIME_NOW_);
	uint64_t now = realtime_ns();
	struct linux_timespec now_ts = { (int64_t)(now / 1000000000), (int64_t)(now % 1000000000) };
	struct vfs_attr a = { 0 };

	if (ts && ts[0].tv_nsec == UTIME_OMIT_ && ts[1].tv_nsec == UTIME_OMIT_)
		return 0;
	if (mnt && (mnt->flags & MS_RDONLY))
		return -EROFS;
	/* Explicit times need ownership; "now" also works with write permission. */
	if (t->cred.fsuid != 0 && t->cred.fsuid != i->uid) {
		if (!both_now)
			return -EPERM;
		if (inode_permission(t, i, MAY_WRITE))
			return -EACCES;
	}
	if (!ts || ts[0].tv_nsec != UTIME_OMIT_) {
		a.valid |= VFS_ATTR_ATIME;
		a.atime = !ts || ts[0].tv_nsec == UTIME_NOW_ ? now_ts : ts[0];
	}
	if (!ts || ts[1].tv_nsec != UTIME_OMIT_) {
		a.valid |= VFS_ATTR_MTIME;
		a.mtime = !ts || ts[1].tv_nsec == UTIME_NOW_ ? now_ts : ts[1];
	}
	return vfs_setattr(i, &a);
}

static long do_utimensat(struct task *t, int dirfd, uptr_t upath, const struct linux_timespec *ts, int flags)
{
	struct path p;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (ts && (!valid_ts(&ts[0]) || !valid_ts(&ts[1])))
		return -EINVAL;
	if (!upath.a) {
		/* futimens(): the path is NULL and dirfd names the file */
		struct file *f = fdget(t, dirfd);

		if (!f)
			return -EBADF;
		err = set_times(t, f->inode, f->path.mnt, ts);
		file_put(f);
		return err;
	}
	err = path_lookup_user(t, dirfd, upath,
			       ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) | ((flags & AT_EMPTY_PATH) ? LOOKUP_EMPTY : 0),
			       &p);
	if (err)
		return err;
	err = set_times(t, p.dentry->inode, p.mnt, ts);
	path_put(&p);
	return err;
}

/* utimensat(2) */
long sys_utimensat(struct task *t, const struct syscall_args *a)
{
	struct linux_timespec ts[2];

	if (arg_u64(a, 2) && copy_in(t, ts, arg_uptr(a, 2), sizeof(ts)))
		return -EFAULT;
	return do_utimensat(t, arg_int(a, 0), arg_uptr(a, 1), arg_u64(a, 2) ? ts : NULL, arg_int(a, 3));
}

/* utimes/futimesat take microseconds. */
static long do_utimes(struct task *t, int dirfd, uptr_t upath, uptr_t utv)
{
	struct linux_timeval tv[2];
	struct linux_timespec ts[2];

	if (!utv.a)
		return do_utimensat(t, dirfd, upath, NULL, 0);
	if (copy_in(t, tv, utv, sizeof(tv)))
		return -EFAULT;
	for (int k = 0; k < 2; k++) {
		if (tv[k].tv_usec < 0 || tv[k].tv_usec >= 1000000)
			return -EINVAL;
		ts[k].tv_sec = tv[k].tv_sec;
		ts[k].tv_nsec = tv[k].tv_usec * 1000;
	}
	return do_utimensat(t, dirfd, upath, ts, 0);
}

/* utimes(2) */
long sys_utimes(struct task *t, const struct syscall_args *a)
{
	return do_utimes(t, AT_FDCWD, arg_uptr(a, 0), arg_uptr(a, 1));
}

/* futimesat(2) */
long sys_futimesat(struct task *t, const struct syscall_args *a)
{
	return do_utimes(t, arg_int(a, 0), arg_uptr(a, 1), arg_uptr(a, 2));
}

/* utime(2): struct utimbuf { time_t actime, modtime; } */
long sys_utime(struct task *t, const struct syscall_args *a)
{
	int64_t buf[2];
	struct linux_timespec ts[2];

	if (!arg_u64(a, 1))
		return do_utimensat(t, AT_FDCWD, arg_uptr(a, 0), NULL, 0);
	if (copy_in(t, buf, arg_uptr(a, 1), sizeof(buf)))
		return -EFAULT;
	ts[0] = (struct linux_timespec){ buf[0], 0 };
	ts[1] = (struct linux_timespec){ buf[1], 0 };
	return do_utimensat(t, AT_FDCWD, arg_uptr(a, 0), ts, 0);
}

/*
 * Extended attributes: the sandbox stores none yet. Reads find nothing,
 * lists are empty, writes are refused as on a filesystem without xattrs.
 */
static long xattr_target(struct task *t, const struct syscall_args *a, bool by_fd, bool follow)
{
	struct path p;
	struct file *f;
	int err;

	if (by_fd) {
		f = fdget(t, arg_int(a, 0));
		if (!f)
			return -EBADF;
		file_put(f);
		return 0;
	}
	err = path_lookup_user(t, AT_FDCWD, arg_uptr(a, 0), follow ? LOOKUP_FOLLOW : 0, &p);
	if (!err)
		path_put(&p);
	return err;
}

static long xattr_get(struct task *t, const struct syscall_args *a, bool by_fd, bool follow)
{
	long err = xattr_target(t, a, by_fd, follow);

	return err ? err : -ENODATA;
}

static long xattr_list(struct task *t, const struct syscall_args *a, bool by_fd, bool follow)
{
	long err = xattr_target(t, a, by_fd, follow);

	return err ? err : 0;
}

static long xattr_set(struct task *t, const struct syscall_args *a, bool by_fd, bool follow)
{
	long err = xattr_target(t, a, by_fd, follow);

	return err ? err : -EOPNOTSUPP;
}

/* getxattr(2) */
long sys_getxattr(struct task *t, const struct syscall_args *a)
{
	return xattr_get(t, a, false, true);
}

/* lgetxattr(2) */
long sys_lgetxattr(struct task *t, const struct syscall_args *a)
{
	return xattr_get(t, a, false, false);
}

/* fgetxattr(2) */
long sys_fgetxattr(struct task *t, const struct syscall_args *a)
{
	return xattr_get(t, a, true, false);
}

/* listxattr(2) */
long sys_listxattr(struct task *t, const struct syscall_args *a)
{
	return xattr_list(t, a, false, true);
}

/* llistxattr(2) */
long sys_llistxattr(struct task *t, const struct syscall_args *a)
{
	return xattr_list(t, a, false, false);
}

/* flistxattr(2) */
long sys_flistxattr(struct task *t, const struct syscall_args *a)
{
	return xattr_list(t, a, true, false);
}

/* setxattr(2) */
long sys_setxattr(struct task *t, const struct syscall_args *a)
{
	return xattr_set(t, a, false, true);
}

/* lsetxattr(2) */
long sys_lsetxattr(struct task *t, const struct syscall_args *a)
{
	return xattr_set(t, a, false, false);
}

/* fsetxattr(2) */
long sys_fsetxattr(struct task *t, const struct syscall_args *a)
{
	return xattr_set(t, a, true, false);
}

/* removexattr(2) */
long sys_removexattr(struct task *t, const struct syscall_args *a)
{
	long err = xattr_target(t, a, false, true);

	return err ? err : -ENODATA;
}

/* lremovexattr(2) */
long sys_lremovexattr(struct task *t, const struct syscall_args *a)
{
	long err = xattr_target(t, a, false, false);

	return err ? err : -ENODATA;
}

/* fremovexattr(2) */
long sys_fremovexattr(struct task *t, const struct syscall_args *a)
{
	long err = xattr_target(t, a, true, false);

	return err ? err : -ENODATA;
}
