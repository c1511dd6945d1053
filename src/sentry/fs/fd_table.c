// SPDX-License-Identifier: MIT
/* Descriptor tables and the per-task filesystem context. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"
#include "sentry/fs/lock.h"
#include "sentry/fs/vfs.h"
#include "sentry/kernel/task.h"

#define FD_MAX 1048576

struct fd_table *fdtable_new(void)
{
	struct fd_table *t = xzalloc(sizeof(*t));

	t->refs = 1;
	return t;
}

static void fdtable_grow(struct fd_table *t, int min)
{
	int size = t->size ? t->size : 64;

	while (size <= min)
		size *= 2;
	t->files = xrealloc(t->files, size * sizeof(*t->files));
	t->cloexec = xrealloc(t->cloexec, size);
	memset(t->files + t->size, 0, (size - t->size) * sizeof(*t->files));
	memset(t->cloexec + t->size, 0, size - t->size);
	t->size = size;
}

struct fd_table *fdtable_dup(struct fd_table *old)
{
	struct fd_table *t = fdtable_new();

	if (old->size)
		fdtable_grow(t, old->size - 1);
	for (int i = 0; i < old->size; i++) {
		t->files[i] = old->files[i];
		t->cloexec[i] = old->cloexec[i];
		if (t->files[i])
			file_get(t->files[i]);
	}
	return t;
}

/* @f left a slot of @ft: as on Linux, closing any descriptor of a file drops the table's POSIX locks on it. */
static void fd_drop(struct fd_table *ft, struct file *f)
{
	if (f->inode)
		lock_release_posix(f->inode, ft);
	file_put(f);
}

void fdtable_put(struct fd_table *t)
{
	if (--t->refs)
		return;
	for (int i = 0; i < t->size; i++)
		if (t->files[i])
			fd_drop(t, t->files[i]);
	free(t->files);
	free(t->cloexec);
	free(t);
}

struct file *fdget(struct task *t, int fd)
{
	struct fd_table *ft = t->fds;
	struct file *f;

	if (fd < 0 || fd >= ft->size || !ft->files[fd])
		return NULL;
	f = ft->files[fd];
	file_get(f);
	return f;
}

static int nofile_limit(struct task *t)
{
	uint64_t lim = t->tg->rlimits[7 /* RLIMIT_NOFILE */].rlim_cur;

	return lim > FD_MAX ? FD_MAX : (int)lim;
}

int fd_install(struct task *t, struct file *f, int min, bool cloexec)
{
	struct fd_table *ft = t->fds;
	int limit = nofile_limit(t);

	for (int fd = min; fd < limit; fd++) {
		if (fd >= ft->size)
			fdtable_grow(ft, fd);
		if (!ft->files[fd]) {
			ft->files[fd] = f;
			ft->cloexec[fd] = cloexec;
			return fd;
		}
	}
	file_put(f);
	return -EMFILE;
}

int fd_install_at(struct task *t, int fd, struct file *f, bool cloexec)
{
	struct fd_table *ft = t->fds;
	struct file *old;

	if (fd < 0 || fd >= nofile_limit(t)) {
		file_put(f);
		return -EBADF;
	}
	if (fd >= ft->size)
		fdtable_grow(ft, fd);
	old = ft->files[fd];
	ft->files[fd] = f;
	ft->cloexec[fd] = cloexec;
	if (old)
		fd_drop(ft, old);
	return fd;
}

int fd_close(struct task *t, int fd)
{
	struct fd_table *ft = t->fds;
	struct file *f;

	if (fd < 0 || fd >= ft->size || !ft->files[fd])
		return -EBADF;
	f = ft->files[fd];
	ft->files[fd] = NULL;
	ft->cloexec[fd] = 0;
	fd_drop(ft, f);
	return 0;
}

void fd_close_on_exec(struct task *t)
{
	struct fd_table *ft = t->fds;

	for (int fd = 0; fd < ft->size; fd++)
		if (ft->files[fd] && ft->cloexec[fd])
			fd_close(t, fd);
}

struct fs_context *fs_context_new(const struct path *root)
{
	struct fs_context *fs = xzalloc(sizeof(*fs));

	fs->refs = 1;
	fs->root = *root;
	fs->cwd = *root;
	path_get(root);
	path_get(root);
	fs->umask = 022;
	return fs;
}

struct fs_context *fs_context_dup(struct fs_context *old)
{
	struct fs_context *fs = fs_context_new(&old->root);

	path_put(&fs->cwd);
	fs->cwd = old->cwd;
	path_get(&fs->cwd);
	fs->umask = old->umask;
	return fs;
}

void fs_context_put(struct fs_context *fs)
{
	if (--fs->refs)
		return;
	path_put(&fs->root);
	path_put(&fs->cwd);
	free(fs);
}
