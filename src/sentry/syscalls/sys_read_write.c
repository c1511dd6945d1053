// SPDX-License-Identifier: MIT
/* read, write, readv, writev, pread64, pwrite64, preadv, pwritev, lseek. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
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

#define SENDFILE_CHUNK 65536

/* sendfile(2): copy through a Sentry buffer; in_fd must support reads at an offset or in order. */
long sys_sendfile(struct task *t, const struct syscall_args *a)
{
	struct file *in = fdget(t, arg_int(a, 1)), *out = fdget(t, arg_int(a, 0));
	uptr_t uoff = arg_uptr(a, 2);
	size_t count = MIN(arg_u64(a, 3), (uint64_t)MAX_RW_COUNT), done = 0;
	int64_t off = 0;
	uint64_t pos;
	char *buf = NULL;
	long ret = 0;

	if (!in || !out) {
		ret = -EBADF;
		goto out;
	}
	if ((in->flags & O_ACCMODE) == O_WRONLY || (out->flags & O_ACCMODE) == O_RDONLY) {
		ret = -EBADF;
		goto out;
	}
	if (out->flags & O_APPEND) {
		ret = -EINVAL;
		goto out;
	}
	if (uoff.a) {
		if (copy_in_obj(t, &off, uoff)) {
			ret = -EFAULT;
			goto out;
		}
		if (off < 0 || !has_position(in)) {
			ret = off < 0 ? -EINVAL : -ESPIPE;
			goto out;
		}
	}
	pos = uoff.a ? (uint64_t)off : in->pos;
	buf = xmalloc(SENDFILE_CHUNK);
	while (done < count) {
		struct iov_iter it;
		uint64_t out_pos = out->pos;
		ssize_t got, put;

		iov_iter_kernel(&it, buf, MIN(count - done, (size_t)SENDFILE_CHUNK));
		got = vfs_read(in, &it, &pos);
		if (got <= 0) {
			if (!done)
				ret = got;
			break;
		}
		iov_iter_kernel(&it, buf, got);
		put = vfs_write(out, &it, &out_pos);
		if (put < 0) {
			if (!done)
				ret = finish_write(t, put);
			break;
		}
		out->pos = out_pos;
		done += put;
		if (put < got) {
			pos -= got - put;
			break;
		}
	}
	if (!uoff.a)
		in->pos = pos;
	else if (copy_out(t, uoff, &pos, sizeof(pos)))
		ret = -EFAULT;
	if (!ret)
		ret = (long)done;
out:
	free(buf);
	if (in)
		file_put(in);
	if (out)
		file_put(out);
	return ret;
}

/* fadvise64(2): advice is accepted and ignored, after the checks Linux makes. */
long sys_fadvise64(struct task *t, const struct syscall_args *a)
{
	struct file *f = fdget(t, arg_int(a, 0));
	long ret = 0;

	if (!f)
		return -EBADF;
	if (S_ISFIFO(f->inode->mode))
		ret = -ESPIPE;
	else if (arg_int(a, 3) < 0 || arg_int(a, 3) > 5 || arg_long(a, 2) < 0)
		ret = -EINVAL;
	file_put(f);
	return ret;
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
