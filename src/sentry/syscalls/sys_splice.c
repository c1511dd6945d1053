// SPDX-License-Identifier: MIT
/*
 * splice and tee. Pipes are ring buffers in Sentry memory, so a splice is a
 * copy through a Sentry buffer of at most one pipe's worth, with Linux's
 * rules: one side must be a pipe, a pipe side takes no offset (ESPIPE), a
 * call moves what is there once something is (it waits only for the first
 * byte or the first free slot, unless SPLICE_F_NONBLOCK or O_NONBLOCK on the
 * pipe), and the readers and writers waiting on the pipe wake as for
 * read(2) and write(2).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include "sentry/fs/pipe/pipe.h"
#include "sentry/fs/vfs.h"
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/syscalls.h"

#define SPLICE_F_MOVE_ 1
#define SPLICE_F_NONBLOCK_ 2
#define SPLICE_F_MORE_ 4
#define SPLICE_F_GIFT_ 8
#define SPLICE_F_ALL_ (SPLICE_F_MOVE_ | SPLICE_F_NONBLOCK_ | SPLICE_F_MORE_ | SPLICE_F_GIFT_)
#define SPLICE_CHUNK 65536	/* one pipe's capacity: what one call moves at most */

static bool can_read(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}

static bool can_write(const struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY;
}

static bool has_position(const struct file *f)
{
	return f->ops && f->ops->llseek;
}

static long pipe_error(struct task *t, long err)
{
	if (err == -EPIPE)
		send_signal_task(t, SIGPIPE, NULL);
	return err;
}

/* The position a file side uses: *@uoff (left in @pos) or the file's own. */
static long file_pos(struct task *t, struct file *f, uptr_t uoff, uint64_t *pos)
{
	int64_t off;

	if (!uoff.a) {
		*pos = f->pos;
		return 0;
	}
	if (!has_position(f))
		return -EINVAL;	/* no pread/pwrite on it (FMODE_PREAD/PWRITE) */
	if (copy_in_obj(t, &off, uoff))
		return -EFAULT;
	if (off < 0)
		return -EINVAL;
	*pos = (uint64_t)off;
	return 0;
}

static long file_pos_done(struct task *t, struct file *f, uptr_t uoff, uint64_t pos)
{
	if (!uoff.a) {
		f->pos = pos;
		return 0;
	}
	return copy_out(t, uoff, &pos, sizeof(pos)) ? -EFAULT : 0;
}

/*
 * Wait until pipe @in has data and pipe @out has room: 1 with both counts,
 * else 0 (end of input) or -errno. Waiting for room may let another reader
 * drain the input, so the input is looked at again without blocking.
 */
static long wait_pipe_pair(struct task *t, struct file *in, struct file *out, bool nonblock,
			   ssize_t *avail, ssize_t *room)
{
	*avail = pipe_splice_wait(in, false, nonblock);
	if (*avail <= 0)
		return *avail;
	*room = pipe_splice_wait(out, true, nonblock);
	if (*room < 0)
		return pipe_error(t, *room);
	*avail = pipe_splice_wait(in, false, true);
	if (*avail <= 0)
		return *avail == -EAGAIN && !nonblock ? -ERESTARTNOINTR : *avail;
	return 1;
}

static long pipe_to_pipe(struct task *t, struct file *in, struct file *out, size_t len, bool nonblock)
{
	ssize_t avail, room, got;
	void *buf;
	long ready = wait_pipe_pair(t, in, out, nonblock, &avail, &room);

	if (ready <= 0)
		return ready;
	len = MIN(MIN(len, (size_t)avail), (size_t)room);
	buf = xmalloc(len);
	got = pipe_splice_read(in, buf, len);
	if (got > 0)
		got = pipe_splice_write(out, buf, (size_t)got);
	free(buf);
	return got;
}

static long pipe_to_file(struct task *t, struct file *in, struct file *out, uptr_t uoff, size_t len, bool nonblock)
{
	struct iov_iter it;
	uint64_t pos;
	ssize_t avail, got, put;
	void *buf;
	long err;

	err = file_pos(t, out, uoff, &pos);
	if (err)
		return err;
	if (out->flags & O_APPEND)
		return -EINVAL;
	avail = pipe_splice_wait(in, false, nonblock);
	if (avail <= 0)
		return avail;
	len = MIN(len, (size_t)avail);
	buf = xmalloc(len);
	got = pipe_splice_read(in, buf, len);
	if (got <= 0) {
		free(buf);
		return got;
	}
	iov_iter_kernel(&it, buf, (size_t)got);
	put = vfs_write(out, &it, &pos);
	free(buf);
	if (put < 0)
		return pipe_error(t, put);
	err = file_pos_done(t, out, uoff, pos);
	return err ? err : put;
}

static long file_to_pipe(struct task *t, struct file *in, uptr_t uoff, struct file *out, size_t len, bool nonblock)
{
	struct iov_iter it;
	uint64_t pos;
	ssize_t room, got, put;
	void *buf;
	long err;

	err = file_pos(t, in, uoff, &pos);
	if (err)
		return err;
	room = pipe_splice_wait(out, true, nonblock);
	if (room < 0)
		return pipe_error(t, room);
	len = MIN(len, (size_t)room);
	buf = xmalloc(len);
	iov_iter_kernel(&it, buf, len);
	got = vfs_read(in, &it, &pos);
	if (got <= 0) {
		free(buf);
		return got;
	}
	put = pipe_splice_write(out, buf, (size_t)got);
	free(buf);
	if (put < 0)
		return pipe_error(t, put);
	err = file_pos_done(t, in, uoff, pos);
	return err ? err : put;
}

static long do_splice(struct task *t, struct file *in, uptr_t uoff_in, struct file *out, uptr_t uoff_out,
		      size_t len, unsigned flags)
{
	bool ipipe = file_is_pipe(in), opipe = file_is_pipe(out);
	bool nonblock = flags & SPLICE_F_NONBLOCK_;

	if (!can_read(in) || !can_write(out))
		return -EBADF;
	if (ipipe && opipe) {
		if (uoff_in.a || uoff_out.a)
			return -ESPIPE;
		if (pipe_same(in, out))
			return -EINVAL;
		nonblock |= ((in->flags | out->flags) & O_NONBLOCK) != 0;
		return pipe_to_pipe(t, in, out, len, nonblock);
	}
	if (ipipe) {
		if (uoff_in.a)
			return -ESPIPE;
		nonblock |= (in->flags & O_NONBLOCK) != 0;
		return pipe_to_file(t, in, out, uoff_out, len, nonblock);
	}
	if (opipe) {
		if (uoff_out.a)
			return -ESPIPE;
		nonblock |= (out->flags & O_NONBLOCK) != 0;
		return file_to_pipe(t, in, uoff_in, out, len, nonblock);
	}
	return -EINVAL;
}

/* splice(2) */
long sys_splice(struct task *t, const struct syscall_args *a)
{
	size_t len = MIN(arg_u64(a, 4), (uint64_t)SPLICE_CHUNK);
	unsigned flags = arg_uint(a, 5);
	struct file *in, *out;
	long ret;

	if (!len)
		return 0;
	if (flags & ~SPLICE_F_ALL_)
		return -EINVAL;
	in = fdget(t, arg_int(a, 0));
	if (!in)
		return -EBADF;
	out = fdget(t, arg_int(a, 2));
	if (!out) {
		file_put(in);
		return -EBADF;
	}
	ret = do_splice(t, in, arg_uptr(a, 1), out, arg_uptr(a, 3), len, flags);
	file_put(out);
	file_put(in);
	return ret;
}

/* tee(2): duplicate up to @len bytes of one pipe into another, leaving them in the first. */
static long do_tee(struct task *t, struct file *in, struct file *out, size_t len, unsigned flags)
{
	bool nonblock = (flags & SPLICE_F_NONBLOCK_) || ((in->flags | out->flags) & O_NONBLOCK);
	ssize_t avail, room, put;
	long ready;
	void *buf;

	if (!can_read(in) || !can_write(out))
		return -EBADF;
	if (!file_is_pipe(in) || !file_is_pipe(out) || pipe_same(in, out))
		return -EINVAL;
	ready = wait_pipe_pair(t, in, out, nonblock, &avail, &room);
	if (ready <= 0)
		return ready;
	buf = xmalloc(MIN(len, (size_t)room));
	len = pipe_peek(in, buf, MIN(MIN(len, (size_t)avail), (size_t)room));
	put = pipe_splice_write(out, buf, len);
	free(buf);
	return put;
}

/* tee(2) */
long sys_tee(struct task *t, const struct syscall_args *a)
{
	size_t len = MIN(arg_u64(a, 2), (uint64_t)SPLICE_CHUNK);
	unsigned flags = arg_uint(a, 3);
	struct file *in, *out;
	long ret;

	if (flags & ~SPLICE_F_ALL_)
		return -EINVAL;
	if (!len)
		return 0;
	in = fdget(t, arg_int(a, 0));
	if (!in)
		return -EBADF;
	out = fdget(t, arg_int(a, 1));
	if (!out) {
		file_put(in);
		return -EBADF;
	}
	ret = do_tee(t, in, out, len, flags);
	file_put(out);
	file_put(in);
	return ret;
}

/*
 * vmsplice(2), by copying (Linux may map the pages; SPLICE_F_GIFT changes
 * nothing here): user memory into the pipe behind a writable fd, or the pipe
 * behind a read-only fd into user memory. Like splice, one call waits only
 * for the first free slot or the first byte, and moves at most a pipe's worth.
 */
static long vmsplice_to_pipe(struct task *t, struct file *f, struct iov_iter *it, bool nonblock)
{
	ssize_t room = pipe_splice_wait(f, true, nonblock), got;
	void *buf;

	if (room < 0)
		return pipe_error(t, room);
	buf = xmalloc(MIN(it->count, (size_t)room));
	got = iov_iter_copy_from(it, buf, MIN(it->count, (size_t)room));
	if (got > 0)
		got = pipe_splice_write(f, buf, (size_t)got);
	free(buf);
	return got;
}

static long vmsplice_from_pipe(struct task *t, struct file *f, struct iov_iter *it, bool nonblock)
{
	ssize_t avail = pipe_splice_wait(f, false, nonblock), got, put;
	size_t len;
	void *buf;

	if (avail <= 0)
		return avail;
	len = MIN(MIN(it->count, (size_t)avail), (size_t)SPLICE_CHUNK);
	buf = xmalloc(len);
	got = pipe_splice_read(f, buf, len);
	put = got > 0 ? iov_iter_copy_to(it, buf, (size_t)got) : got;
	free(buf);
	return put;
}

long sys_vmsplice(struct task *t, const struct syscall_args *a)
{
	unsigned flags = arg_uint(a, 3);
	struct iov_iter it;
	struct file *f;
	long ret;
	bool nonblock;

	if (flags & ~SPLICE_F_ALL_)
		return -EINVAL;
	f = fdget(t, arg_int(a, 0));
	if (!f)
		return -EBADF;
	ret = iov_iter_import(&it, t, arg_uptr(a, 1), (long)arg_u64(a, 2));
	if (ret) {
		file_put(f);
		return ret;
	}
	nonblock = flags & SPLICE_F_NONBLOCK_;	/* the file's O_NONBLOCK does not count (measured on 6.18) */
	if (!file_is_pipe(f))
		ret = -EBADF;
	else if (!it.count)
		ret = 0;
	else if (can_write(f))
		ret = vmsplice_to_pipe(t, f, &it, nonblock);
	else
		ret = vmsplice_from_pipe(t, f, &it, nonblock);
	iov_iter_release(&it);
	file_put(f);
	return ret;
}
