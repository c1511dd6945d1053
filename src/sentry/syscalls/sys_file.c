// SPDX-License-Identifier: MIT
/* open, openat, creat, close, dup*, fcntl, ioctl, pipe*, truncate, fsync. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include "sentry/fs/lock.h"
#include "sentry/fs/pipe/pipe.h"
#include "sentry/fs/vfs.h"
#include "sentry/mm/usercopy.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/unsupported.h"

#define VALID_OPEN_FLAGS                                                                                    \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC | O_ASYNC |    \
	 O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_SYNC | O_PATH | \
	 O_TMPFILE)

static long do_openat(struct task *t, int dirfd, uptr_t upath, int flags, uint32_t mode)
{
	char *path;
	struct file *f;
	long len;
	int err;

	if ((flags & O_TMPFILE) == O_TMPFILE)
		return -EOPNOTSUPP;
	path = malloc(PATH_MAX_LEN);
	if (!path)
		return -ENOMEM;
	len = copy_string_in(t, path, upath, PATH_MAX_LEN);
	if (len < 0) {
		free(path);
		return len;
	}
	err = vfs_open(t, dirfd, path, flags & VALID_OPEN_FLAGS, mode, &f);
	free(path);
	if (err)
		return err;
	return fd_install(t, f, 0, flags & O_CLOEXEC);
}

/* open(2) */
long sys_open(struct task *t, const struct syscall_args *a)
{
	return do_openat(t, AT_FDCWD, arg_uptr(a, 0), arg_int(a, 1), arg_mode(a, 2));
}

/* openat(2) */
long sys_openat(struct task *t, const struct syscall_args *a)
{
	return do_openat(t, arg_int(a, 0), arg_uptr(a, 1), arg_int(a, 2), arg_mode(a, 3));
}

/* creat(2) */
long sys_creat(struct task *t, const struct syscall_args *a)
{
	return do_openat(t, AT_FDCWD, arg_uptr(a, 0), O_CREAT | O_WRONLY | O_TRUNC, arg_mode(a, 1));
}

/* close(2) */
long sys_close(struct task *t, const struct syscall_args *a)
{
	return fd_close(t, arg_int(a, 0));
}

/* dup(2) */
long sys_dup(struct task *t, const struct syscall_args *a)
{
	struct file *f = fdget(t, arg_int(a, 0));

	return f ? fd_install(t, f, 0, false) : -EBADF;
}

static long do_dup3(struct task *t, int oldfd, int newfd, int flags)
{
	struct file *f;

	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	f = fdget(t, oldfd);
	if (!f)
		return -EBADF;
	return fd_install_at(t, newfd, f, flags & O_CLOEXEC);
}

/* dup2(2) */
long sys_dup2(struct task *t, const struct syscall_args *a)
{
	int oldfd = arg_int(a, 0), newfd = arg_int(a, 1);
	struct file *f;

	if (oldfd == newfd) {
		f = fdget(t, oldfd);
		if (!f)
			return -EBADF;
		file_put(f);
		return newfd;
	}
	return do_dup3(t, oldfd, newfd, 0);
}

/* dup3(2) */
long sys_dup3(struct task *t, const struct syscall_args *a)
{
	if (arg_int(a, 0) == arg_int(a, 1))
		return -EINVAL;
	return do_dup3(t, arg_int(a, 0), arg_int(a, 1), arg_int(a, 2));
}

#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_NDELAY | O_DIRECT | O_NOATIME | O_ASYNC)

/* fcntl(2) */
long sys_fcntl(struct task *t, const struct syscall_args *a)
{
	int fd = arg_int(a, 0), cmd = arg_int(a, 1);
	struct file *f = fdget(t, fd);
	long ret;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg_long(a, 2) < 0 || arg_long(a, 2) >= (long)t->tg->rlimits[RLIMIT_NOFILE].rlim_cur) {
			ret = -EINVAL;
			break;
		}
		return fd_install(t, f, arg_int(a, 2), cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		ret = t->fds->cloexec[fd] ? FD_CLOEXEC : 0;
		break;
	case F_SETFD:
		t->fds->cloexec[fd] = (arg_int(a, 2) & FD_CLOEXEC) != 0;
		ret = 0;
		break;
	case F_GETFL:
		ret = f->flags;
		break;
	case F_SETFL:
		f->flags = (f->flags & ~SETFL_MASK) | (arg_uint(a, 2) & SETFL_MASK);
		ret = 0;
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		ret = lock_fcntl(t, fd, f, cmd, arg_uptr(a, 2));
		break;
	case F_GETPIPE_SZ:
		ret = S_ISFIFO(f->inode->mode) ? 65536 : -EBADF;
		break;
	default:
		unsupported_cmd(t, "fcntl", cmd);
		ret = -EINVAL;
		break;
	}
	file_put(f);
	return ret;
}

/* flock(2) */
long sys_flock(struct task *t, const struct syscall_args *a)
{
	struct file *f = fdget(t, arg_int(a, 0));
	long ret;

	if (!f)
		return -EBADF;
	ret = (f->flags & O_PATH) ? -EBADF : lock_flock(t, f, arg_int(a, 1));
	file_put(f);
	return ret;
}

/* ioctl(2) */
long sys_ioctl(struct task *t, const struct syscall_args *a)
{
	int fd = arg_int(a, 0);
	unsigned cmd = arg_uint(a, 1);
	struct file *f = fdget(t, fd);
	long ret;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case FIOCLEX:
		t->fds->cloexec[fd] = 1;
		ret = 0;
		break;
	case FIONCLEX:
		t->fds->cloexec[fd] = 0;
		ret = 0;
		break;
	case FIONBIO: {
		int on;

		ret = copy_in_obj(t, &on, arg_uptr(a, 2)) ? -EFAULT : 0;
		if (!ret)
			f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
		break;
	}
	default:
		if (f->ops && f->ops->ioctl)
			ret = f->ops->ioctl(f, t, cmd, arg_u64(a, 2));
		else if (cmd == FIONREAD && S_ISREG(f->inode->mode)) {
			int n = f->pos < f->inode->size ? (int)(f->inode->size - f->pos) : 0;

			ret = copy_out_obj(t, arg_uptr(a, 2), &n) ? -EFAULT : 0;
		} else {
			/* terminal ioctls on a non-terminal: ENOTTY is the right answer */
			if ((cmd >> 8) != 'T')
				unsupported_cmd(t, "ioctl", cmd);
			ret = -ENOTTY;
		}
	}
	file_put(f);
	return ret;
}

static long do_pipe2(struct task *t, uptr_t ufds, int flags)
{
	struct file *rd, *wr;
	int fds[2];

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	pipe_create(flags, &rd, &wr);
	fds[0] = fd_install(t, rd, 0, flags & O_CLOEXEC);
	if (fds[0] < 0) {
		file_put(wr);
		return fds[0];
	}
	fds[1] = fd_install(t, wr, 0, flags & O_CLOEXEC);
	if (fds[1] < 0) {
		fd_close(t, fds[0]);
		return fds[1];
	}
	if (copy_out(t, ufds, fds, sizeof(fds))) {
		fd_close(t, fds[0]);
		fd_close(t, fds[1]);
		return -EFAULT;
	}
	return 0;
}

/* pipe(2) */
long sys_pipe(struct task *t, const struct syscall_args *a)
{
	return do_pipe2(t, arg_uptr(a, 0), 0);
}

/* pipe2(2) */
long sys_pipe2(struct task *t, const struct syscall_args *a)
{
	return do_pipe2(t, arg_uptr(a, 0), arg_int(a, 1));
}

/* ftruncate(2) */
long sys_ftruncate(struct task *t, const struct syscall_args *a)
{
	struct file *f = fdget(t, arg_int(a, 0));
	long ret;

	if (!f)
		return -EBADF;
	if (arg_long(a, 1) < 0)
		ret = -EINVAL;
	else if ((f->flags & O_ACCMODE) == O_RDONLY || (f->flags & O_PATH))
		ret = S_ISREG(f->inode->mode) ? -EINVAL : -EBADF;
	else
		ret = vfs_truncate(f->inode, arg_u64(a, 1));
	file_put(f);
	return ret;
}

/* fallocate(2) */
long sys_fallocate(struct task *t, const struct syscall_args *a)
{
	struct file *f = fdget(t, arg_int(a, 0));
	long ret;

	if (!f)
		return -EBADF;
	ret = vfs_fallocate(f, arg_int(a, 1), arg_long(a, 2), arg_long(a, 3));
	file_put(f);
	return ret;
}

/* truncate(2) */
long sys_truncate(struct task *t, const struct syscall_args *a)
{
	struct path p;
	long ret;

	if (arg_long(a, 1) < 0)
		return -EINVAL;
	ret = path_lookup_user(t, AT_FDCWD, arg_uptr(a, 0), LOOKUP_FOLLOW, &p);
	if (ret)
		return ret;
	if (S_ISDIR(p.dentry->inode->mode))
		ret = -EISDIR;
	else
		ret = inode_permission(t, p.dentry->inode, MAY_WRITE);
	if (!ret && p.dentry->inode->exec_count)
		ret = -ETXTBSY;
	if (!ret)
		ret = vfs_truncate(p.dentry->inode, arg_u64(a, 1));
	path_put(&p);
	return ret;
}

/* fsync(2), fdatasync(2): only files stored outside the sandbox (volumes) have anything to flush. */
static long do_fsync(struct task *t, int fd, bool datasync)
{
	struct file *f = fdget(t, fd);
	long err = 0;

	if (!f)
		return -EBADF;
	if (f->ops && f->ops->fsync)
		err = f->ops->fsync(f, datasync);
	file_put(f);
	return err;
}

/* fsync(2) */
long sys_fsync(struct task *t, const struct syscall_args *a)
{
	return do_fsync(t, arg_int(a, 0), false);
}

/* fdatasync(2) */
long sys_fdatasync(struct task *t, const struct syscall_args *a)
{
	return do_fsync(t, arg_int(a, 0), true);
}
