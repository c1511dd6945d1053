// SPDX-License-Identifier: MIT
/* File times: utimensat, futimesat, utimes, utime. */
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
	if (!ts || ts[0].tv_nsec != UTIME_OMIT_)
		i->atime = !ts || ts[0].tv_nsec == UTIME_NOW_ ? now_ts : ts[0];
	if (!ts || ts[1].tv_nsec != UTIME_OMIT_)
		i->mtime = !ts || ts[1].tv_nsec == UTIME_NOW_ ? now_ts : ts[1];
	i->ctime = now_ts;
	return 0;
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
