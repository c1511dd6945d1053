// SPDX-License-Identifier: MIT
/* read, write, readv, writev, pread64, pwrite64, preadv, pwritev, lseek. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include "sentry/fs/vfs.h"
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/syscalls.h"

static bool has_position(struct file *f)
{
	return f->ops && f->ops->llseek;
}

static long finish_write(struct task *t, long ret)
{
	if (ret == -EPIPE)
		send_signal_task(t, SIGPIPE, NULL);
	return ret;
}

static long do_rw(struct task *t, int fd, struct iov_iter *it, bool write, int64_t off, bool positional)
{
	struct file *f = fdget(t, fd);
	uint64_t pos;
	long ret;

	if (!f)
		return -EBADF;
	if (positional) {
		if (!has_position(f)) {
			file_put(f);
			return -ESPIPE;
		}
		if (off < 0) {
			file_put(f);
			return -EINVAL;
		}
		pos = (uint64_t)off;
	} else {
		pos = f->pos;
	}
	ret = write ? vfs_write(f, it, &pos) : vfs_read(f, it, &pos);
	if (!positional && ret >= 0)
		f->pos = pos;
	file_put(f);
	return write ? finish_write(t, ret) : ret;
}

/* read(2) */
long sys_read(struct task *t, const struct syscall_args *a)
{
	struct iov_iter it;

	iov_iter_user(&it, t, arg_uptr(a, 1), arg_u64(a, 2));
	return do_rw(t, arg_int(a, 0), &it, false, 0, false);
}

/* write(2) */
long sys_write(struct task *t, const struct syscall_args *a)
{
	struct iov_iter it;

	iov_iter_user(&it, t, arg_uptr(a, 1), arg_u64(a, 2));
	return do_rw(t, arg_int(a, 0), &it, true, 0, false);
}

/* pread64(2) */
long sys_pread64(struct task *t, const struct syscall_args *a)
{
	struct iov_iter it;

	iov_iter_user(&it, t, arg_uptr(a, 1), arg_u64(a, 2));
	return do_rw(t, arg_int(a, 0), &it, false, arg_long(a, 3), true);
}

/* pwrite64(2) */
long sys_pwrite64(struct task *t, const struct syscall_args *a)
{
	struct iov_iter it;

	iov_iter_user(&it, t, arg_uptr(a, 1), arg_u64(a, 2));
	return do_rw(t, arg_int(a, 0), &it, true, arg_long(a, 3), true);
}

static long do_rwv(struct task *t, const struct syscall_args *a, bool write, bool positional)
{
	struct iov_iter it;
	struct file *f;
	long ret;

	/* EBADF comes before a bad iovec, as on Linux. */
	f = fdget(t, arg_int(a, 0));
	if (!f)
		return -EBADF;
	file_put(f);
	ret = iov_iter_import(&it, t, arg_uptr(a, 1), arg_long(a, 2));
	if (ret)
		return ret;
	ret = do_rw(t, arg_int(a, 0), &it, write, arg_long(a, 3), positional);
	iov_iter_release(&it);
	return ret;
}

/* readv(2) */
long sys_readv(struct task *t, const struct syscall_args *a)
{
	return do_rwv(t, a, false, false);
}

/* writev(2) */
long sys_writev(struct task *t, const struct syscall_args *a)
{
	return do_rwv(t, a, true, false);
}

/* preadv(2) */
long sys_preadv(struct task *t, const struct syscall_args *a)
{
	return do_rwv(t, a, false, true);
}

/* pwritev(2) */
long sys_pwritev(struct task *t, const struct syscall_args *a)
{
	return do_rwv(t, a, true, true);
}

/* lseek(2) */
long sys_lseek(struct task *t, const struct syscall_args *a)
{
	struct file *f = fdget(t, arg_int(a, 0));
	long ret;

	if (!f)
		return -EBADF;
	if (!f->ops || !f->ops->llseek)
		ret = -ESPIPE;
	else if (arg_uint(a, 2) > SEEK_HOLE)
		ret = -EINVAL;
	else
		ret = f->ops->llseek(f, arg_long(a, 1), arg_int(a, 2));
	file_put(f);
	return ret;
}
