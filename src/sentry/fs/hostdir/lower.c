// SPDX-License-Identifier: MIT
/*
 * The lower layer over a host directory (temporary: the Gofer replaces it,
 * fs/gofer/lower.c). Every open is relative to the root fd with
 * RESOLVE_IN_ROOT, so "..", absolute symlinks and magic links cannot leave
 * the directory given to --root.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"
#include "sentry/fs/lower.h"

#define HOSTDIR_CHUNK (1 << 16)

static int g_root_fd = -1;

struct lower_file {
	int fd;
};

static int hostdir_open_rel(const char *rel, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, g_root_fd, *rel ? rel : ".", &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

static void attr_from_stat(const struct stat *st, struct lower_attr *a)
{
	a->mode = st->st_mode;
	a->uid = st->st_uid;
	a->gid = st->st_gid;
	a->nlink = st->st_nlink;
	a->size = (uint64_t)st->st_size;
	a->rdev = st->st_rdev;
	a->atime = (struct linux_timespec){ st->st_atim.tv_sec, st->st_atim.tv_nsec };
	a->mtime = (struct linux_timespec){ st->st_mtim.tv_sec, st->st_mtim.tv_nsec };
	a->ctime = (struct linux_timespec){ st->st_ctim.tv_sec, st->st_ctim.tv_nsec };
}

static int hostdir_list(const char *rel, struct lower_dirent **out, size_t *count)
{
	int fd = hostdir_open_rel(rel, O_RDONLY | O_DIRECTORY);
	struct lower_dirent *ents = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *dir;

	if (fd < 0)
		return fd;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(dir))) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			ents = xrealloc(ents, cap * sizeof(*ents));
		}
		ents[n].name = xstrdup(de->d_name);
		attr_from_stat(&st, &ents[n].attr);
		n++;
	}
	closedir(dir);
	*out = ents;
	*count = n;
	return 0;
}

static int hostdir_stat(const char *rel, struct lower_attr *a)
{
	_cleanup_close_ int fd = hostdir_open_rel(rel, O_PATH);
	struct stat st;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	attr_from_stat(&st, a);
	return 0;
}

static int hostdir_open(const char *rel, struct lower_file **out)
{
	int fd = hostdir_open_rel(rel, O_RDONLY);

	if (fd < 0)
		return fd;
	*out = xmalloc(sizeof(**out));
	(*out)->fd = fd;
	return 0;
}

static ssize_t hostdir_read(struct lower_file *f, void *buf, size_t len, uint64_t off)
{
	ssize_t n;

	do {
		n = pread(f->fd, buf, len, (off_t)off);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

static void hostdir_close(struct lower_file *f)
{
	close(f->fd);
	free(f);
}

static int hostdir_readlink(const char *rel, char *buf, size_t size)
{
	_cleanup_close_ int fd = hostdir_open_rel(rel, O_PATH);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = readlinkat(fd, "", buf, size);
	return n < 0 ? -errno : (int)n;
}

static size_t hostdir_read_chunk(void)
{
	return HOSTDIR_CHUNK;
}

static const struct lower_ops hostdir_lower_ops = {
	.name = "hostdir",
	.stat = hostdir_stat,
	.list = hostdir_list,
	.open = hostdir_open,
	.read = hostdir_read,
	.close = hostdir_close,
	.readlink = hostdir_readlink,
	.read_chunk = hostdir_read_chunk,
};

int hostdir_lower_init(const char *host_root)
{
	g_root_fd = open(host_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (g_root_fd < 0)
		return -errno;
	g_lower = &hostdir_lower_ops;
	return 0;
}
